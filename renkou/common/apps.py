from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "renkou.common"
    label = "common"
    verbose_name = "公共"
