from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "renkou.reports"
    verbose_name = "统计与指标"
