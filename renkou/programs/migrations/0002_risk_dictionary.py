"""Seed the risk-factor code list of the pre-pregnancy risk assessment (孕前优生风险因素), a
dictionary the county maintains (domain.md §6). Only what is missing is added, so a county's own
edits survive a re-run; reversing leaves the rows in place."""

from django.db import migrations

RISK_FACTORS = (
    ("1", "遗传因素"), ("2", "慢性疾病"), ("3", "感染性疾病"), ("4", "不良生活方式"),
    ("5", "环境因素"), ("6", "用药"), ("7", "不良孕产史"), ("8", "高龄"), ("9", "其他"),
)


def forward(apps, schema_editor):
    DictType = apps.get_model("common", "DictType")
    DictItem = apps.get_model("common", "DictItem")
    dict_type, _ = DictType.objects.get_or_create(
        code="preconception_risk",
        defaults={"name": "孕前优生风险因素", "source": "国家免费孕前优生健康检查项目（本县代码表）",
                  "remark": "高风险人群至少有一项风险因素"},
    )
    for sort, (value, label) in enumerate(RISK_FACTORS, start=1):
        DictItem.objects.get_or_create(dict_type=dict_type, value=value,
                                       defaults={"label": label, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial"), ("common", "0003_seed_dictionaries")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
