"""/supervision/: dated tasks (重点工作) and their units' parts."""

from django.urls import path

from renkou.supervision import inspection_views as i
from renkou.supervision import staffing_views as st
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
    path("inspections/", i.inspection_list, name="inspection_list"),
    path("inspections/new/", i.inspection_plan, name="inspection_plan"),
    path("inspections/<int:pk>/", i.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/start/", i.inspection_start, name="inspection_start"),
    path("inspections/<int:pk>/sample/", i.inspection_sample, name="inspection_sample"),
    path("inspections/<int:pk>/close/", i.inspection_close, name="inspection_close"),
    path("inspections/<int:pk>/findings/new/", i.finding_add, name="finding_add"),
    path("samples/<int:pk>/verify/", i.sample_verify, name="sample_verify"),
    path("findings/<int:pk>/notice/", i.notice_issue, name="notice_issue"),
    path("notices/<int:pk>/", i.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/respond/", i.notice_respond, name="notice_respond"),
    path("notices/<int:pk>/recheck/", i.notice_recheck, name="notice_recheck"),
    path("notices/photos/<int:pk>/", i.notice_photo, name="notice_photo"),
    path("staff/", st.staff_list, name="staff_list"),
    path("staff/new/", st.staff_add, name="staff_add"),
    path("staff/<int:pk>/", st.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/end/", st.staff_end, name="staff_end"),
    path("bulletins/", i.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", i.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", i.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/publish/", i.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/pdf/", i.bulletin_pdf, name="bulletin_pdf"),
]
