"""Demo pre-pregnancy exam records for the synthetic county (``manage.py seed_demo_programs``).

For the last complete FP year and the current one so far, each township examines a share of its
target population (``figures.target_population``, counted on the first day of the year): most
townships reach 82–96 %, every third one (the 2nd, 5th, …) stays behind at 60–75 %; the current
year is scaled by the time elapsed. Each couple gets its file with consent and confirmed
eligibility, both spouses' exams (a few husbands are away), risk assessments (high risk where an
item is abnormal, and at random: about 15–18 %), counselling and referrals, and — for about
half — a pregnancy with its early and outcome follow-ups, done or still due, some late, so the
随访到期 list has overdue items. Deterministic for a seed and a reference day.

Rows are written with ``bulk_create`` (creation history rows with reason 演示数据, no per-row
audit: one ``demo.programs`` audit row records the load), and follow the services' rules: one
file per couple and planned pregnancy, exams after eligibility, due dates from the services.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from renkou.common import audit, idnumber
from renkou.common.periods import fp_year, fp_year_of
from renkou.geo.constants import Level, full_code, township_of
from renkou.geo.models import ServicePoint, Unit
from renkou.geo.scope import prefix_range
from renkou.people.constants import MALE
from renkou.people.models import Person
from renkou.people.services import id_index
from renkou.programs import figures, services
from renkou.programs.constants import (
    LIVE_BIRTH,
    CloseReason,
    Counselling,
    CoupleStatus,
    FollowUpKind,
    FollowUpMethod,
    RiskCategory,
    Spouse,
    result_items,
)
from renkou.programs.models import CoupleFile, Exam, ExamItem, FollowUp, RiskAssessment

REASON = "演示数据"
CENTRE = "县妇幼保健计划生育服务中心"
DOCTORS = ("李秀兰", "马文静", "杨卓玛", "王海燕", "张丽")
COUNSELLORS = ("乡镇计生办", "县服务中心咨询室")
REFERRALS = ("县人民医院妇产科", "州人民医院遗传咨询门诊", "县疾控中心")
HUSBAND_NAMES = ("张建军", "马福禄", "扎西才让", "李志强", "王永平", "旦正加")
ABNORMAL = {
    3: "血压偏高",
    4: "清洁度Ⅲ度",
    5: "血红蛋白 102 g/L，轻度贫血",
    6: "尿蛋白(+)",
    8: "空腹血糖 6.4 mmol/L",
    9: "ALT 68 U/L",
    10: "HBsAg 阳性",
    11: "肌酐偏高",
    12: "TSH 5.8 mIU/L",
    13: "TPPA 阳性，待复查",
    14: "风疹IgG阴性，建议接种疫苗",
    15: "CMV IgG 阳性",
    16: "弓形体 IgG 阳性",
    17: "子宫肌瘤（约 2 cm）",
}
NORMAL = {1: "已接受优生健康教育", 2: "无特殊病史", 7: "A 型 Rh 阳性"}
# Abnormal chance per item; the factor an abnormal item points to (preconception_risk codes).
ITEM_CHANCE = {
    3: 0.015,
    4: 0.03,
    5: 0.025,
    6: 0.015,
    8: 0.01,
    9: 0.015,
    10: 0.02,
    11: 0.005,
    12: 0.015,
    13: 0.003,
    14: 0.025,
    15: 0.005,
    16: 0.005,
    17: 0.015,
}
FACTOR_OF = {
    3: "2",
    4: "3",
    5: "2",
    6: "2",
    8: "2",
    9: "2",
    10: "3",
    11: "2",
    12: "2",
    13: "3",
    14: "3",
    15: "3",
    16: "3",
    17: "7",
}
OTHER_FACTORS = (("4", 0.35), ("8", 0.25), ("1", 0.1), ("5", 0.1), ("6", 0.1), ("7", 0.1))
OUTCOMES = (("1", 0.88), ("3", 0.07), ("4", 0.03), ("2", 0.01), ("6", 0.01))


@dataclass
class DemoReport:
    couples: int = 0
    exams: int = 0
    followups: int = 0


class Builder:
    """Builds one couple at a time into lists written in bulk at the end of each year."""

    def __init__(self, rng: random.Random, today: date, point: ServicePoint) -> None:
        self.rng, self.today, self.point = rng, today, point
        self.couples: list[CoupleFile] = []
        self.exams: list[tuple[CoupleFile, Exam, list[ExamItem]]] = []
        self.assessments: list[tuple[Exam, RiskAssessment]] = []
        self.followups: list[tuple[CoupleFile, FollowUp]] = []
        self.serial: dict[str, int] = {}

    def weighted(self, pairs: tuple[tuple[str, float], ...]) -> str:
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights)[0]

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def file_no(self, unit_code: str, year: int) -> str:
        prefix = f"{township_of(unit_code)}{year}"
        self.serial[prefix] = self.serial.get(prefix, 0) + 1
        return f"{prefix}{self.serial[prefix]:05d}"

    def couple(self, wife: Person, examined: date) -> None:
        opened = examined - self.days(5, 30)
        husband, name, number = wife.spouse, "", ""
        if husband is None or husband.sex != MALE or husband.exited_at is not None:
            husband = None
            name, number = self.rng.choice(HUSBAND_NAMES), _husband_id(self.rng, wife)
        card = getattr(wife, "card", None)
        sequence = (len(card.children.all()) if card is not None else 0) + 1
        couple = CoupleFile(
            file_no=self.file_no(wife.unit_code, opened.year),
            unit_code=wife.unit_code,
            wife=wife,
            husband=husband,
            husband_name=name,
            husband_id_number=number,
            husband_key=f"p{husband.pk}" if husband else f"i{id_index(number)}",
            sequence=sequence,
            opened_on=opened,
            consent_on=opened,
            eligible_on=min(opened + self.days(0, 4), examined),
            notice_no=f"TZ{opened:%Y%m%d}",
            examined_on=examined,
        )
        self.couples.append(couple)
        self.exam(couple, Spouse.WIFE, examined)
        if self.rng.random() < 0.92:  # some husbands are away working
            self.exam(couple, Spouse.HUSBAND, examined + self.days(0, 2))
        self.pregnancy(couple)

    def exam(self, couple: CoupleFile, spouse: str, day: date) -> None:
        day = min(day, self.today)
        exam = Exam(
            unit_code=couple.unit_code,
            spouse=spouse,
            examined_on=day,
            service_point=self.point,
            examiner=self.rng.choice(DOCTORS),
        )
        items, abnormal = [], []
        for item in result_items(spouse):
            bad = self.rng.random() < ITEM_CHANCE.get(item.code, 0)
            result = ABNORMAL[item.code] if bad else NORMAL.get(item.code, "未见异常")
            items.append(
                ExamItem(unit_code=couple.unit_code, item=item.code, abnormal=bad, result=result)
            )
            if bad:
                abnormal.append(item.code)
        self.exams.append((couple, exam, items))
        recent = (self.today - day).days < 10
        if not (recent and self.rng.random() < 0.6):
            self.assess(couple, exam, abnormal)

    def assess(self, couple: CoupleFile, exam: Exam, abnormal: list[int]) -> None:
        factors = {FACTOR_OF[code] for code in abnormal}
        if self.rng.random() < 0.06:
            factors.add(self.weighted(OTHER_FACTORS))
        high = bool(factors)
        day = min(exam.examined_on + self.days(3, 10), self.today)
        row = RiskAssessment(
            unit_code=couple.unit_code,
            assessed_on=day,
            category=RiskCategory.HIGH if high else RiskCategory.GENERAL,
            factors=",".join(sorted(factors, key=int)),
            counselled_on=day,
            counselling=Counselling.FACE if high else Counselling.PHONE,
            counsellor=COUNSELLORS[1] if high else COUNSELLORS[0],
        )
        if high and self.rng.random() < 0.25:
            row.referred, row.referral_to = True, self.rng.choice(REFERRALS)
        self.assessments.append((exam, row))

    def pregnancy(self, couple: CoupleFile) -> None:
        if self.rng.random() > 0.55:
            if (self.today - couple.examined_on).days > 300 and self.rng.random() < 0.3:
                couple.closed_on = couple.examined_on + self.days(240, 300)
                couple.close_reason = CloseReason.NOT_PREGNANT
            return
        lmp = couple.examined_on + self.days(15, 200)
        recorded = lmp + self.days(35, 70)
        if recorded > self.today:
            return
        couple.lmp_on, couple.pregnancy_recorded_on = lmp, recorded
        early = FollowUp(
            unit_code=couple.unit_code, kind=FollowUpKind.EARLY, due_on=services.early_due(lmp)
        )
        done = recorded + self.days(0, 20)
        if done <= self.today and self.rng.random() < 0.88:
            early.done_on, early.method = done, self.rng.choice(FollowUpMethod.values)
            early.weeks = (done - lmp).days // 7
        self.followups.append((couple, early))
        self.followups.append((couple, self.outcome(couple, lmp, recorded)))

    def outcome(self, couple: CoupleFile, lmp: date, recorded: date) -> FollowUp:
        row = FollowUp(
            unit_code=couple.unit_code, kind=FollowUpKind.OUTCOME, due_on=services.outcome_due(lmp)
        )
        outcome = self.weighted(OUTCOMES)
        live = outcome == LIVE_BIRTH
        if live:
            ended = lmp + (self.days(230, 258) if self.rng.random() < 0.06 else self.days(262, 290))
        else:
            ended = max(lmp + self.days(45, 120), recorded + self.days(1, 20))
        done = ended + self.days(3, 45)
        if done > self.today or self.rng.random() > 0.8:
            return row
        row.done_on, row.method = done, self.rng.choice(FollowUpMethod.values)
        row.outcome, row.outcome_on = outcome, ended
        if live:
            row.birth_weight = max(1500, min(4800, round(self.rng.gauss(3200, 430))))
            row.birth_defect = self.rng.random() < 0.01
            row.preterm = (ended - lmp).days < 259
        couple.closed_on, couple.close_reason = done, CloseReason.COMPLETED
        return row

    def write(self) -> DemoReport:
        assessed = {id(exam) for exam, _row in self.assessments}
        pending = {id(couple) for couple, exam, _items in self.exams if id(exam) not in assessed}
        for couple in self.couples:
            couple.status = _status(couple, id(couple) in pending)
        bulk_create_with_history(
            self.couples, CoupleFile, batch_size=500, default_change_reason=REASON
        )
        exams = []
        for couple, exam, _items in self.exams:
            exam.couple_id = couple.pk
            exams.append(exam)
        bulk_create_with_history(exams, Exam, batch_size=500, default_change_reason=REASON)
        items = []
        for _couple, exam, rows in self.exams:
            for row in rows:
                row.exam_id = exam.pk
                items.append(row)
        bulk_create_with_history(items, ExamItem, batch_size=1000, default_change_reason=REASON)
        for exam, row in self.assessments:
            row.exam_id = exam.pk
        bulk_create_with_history(
            [r for _e, r in self.assessments],
            RiskAssessment,
            batch_size=500,
            default_change_reason=REASON,
        )
        for couple, row in self.followups:
            row.couple_id = couple.pk
        bulk_create_with_history(
            [r for _c, r in self.followups], FollowUp, batch_size=500, default_change_reason=REASON
        )
        report = DemoReport(len(self.couples), len(exams), len(self.followups))
        self.couples, self.exams, self.assessments, self.followups = [], [], [], []
        return report


def _status(couple: CoupleFile, unassessed: bool) -> str:
    """The status ``services.status_of`` gives these records."""
    if couple.closed_on is not None:
        return CoupleStatus.CLOSED
    if couple.lmp_on is not None:
        return CoupleStatus.PREGNANT
    return CoupleStatus.EXAMINED if unassessed else CoupleStatus.ASSESSED


def _husband_id(rng: random.Random, wife: Person) -> str:
    """A well-formed resident ID of a husband from outside the county (synthetic)."""
    born = wife.birth_date - timedelta(days=rng.randint(300, 1500))
    first17 = f"622921{born:%Y%m%d}{rng.randint(0, 49) * 2 + 1:03d}"
    return first17 + idnumber.check_char(first17)


def _rates(rng: random.Random, townships: list[Unit]) -> dict[str, float]:
    """Every third township (the 2nd, 5th, …) stays behind the 80 % target."""
    return {
        u.code: (0.60 + 0.15 * rng.random()) if i % 3 == 1 else (0.82 + 0.14 * rng.random())
        for i, u in enumerate(townships)
    }


def _centre(county: str) -> ServicePoint:
    unit = Unit.objects.current().get(code=full_code(county))
    point, _ = ServicePoint.objects.get_or_create(
        unit=unit, kind=ServicePoint.Kind.COUNTY_CENTRE, defaults={"name": CENTRE}
    )
    return point


@transaction.atomic
def seed_prepregnancy(*, county: str, today: date, seed: int, actor: Any = None) -> DemoReport:
    """A year (the last complete FP year, and the current one so far) of couple files, exams,
    assessments and follow-ups for the demo county."""
    rng = random.Random(seed)  # noqa: S311 synthetic data, not a secret
    townships = list(
        Unit.objects.current()
        .filter(level=Level.TOWNSHIP, **prefix_range("code", county))
        .order_by("code")
    )
    rates = _rates(rng, townships)
    builder, total = Builder(rng, today, _centre(county)), DemoReport()
    served: set[int] = set()
    current = fp_year_of(today)
    for year in (current - 1, current):
        period = fp_year(year)
        last = min(period.end, today)
        share = figures.time_progress(year, today) / 100
        for unit in townships:
            found = figures.target_population(unit.prefix, year).select_related("spouse", "card")
            women = [w for w in found.prefetch_related("card__children") if w.pk not in served]
            chosen = rng.sample(women, round(len(women) * rates[unit.code] * share))
            for wife in sorted(chosen, key=lambda w: w.pk):
                span = (last - period.start).days
                builder.couple(wife, period.start + timedelta(days=rng.randint(0, span)))
                served.add(wife.pk)
        report = builder.write()
        total.couples += report.couples
        total.exams += report.exams
        total.followups += report.followups
    audit.record(
        actor=actor,
        action="demo.programs",
        object_type="programs.couplefile",
        row_count=total.couples,
        summary=f"seed={seed}",
    )
    return total
