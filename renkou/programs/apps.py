from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "renkou.programs"
    verbose_name = "孕前优生健康检查"
