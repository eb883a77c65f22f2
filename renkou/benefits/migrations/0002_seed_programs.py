"""The programmes, their first rule versions and amount tables (domain.md §5.1–5.3, §9.1).

Figures (fen per period): 奖扶 600 yuan/person/year from 2004, 960 from 2012-01-01 (§5.1,
财教〔2011〕623号); 特扶 135/110 yuan/person/month from 2012-01-01 and 590 (child died) / 460
(child disabled) from 2022-07-01, complications grade 1/2/3 520/390/260 from 2022-07-01 (§5.2);
育儿补贴 3,600 yuan per child per year under 3 from 2025-01-01 (§9.1). The one-child parents'
reward is provincial (§5.3: typically 5–10 yuan a month): 10 yuan is a placeholder the county
corrects. The 两户 preferences are non-cash (§5.3 [S14e]). Idempotent: ``forward`` is also
called by tests after a flush.
"""

from datetime import date

from django.db import migrations

AGE_60 = {"fact": "age", "op": ">=", "value": 60, "label": "本人年满60周岁"}
ALIVE = {"fact": "alive", "op": "is_true", "label": "本人在世"}
IN_REGISTER = {"fact": "in_register", "op": "is_true", "label": "本人在册"}
WIFE_49 = {"fact": "wife_age", "op": ">=", "value": 49, "label": "女方年满49周岁"}

JIANGFU = {"all": [
    AGE_60, ALIVE, IN_REGISTER,
    {"fact": "couple_rural", "op": "is_true", "label": "本人及配偶为农业户口"},
    {"any": [
        {"fact": "living_children", "op": "==", "value": 1, "label": "现有一个子女"},
        {"all": [{"fact": "living_children", "op": "==", "value": 2},
                 {"fact": "living_daughters", "op": "==", "value": 2}], "label": "现有两个女孩"},
        {"fact": "children_all_died", "op": "is_true", "label": "子女死亡现无子女"},
    ], "label": "子女条件（一孩、两女或子女死亡）"},
]}
TEFU_DIED = {"all": [
    WIFE_49, ALIVE, IN_REGISTER,
    {"fact": "only_child_died", "op": "is_true", "label": "独生子女死亡、未再生育或收养"},
]}
TEFU_DISABLED = {"all": [
    WIFE_49, ALIVE, IN_REGISTER,
    {"fact": "only_child_disabled", "op": "is_true", "label": "独生子女残疾、未再生育或收养"},
    {"fact": "disability_grade", "op": "<=", "value": 3, "label": "残疾等级三级及以上"},
]}
TEFU_COMPLICATION = {"all": [
    ALIVE, IN_REGISTER,
    {"fact": "complication_grade", "op": "in", "value": [1, 2, 3],
     "label": "计划生育手术并发症一至三级"},
]}
ONE_CHILD = {"all": [
    ALIVE, IN_REGISTER,
    {"fact": "children_ever", "op": "==", "value": 1, "label": "只生育（收养）一个子女"},
]}
CHILDCARE = {"all": [
    ALIVE, IN_REGISTER,
    {"fact": "age", "op": "<", "value": 3, "label": "未满3周岁"},
    {"fact": "birth_date", "op": ">=", "value": "2022-01-01", "label": "2022年1月1日以后出生"},
    {"fact": "registered_in_county", "op": "is_true", "label": "户籍在本县"},
]}
TWO_HOUSEHOLDS = {"all": [
    ALIVE, IN_REGISTER,
    {"fact": "hukou_rural", "op": "is_true", "label": "农业户口"},
    {"fact": "one_child_or_two_daughters", "op": "is_true", "label": "独生子女户或二女户"},
]}

TWO_LEVEL = ["township", "county"]
TWO_HOUSEHOLDS_SOURCE = "本省人口与计划生育条例（农村独生子女户、二女户优惠）"
SOURCE_51 = "财教〔2011〕623号"
SOURCE_52 = "国卫家庭发〔2013〕41号；2022-07-01 调整"
# code, name, family, level, subject, period, steps, letter, digit, benefit, source, rule, from
PROGRAMS = (
    ("jiangfu", "农村部分计划生育家庭奖励扶助", "奖扶", "national", "parent", "person_year",
     TWO_LEVEL, "J", "3", "", SOURCE_51 + "；国办发〔2004〕21号", JIANGFU, date(2006, 1, 1)),
    ("tefu_died", "计划生育家庭特别扶助（独生子女死亡）", "特扶", "national", "parent",
     "person_month", TWO_LEVEL, "", "4", "", SOURCE_52, TEFU_DIED, date(2008, 1, 1)),
    ("tefu_disabled", "计划生育家庭特别扶助（独生子女伤残）", "特扶", "national", "parent",
     "person_month", TWO_LEVEL, "", "4", "", SOURCE_52, TEFU_DISABLED, date(2008, 1, 1)),
    ("tefu_complication", "计划生育家庭特别扶助（手术并发症）", "特扶", "national", "parent",
     "person_month", TWO_LEVEL, "", "4", "", SOURCE_52, TEFU_COMPLICATION, date(2008, 1, 1)),
    ("one_child", "独生子女父母奖励（光荣证）", "独生子女", "provincial", "parent",
     "person_month", ["township"], "D", "8", "", "人口与计划生育法（2001）第27条",
     ONE_CHILD, date(2002, 9, 1)),
    ("childcare", "育儿补贴", "育儿补贴", "national", "child", "child_year", TWO_LEVEL, "", "",
     "", "育儿补贴制度实施方案（2025-07-28）", CHILDCARE, date(2025, 1, 1)),
    ("pref_dibao", "农村两户优先纳入低保", "两户优惠", "county", "parent", "none", TWO_LEVEL,
     "", "", "两户全部纳入低保并提高30%", TWO_HOUSEHOLDS_SOURCE, TWO_HOUSEHOLDS,
     date(2010, 1, 1)),
    ("pref_pension", "农村两户养老保险补助", "两户优惠", "county", "parent", "none", TWO_LEVEL,
     "", "", "城乡居民养老保险个人缴费补助", TWO_HOUSEHOLDS_SOURCE, TWO_HOUSEHOLDS, date(2010, 1, 1)),
    ("pref_xinnonghe", "农村两户免缴新农合自筹资金", "两户优惠", "county", "parent", "none",
     TWO_LEVEL, "", "", "免除合作医疗个人自筹资金", TWO_HOUSEHOLDS_SOURCE, TWO_HOUSEHOLDS,
     date(2010, 1, 1)),
    ("pref_microloan", "农村两户妇女小额贷款优先", "两户优惠", "county", "parent", "none",
     TWO_LEVEL, "", "", "妇女小额担保贷款优先、贴息", TWO_HOUSEHOLDS_SOURCE, TWO_HOUSEHOLDS,
     date(2010, 1, 1)),
    ("pref_poverty", "农村两户扶贫项目优先", "两户优惠", "county", "parent", "none", TWO_LEVEL,
     "", "", "扶贫开发项目优先安排", TWO_HOUSEHOLDS_SOURCE, TWO_HOUSEHOLDS, date(2010, 1, 1)),
)
# code, from, grade, fen, source
AMOUNTS = (
    ("jiangfu", date(2004, 1, 1), "", 60000, "国办发〔2004〕21号：600元/人/年"),
    ("jiangfu", date(2012, 1, 1), "", 96000, "财教〔2011〕623号：80元/人/月，960元/人/年"),
    ("tefu_died", date(2012, 1, 1), "", 13500, "财教〔2011〕623号"),
    ("tefu_died", date(2022, 7, 1), "", 59000, "2022-07-01 起 590元/人/月"),
    ("tefu_disabled", date(2012, 1, 1), "", 11000, "财教〔2011〕623号"),
    ("tefu_disabled", date(2022, 7, 1), "", 46000, "2022-07-01 起 460元/人/月"),
    ("tefu_complication", date(2022, 7, 1), "1", 52000, "2022-07-01 起 一级 520元/人/月"),
    ("tefu_complication", date(2022, 7, 1), "2", 39000, "2022-07-01 起 二级 390元/人/月"),
    ("tefu_complication", date(2022, 7, 1), "3", 26000, "2022-07-01 起 三级 260元/人/月"),
    ("one_child", date(2002, 9, 1), "", 1000, "示例标准（5–10元/月），按本省条例调整"),
    ("childcare", date(2025, 1, 1), "", 360000, "3600元/孩/年，至3周岁"),
)


def forward(apps, schema_editor):
    Program = apps.get_model("benefits", "Program")
    RuleVersion = apps.get_model("benefits", "RuleVersion")
    Amount = apps.get_model("benefits", "Amount")
    for sort, row in enumerate(PROGRAMS):
        (code, name, family, level, subject, period, steps, letter, digit, benefit, source,
         rule, start) = row
        program, created = Program.objects.get_or_create(code=code, defaults={
            "name": name, "family": family, "level": level, "subject": subject,
            "period": period, "steps": steps, "cert_letter": letter, "business_digit": digit,
            "benefit": benefit, "source": source, "sort": sort,
        })
        if created or not RuleVersion.objects.filter(program=program).exists():
            RuleVersion.objects.create(program=program, number=1, effective_from=start,
                                       conditions=rule, state="active", source=source,
                                       note="初始规则（系统预置）")
    for code, start, grade, fen, source in AMOUNTS:
        program = Program.objects.get(code=code)
        Amount.objects.get_or_create(program=program, grade=grade, effective_from=start,
                                     defaults={"fen": fen, "source": source})


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
