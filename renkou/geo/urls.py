from django.urls import path

from renkou.geo import views

app_name = "geo"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("units/<str:code>/rename/", views.unit_rename, name="unit_rename"),
    path("units/<str:code>/groups/add/", views.group_add, name="group_add"),
    path("units/<str:code>/service-points/add/", views.servicepoint_add, name="servicepoint_add"),
    path("service-points/", views.servicepoint_list, name="servicepoint_list"),
]
