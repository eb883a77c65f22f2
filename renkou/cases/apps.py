from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "renkou.cases"
    verbose_name = "“两非”案件"
