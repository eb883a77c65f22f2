"""The seeded programmes named their policy source with references to the design notes
("domain.md §5.1；…"), which county staff read on the programme pages (issue 11 item 8): keep
the policy documents only. Rows a county has edited since are left as they are."""

from django.db import migrations

TWO_HOUSEHOLDS = "本省人口与计划生育条例（农村独生子女户、二女户优惠）"
# old seeded text → new text
SOURCES = {
    "domain.md §5.1；财教〔2011〕623号；国办发〔2004〕21号": "财教〔2011〕623号；国办发〔2004〕21号",
    "domain.md §5.2；国卫家庭发〔2013〕41号；2022-07-01 调整": "国卫家庭发〔2013〕41号；2022-07-01 调整",
    "domain.md §5.3；人口与计划生育法（2001）第27条": "人口与计划生育法（2001）第27条",
    "domain.md §9.1；育儿补贴制度实施方案（2025-07-28）": "育儿补贴制度实施方案（2025-07-28）",
    "domain.md §5.3 [S14e]": TWO_HOUSEHOLDS,
    "domain.md §5.3": TWO_HOUSEHOLDS,
}


def forward(apps, schema_editor):
    for model in ("Program", "RuleVersion"):
        rows = apps.get_model("benefits", model).objects
        for old, new in SOURCES.items():
            rows.filter(source=old).update(source=new)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0005_screening_table")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
