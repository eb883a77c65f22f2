"""The to-do rules of the dated tasks (issue 14 item 5): the responsible township is reminded 7
days and 1 day before the deadline; the 1-day reminder stays on the list, overdue, for 30 days
after it. Data a county can change on the rules page."""

from django.db import migrations

ROLES = "township_officer"
BASIS = "目标管理责任制：重点工作限时完成，截止前提醒责任单位"
# code, name, lead days, expire days
RULES = (
    ("task_deadline_7d", "重点工作截止前7天提醒", 7, 0),
    ("task_deadline_1d", "重点工作截止前1天提醒", 1, 30),
)


def seed(apps, schema_editor):
    rule = apps.get_model("todo", "ReminderRule")
    for code, name, lead, expire in RULES:
        rule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "population": "unit_task",
                "offsets": "0d",
                "lead_days": lead,
                "grace_days": 0,
                "expire_days": expire,
                "roles": ROLES,
                "basis": BASIS,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_dated_tasks"), ("todo", "0004_items_of_units")]
    operations = [migrations.RunPython(seed, unseed)]
