from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "renkou.people"
    label = "people"
    verbose_name = "全员人口"
