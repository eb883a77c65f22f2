from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "renkou.benefits"
    verbose_name = "利益导向"
