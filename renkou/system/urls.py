from django.urls import path

from renkou.system import approval_views, views

app_name = "system"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/kill-sessions/", views.user_kill_sessions, name="user_kill_sessions"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("account-requests/", approval_views.request_list, name="request_list"),
    path("account-requests/<int:pk>/cancel/", approval_views.request_cancel, name="request_cancel"),
    path("approvals/", approval_views.approval_list, name="approval_list"),
    path("approvals/<int:pk>/approve/", approval_views.request_approve, name="request_approve"),
    path("approvals/<int:pk>/reject/", approval_views.request_reject, name="request_reject"),
    path("dicts/", views.dict_list, name="dict_list"),
    path("dicts/new/", views.dicttype_create, name="dicttype_create"),
    path("dicts/<int:pk>/edit/", views.dicttype_edit, name="dicttype_edit"),
    path("dicts/<int:pk>/items/", views.dictitem_list, name="dictitem_list"),
    path("dicts/<int:pk>/items/new/", views.dictitem_create, name="dictitem_create"),
    path("dicts/items/<int:pk>/edit/", views.dictitem_edit, name="dictitem_edit"),
    path("dicts/items/<int:pk>/active/", views.dictitem_set_active, name="dictitem_set_active"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:pk>/kill/", views.session_kill, name="session_kill"),
    path("sessions/user/<int:pk>/kill/", views.session_kill_user, name="session_kill_user"),
    path("login-log/", views.loginlog_list, name="loginlog_list"),
    path("login-log/<int:pk>/unlock/", views.loginlog_unlock, name="loginlog_unlock"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
