from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "renkou.benefits"
    verbose_name = "利益导向"

    def ready(self) -> None:
        from renkou.benefits import receivers

        receivers.connect()
