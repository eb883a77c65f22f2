"""Seed the code lists of the reproductive-health services (docs/rh-services.md): findings of
the RH check (生殖健康检查发现), gynaecological treatments (妇科治疗方式, 01 = 蓝氧治疗, which
the county counts against its quota) and the free contraceptives (免费避孕药具, the remark names
the counting unit). Dictionaries the county maintains: only what is missing is added, so a
county's own edits survive a re-run; reversing leaves the rows in place."""

from django.db import migrations

LOCAL = "本县代码表"
LISTS = (
    ("rh_finding", "生殖健康检查发现", "00 未见异常不与其他代码同选", (
        ("00", "未见异常", "success", ""), ("01", "阴道炎", "", ""), ("02", "宫颈炎", "", ""),
        ("03", "盆腔炎", "", ""), ("04", "附件炎", "", ""), ("05", "子宫肌瘤", "", ""),
        ("06", "卵巢囊肿", "", ""), ("07", "乳腺增生", "", ""), ("08", "乳腺包块", "warning", ""),
        ("09", "宫颈细胞学异常", "warning", ""), ("10", "节育器异常（脱落、移位、嵌顿）", "", ""),
        ("11", "尿路感染", "", ""), ("99", "其他", "", ""),
    )),
    ("gyn_treatment", "妇科治疗方式", "01 蓝氧治疗按人次计入乡镇任务", (
        ("01", "蓝氧治疗", "primary", ""), ("02", "药物治疗", "", ""),
        ("03", "物理治疗（微波、激光、红外）", "", ""), ("04", "阴道冲洗上药", "", ""),
        ("09", "其他", "", ""),
    )),
    ("contraceptive_supply", "免费避孕药具", "备注为计量单位", (
        ("01", "避孕套", "", "只"), ("02", "短效口服避孕药", "", "板"),
        ("03", "紧急避孕药", "", "片"), ("04", "外用避孕药（栓、膜、凝胶）", "", "支"),
        ("05", "避孕针", "", "支"), ("09", "其他", "", "份"),
    )),
)


def forward(apps, schema_editor):
    DictType = apps.get_model("common", "DictType")
    DictItem = apps.get_model("common", "DictItem")
    for code, name, remark, items in LISTS:
        dict_type, _ = DictType.objects.get_or_create(
            code=code, defaults={"name": name, "source": LOCAL, "remark": remark}
        )
        for sort, (value, label, tag, note) in enumerate(items, start=1):
            DictItem.objects.get_or_create(
                dict_type=dict_type, value=value,
                defaults={"label": label, "sort": sort, "tag": tag or "secondary", "remark": note},
            )


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_rh_services"), ("common", "0003_seed_dictionaries")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
