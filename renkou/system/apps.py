from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "renkou.system"
    label = "system"
    verbose_name = "系统管理"
