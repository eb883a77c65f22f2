from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "renkou.supervision"
    verbose_name = "督查与重点工作"

    def ready(self) -> None:
        from renkou.accounts import grants
        from renkou.supervision import reminders, selectors

        reminders.connect()
        # The inspector reads people's data only through its visits (issue 14 item 6).
        grants.register(selectors.visit_grants)
