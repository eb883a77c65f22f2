from django.apps import AppConfig


class FloatingConfig(AppConfig):
    name = "renkou.floating"
    verbose_name = "流动人口"

    def ready(self) -> None:
        from renkou.floating import reminders

        reminders.connect()
