from django.urls import path

from renkou.geo import network_views as n
from renkou.geo import views

app_name = "geo"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("units/<str:code>/rename/", views.unit_rename, name="unit_rename"),
    path("units/<str:code>/groups/add/", views.group_add, name="group_add"),
    path("units/<str:code>/service-points/add/", views.servicepoint_add, name="servicepoint_add"),
    path("service-points/", n.servicepoint_list, name="servicepoint_list"),
    path("service-points/<int:pk>/", n.servicepoint_detail, name="servicepoint_detail"),
    path("service-points/<int:pk>/edit/", n.servicepoint_edit, name="servicepoint_edit"),
    path("service-points/<int:pk>/equipment/add/", n.equipment_add, name="equipment_add"),
    path("equipment/<int:pk>/edit/", n.equipment_edit, name="equipment_edit"),
    path("service-points/<int:pk>/licences/add/", n.licence_add, name="licence_add"),
    path("licences/<int:pk>/edit/", n.licence_edit, name="licence_edit"),
]
