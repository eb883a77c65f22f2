"""A submitted monthly report keeps the events it held (issue 11 item 7): reports submitted
before this change get the events of their village and month that were recorded by the time of
submission (those voided since included, as they were counted then)."""

from collections import defaultdict

from django.db import migrations, models


def backfill(apps, schema_editor):
    event = apps.get_model("events", "Event")
    report = apps.get_model("events", "MonthlyReport")
    voided_at = dict(
        event.objects.filter(kind="void", corrects__isnull=False).values_list(
            "corrects_id", "created_at"
        )
    )
    held = defaultdict(list)
    rows = event.objects.exclude(kind="void").values_list(
        "pk", "unit_code", "effective_date", "created_at", "status"
    )
    for pk, unit, day, created, status in rows.iterator():
        held[(unit, day.year * 100 + day.month)].append((pk, created, status))
    for row in report.objects.all().iterator():
        ids = [
            pk
            for pk, created, status in held.get((row.unit_code, row.month), [])
            if created <= row.submitted_at
            and (status != "voided" or voided_at.get(pk, row.submitted_at) > row.submitted_at)
        ]
        report.objects.filter(pk=row.pk).update(event_ids=sorted(ids))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_import_batch"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlyreport",
            name="event_ids",
            field=models.JSONField(blank=True, default=list, verbose_name="上报时的变动"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
