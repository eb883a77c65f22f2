"""/floating/: the floating-population registers and the certificate check rate."""

from django.urls import path

from renkou.floating import views

app_name = "floating"
urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("export/", views.record_export, name="record_export"),
    path("find/", views.record_find, name="record_find"),
    path("persons/<int:pk>/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/certificates/new/", views.certificate_add, name="certificate_add"),
    path("certificates/<int:pk>/", views.certificate_edit, name="certificate_edit"),
    path("check-rate/", views.check_rate, name="check_rate"),
    path("messages/", views.message_list, name="message_list"),
    path("messages/new/", views.message_create, name="message_create"),
    path("messages/monthly/", views.message_monthly, name="message_monthly"),
    path("messages/timeliness/", views.message_timeliness, name="message_timeliness"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/reply/", views.message_reply, name="message_reply"),
    path("messages/<int:pk>/link/", views.message_link, name="message_link"),
]
