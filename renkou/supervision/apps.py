from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "renkou.supervision"
    verbose_name = "督查与重点工作"

    def ready(self) -> None:
        from renkou.supervision import reminders

        reminders.connect()
