"""/programs/: the free pre-pregnancy eugenic exam (孕前优生)."""

from django.urls import path

from renkou.programs import figure_views, views

app_name = "programs"
urlpatterns = [
    path("couples/", views.couple_list, name="couple_list"),
    path("couples/new/", views.couple_create, name="couple_create"),
    path("couples/<int:pk>/", views.couple_detail, name="couple_detail"),
    path("couples/<int:pk>/confirm/", views.couple_confirm, name="couple_confirm"),
    path("couples/<int:pk>/exam/wife/", views.exam_record, {"spouse": "wife"}, name="exam_wife"),
    path(
        "couples/<int:pk>/exam/husband/",
        views.exam_record,
        {"spouse": "husband"},
        name="exam_husband",
    ),  # fmt: skip
    path("couples/<int:pk>/pregnancy/", views.pregnancy_record, name="pregnancy_record"),
    path("couples/<int:pk>/close/", views.couple_close, name="couple_close"),
    path("exams/<int:pk>/assessment/", views.assessment_record, name="assessment_record"),
    path("followups/", views.followup_due, name="followup_due"),
    path("followups/<int:pk>/", views.followup_record, name="followup_record"),
    path("targets/", figure_views.target_list, name="target_list"),
    path("targets/<str:code>/", figure_views.target_edit, name="target_edit"),
    path("coverage/", figure_views.coverage, name="coverage"),
    path("coverage/<str:code>/names/", figure_views.names, name="names"),
]
