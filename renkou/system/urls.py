from django.urls import path

from renkou.system import views

app_name = "system"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("dicts/", views.dict_list, name="dict_list"),
    path("sessions/", views.session_list, name="session_list"),
    path("login-log/", views.loginlog_list, name="loginlog_list"),
    path("audit/", views.audit_list, name="audit_list"),
    path("jobs/", views.job_list, name="job_list"),
]
