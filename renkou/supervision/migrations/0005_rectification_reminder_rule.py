"""The to-do rule of the rectification notices (issue 14 item 6): the township's notice is on
its list from the day it is issued (up to 30 days ahead of the deadline) and overdue after the
deadline until it responds; it stays listed, overdue, for 180 days. Data a county can change on
the rules page."""

from django.db import migrations

CODE = "rectification_response"


def seed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.get_or_create(
        code=CODE,
        defaults={
            "name": "整改通知待反馈",
            "population": "unit_rectification",
            "offsets": "0d",
            "lead_days": 30,
            "grace_days": 0,
            "expire_days": 180,
            "roles": "township_officer",
            "basis": "督查整改：整改通知限期反馈，逾期未反馈在待办中标红",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_bulletins"),
        ("todo", "0005_unit_rectification_population"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
