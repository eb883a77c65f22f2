"""The to-do rule of the 婚育证明 (issue 16 item 2): an inflow woman of childbearing age whose
certificate is not verified yet is on the list of her village and township from her arrival
(due 30 days after it, the regulation's time to show the certificate), and one whose verified
certificate runs out from 30 days before its end; a verified (newer) certificate closes the
item. Worded as a service offer (提醒办理、协助核验). Data a county can change on the rules
page."""

from django.db import migrations

CODE = "floating_certificate"


def seed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.get_or_create(
        code=CODE,
        defaults={
            "name": "流入育龄妇女婚育证明：提醒办理、协助核验",
            "population": "floating_cert",
            "offsets": "0d",
            "lead_days": 30,
            "grace_days": 0,
            "expire_days": 180,
            "roles": "village_admin,township_officer",
            "basis": "《流动人口计划生育工作条例》：现居住地乡镇为流入育龄妇女查验婚育证明；"
            "证明缺失或过期时提醒办理、协助向户籍地核验",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("todo", "ReminderRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("floating", "0001_registers"),
        ("todo", "0006_floating_populations_floating"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
