from django.apps import AppConfig


class TipoffsConfig(AppConfig):
    name = "renkou.tipoffs"
    verbose_name = "举报"

    def ready(self) -> None:
        from renkou.tipoffs import reminders

        reminders.connect()
