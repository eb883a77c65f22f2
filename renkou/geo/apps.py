from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "renkou.geo"
    label = "geo"
    verbose_name = "区划单位"
