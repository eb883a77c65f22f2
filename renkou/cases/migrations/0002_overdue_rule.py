"""The to-do rule of the “两非” cases (issue 18 item 2): a case is on its unit's list from the
day it is opened (up to 90 days ahead of the deadline, more than the days allowed) and overdue
after the investigation deadline until it is referred or closed; it stays listed, overdue, for
180 days. Data a county can change on the rules page. The item names the case's number."""

from django.db import migrations

CODE = "case_deadline"


def seed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.get_or_create(
        code=CODE,
        defaults={
            "name": "“两非”案件待调查终结",
            "population": "unit_case",
            "offsets": "0d",
            "lead_days": 90,
            "grace_days": 0,
            "expire_days": 180,
            "roles": "township_officer,county_officer",
            "basis": "“两非”案件：立案后限期调查终结（移送或结案），逾期在待办中标红",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_cases"),
        ("todo", "0008_unit_case_population"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
