from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "renkou.assessment"
    verbose_name = "任务指标与考核"
