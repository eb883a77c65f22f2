"""/assessment/: yearly service task quotas (任务指标) with veto flags, progress and forecast."""

from django.urls import path

from renkou.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("units/<str:code>/", views.unit_progress, name="unit_progress"),
    path("units/<str:code>/names/", views.names, name="names"),
    path("quotas/", views.quota_list, name="quota_list"),
    path("quotas/new/", views.quota_create, name="quota_create"),
    path("quotas/<int:pk>/", views.quota_edit, name="quota_edit"),
    path("quotas/<int:pk>/copy/", views.quota_copy, name="quota_copy"),
    path("quotas/<int:pk>/delete/", views.quota_delete, name="quota_delete"),
]
