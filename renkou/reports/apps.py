from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "renkou.reports"
    verbose_name = "统计与指标"

    def ready(self) -> None:
        from renkou.reports import assessment_source

        assessment_source.register()  # the indicators as a source of assessment scheme items
