"""/assessment/: yearly service task quotas (任务指标) with veto flags, progress and forecast;
the target-responsibility assessment (考核方案, board, score sheets)."""

from django.urls import path

from renkou.assessment import letter_views as lv
from renkou.assessment import ranking_views as rv
from renkou.assessment import responsibility_views as rs
from renkou.assessment import scheme_views as s
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
    path("schemes/", s.scheme_list, name="scheme_list"),
    path("schemes/new/", s.scheme_create, name="scheme_create"),
    path("schemes/mine/", s.mine, name="mine"),
    path("schemes/<int:pk>/", s.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/rename/", s.scheme_rename, name="scheme_rename"),
    path("schemes/<int:pk>/copy/", s.scheme_copy, name="scheme_copy"),
    path("schemes/<int:pk>/publish/", s.scheme_publish, name="scheme_publish"),
    path("schemes/<int:pk>/delete/", s.scheme_delete, name="scheme_delete"),
    path("schemes/<int:pk>/items/new/", s.item_create, name="item_create"),
    path("schemes/<int:pk>/items/<int:item_pk>/", s.item_edit, name="item_edit"),
    path("schemes/<int:pk>/items/<int:item_pk>/delete/", s.item_delete, name="item_delete"),
    path("schemes/<int:pk>/board/", s.board, name="board"),
    path("schemes/<int:pk>/board.xlsx", s.board_export, name="board_export"),
    path("schemes/<int:pk>/freeze/", s.scores_freeze, name="scores_freeze"),
    path("schemes/<int:pk>/results/<int:version>/", s.snapshot, name="snapshot"),
    path("schemes/<int:pk>/units/<str:code>/", s.sheet, name="sheet"),
    path("schemes/<int:pk>/units/<str:code>/sheet.xlsx", s.sheet_export, name="sheet_export"),
    path(
        "schemes/<int:pk>/units/<str:code>/items/<int:item_pk>/",
        s.manual_score,
        name="manual_score",
    ),
    path(
        "schemes/<int:pk>/units/<str:code>/deductions/new/",
        s.deduction_create,
        name="deduction_create",
    ),
    path("deductions/<int:pk>/withdraw/", s.deduction_withdraw, name="deduction_withdraw"),
    path("evidence/<int:pk>/", s.evidence, name="evidence"),
    path("schemes/<int:pk>/targets/", lv.township_target_save, name="township_target_save"),
    path("targets/<int:pk>/delete/", lv.township_target_delete, name="township_target_delete"),
    path("schemes/<int:pk>/letters/", lv.letters_issue, name="letters_issue"),
    path("letters/<int:pk>/", lv.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/acknowledge/", lv.letter_acknowledge, name="letter_acknowledge"),
    path("letters/<int:pk>/pdf/", lv.letter_pdf, name="letter_pdf"),
    path("schemes/<int:pk>/units/<str:code>/pdf/", lv.sheet_pdf, name="sheet_pdf"),
    path("schemes/<int:pk>/ranking-pdf/", lv.ranking_pdf, name="ranking_pdf"),
    path("trend/", rv.trend, name="trend"),
    path("responsibility/", rs.responsibility_list, name="responsibility_list"),
    path("responsibility/<str:code>/", rs.responsibility_detail, name="responsibility_detail"),
    path(
        "responsibility/<str:code>/entries/",
        rs.responsibility_entry_add,
        name="responsibility_entry_add",
    ),
    path("prefecture/", rv.prefecture, name="prefecture"),
    path("prefecture/figures/", rv.county_figure_save, name="county_figure_save"),
    path(
        "prefecture/figures/<int:pk>/delete/", rv.county_figure_delete, name="county_figure_delete"
    ),
    path("prefecture/import/", rv.county_figures_import, name="county_figures_import"),
    path(
        "prefecture/import/template.xlsx",
        rv.county_figures_template,
        name="county_figures_template",
    ),
]
