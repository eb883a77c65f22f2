"""Figures of the free pre-pregnancy exam (domain.md §3) and the name lists behind them.

Each figure is a numerator over a denominator, and each side is a queryset (花名册) whose
``count()`` is that number — the figure is computed from the lists themselves, so the two can
never disagree. The one exception is coverage's denominator, the target population used: the
count from the register plus the township's manual adjustment (``TargetPopulation``), which has
no names; pages show the adjustment and its reason beside the list.

- coverage (目标人群覆盖率) = couples examined in the year / target population;
- high-risk detection (高风险人群检出率) = persons examined in the year assessed as high risk
  (≥ 1 risk factor) / persons examined in the year;
- early-pregnancy follow-up (早孕随访率) = early follow-ups done within 12 weeks of gestation /
  early follow-ups due in the year whose window has closed (or that are done);
- outcome follow-up (妊娠结局随访率) = outcome follow-ups done / outcome follow-ups due in the
  year whose due date has passed (or that are done).

The year is the FP statistical year (``common.periods.fp_year``). Lists take a unit code prefix
(county 6, township 9, village 12 digits) and are not scoped: callers pass a prefix inside the
user's subtree and scope the list again (``selectors.names``). Rules: docs/prepregnancy.md.
"""

from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

from renkou.common.figures import Figure, Measure, NameList, Side
from renkou.common.periods import Period, fp_year
from renkou.geo.constants import TOWNSHIP_LENGTH, full_code
from renkou.geo.scope import prefix_range
from renkou.people.constants import FEMALE, MARRIED_CODES, NO_CONTRACEPTION
from renkou.people.models import Child, ContraceptionEpisode, Person, Pregnancy
from renkou.programs.constants import (
    COVERAGE_TARGET,
    EARLY_TARGET,
    OUTCOME_TARGET,
    RECENT_BIRTH,
    SMALL_CELL,
    TARGET_AGES,
    CoupleStatus,
    FollowUpKind,
    RiskCategory,
)
from renkou.programs.models import CoupleFile, Exam, FollowUp, TargetPopulation


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def reference_day(year: int) -> date:
    """The day the target population is counted on: the first day of the FP year."""
    return fp_year(year).start


def _period(year: int) -> Period:
    return fp_year(year)


# --- the lists ------------------------------------------------------------------------------


def target_population(prefix: str, year: int, today: date | None = None) -> QuerySet[Person]:
    """目标人群 from the register, one row per couple (the wife), on the first day of the year:
    a married woman aged 20–49 living in the unit (居住地, so inflow couples count where they
    live and outflow couples do not), present in the register, with no method of contraception
    in force (no episode, or 未避孕), not pregnant, no child born in the 12 months before, and no
    examined file still open (she already had this planned pregnancy's free exam)."""
    day = reference_day(year)
    low, high = TARGET_AGES
    born_after, born_by = _years_before(day, high + 1), _years_before(day, low)
    birth_window = {"birth_date__gt": day - RECENT_BIRTH, "birth_date__lte": day}
    women = Person.objects.filter(
        Q(exited_at__isnull=True) | Q(exited_at__gt=day),
        sex=FEMALE,
        marital_status__in=MARRIED_CODES,
        birth_date__gt=born_after,
        birth_date__lte=born_by,
        **prefix_range("residence_code", prefix),
    )
    card_child = Child.objects.filter(card__person=OuterRef("pk"), **birth_window)
    own_child = Person.objects.filter(mother=OuterRef("pk"), **birth_window)
    pregnant = Pregnancy.objects.filter(card__person=OuterRef("pk"), detected_on__lte=day).filter(
        Q(outcome="") | Q(outcome_date__gt=day)
    )
    method = (
        ContraceptionEpisode.objects.filter(card__person=OuterRef("pk"), start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .exclude(method=NO_CONTRACEPTION)
    )
    served = (
        CoupleFile.objects.filter(wife=OuterRef("pk"), examined_on__lt=day)
        .exclude(status=CoupleStatus.WITHDRAWN)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))
    )
    return women.filter(
        ~Exists(card_child),
        ~Exists(own_child),
        ~Exists(pregnant),
        ~Exists(method),
        ~Exists(served),
    ).order_by("residence_code", "name", "pk")


def examined_couples(prefix: str, year: int, today: date | None = None) -> QuerySet[CoupleFile]:
    """Couples whose first exam (either spouse) falls in the year, at the wife's unit."""
    period = _period(year)
    return CoupleFile.objects.filter(
        examined_on__gte=period.start,
        examined_on__lte=period.end,
        **prefix_range("unit_code", prefix),
    ).order_by("unit_code", "examined_on", "pk")


def examined_persons(prefix: str, year: int, today: date | None = None) -> QuerySet[Exam]:
    """Persons (one exam each) examined in the year."""
    period = _period(year)
    return Exam.objects.filter(
        examined_on__gte=period.start,
        examined_on__lte=period.end,
        **prefix_range("unit_code", prefix),
    ).order_by("unit_code", "examined_on", "pk")


def high_risk_persons(prefix: str, year: int, today: date | None = None) -> QuerySet[Exam]:
    return examined_persons(prefix, year).filter(assessment__category=RiskCategory.HIGH)


def _due(kind: str, prefix: str, year: int, today: date) -> QuerySet[FollowUp]:
    period = _period(year)
    return (
        FollowUp.objects.filter(
            kind=kind,
            due_on__gte=period.start,
            due_on__lte=period.end,
            **prefix_range("unit_code", prefix),
        )
        .filter(Q(due_on__lt=today) | Q(done_on__isnull=False))
        .order_by("unit_code", "due_on", "pk")
    )


def early_due(prefix: str, year: int, today: date | None = None) -> QuerySet[FollowUp]:
    """Pregnancies of examined women whose 12-week window closed in the year (or followed)."""
    return _due(FollowUpKind.EARLY, prefix, year, today or date.max)


def early_timely(prefix: str, year: int, today: date | None = None) -> QuerySet[FollowUp]:
    return early_due(prefix, year, today).filter(done_on__lte=F("due_on"))


def outcome_due(prefix: str, year: int, today: date | None = None) -> QuerySet[FollowUp]:
    """Pregnancies whose outcome follow-up fell due in the year and passed (or was done)."""
    return _due(FollowUpKind.OUTCOME, prefix, year, today or date.max)


def outcome_done(prefix: str, year: int, today: date | None = None) -> QuerySet[FollowUp]:
    return outcome_due(prefix, year, today).filter(done_on__isnull=False)


# --- figures --------------------------------------------------------------------------------

MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "coverage",
            "目标人群覆盖率",
            Side("检查夫妇数", examined_couples, "couple"),
            Side("目标人群数", target_population, "person", "residence_code"),
            target=COVERAGE_TARGET,
            adjusted=True,
        ),
        Measure(
            "high_risk",
            "高风险人群检出率",
            Side("高风险人数", high_risk_persons, "exam"),
            Side("检查人数", examined_persons, "exam"),
        ),
        Measure(
            "early_follow_up",
            "早孕随访率",
            Side("12周内随访数", early_timely, "followup"),
            Side("应随访怀孕数", early_due, "followup"),
            target=EARLY_TARGET,
        ),
        Measure(
            "outcome_follow_up",
            "妊娠结局随访率",
            Side("已随访结局数", outcome_done, "followup"),
            Side("应随访结局数", outcome_due, "followup"),
            target=OUTCOME_TARGET,
        ),
    )
}


def _figure(
    code: str, prefix: str, year: int, numerator: int, denominator: int, extra: dict
) -> Figure:
    """A figure of the unit ``prefix`` with the links to its two name lists (programs:names)."""
    unit = full_code(prefix)

    def names(side: str) -> NameList:
        return NameList(
            "programs:names", (unit,), (("figure", code), ("side", side), ("year", str(year)))
        )

    return MEASURES[code].figure(
        numerator,
        denominator,
        unit_code=prefix,
        period=str(year),
        numerator_list=names("n"),
        denominator_list=names("d"),
        extra=extra,
    )


def adjustment(prefix: str, year: int) -> tuple[int, list[str]]:
    """The manual adjustments of the townships within ``prefix`` (none below township level:
    a village figure uses the computed count) and their reasons."""
    if len(prefix) > TOWNSHIP_LENGTH:
        return 0, []
    rows = TargetPopulation.objects.filter(year=year, **prefix_range("unit_code", prefix))
    total = rows.aggregate(s=Sum("adjustment"))["s"] or 0
    return total, [r.reason for r in rows.exclude(adjustment=0).order_by("unit_code")]


def figure(code: str, prefix: str, year: int, today: date) -> Figure:
    """One figure of one unit (code prefix) and FP year, as of ``today``."""
    m = MEASURES[code]
    assert m.denominator is not None
    numerator = m.numerator.rows(prefix, year, today).count()
    denominator = m.denominator.rows(prefix, year, today).count()
    extra: dict = {}
    if m.adjusted:
        added, reasons = adjustment(prefix, year)
        extra = {"computed": denominator, "adjustment": added, "reasons": reasons}
        denominator += added
    return _figure(code, prefix, year, numerator, denominator, extra)


def evaluate(prefix: str, year: int, today: date) -> dict[str, Figure]:
    """Every figure of one unit and FP year."""
    return {code: figure(code, prefix, year, today) for code in MEASURES}


def table(prefix: str, year: int, today: date, length: int) -> dict[str, dict[str, Figure]]:
    """Every figure of each unit one level down (``length`` = 9 for townships, 12 for villages)
    within ``prefix``, keyed by that prefix: one grouped query per list."""
    counts = {}
    for code, m in MEASURES.items():
        for side, part in (("n", m.numerator), ("d", m.denominator)):
            assert part is not None
            counts[(code, side)] = part.grouped(prefix, year, today, "", length)
    added = {}
    if length <= TOWNSHIP_LENGTH:
        rows = TargetPopulation.objects.filter(year=year, **prefix_range("unit_code", prefix))
        for row in rows:
            added[row.unit_code[:length]] = added.get(row.unit_code[:length], 0) + row.adjustment
    keys = {k for found in counts.values() for k in found} | set(added)
    return {key: unit_figures(key, year, counts, added.get(key, 0)) for key in keys}


def unit_figures(
    key: str, year: int, counts: dict | None = None, added: int = 0
) -> dict[str, Figure]:
    """The figures of the unit ``key`` from ``table``'s counts (none: a unit with no rows)."""
    counts = counts or {}
    figures = {}
    for code, m in MEASURES.items():
        numerator = counts.get((code, "n"), {}).get(key, 0)
        denominator = counts.get((code, "d"), {}).get(key, 0)
        extra: dict = {}
        if m.adjusted:
            extra = {"computed": denominator, "adjustment": added}
            denominator += added
        figures[code] = _figure(code, key, year, numerator, denominator, extra)
    return figures


def time_progress(year: int, today: date) -> float:
    """Share of the FP year elapsed on ``today`` (时间进度), 0–100."""
    period = _period(year)
    if today < period.start:
        return 0.0
    if today > period.end:
        return 100.0
    return ((today - period.start).days + 1) * 100 / period.days


def small_cells(counts: list[int]) -> list[bool]:
    """Which cells of one column to show as "<5" on aggregate-only pages below township level:
    every count under 5, and — when that leaves exactly one hidden cell that the shown total
    would give away — the smallest other cell too (complementary suppression)."""
    hidden = [c < SMALL_CELL for c in counts]
    if sum(hidden) == 1 and len(counts) > 1:
        smallest = min((c, i) for i, c in enumerate(counts) if not hidden[i])
        hidden[smallest[1]] = True
    return hidden
