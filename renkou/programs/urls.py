"""/programs/: the free pre-pregnancy eugenic exam (孕前优生)."""

from django.urls import path

from renkou.programs import figure_views, rh_figure_views, rh_views, views

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
    ),
    path("couples/<int:pk>/pregnancy/", views.pregnancy_record, name="pregnancy_record"),
    path("couples/<int:pk>/close/", views.couple_close, name="couple_close"),
    path("exams/<int:pk>/assessment/", views.assessment_record, name="assessment_record"),
    path("followups/", views.followup_due, name="followup_due"),
    path("followups/<int:pk>/", views.followup_record, name="followup_record"),
    path("targets/", figure_views.target_list, name="target_list"),
    path("targets/<str:code>/", figure_views.target_edit, name="target_edit"),
    path("coverage/", figure_views.coverage, name="coverage"),
    path("coverage/<str:code>/names/", figure_views.names, name="names"),
    # Reproductive-health services (docs/rh-services.md).
    path("rh/", rh_views.rh_find, name="rh_find"),
    path("rh/counts/", rh_figure_views.rh_counts, name="rh_counts"),
    path("rh/persons/<int:pk>/", rh_views.rh_person, name="rh_person"),
    path("rh/persons/<int:pk>/check/", rh_views.rh_check_create, name="rh_check_create"),
    path("rh/persons/<int:pk>/treatment/", rh_views.treatment_create, name="treatment_create"),
    path("rh/persons/<int:pk>/supply/", rh_views.supply_create, name="supply_create"),
    path("rh/episodes/<int:pk>/visit/", rh_views.visit_for_episode, name="visit_for_episode"),
    path("rh/episodes/<int:pk>/removal/", rh_views.implant_removal, name="implant_removal"),
    path(
        "rh/pregnancies/<int:pk>/visit/", rh_views.visit_for_pregnancy, name="visit_for_pregnancy"
    ),
]
for _kind, _plural in (
    ("rh_check", "checks"),
    ("treatment", "treatments"),
    ("visit", "visits"),
    ("supply", "supplies"),
):
    urlpatterns += [
        path(f"rh/{_plural}/", getattr(rh_views, f"{_kind}_list"), name=f"{_kind}_list"),
        path(
            f"rh/{_plural}/<int:pk>/", getattr(rh_views, f"{_kind}_detail"), name=f"{_kind}_detail"
        ),
        path(
            f"rh/{_plural}/<int:pk>/edit/", getattr(rh_views, f"{_kind}_edit"), name=f"{_kind}_edit"
        ),
        path(
            f"rh/{_plural}/<int:pk>/void/", getattr(rh_views, f"{_kind}_void"), name=f"{_kind}_void"
        ),
    ]
