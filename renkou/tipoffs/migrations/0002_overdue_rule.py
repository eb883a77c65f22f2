"""The to-do rule of the tip-offs (issue 18 item 1): a tip-off is on its unit's list from the
day it is received (up to 90 days ahead of the deadline, more than the days allowed) and overdue
after the deadline until it is concluded; it stays listed, overdue, for 180 days. Data a county
can change on the rules page. The item names the tip-off's number, never the informant."""

from django.db import migrations

CODE = "tipoff_deadline"


def seed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.get_or_create(
        code=CODE,
        defaults={
            "name": "举报待办结",
            "population": "unit_tipoff",
            "offsets": "0d",
            "lead_days": 90,
            "grace_days": 0,
            "expire_days": 180,
            "roles": "township_officer,county_officer",
            "basis": "有奖举报：受理后限期办结，逾期未办结在待办中标红",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tipoffs", "0001_tipoffs"),
        ("todo", "0006_unit_tipoff_population_tipoffs"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
