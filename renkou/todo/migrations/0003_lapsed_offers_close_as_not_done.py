"""A reminder is an offer for its cycle (issue 11 item 9): an item whose window closed without
the service counts as 未办理, and the implant-removal offer no longer stays open for ten years.

The seeded 皮下埋植到期取出 rule kept its item open 3,650 days after the due date, so a card
whose implant end date was never entered showed "逾期 3,560 天". It now offers the removal at 4
years and again every year while the implant is recorded in place, each offer open for a year
at most (the next one replaces it). Only a rule still on its seeded schedule is changed (a county
may have edited it); it starts a new version as an edit on the rule page would, and the next
refresh (nightly, or ``manage.py refresh_todo``) closes the old offers as 未办理."""

from django.db import migrations, models

SEEDED = {"offsets": "4y", "repeat": "", "expire_days": 3650}
NOW = {"repeat": "12m", "expire_days": 365}
BASIS = "：2根型满4年、6根型满5年；卡上无根数，按较短的4年提醒，未取出的每年再提醒一次"


def forward(apps, schema_editor):
    rule = apps.get_model("todo", "ReminderRule")
    row = rule.objects.filter(code="implant_due", **SEEDED).first()
    if row is None:
        return
    for name, value in NOW.items():
        setattr(row, name, value)
    row.basis = row.basis.split("：")[0] + BASIS
    row.version += 1
    row.save()


class Migration(migrations.Migration):
    dependencies = [
        ("todo", "0002_seed_rules"),
    ]

    operations = [
        migrations.AlterField(
            model_name="todoitem",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "待办"),
                    ("done", "已办"),
                    ("expired", "未办理"),
                    ("cancelled", "规则变更撤销"),
                ],
                default="open",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
