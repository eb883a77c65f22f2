"""/benefits/: family benefit programmes (利益导向): rules, eligibility, applications, notices."""

from django.urls import path

from renkou.benefits import notice_views, payment_views, reconfirm_views, rule_views, views

app_name = "benefits"
urlpatterns = [
    path("programs/", rule_views.program_list, name="program_list"),
    path("programs/<str:code>/", rule_views.program_detail, name="program_detail"),
    path("programs/<str:code>/versions/new/", rule_views.version_create, name="version_create"),
    path("programs/<str:code>/amounts/new/", rule_views.amount_add, name="amount_add"),
    path("versions/<int:pk>/", rule_views.version_edit, name="version_edit"),
    path("versions/<int:pk>/test/", rule_views.version_test, name="version_test"),
    path("versions/<int:pk>/activate/", rule_views.version_activate, name="version_activate"),
    path("eligibility/", views.eligibility_search, name="eligibility_search"),
    path("eligibility/<int:pk>/", views.eligibility_page, name="eligibility"),
    path("screening/", views.screening, name="screening"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/<int:pk>/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/review/", views.application_review, name="application_review"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path("applications/<int:pk>/correct/", views.application_correct, name="application_correct"),
    path("applications/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("applications/<int:pk>/print/", views.application_print, name="application_print"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("notices/", notice_views.notice_list, name="notice_list"),
    path("notices/new/", notice_views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/objection/", notice_views.notice_objection, name="notice_objection"),
    path("notices/<int:pk>/close/", notice_views.notice_close, name="notice_close"),
    path("notices/<int:pk>/export/", notice_views.notice_export, name="notice_export"),
    # beneficiaries, rolls, bank results, reconciliation (item 6)
    path("beneficiaries/", payment_views.beneficiary_list, name="beneficiary_list"),
    path("beneficiaries/<int:pk>/", payment_views.beneficiary_detail, name="beneficiary_detail"),
    path(
        "beneficiaries/<int:pk>/account/",
        payment_views.beneficiary_account,
        name="beneficiary_account",
    ),
    path("rolls/", payment_views.roll_list, name="roll_list"),
    path("rolls/<int:pk>/", payment_views.roll_detail, name="roll_detail"),
    path("rolls/<int:pk>/lock/", payment_views.roll_lock, name="roll_lock"),
    path("rolls/<int:pk>/delete/", payment_views.roll_delete, name="roll_delete"),
    path("rolls/<int:pk>/bank-file/", payment_views.roll_bank_file, name="roll_bank_file"),
    path("rolls/<int:pk>/results/", payment_views.roll_results, name="roll_results"),
    path("rolls/<int:pk>/reconcile/", payment_views.roll_reconcile, name="roll_reconcile"),
    path("rolls/<int:pk>/close/", payment_views.roll_close, name="roll_close"),
    path("reconciliation/", payment_views.reconciliation, name="reconciliation"),
    # annual re-confirmation (item 5)
    path("reconfirmations/", reconfirm_views.reconfirmation_list, name="reconfirmation_list"),
    path(
        "reconfirmations/build/",
        reconfirm_views.reconfirmation_build,
        name="reconfirmation_build",
    ),
    path(
        "reconfirmations/<int:pk>/",
        reconfirm_views.reconfirmation_detail,
        name="reconfirmation_detail",
    ),
    path(
        "reconfirmations/<int:pk>/accept-all/",
        reconfirm_views.reconfirmation_accept_all,
        name="reconfirmation_accept_all",
    ),
    path(
        "reconfirmations/<int:pk>/apply/",
        reconfirm_views.reconfirmation_apply,
        name="reconfirmation_apply",
    ),
    path("changes/<int:pk>/decide/", reconfirm_views.change_decide, name="change_decide"),
    # figures (item 7)
    path("figures/", reconfirm_views.figure_overview, name="figures"),
    path("figures/<str:code>/names/", reconfirm_views.figure_names, name="figure_names"),
]
