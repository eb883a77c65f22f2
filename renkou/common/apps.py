from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "renkou.common"
    label = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        # Django 6.1 labels the empty choice of select boxes "- Select an option -", a string its
        # Chinese catalogue does not translate yet; Django's own advice is to set the label here.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = "请选择"
