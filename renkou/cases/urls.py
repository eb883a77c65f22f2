"""/cases/: the “两非” case register (issue 18 item 2)."""

from django.urls import path

from renkou.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/", views.case_export, name="export"),
    path("new/", views.case_create, name="create"),
    path("stats/", views.case_stats, name="stats"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/steps/", views.step_add, name="step_add"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/refer/", views.case_refer, name="refer"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
