"""/supervision/: dated tasks (重点工作) and their units' parts."""

from django.urls import path

from renkou.supervision import views

app_name = "supervision"
urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("parts/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("parts/<int:pk>/responsible/", views.responsible_set, name="responsible_set"),
    path("parts/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("parts/<int:pk>/count/", views.count_record, name="count_record"),
    path("parts/<int:pk>/submit/", views.assignment_submit, name="assignment_submit"),
    path("parts/<int:pk>/confirm/", views.assignment_confirm, name="assignment_confirm"),
    path("parts/<int:pk>/return/", views.assignment_return, name="assignment_return"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
