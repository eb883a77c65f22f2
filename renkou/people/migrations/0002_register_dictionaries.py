"""Code lists the register needs beyond the national ones seeded in common 0003."""

from django.db import migrations

LOCAL = "本县代码表（可在字典管理中维护）"
TYPES = (
    ("flow_reason", "流动原因", (("1", "务工经商"), ("2", "随同流动"), ("3", "婚姻嫁娶"),
                               ("4", "学习培训"), ("9", "其他"))),
    ("policy_attribute", "政策属性（统计用）", (("1", "政策内"), ("2", "政策外"),
                                          ("9", "未说明"))),
    ("institution_type", "服务机构类型", (("1", "计划生育技术服务机构"), ("2", "医院"),
                                       ("3", "社区卫生服务中心"), ("4", "乡镇卫生院"),
                                       ("5", "妇幼保健机构"), ("9", "其他"))),
    ("no_contraception_reason", "未避孕原因", (("1", "待孕"), ("2", "现孕"), ("3", "产后哺乳"),
                                             ("4", "不孕"), ("5", "绝经"), ("6", "分居"),
                                             ("9", "其他"))),
)


def forward(apps, schema_editor):
    DictType = apps.get_model("common", "DictType")
    DictItem = apps.get_model("common", "DictItem")
    for code, name, items in TYPES:
        dict_type, _ = DictType.objects.get_or_create(code=code, defaults={"name": name,
                                                                          "source": LOCAL})
        for sort, (value, label) in enumerate(items, start=1):
            DictItem.objects.get_or_create(dict_type=dict_type, value=value,
                                           defaults={"label": label, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial"), ("common", "0003_seed_dictionaries")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
