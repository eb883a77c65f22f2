from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "renkou.api"
    label = "renkou_api"
    verbose_name = "接口"
