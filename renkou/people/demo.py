"""The synthetic demo population of a rural multi-ethnic county (issue 3 §7).

``demo_seed(persons=110_000, seed=S)`` fills the county's villages with households built from
families: couples with their children, three-generation households, elderly people, single
adults, single mothers, and inflow workers with their families; outflow workers stay on their
household's register with the destination as residence. The ethnic mix is that of 卓尼县
(mostly 藏族, then 汉族, some 回族 and 土族, varying by township); age and sex follow from
cohort fertility and household composition (about 22 % under 15 and 9–10 % aged 65 or more).

Married women aged 15–49 get an open card with every child they bore (children who live
elsewhere are on the card without a person link) and a contraception episode. A fixed number
of deliberate data-quality problems per 110,000 persons (``PROBLEMS``) is spread over the
county, so that the data-quality page and the duplicate queue have something to show.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so a seed and a reference
day give the same register. Rows are built in Python with pre-assigned primary keys (so
spouse and parent links are set before the insert) and written with ``bulk_create`` in batches
of whole households; encrypted fields are encrypted by the field on insert, and the blind
index, pinyin key and ID status are derived with the same helpers as the services. Each row
gets its creation history row (reason 演示数据); there is no per-row audit: one ``demo.seed``
audit row records the load.
"""

import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, reset_queries, transaction
from django.db.models import Max
from django.utils import timezone

from renkou.common import audit, bulk, crypto, idnumber, pinyin
from renkou.common.models import SiteNote
from renkou.common.progress import ProgressBar
from renkou.geo.constants import Level, county_of, township_of
from renkou.geo.models import Unit
from renkou.people.constants import FEMALE, HEAD, MALE, MARRIED_CODES, NO_DOCUMENT, CardStatus, Flow
from renkou.people.models import Child as CardChild
from renkou.people.models import ContraceptionEpisode, Household, Person, WomanCard, id_status_of
from renkou.people.services import ID_PURPOSE
from renkou.people.signals import persons_written

DEFAULT_PERSONS = 110_000
DEFAULT_SEED = 20_231
DEMO_COUNTY = "623022"
SYNTHETIC_NOTE = "本系统中的人口数据为演示用合成数据，不是真实人员信息。"
BATCH_PERSONS = 5_000
HISTORY_REASON = "演示数据"
HOUSEHOLDS_PER_GROUP = 60

# Deliberate problems per 110,000 persons (at least 2 each, whatever the size).
PROBLEMS: dict[str, int] = {
    "check_reason": 40,  # wrong check character, override reason recorded
    "check_no_reason": 30,  # wrong check character from a legacy load, no reason
    "missing_id": 60,  # adult without an ID number
    "sex_mismatch": 20,  # ID sex digit disagrees with the recorded sex, reason recorded
    "birth_mismatch": 15,  # ID birth date disagrees with the recorded one, reason recorded
    "missing_hukou": 25,  # 户口性质 not collected
    "missing_ethnicity": 10,
    "missing_relationship": 10,
    "dup_id": 25,  # the same ID registered again in another village
    "pinyin_twin": 20,  # a homophone name with the same birth date in the same township
    "dup_child": 15,  # a child registered twice under the same mother
    "married_child": 8,  # married, aged under 15
    "early_marriage": 30,  # first marriage below the legal age
    "mother_age": 10,  # mother aged 14 at the child's birth
    "birth_before_marriage": 40,  # first child born before the parents' first marriage
    "card_not_eligible": 15,  # open card for a woman aged 50+ or divorced
    "eligible_no_card": 15,  # married woman 15–49 without a card
    "two_heads": 10,  # a second member recorded as 户主
    "no_head": 15,  # the head died and nobody took over
    "deceased_card": 5,  # a deceased woman whose card is still open
}
OVERRIDE_REASONS = {
    "check_reason": ("身份证原件即为此号码，已核实", "公安户籍系统中为此号码，已核实"),
    "sex_mismatch": ("户籍登记性别与身份证不一致，已报派出所更正",),
    "birth_mismatch": (
        "户口簿出生日期与身份证不一致，以户口簿为准",
        "出生日期已核实，身份证待换发",
    ),
}

# Ethnic mix (GB 3304 codes): the county overall, and townships that differ from it.
ETHNIC_MIX = (
    ("04", 0.67),
    ("01", 0.27),
    ("03", 0.035),
    ("30", 0.015),
    ("26", 0.005),
    ("02", 0.005),
)
TOWNSHIP_MIX = {
    "100": (("04", 0.48), ("01", 0.43), ("03", 0.07), ("30", 0.02)),  # 柳林镇, county seat
    "106": (("04", 0.35), ("01", 0.62), ("03", 0.03)),  # 洮砚镇
    "209": (("30", 0.45), ("04", 0.45), ("01", 0.10)),  # 杓哇土族乡
}
# (origin area code, name, ethnic mix) of inflow workers and families.
INFLOW_ORIGINS = (
    ("622921", "甘肃省临夏州临夏县", (("03", 0.7), ("26", 0.2), ("01", 0.1))),
    ("623021", "甘肃省甘南州临潭县", (("01", 0.6), ("03", 0.3), ("04", 0.1))),
    ("621126", "甘肃省定西市岷县", (("01", 0.95), ("03", 0.05))),
    ("623027", "甘肃省甘南州夏河县", (("04", 0.9), ("01", 0.1))),
    ("510107", "四川省成都市武侯区", (("01", 1.0),)),
)
# (destination code, name) of outflow workers.
OUTFLOW_PLACES = (
    ("620102000000", "甘肃省兰州市城关区"),
    ("623001000000", "甘肃省合作市"),
    ("623021000000", "甘肃省临潭县"),
    ("630102000000", "青海省西宁市城东区"),
    ("510107000000", "四川省成都市武侯区"),
    ("650102000000", "新疆乌鲁木齐市天山区"),
    ("320505000000", "江苏省苏州市虎丘区"),
)
OUTFLOW_CHANCE = 0.06

TIBETAN_MALE = (
    "才让",
    "扎西",
    "多杰",
    "旦正",
    "东智",
    "尕藏",
    "拉加",
    "索南",
    "贡保",
    "完玛",
    "桑杰",
    "更登",
    "仁青",
    "丹增",
    "洛桑",
    "道吉",
    "闹日",
    "加措",
    "当周",
    "华旦",
    "卡召",
    "李加",
    "杨本",
    "久美",
    "罗藏",
    "官却",
    "才旦",
    "万玛",
    "多吉",
    "三知",
)
TIBETAN_FEMALE = (
    "卓玛",
    "拉毛",
    "吉毛",
    "央金",
    "德吉",
    "拉姆",
    "娘毛",
    "才措",
    "卓措",
    "索南草",
    "完么措",
    "桑吉措",
    "梅朵",
    "当知草",
    "扎西草",
    "拉毛草",
    "才让草",
    "东珠措",
    "草毛",
    "央措",
    "达娃",
    "尼玛草",
    "仁增措",
    "贡却草",
)
HAN_SURNAMES = (
    "王",
    "李",
    "张",
    "刘",
    "杨",
    "赵",
    "陈",
    "何",
    "魏",
    "郭",
    "周",
    "吴",
    "孙",
    "朱",
    "高",
    "徐",
    "黄",
    "曹",
    "石",
    "罗",
    "安",
    "董",
    "冯",
    "汪",
    "牛",
    "包",
    "苏",
    "范",
    "康",
    "雷",
)
HUI_SURNAMES = ("马", "马", "马", "丁", "穆", "沙", "韩", "白", "拜", "敏")
HAN_MALE = (
    "建国",
    "志强",
    "永平",
    "海军",
    "文明",
    "国庆",
    "军",
    "明",
    "伟",
    "磊",
    "强",
    "鹏",
    "浩然",
    "子轩",
    "宇航",
    "福祥",
    "玉龙",
    "成林",
    "进财",
    "有福",
    "保平",
    "小军",
    "俊杰",
    "天佑",
    "振华",
    "文斌",
    "世杰",
    "继红",
    "家豪",
    "晨阳",
)
HAN_FEMALE = (
    "秀英",
    "桂兰",
    "玉梅",
    "丽",
    "娟",
    "芳",
    "霞",
    "小燕",
    "雪梅",
    "欣怡",
    "梓涵",
    "玉兰",
    "彩霞",
    "海燕",
    "春花",
    "淑珍",
    "红梅",
    "晓丽",
    "佳琪",
    "雨萱",
    "慧敏",
    "金花",
    "艳",
    "萍",
    "静",
)
# Characters read alike: a name changed at one of them keeps its pinyin key.
HOMOPHONES = {
    "张": "章",
    "章": "张",
    "王": "汪",
    "汪": "王",
    "玛": "马",
    "措": "错",
    "杰": "洁",
    "明": "鸣",
    "丽": "莉",
    "英": "瑛",
    "军": "君",
    "燕": "雁",
    "梅": "玫",
    "华": "桦",
    "才": "财",
    "毛": "茂",
    "芳": "方",
    "兰": "岚",
    "红": "虹",
    "霞": "侠",
    "强": "墙",
    "周": "州",
    "罗": "萝",
    "吉": "集",
}
CONTRACEPTION_INSTITUTIONS = ("县妇幼保健计划生育服务中心", "乡镇卫生院", "县人民医院")
HOUSEHOLD_KINDS = (
    ("young", 0.34),
    ("middle", 0.22),
    ("three_gen", 0.23),
    ("elderly", 0.11),
    ("single", 0.06),
    ("single_mother", 0.04),
)


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str  # 9-digit prefix
    township_name: str
    urban: bool  # a residents' committee (居委会) rather than a villagers' committee

    @property
    def short_name(self) -> str:
        return self.name.removesuffix("村民委员会").removesuffix("居民委员会")


@dataclass
class DemoReport:
    persons: int = 0
    households: int = 0
    cards: int = 0
    children: int = 0
    episodes: int = 0
    seconds: float = 0.0
    problems: dict[str, int] = field(default_factory=dict)


@dataclass
class Mother:
    """A woman with the children she bore: (name, sex, birth date, person or None)."""

    person: Person
    children: list[tuple[str, str, date, Person | None]] = field(default_factory=list)


def demo_villages(county: str = DEMO_COUNTY) -> list[Village]:
    units = Unit.objects.current().filter(code__startswith=county).select_related("parent")
    villages = units.filter(level=Level.VILLAGE).order_by("code")
    return [
        Village(
            u.code,
            u.name,
            township_of(u.code),
            u.parent.name if u.parent else "",
            u.code[9] in "01",
        )
        for u in villages
    ]


def demo_seed(
    *,
    persons: int = DEFAULT_PERSONS,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    county: str = DEMO_COUNTY,
    actor: Any = None,
    progress: Any = None,
) -> DemoReport:
    """Add ``persons`` synthetic persons to the county's villages (see the module docstring).

    Meant for an empty register (``seed_demo`` loads it only then): primary keys are assigned
    from the current maximum, so no other writer may insert at the same time."""
    villages = demo_villages(county)
    if not villages:
        raise ValueError(f"区划 {county} 下没有村（居）委会，请先载入区划")
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 synthetic data, not a secret
    builder = DemoBuilder(rng, today or timezone.localdate(), villages, persons)
    bar = progress or ProgressBar(persons, label="生成演示人口")
    for batch in builder.batches():
        _insert(batch)
        reset_queries()  # with DEBUG on, Django keeps every (huge) INSERT: keep memory flat
        bar.update(builder.count)
    bar.finish()
    _after_load()
    report = builder.report
    report.seconds = time.monotonic() - started
    SiteNote.objects.update_or_create(key="synthetic_data", defaults={"value": SYNTHETIC_NOTE})
    summary = f"seed={seed} households={report.households} cards={report.cards}"
    audit.record(
        actor=actor,
        action="demo.seed",
        object_type="people.person",
        row_count=report.persons,
        summary=summary,
    )
    return report


@dataclass
class Batch:
    households: list[Household] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    cards: list[WomanCard] = field(default_factory=list)
    children: list[CardChild] = field(default_factory=list)
    episodes: list[ContraceptionEpisode] = field(default_factory=list)


def _insert(batch: Batch) -> None:
    """One transaction per batch of whole households (links inside it are deferred foreign
    keys), each row with its creation ("+") history row, as a clerk's entry would leave."""
    now = timezone.now()
    with transaction.atomic():
        for model, rows in (
            (Household, batch.households),
            (Person, batch.persons),
            (WomanCard, batch.cards),
            (CardChild, batch.children),
            (ContraceptionEpisode, batch.episodes),
        ):
            bulk.insert(model, rows, history_date=now, history_reason=HISTORY_REASON)
        persons_written.send(sender=Person, ids=[p.pk for p in batch.persons], created=True)


def _after_load() -> None:
    """Move PostgreSQL sequences past the pre-assigned keys; refresh planner statistics, and on
    PostgreSQL (outside a transaction) the visibility map too, so that counts over a unit can
    be answered from the indexes alone right after the load."""
    loaded = [Household, Person, WomanCard, CardChild, ContraceptionEpisode]
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
            cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _next_pk(model: type[models.Model]) -> int:
    top: int | None = model._default_manager.aggregate(m=Max("pk"))["m"]
    return (top or 0) + 1


def _years_ago(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _add_years(day: date, years: int) -> date:
    return _years_ago(day, -years)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class DemoBuilder:
    """Builds households with their members, cards and problems, one batch at a time."""

    def __init__(self, rng: random.Random, today: date, villages: list[Village], total: int):
        self.rng, self.today, self.villages, self.total = rng, today, villages, total
        self.count = 0  # persons built so far
        self.report = DemoReport()
        self.pk: dict[type[models.Model], int] = {
            m: _next_pk(m) for m in (Household, Person, WomanCard, CardChild, ContraceptionEpisode)
        }
        self.serials: dict[str, int] = defaultdict(int)
        self.used_ids: set[str] = set()
        self.keys: dict[str, str] = {}
        self.by_township: dict[str, list[Village]] = defaultdict(list)
        for village in villages:
            self.by_township[village.township].append(village)
        self.pending: dict[str, int] = dict.fromkeys(PROBLEMS, 0)
        self.targets = self._problem_targets()
        self.batch = Batch()

    # Plan ---------------------------------------------------------------------------------

    def _problem_targets(self) -> list[tuple[int, str]]:
        """Person positions at which each problem becomes due, in the first 90 % of the run
        (a problem applies at the next person or household it fits; villages are visited in
        a shuffled order, so the problem-free tail is spread over the county)."""
        span = max(int(self.total * 0.9), 1)
        targets = []
        for name, per_110k in PROBLEMS.items():
            count = max(2, round(per_110k * self.total / 110_000))
            targets += [(i, name) for i in self.rng.sample(range(span), min(count, span))]
        return sorted(targets, reverse=True)

    def _village_targets(self) -> list[tuple[Village, int]]:
        weights = []
        for village in self.villages:
            weight = self.rng.uniform(0.6, 1.4)
            if village.urban:
                weight *= 2.5
            weights.append(weight)
        scale = self.total / sum(weights)
        targets = [round(w * scale) for w in weights]
        targets[-1] += self.total - sum(targets)
        pairs = list(zip(self.villages, targets, strict=True))
        self.rng.shuffle(pairs)
        return pairs

    def batches(self) -> Iterator[Batch]:
        """Yield batches of whole households until ``total`` persons are built."""
        for village, target in self._village_targets():
            goal = self.count + target
            while self.count < min(goal, self.total):
                self._household(village)
                if len(self.batch.persons) >= BATCH_PERSONS:
                    yield self._take()
        if self.batch.persons:
            yield self._take()

    def _take(self) -> Batch:
        batch, self.batch = self.batch, Batch()
        report = self.report
        report.households += len(batch.households)
        report.persons += len(batch.persons)
        report.cards += len(batch.cards)
        report.children += len(batch.children)
        report.episodes += len(batch.episodes)
        return batch

    def due(self, problem: str) -> bool:
        """Whether ``problem`` is due; if so it counts as applied."""
        if self.pending[problem] <= 0:
            return False
        self.pending[problem] -= 1
        self.report.problems[problem] = self.report.problems.get(problem, 0) + 1
        return True

    def _tick(self) -> None:
        self.count += 1
        while self.targets and self.targets[-1][0] < self.count:
            self.pending[self.targets.pop()[1]] += 1

    # Draws --------------------------------------------------------------------------------

    def weighted(self, pairs: tuple[tuple[Any, float], ...]) -> Any:
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights)[0]

    def birth_for_age(self, age: int) -> date:
        latest = _years_ago(self.today, age)
        earliest = _years_ago(self.today, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def age_between(self, low: int, high: int, mode: float | None = None) -> int:
        return int(
            self.rng.triangular(low, high + 0.999, mode if mode is not None else (low + high) / 2)
        )

    def ethnicity(self, village: Village) -> str:
        code: str = self.weighted(TOWNSHIP_MIX.get(village.township[6:9], ETHNIC_MIX))
        return code

    def name(self, sex: str, ethnicity: str, surname: str = "") -> str:
        rng = self.rng
        if ethnicity in ("04", "30") and not surname:
            pool = TIBETAN_MALE if sex == MALE else TIBETAN_FEMALE
            first = rng.choice(pool)
            if len(first) > 2 or rng.random() < 0.35:
                return first
            return first + rng.choice(pool)[:2]
        surname = surname or rng.choice(HUI_SURNAMES if ethnicity in ("03", "26") else HAN_SURNAMES)
        return surname + rng.choice(HAN_MALE if sex == MALE else HAN_FEMALE)

    def search_key(self, name: str) -> str:
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = pinyin.search_key(name)
        return key

    def new_id(self, area: str, birth: date, sex: str) -> str:
        while True:
            number = idnumber.generate(self.rng, area=area, birth=birth, sex=sex)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        prefix = self.rng.choice(
            ("138", "139", "151", "152", "158", "177", "180", "187", "189", "133", "153", "199")
        )
        return f"{prefix}{self.rng.randrange(10**8):08d}"

    # Households ---------------------------------------------------------------------------

    def new_household(self, village: Village, *, inflow: bool = False) -> Household:
        self.serials[village.code] += 1
        serial = self.serials[village.code]
        # 60 households a group; a very large village (a million-person bench county) keeps
        # filling group 99, whose 4-digit serial holds up to 9,999.
        group = min((serial - 1) // HOUSEHOLDS_PER_GROUP + 1, 99)
        number = serial - (group - 1) * HOUSEHOLDS_PER_GROUP
        if number > 9999:
            raise ValueError(f"村 {village.code} 的户数超过户编号容量")
        code = f"{village.code}{group:02d}{number:04d}"
        household = Household(
            pk=self._pk(Household),
            code=code,
            unit_code=village.code,
            group_no=f"{group:02d}",
            address=f"{village.township_name}{village.short_name}{group}组{number}号",
            hukou_type="1" if village.urban else "2",
            household_type="2" if inflow and self.rng.random() < 0.5 else "1",
            phone=self.phone() if self.rng.random() < 0.3 else "",
        )
        self.batch.households.append(household)
        return household

    def _pk(self, model: type[models.Model]) -> int:
        value = self.pk[model]
        self.pk[model] = value + 1
        return value

    def _household(self, village: Village) -> None:
        inflow_share = 0.12 if village.urban else 0.012
        if self.rng.random() < inflow_share:
            HouseholdBuilder(self, village, inflow=True).inflow()
            return
        kind = self.weighted(HOUSEHOLD_KINDS)
        getattr(HouseholdBuilder(self, village), kind)()

    def township_peer(self, village: Village) -> Village:
        peers = [v for v in self.by_township[village.township] if v.code != village.code]
        return self.rng.choice(peers) if peers else village

    def other_village(self, village: Village) -> Village:
        while True:
            other = self.rng.choice(self.villages)
            if other.code != village.code or len(self.villages) == 1:
                return other


class HouseholdBuilder:
    """One household: members first, then IDs and problems, then cards."""

    def __init__(self, demo: DemoBuilder, village: Village, *, inflow: bool = False) -> None:
        self.demo, self.rng, self.today = demo, demo.rng, demo.today
        self.village = village
        self.household = demo.new_household(village, inflow=inflow)
        self.members: list[Person] = []
        self.mothers: list[Mother] = []
        self.ethnicity = demo.ethnicity(village)
        self.origin: tuple[str, str, Any] | None = None

    # Members ------------------------------------------------------------------------------

    def person(
        self,
        name: str,
        sex: str,
        birth: date,
        relationship: str,
        *,
        ethnicity: str | None = None,
        marital: str = "10",
    ) -> Person:
        village = self.village
        person = Person(
            pk=self.demo._pk(Person),
            household_id=self.household.pk,
            unit_code=village.code,
            name=name,
            sex=sex,
            birth_date=birth,
            relationship=relationship,
            is_head=relationship == HEAD,
            ethnicity=ethnicity or self.ethnicity,
            marital_status=marital,
            hukou_type=self.household.hukou_type,
            registered_code=village.code,
            residence_code=village.code,
            residence_status="1",
        )
        self.members.append(person)
        self.demo._tick()
        return person

    def couple(
        self, husband_age: int, wife_gap: int, *, head: str = "husband", surname: str = ""
    ) -> tuple[Person, Person]:
        """A married couple; ``head`` names which of them is 户主 (or "" for neither)."""
        rng, demo = self.rng, self.demo
        wife_age = max(husband_age - wife_gap, 21)
        husband_rel, wife_rel = ("02", "12") if head == "husband" else ("20", "38")
        surname = surname or self._surname()
        husband = self.person(
            demo.name(MALE, self.ethnicity, surname),
            MALE,
            demo.birth_for_age(husband_age),
            husband_rel,
            marital="21",
        )
        wife_ethnicity = self.ethnicity if rng.random() < 0.9 else demo.ethnicity(self.village)
        wife = self.person(
            demo.name(FEMALE, wife_ethnicity),
            FEMALE,
            demo.birth_for_age(wife_age),
            wife_rel,
            ethnicity=wife_ethnicity,
            marital="21",
        )
        husband.spouse_id, wife.spouse_id = wife.pk, husband.pk
        if rng.random() < 0.04:
            husband.marital_status = wife.marital_status = "22"  # 再婚
        self._marry(husband, wife)
        return husband, wife

    def _surname(self) -> str:
        if self.ethnicity in ("04", "30"):
            return ""
        pool = HUI_SURNAMES if self.ethnicity in ("03", "26") else HAN_SURNAMES
        return self.rng.choice(pool)

    def _marry(self, husband: Person, wife: Person) -> None:
        rng, demo = self.rng, self.demo
        age = rng.choice((17, 18, 19)) if demo.due("early_marriage") else rng.randint(20, 26)
        married = _add_years(wife.birth_date, age) + timedelta(days=rng.randrange(365))
        if age >= 20:
            married = max(married, _add_years(husband.birth_date, 22) + timedelta(days=30))
        married = min(married, self.today - timedelta(days=30))
        husband.first_marriage_date = wife.first_marriage_date = married

    def children(
        self,
        father: Person | None,
        mother: Person,
        *,
        relationship_base: str = "20",
        surname: str = "",
    ) -> list[Person]:
        """The couple's children by the mother's cohort; those who left are on her card only."""
        rng, demo = self.rng, self.demo
        births, keep_first = self._birth_dates(mother)
        if births and father is not None and demo.due("birth_before_marriage"):
            later = births[0] + timedelta(days=rng.randint(100, 700))
            mother.first_marriage_date = father.first_marriage_date = min(later, self.today)
            keep_first = True
        record = Mother(mother)
        self.mothers.append(record)
        born: list[Person] = []
        for order, birth in enumerate(births):
            sex = MALE if rng.random() < 0.515 else FEMALE
            ethnicity = rng.choice(
                (mother.ethnicity, father.ethnicity if father else mother.ethnicity)
            )
            name = demo.name(sex, ethnicity, surname)
            # A first child that shows a problem stays, so the problem is visible.
            if not (keep_first and order == 0) and not self._stays(birth):
                record.children.append((name, sex, birth, None))
                continue
            rel = relationship_base if sex == MALE else str(int(relationship_base) + 10)
            child = self.person(name, sex, birth, rel, ethnicity=ethnicity)
            child.mother_id, child.father_id = mother.pk, father.pk if father else None
            record.children.append((name, sex, birth, child))
            born.append(child)
            if demo.due("dup_child"):
                twin = self.person(name, sex, birth, rel, ethnicity=ethnicity)
                twin.mother_id, twin.father_id = child.mother_id, child.father_id
                twin.no_id = True  # type: ignore[attr-defined]  # a mark read by finish()
        return born

    def _birth_dates(self, mother: Person) -> tuple[list[date], bool]:
        """Birth dates of the mother's children, and whether the first shows a problem."""
        rng, today = self.rng, self.today
        year = mother.birth_date.year
        pool = (
            (2, 3, 3, 4, 4, 5, 6)
            if year < 1965
            else (2, 2, 3, 3, 4)
            if year < 1975
            else (1, 2, 2, 3, 3)
            if year < 1985
            else (1, 2, 2, 2, 3)
            if year < 1995
            else (0, 1, 1, 2, 2)
        )
        count = rng.choice(pool)
        if mother.ethnicity == "01" and year >= 1965 and count > 1 and rng.random() < 0.5:
            count -= 1  # stricter birth policy for Han couples in those cohorts
        start = mother.first_marriage_date or _add_years(mother.birth_date, 22)
        day = start + timedelta(days=rng.randint(300, 900))
        early = bool(count) and self.demo.due("mother_age")
        if early:
            day = _add_years(mother.birth_date, 14) + timedelta(days=rng.randrange(200))
        births = []
        for _ in range(count):
            if day > today or age_on(mother.birth_date, day) > 42:
                break
            births.append(day)
            day += timedelta(days=rng.randint(500, 1800))
        return births, early

    def _stays(self, birth: date) -> bool:
        """Whether a child still lives in the household (grown children mostly left)."""
        age = age_on(birth, self.today)
        chance = (
            1.0 if age < 18 else 0.9 if age < 23 else 0.6 if age < 29 else 0.2 if age < 35 else 0.05
        )
        return self.rng.random() < chance

    def elder_parent(self, head: Person, age: int) -> Person:
        sex = MALE if self.rng.random() < 0.35 else FEMALE
        surname = self._family_name(head) if sex == MALE else ""
        name = self.demo.name(sex, head.ethnicity, surname)
        elder = self.person(
            name,
            sex,
            self.demo.birth_for_age(age),
            "51" if sex == MALE else "52",
            ethnicity=head.ethnicity,
            marital="30",
        )
        if sex == MALE:
            head.father_id = elder.pk
        else:
            head.mother_id = elder.pk
        if self.rng.random() < 0.12:  # died in the last three years, record kept as exited
            elder.exited_at = self.today - timedelta(days=self.rng.randint(20, 1000))
            elder.exit_reason = "3"
        return elder

    # Kinds --------------------------------------------------------------------------------

    def young(self) -> None:
        husband, wife = self.couple(self.rng.randint(23, 46), self.rng.randint(0, 4))
        self.children(husband, wife, surname=self._family_name(husband))
        self.finish()

    def middle(self) -> None:
        husband, wife = self.couple(self.demo.age_between(45, 62, 48), self.rng.randint(0, 5))
        self.children(husband, wife, surname=self._family_name(husband))
        if self.rng.random() < 0.25:
            self.elder_parent(
                husband, min(age_on(husband.birth_date, self.today) + self.rng.randint(20, 34), 99)
            )
        self.finish()

    def three_gen(self) -> None:
        """A head couple (or widower) with their married son, his wife and their children."""
        rng, demo = self.rng, self.demo
        son_age, gap = demo.age_between(24, 44, 30), rng.randint(0, 4)
        head_age = son_age + rng.randint(25, 31) + gap  # the wife was 25–31 at the son's birth
        wife: Person | None = None
        if rng.random() < 0.15:  # widowed head: the wife died before the register began
            head = self.person(
                demo.name(MALE, self.ethnicity, self._surname()),
                MALE,
                demo.birth_for_age(head_age),
                HEAD,
                marital="30",
            )
        else:
            head, wife = self.couple(head_age, gap)
        surname = self._family_name(head)
        son, daughter_in_law = self.couple(son_age, rng.randint(0, 3), head="", surname=surname)
        son.father_id, son.mother_id = head.pk, wife.pk if wife else None
        if wife is not None:
            latest = son.birth_date - timedelta(days=300)
            if wife.first_marriage_date is not None and wife.first_marriage_date > latest:
                married = son.birth_date - timedelta(days=rng.randint(300, 800))
                head.first_marriage_date = wife.first_marriage_date = married
            self.mothers.append(Mother(wife, [(son.name, son.sex, son.birth_date, son)]))
        self.children(son, daughter_in_law, relationship_base="41", surname=surname)
        if rng.random() < 0.1:
            self.elder_parent(head, min(head_age + rng.randint(20, 28), 99))
        self.finish()

    def elderly(self) -> None:
        rng, demo = self.rng, self.demo
        if rng.random() < 0.6:
            self.couple(demo.age_between(60, 88, 67), rng.randint(0, 4))
        else:
            sex = FEMALE if rng.random() < 0.6 else MALE
            birth = demo.birth_for_age(demo.age_between(60, 92, 72))
            name = demo.name(sex, self.ethnicity, self._surname())
            self.person(name, sex, birth, HEAD, marital="30")
        self.finish()

    def single(self) -> None:
        demo = self.demo
        marital = "40" if self.rng.random() < 0.15 else "10"
        birth = demo.birth_for_age(demo.age_between(22, 50, 28))
        self.person(
            demo.name(MALE, self.ethnicity, self._surname()), MALE, birth, HEAD, marital=marital
        )
        self.finish()

    def single_mother(self) -> None:
        rng, demo = self.rng, self.demo
        age = demo.age_between(28, 58, 40)
        marital = "40" if rng.random() < 0.4 else "30"
        mother = self.person(
            demo.name(FEMALE, self.ethnicity),
            FEMALE,
            demo.birth_for_age(age),
            HEAD,
            marital=marital,
        )
        mother.first_marriage_date = _add_years(mother.birth_date, rng.randint(20, 25))
        self.children(None, mother, surname=self._surname())
        if marital == "40" and 15 <= age <= 49 and self.demo.due("card_not_eligible"):
            mother.force_card = True  # type: ignore[attr-defined]  # a mark read by finish()
        self.finish()

    def inflow(self) -> None:
        rng, demo = self.rng, self.demo
        self.origin = rng.choice(INFLOW_ORIGINS)
        self.ethnicity = demo.weighted(self.origin[2])
        age = demo.age_between(20, 50, 30)
        if rng.random() < 0.5:
            sex = MALE if rng.random() < 0.7 else FEMALE
            self.person(demo.name(sex, self.ethnicity), sex, demo.birth_for_age(age), HEAD)
        else:
            husband, wife = self.couple(age, rng.randint(0, 4))
            self.children(husband, wife, surname=self._family_name(husband))
        self.finish()

    def _family_name(self, father: Person) -> str:
        """The surname children take: the father's, except in Tibetan and Tu families."""
        return "" if father.ethnicity in ("04", "30") else father.name[0]

    # Finishing ----------------------------------------------------------------------------

    def finish(self) -> None:
        for person in self.members:
            self._status(person)
        for person in list(self.members):
            self._identity(person)
        self._household_problems()
        for person in self.members:
            _derive(person, self.demo)
        for mother in self.mothers:
            self._card(mother)
        self.demo.batch.persons.extend(self.members)

    def _status(self, person: Person) -> None:
        """Education, phone, flow, and the married-child problem."""
        rng, demo = self.rng, self.demo
        age = age_on(person.birth_date, self.today)
        person.education = _education(rng, age, person.birth_date.year)
        if 18 <= age <= 70 and rng.random() < 0.72:
            person.phone = demo.phone()
        if self.origin is not None:
            self._inflow_fields(person)
        elif 18 <= age <= 45 and person.exited_at is None and rng.random() < OUTFLOW_CHANCE:
            code, place = rng.choice(OUTFLOW_PLACES)
            person.flow, person.flow_place, person.flow_reason = Flow.OUT, place, "1"
            person.residence_code = code
            person.residence_status = "2" if code.startswith("62") else "3"
            person.flow_date = self.today - timedelta(days=rng.randint(30, 2000))
        if 13 <= age <= 14 and person.marital_status == "10" and demo.due("married_child"):
            person.marital_status = "21"
            married = _add_years(person.birth_date, 13) + timedelta(days=rng.randrange(300))
            person.first_marriage_date = min(married, self.today)

    def _inflow_fields(self, person: Person) -> None:
        area, place, _mix = self.origin  # type: ignore[misc]  # set with the inflow flag
        person.registered_code = f"{area}000000"
        person.residence_status = "4"
        person.flow, person.flow_place = Flow.IN, place
        person.flow_reason = "1" if person.relationship == HEAD else "2"
        person.flow_date = self.today - timedelta(days=self.rng.randint(30, 1500))
        person.hukou_type = "2"

    def _identity(self, person: Person) -> None:
        rng, demo = self.rng, self.demo
        age = age_on(person.birth_date, self.today)
        area = self.origin[0] if self.origin else DEMO_COUNTY
        if (
            getattr(person, "no_id", False)
            or (age < 1 and rng.random() < 0.5)
            or (age < 16 and rng.random() < 0.1)
        ):
            person.id_type, person.id_number = NO_DOCUMENT, ""
            return
        if age >= 16 and demo.due("missing_id"):
            person.id_type = NO_DOCUMENT if rng.random() < 0.5 else "01"
            person.id_number = ""
            return
        person.id_type = "01"
        if age >= 16:
            self._adult_id(person, area)
        if not person.id_number:
            person.id_number = demo.new_id(area, person.birth_date, person.sex)
        if age >= 16:
            self._copies(person)

    def _adult_id(self, person: Person, area: str) -> None:
        """An adult's number, possibly with one of the deliberate ID problems."""
        rng, demo = self.rng, self.demo
        if demo.due("sex_mismatch"):
            other = FEMALE if person.sex == MALE else MALE
            person.id_number = demo.new_id(area, person.birth_date, other)
            person.id_override_reason = rng.choice(OVERRIDE_REASONS["sex_mismatch"])
        elif demo.due("birth_mismatch"):
            person.id_number = demo.new_id(area, person.birth_date, person.sex)
            person.birth_date -= timedelta(days=rng.randint(1, 60))
            person.id_override_reason = rng.choice(OVERRIDE_REASONS["birth_mismatch"])
        else:
            for problem in ("check_reason", "check_no_reason"):
                if demo.due(problem):
                    number = demo.new_id(area, person.birth_date, person.sex)
                    wrong = rng.choice([c for c in idnumber.CHECK_CHARS if c != number[17]])
                    person.id_number = number[:17] + wrong
                    if problem == "check_reason":
                        person.id_override_reason = rng.choice(OVERRIDE_REASONS[problem])
                    break

    def _copies(self, person: Person) -> None:
        """The same person registered again elsewhere (same ID, or a homophone name)."""
        demo = self.demo
        if demo.due("dup_id"):
            _single_copy(demo, person, demo.other_village(self.village), person.name, keep_id=True)
        elif demo.due("pinyin_twin"):
            name = _homophone(person.name, demo)
            _single_copy(demo, person, demo.township_peer(self.village), name, keep_id=False)

    def _household_problems(self) -> None:
        rng, demo = self.rng, self.demo
        present = [p for p in self.members if p.exited_at is None]
        head = next((p for p in present if p.relationship == HEAD), None)
        for person in present:
            if demo.pending["missing_hukou"] and demo.due("missing_hukou"):
                person.hukou_type = ""
            elif demo.pending["missing_ethnicity"] and demo.due("missing_ethnicity"):
                person.ethnicity = ""
            elif person is not head and demo.due("missing_relationship"):
                person.relationship = ""
        if head is None or len(present) < 2:
            return
        spouse = next((p for p in present if p.pk == head.spouse_id), None)
        if spouse is not None and demo.due("two_heads"):
            spouse.relationship = HEAD  # recorded twice; only one row can carry is_head
            spouse.second_head = True  # type: ignore[attr-defined]  # a mark read by finish()
        elif demo.due("no_head"):
            head.exited_at = self.today - timedelta(days=rng.randint(30, 700))
            head.exit_reason = "3"

    def _card(self, mother: Mother) -> None:
        woman, demo = mother.person, self.demo
        age = age_on(woman.birth_date, self.today)
        present = woman.exited_at is None
        eligible = present and woman.marital_status in MARRIED_CODES and 15 <= age <= 49
        force = getattr(woman, "force_card", False)
        if not eligible and not force:
            if (
                present
                and woman.marital_status in MARRIED_CODES
                and 50 <= age <= 60
                and demo.due("card_not_eligible")
            ):
                force = True
            else:
                return
        if eligible and demo.due("eligible_no_card"):
            return
        if eligible and woman.relationship != HEAD and demo.due("deceased_card"):
            woman.exited_at = self.today - timedelta(days=self.rng.randint(30, 400))
            woman.exit_reason = "3"
        _open_card(demo, mother)


def _derive(person: Person, demo: DemoBuilder) -> None:
    """The derived columns, as ``renkou.people.services._derive`` computes them."""
    number = idnumber.normalise(person.id_number)
    person.id_number = number
    person.id_index = crypto.blind_index(number, ID_PURPOSE) if number else ""
    person.name_key = demo.search_key(person.name)
    person.is_head = (
        person.relationship == HEAD
        and person.exited_at is None
        and not getattr(person, "second_head", False)
    )
    person.id_status = id_status_of(person.id_type, number, person.birth_date, person.sex)
    # 管理地: the residence when it lies in the household's county, else the household's unit.
    if county_of(person.residence_code) == county_of(person.unit_code):
        person.unit_code = person.residence_code


def _single_copy(
    demo: DemoBuilder, person: Person, village: Village, name: str, *, keep_id: bool
) -> None:
    """A one-person household in ``village`` holding a second record of ``person``."""
    copy = HouseholdBuilder(demo, village)
    other = copy.person(
        name,
        person.sex,
        person.birth_date,
        HEAD,
        ethnicity=person.ethnicity,
        marital=person.marital_status,
    )
    other.first_marriage_date = person.first_marriage_date
    if keep_id:
        other.id_type, other.id_number = person.id_type, person.id_number
        other.id_override_reason = person.id_override_reason
    else:
        other.id_type, other.id_number = NO_DOCUMENT, ""
    other.education = person.education
    _derive(other, demo)
    demo.batch.persons.append(other)
    eligible = 15 <= age_on(other.birth_date, demo.today) <= 49
    if other.sex == FEMALE and other.marital_status in MARRIED_CODES and eligible:
        _open_card(demo, Mother(other))


def _homophone(name: str, demo: DemoBuilder) -> str:
    """The name with one character swapped for one read alike (same pinyin key), if any."""
    for i, char in enumerate(name):
        swap = HOMOPHONES.get(char)
        if swap:
            candidate = name[:i] + swap + name[i + 1 :]
            if demo.search_key(candidate) == demo.search_key(name):
                return candidate
    return name


def _open_card(demo: DemoBuilder, mother: Mother) -> None:
    rng, today = demo.rng, demo.today
    woman = mother.person
    opened = max(woman.first_marriage_date or today, _add_years(woman.birth_date, 15))
    card = WomanCard(
        pk=demo._pk(WomanCard),
        person_id=woman.pk,
        unit_code=woman.unit_code,
        status=CardStatus.OPEN,
        opened_on=min(opened, today),
    )
    demo.batch.cards.append(card)
    for parity, (name, sex, birth, person) in enumerate(
        sorted(mother.children, key=lambda c: c[2]), 1
    ):
        demo.batch.children.append(
            CardChild(
                pk=demo._pk(CardChild),
                card_id=card.pk,
                person_id=person.pk if person else None,
                unit_code=woman.unit_code,
                parity=parity,
                name=name,
                sex=sex,
                birth_date=birth,
                id_number=person.id_number if person else "",
                kinship="1",
                health="1",
                policy_attribute="1",
            )
        )
    last = max((c[2] for c in mother.children), default=None)
    _episode(demo, card, len(mother.children), last or card.opened_on, rng)


def _episode(
    demo: DemoBuilder, card: WomanCard, children: int, since: date, rng: random.Random
) -> None:
    if children == 0:
        method = demo.weighted((("00", 0.6), ("07", 0.3), ("05", 0.1)))
    elif children == 1:
        method = demo.weighted(
            (("03", 0.55), ("07", 0.15), ("05", 0.08), ("04", 0.07), ("00", 0.15))
        )
    else:
        method = demo.weighted(
            (
                ("02", 0.3),
                ("03", 0.42),
                ("04", 0.06),
                ("07", 0.08),
                ("05", 0.04),
                ("01", 0.03),
                ("00", 0.07),
            )
        )
    start = min(since + timedelta(days=rng.randint(60, 400)), demo.today)
    long_acting = method in ("01", "02", "03", "04")
    place = rng.choice(CONTRACEPTION_INSTITUTIONS) if long_acting else ""
    demo.batch.episodes.append(
        ContraceptionEpisode(
            pk=demo._pk(ContraceptionEpisode),
            card_id=card.pk,
            unit_code=card.unit_code,
            method=method,
            start=start,
            institution=place,
            institution_type=("1" if place.startswith("县妇幼") else "4") if place else "",
            no_method_reason=rng.choice(("1", "1", "3", "6")) if method == "00" else "",
        )
    )


def _education(rng: random.Random, age: int, year: int) -> str:
    if age < 6:
        return ""
    if age < 13:
        return "80"
    if age < 16:
        return "70"
    if age < 19:
        return rng.choice(("70", "60", "60", "40"))
    pools: tuple[tuple[str, float], ...]
    if year < 1960:
        pools = (("90", 0.45), ("80", 0.45), ("70", 0.1))
    elif year < 1980:
        pools = (("80", 0.45), ("70", 0.33), ("60", 0.12), ("30", 0.05), ("20", 0.03), ("90", 0.02))
    else:
        pools = (
            ("70", 0.35),
            ("80", 0.18),
            ("60", 0.18),
            ("40", 0.08),
            ("30", 0.11),
            ("20", 0.09),
            ("10", 0.01),
        )
    values, weights = zip(*pools, strict=True)
    chosen: str = rng.choices(values, weights)[0]
    return chosen
