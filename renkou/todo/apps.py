from django.apps import AppConfig


class TodoConfig(AppConfig):
    name = "renkou.todo"
    verbose_name = "服务信息引导"

    def ready(self) -> None:
        from renkou.todo import receivers

        receivers.connect()
