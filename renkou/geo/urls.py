from django.urls import path

from renkou.geo import views

app_name = "geo"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("service-points/", views.servicepoint_list, name="servicepoint_list"),
]
