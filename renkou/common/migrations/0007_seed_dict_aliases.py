"""Seed the aliases of the national code lists (issue 13 item 6): the ways county sheets
commonly write a label (证件类型 身份证 for 居民身份证; ethnicities without 族; 户口性质
农业户口/非农业户口; 婚姻状况 已婚有配偶 …), so that an import written that way maps them to the
code with a note instead of refusing the row.

Only items whose alias list is still empty get the seeded list, so a county's own edits
survive a re-run. Reversing leaves the aliases in place.
"""

from django.db import migrations

# The GB 3304 ethnicities, as 0003 seeds them; each is also written without the final 族.
ETHNICITY_CODES = [f"{n:02d}" for n in range(1, 57)]

# (dictionary, value) → aliases. Sources: common sheet headings of 全员人口 collection forms
# (domain.md §2.3, §2.12); census 婚姻状况 (有配偶); the legacy FP marital list (有偶).
ALIASES = {
    ("document_type", "01"): ("身份证", "二代身份证", "居民身份证号码"),
    ("document_type", "04"): ("户口本",),
    ("document_type", "08"): ("无证件",),
    ("sex", "1"): ("男性",),
    ("sex", "2"): ("女性",),
    ("hukou_type", "1"): ("非农业户口", "城镇户口"),
    ("hukou_type", "2"): ("农业户口", "农村户口"),
    ("marital_status", "20"): ("已婚有配偶", "有配偶", "有偶"),
    ("marital_status", "21"): ("有效初婚",),
    ("marital_status", "90"): ("未说明",),
    ("ethnicity", "97"): ("未识别",),
    ("education", "10"): ("硕士", "博士", "硕士研究生", "博士研究生"),
    ("education", "20"): ("本科",),
    ("education", "30"): ("大专", "专科"),
    ("education", "40"): ("中专", "职高", "技校", "中职"),
    ("education", "60"): ("高中",),
    ("relationship", "11"): ("丈夫",),
    ("relationship", "12"): ("妻子",),
    ("relationship", "20"): ("儿子",),
    ("relationship", "30"): ("女儿",),
}


def seed(apps, schema_editor):
    DictItem = apps.get_model("common", "DictItem")
    for item in DictItem.objects.filter(dict_type__code="ethnicity", value__in=ETHNICITY_CODES):
        if not item.aliases and item.label.endswith("族"):
            item.aliases = [item.label[:-1]]
            item.save(update_fields=["aliases"])
    for (code, value), aliases in ALIASES.items():
        item = DictItem.objects.filter(dict_type__code=code, value=value).first()
        if item is not None and not item.aliases:
            item.aliases = list(aliases)
            item.save(update_fields=["aliases"])


class Migration(migrations.Migration):
    dependencies = [("common", "0006_dict_item_aliases_and_history")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
