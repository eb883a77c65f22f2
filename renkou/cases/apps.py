from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "renkou.cases"
    verbose_name = "“两非”案件"

    def ready(self) -> None:
        from renkou.cases import reminders

        reminders.connect()
