"""The to-do rule of the 协查 messages (issue 16 item 3): a message is on its unit's list from
the day it was sent or received, due at its reply deadline (15 days urgent, 30 otherwise) and
overdue after it until the reply is recorded; listed overdue for up to 180 days. Data a county
can change on the rules page."""

from django.db import migrations

CODE = "floating_message"


def seed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.get_or_create(
        code=CODE,
        defaults={
            "name": "协查函件待反馈",
            "population": "floating_message",
            "offsets": "0d",
            "lead_days": 30,
            "grace_days": 0,
            "expire_days": 180,
            "roles": "township_officer,county_officer",
            "basis": "流动人口信息交流：紧急协查15日内反馈，其他30日内反馈",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("floating", "0003_messages")]
    operations = [migrations.RunPython(seed, unseed)]
