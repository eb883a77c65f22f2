from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "renkou.events"
    verbose_name = "人口变动"

    def ready(self) -> None:
        from renkou.events import receivers

        receivers.connect()
