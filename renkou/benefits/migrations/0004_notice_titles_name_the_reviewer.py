"""Notices published before this change were titled after the review level ("乡镇（街道）审核结果
公示") even on a village board; their titles now name the reviewing unit, as new ones do
(``services.notice_title``)."""

from django.db import migrations

LEVEL_PREFIX = {"county": 6, "township": 9, "village": 12}
LEVEL_LABEL = {"county": "县（区）", "township": "乡镇（街道）", "village": "村（居）"}


def forward(apps, schema_editor):
    notice = apps.get_model("benefits", "Notice")
    unit = apps.get_model("geo", "Unit")
    names = dict(unit.objects.filter(valid_to__isnull=True).values_list("code", "name"))
    for row in notice.objects.select_related("program"):
        code = row.unit_code[: LEVEL_PREFIX.get(row.level, 12)].ljust(12, "0")
        reviewer = names.get(code) or LEVEL_LABEL.get(row.level, "")
        title = f"{row.program.name}{reviewer}审核结果公示（{row.starts_on.year}年）"
        if title != row.title:
            notice.objects.filter(pk=row.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0003_payments"),
        ("geo", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
