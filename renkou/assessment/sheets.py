"""Score sheets (考核评分表) of a scheme as of a date, and the ranking of the units assessed.

Every unit's sheet is computed together: each source kind reads its codes for all units in
one pass (``sources``), manual scores and deductions in one query each, then each item is
scored by its rule (``scoring``). A sheet explains every point: value, target, rule, points,
the evidence (name lists of the figure, uploaded documents), deductions and every veto with
the fact that triggered it.

Reads only aggregates and the scheme's own rows: no person. Not scoped here: the views check
the scheme and the unit with the scoping chokepoint first.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from renkou.accounts import staffing
from renkou.assessment import scoring, sources
from renkou.assessment.models import (
    Deduction,
    ManualScore,
    Scheme,
    SchemeItem,
    TownshipTarget,
)
from renkou.common.models import AuditEntry, AuditHead
from renkou.common.periods import fp_year
from renkou.geo.constants import Level, full_code, township_of
from renkou.geo.models import Unit
from renkou.supervision.selectors import Overdue, overdue_by_township

COUNTY_LEN = 6
POPULATION = "population_end"


@dataclass
class Line:
    item: SchemeItem
    target: Decimal | None
    reading: sources.Reading | None
    scored: scoring.Scored
    manual: ManualScore | None = None
    reference: float | None = None
    adjusted: TownshipTarget | None = None  # the township's own target, with its reason

    @property
    def bonus(self) -> bool:
        return self.item.rule.get("type") == scoring.BONUS

    @property
    def rule_text(self) -> str:
        return scoring.describe(self.item.rule, self.item.direction)

    @property
    def target_display(self) -> str:
        if self.target is None:
            return "—"
        sign = "≤" if self.item.direction == "le" else "≥"
        return f"{sign}{self.target.normalize():f}"

    @property
    def value_display(self) -> str:
        if self.manual is not None:
            return f"{self.manual.value.normalize():f}"
        return self.reading.display if self.reading else "—"

    @property
    def verdict(self) -> str:
        return scoring_verdict(self.scored.met)


def scoring_verdict(met: bool | None) -> str:
    return {True: "达标", False: "未达标", None: ""}[met]


@dataclass
class Veto:
    item: SchemeItem
    effect: str
    cap: Decimal | None
    fact: str  # the fact that triggered it, in words

    @property
    def text(self) -> str:
        effect = (
            "总分记为0"
            if self.effect == scoring.ZERO
            else f"总分不超过{scoring.num(self.cap or 0)}分"
        )
        return f"第{self.item.number}项“{self.item.name}”：{self.fact}，一票否决（{effect}）"


@dataclass
class Sheet:
    unit_code: str  # the prefix (township 9 digits, county 6)
    unit_name: str
    lines: list[Line]
    deductions: list[sources.Deducted]
    base: Decimal
    bonus: Decimal
    deducted: Decimal
    vetoes: list[Veto]
    total: Decimal
    maximum: Decimal
    rank: int = 0
    ranks_after_veto: bool = False
    computed_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    @property
    def full_code(self) -> str:
        return full_code(self.unit_code)


def subjects(scheme: Scheme) -> list[Unit]:
    """The units a scheme assesses: the county's current townships, or the county itself."""
    county = scheme.unit_code[:COUNTY_LEN]
    if scheme.level == Scheme.Level.COUNTY:
        return list(Unit.objects.current().filter(code=full_code(county)))
    return list(
        Unit.objects.current()
        .filter(level=Level.TOWNSHIP, prefix__startswith=county)
        .order_by("code")
    )


def _read(
    items: Sequence[SchemeItem], county: str, units: Sequence[str], year: int, on: date
) -> dict[tuple[str, str, str], sources.Reading]:
    """Every automatic item's reading for every unit: one read per source kind."""
    kinds = sources.kinds()
    wanted: dict[str, set[str]] = {}
    for item in items:
        if item.source != sources.MANUAL and item.source in kinds:
            wanted.setdefault(item.source, set()).add(item.code)
    out: dict[tuple[str, str, str], sources.Reading] = {}
    for kind, codes in wanted.items():
        found = kinds[kind].read(sorted(codes), county=county, units=units, year=year, on=on)
        for (unit, code), reading in found.items():
            out[(kind, unit, code)] = reading
    return out


def _references(
    items: Sequence[SchemeItem], county: str, units: Sequence[str], year: int, on: date
) -> dict[tuple[str, str], float | None]:
    """Reference values of the level-and-progress items: last year's (as at its end) or the
    county's own figure, by (item pk, unit)."""
    out: dict[tuple[str, str], float | None] = {}
    progress = [
        i
        for i in items
        if i.rule.get("type") == scoring.LEVEL_PROGRESS and i.source != sources.MANUAL
    ]
    last = [i for i in progress if i.rule["reference"] == "last_year"]
    if last:
        end = fp_year(year - 1).end
        found = _read(last, county, units, year - 1, min(on, end))
        for item in last:
            for unit in units:
                reading = found.get((item.source, unit, item.code))
                out[(str(item.pk), unit)] = reading.value if reading else None
    whole = [i for i in progress if i.rule["reference"] == "county"]
    if whole:
        found = _read(whole, county, [county], year, on)
        for item in whole:
            reading = found.get((item.source, county, item.code))
            for unit in units:
                out[(str(item.pk), unit)] = reading.value if reading else None
    return out


def _weights(
    items: Sequence[SchemeItem], county: str, units: Sequence[str], year: int, on: date
) -> dict[str, float]:
    """Population coefficients (the unit's population ÷ the mean of the units assessed), read
    only when an item asks for them."""
    if not any(i.rule.get("population_weight") for i in items):
        return {}
    kind = sources.kinds().get("indicator")
    if kind is None:
        return {}
    found = kind.read([POPULATION], county=county, units=units, year=year, on=on)
    people = {u: (found[(u, POPULATION)].value or 0) for u in units if (u, POPULATION) in found}
    mean = sum(people.values()) / len(people) if people else 0
    return {u: n / mean for u, n in people.items()} if mean else {}


def _line(
    item: SchemeItem,
    unit: str,
    reading: sources.Reading | None,
    manual: ManualScore | None,
    reference: float | None,
    weight: float | None,
    adjusted: TownshipTarget | None = None,
) -> Line:
    target = adjusted.target if adjusted is not None else item.target
    if reading is not None and reading.target is not None and target is None:
        target = reading.target
    value = float(manual.value) if manual is not None else (reading.value if reading else None)
    scored = scoring.score(
        item.rule,
        points=item.points,
        value=value,
        target=target,
        direction=item.direction,
        reference=reference,
        weight=weight,
    )
    return Line(item, target, reading, scored, manual, reference, adjusted)


def _veto(line: Line) -> Veto | None:
    hit = line.scored.veto
    if not hit:
        return None
    cap = None if hit.get("cap") is None else Decimal(str(hit["cap"]))
    value = line.value_display
    if "when" in line.item.rule.get("veto", {}):
        fact = f"实际值{value}，满足否决条件"
        leaves = [
            n for n in hit["trace"]["trace"].get("items", [hit["trace"]["trace"]]) if "op" in n
        ]
        if leaves:
            leaf = leaves[0]
            op = {"<": "低于", "<=": "不高于", ">": "高于", ">=": "达到", "==": "等于"}.get(
                leaf["op"], leaf["op"]
            )
            fact = f"实际值{value}，{op}{leaf['value']}"
    else:
        fact = f"实际值{value}，未达到目标{line.target_display}"
    return Veto(line.item, hit["effect"], cap, fact)


def _total(lines: list[Line], deducted: Decimal, vetoes: list[Veto]) -> tuple:
    base = sum((ln.scored.points for ln in lines if not ln.bonus), Decimal(0))
    bonus = sum((ln.scored.points for ln in lines if ln.bonus), Decimal(0))
    total = max(Decimal(0), base + bonus - deducted)
    for veto in vetoes:
        total = Decimal(0) if veto.effect == scoring.ZERO else min(total, veto.cap or Decimal(0))
    return base, bonus, total.quantize(scoring.CENT)


def compute(
    scheme: Scheme, on: date, only: Iterable[str] | None = None, *, fresh: bool = False
) -> list[Sheet]:
    """The sheets of every unit the scheme assesses (or of ``only``, prefixes), as of ``on``,
    ranked among themselves (``rank``).

    Computed sheets are kept in the cache for ``RENKOU_SHEET_CACHE_SECONDS`` (``_cached``): an
    assessment or supervision write (a manual score, a deduction, a target, a task confirmed, a
    notice closed…) is seen at the next read; the register's and the services' changes within
    that time, as the page says (``Sheet.computed_at``). ``fresh`` computes anew (a frozen
    snapshot, the demo)."""
    keep = None if only is None else set(only)
    key = None if fresh or not settings.RENKOU_SHEET_CACHE_SECONDS else _key(scheme, on)
    head = _head() if key is not None else 0
    found = None if key is None else _cached(key, head, keep)
    if found is not None:
        return found
    found = _compute(scheme, on)
    if key is not None:
        entries: dict[str, Any] = {f"{key}:{head}:{s.unit_code}": s for s in found}
        entries[key] = (head, [s.unit_code for s in found])  # in rank order
        cache.set_many(entries, settings.RENKOU_SHEET_CACHE_SECONDS)
    return found if keep is None else [s for s in found if s.unit_code in keep]


def freshness(found: Sequence[Sheet]) -> str:
    """When the sheets shown were computed and how current that is, for the board and a
    sheet's page."""
    at = found[0].computed_at if found else None
    if at is None:
        return ""
    shown = timezone.localtime(at).strftime("%H:%M")
    seconds = settings.RENKOU_SHEET_CACHE_SECONDS
    if not seconds:
        return f"计分时间 {shown}。"
    minutes = max(1, round(seconds / 60))
    return (
        f"计分时间 {shown}：考核、督查的录入即时计入；登记、服务等其他数据的变化在"
        f"{minutes}分钟内计入。"
    )


# Audited actions of these apps that only read (every other one may change a sheet).
_READS = frozenset(
    {
        "assessment.board_export",
        "assessment.evidence_download",
        "assessment.names",
        "assessment.sheet_export",
        "supervision.bulletin_pdf",
        "supervision.evidence_download",
        "supervision.notice_photo_download",
    }
)


def _key(scheme: Scheme, on: date) -> str:
    changed = scheme.updated_at.timestamp() if scheme.updated_at else 0
    return f"renkou:sheets:{scheme.pk}:{changed}:{on.isoformat()}"


def _head() -> int:
    return AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


def _cached(key: str, head: int, keep: set[str] | None) -> list[Sheet] | None:
    """The cached sheets in rank order (each unit's kept apart, so that one township's page
    unpickles its own sheet only); None when there are none, when an assessment or
    supervision write was audited since they were computed (the audit rows after theirs: a
    few, read by the sequence's index), or when any is missing."""
    meta: tuple[int, list[str]] | None = cache.get(key)
    if meta is None:
        return None
    seq, ranked = meta
    if seq != head and _assessed_since(seq):
        return None
    wanted = [f"{key}:{seq}:{code}" for code in ranked if keep is None or code in keep]
    got = cache.get_many(wanted)
    if len(got) != len(wanted):
        return None
    return [got[k] for k in wanted]


def _assessed_since(seq: int) -> bool:
    later = AuditEntry.objects.filter(seq__gt=seq).filter(
        Q(action__startswith="assessment.") | Q(action__startswith="supervision.")
    )
    return later.exclude(action__in=_READS).exists()


def _compute(scheme: Scheme, on: date) -> list[Sheet]:
    units = subjects(scheme)
    names = {u.prefix: u.name for u in units}
    codes = [u.prefix for u in units]
    county = scheme.unit_code[:COUNTY_LEN]
    items = list(scheme.items.order_by("number"))
    readings = _read(items, county, codes, scheme.year, on)
    references = _references(items, county, codes, scheme.year, on)
    weights = _weights(items, county, codes, scheme.year, on)
    manual = {
        (m.item_id, _prefix(m.unit_code)): m
        for m in ManualScore.objects.filter(item__scheme=scheme)
    }
    adjusted = targets_of(scheme)
    deductions = _deductions(scheme, county, codes, on)
    maximum = sum((i.points for i in items if i.rule.get("type") != scoring.BONUS), Decimal(0))
    sheets = []
    for unit in codes:
        lines = [
            _line(
                item,
                unit,
                readings.get((item.source, unit, item.code)),
                manual.get((item.pk, unit)),
                references.get((str(item.pk), unit)),
                weights.get(unit),
                adjusted.get((item.pk, unit)),
            )
            for item in items
        ]
        vetoes = [v for v in (_veto(ln) for ln in lines) if v is not None]
        taken = deductions.get(unit, [])
        deducted = sum((d.points for d in taken), Decimal(0))
        base, bonus, total = _total(lines, deducted, vetoes)
        sheets.append(
            Sheet(unit, names[unit], lines, taken, base, bonus, deducted, vetoes, total, maximum)
        )
    rank(sheets)
    now = timezone.now()
    for sheet in sheets:
        sheet.computed_at = now
    return sheets


def targets_of(scheme: Scheme) -> dict[tuple[int, str], TownshipTarget]:
    """The townships' own targets of a scheme, by (item pk, township prefix)."""
    return {
        (t.item_id, _prefix(t.unit_code)): t
        for t in TownshipTarget.objects.filter(item__scheme=scheme)
    }


def _prefix(code: str) -> str:
    for length in (COUNTY_LEN, 9):
        if code[length:].strip("0") == "":
            return code[:length]
    return code


def _deductions(
    scheme: Scheme, county: str, units: Sequence[str], on: date
) -> dict[str, list[sources.Deducted]]:
    out: dict[str, list[sources.Deducted]] = {}
    for row in Deduction.objects.filter(scheme=scheme, withdrawn_reason="").select_related("item"):
        reason = row.reason if row.item is None else f"第{row.item.number}项：{row.reason}"
        out.setdefault(_prefix(row.unit_code), []).append(
            sources.Deducted(row.points, reason, "", "考核组扣分")
        )
    for source in sources.deduction_sources().values():
        for unit, rows in source.read(county=county, units=units, year=scheme.year, on=on).items():
            out.setdefault(unit, []).extend(rows)
    return out


def within(prefix: str, found: list[Sheet]) -> list[Sheet]:
    """The sheets inside a caller's subtree (``prefix``: a township sees its own row only;
    a county account, or a leader of the county, every row)."""
    return [s for s in found if s.unit_code.startswith(prefix) or prefix.startswith(s.unit_code)]


def with_overdue(user: Any, found: list[Sheet], on: date) -> None:
    """Each township's dated tasks and rectification notices overdue on ``on`` (the board's
    date; supervision, two grouped queries for all, scoped to ``user``), in
    ``sheet.extra["overdue"]``, for the board, its .xlsx and its PDF alike."""
    late = overdue_by_township(user, on)
    for sheet in found:
        sheet.extra["overdue"] = late.get(township_of(sheet.full_code), Overdue())


def rank(sheets: list[Sheet]) -> None:
    """Rank by total, highest first, equal totals sharing a rank (1, 1, 3); units hit by a
    veto after all others (ranked among themselves the same way)."""
    clean = sorted((s for s in sheets if not s.vetoed), key=lambda s: (-s.total, s.unit_code))
    hit = sorted((s for s in sheets if s.vetoed), key=lambda s: (-s.total, s.unit_code))
    position = 0
    for group in (clean, hit):
        previous: Decimal | None = None
        shared = 0
        for sheet in group:
            position += 1
            if sheet.total != previous:
                shared, previous = position, sheet.total
            sheet.rank = shared
            sheet.ranks_after_veto = sheet.vetoed
    sheets.sort(key=lambda s: (s.rank, s.unit_code))


def as_data(sheet: Sheet) -> dict[str, Any]:
    """A sheet as stored in a frozen snapshot (JSON): every line's value, target, rule, points
    and verdict, the deductions and vetoes, the total and rank."""
    return {
        "unit": sheet.full_code,
        "unit_name": sheet.unit_name,
        "total": str(sheet.total),
        "base": str(sheet.base),
        "bonus": str(sheet.bonus),
        "deducted": str(sheet.deducted),
        "maximum": str(sheet.maximum),
        "rank": sheet.rank,
        "vetoes": [v.text for v in sheet.vetoes],
        "deductions": [{"points": str(d.points), "reason": d.reason} for d in sheet.deductions],
        "lines": [
            {
                "number": ln.item.number,
                "name": ln.item.name,
                "value": ln.value_display,
                "target": ln.target_display,
                "rule": ln.rule_text,
                "points": str(ln.scored.points),
                "max": str(ln.item.points),
                "explanation": ln.scored.explanation,
                "target_reason": ln.adjusted.reason if ln.adjusted else "",
            }
            for ln in sheet.lines
        ],
    }


def staff_of(scheme: Scheme, code: str) -> dict[str, list[str]]:
    """包乡领导 / 包乡干部 / 包村技术员 of a township in the scheme's FP year (names of staff,
    by label), for its sheet; nothing for a county-level scheme."""
    if scheme.level != Scheme.Level.TOWNSHIP:
        return {}
    period = fp_year(scheme.year)
    return staffing.township_staff(code, period.start, period.end)
