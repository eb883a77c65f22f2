"""The vocabulary of table cells (domain.md §4: "define a form as rows × columns, each cell a
query"): what a table definition may ask, how all cells of one kind in a table are counted at
once, and the name list (花名册) behind each count.

Every kind answers two questions about the same set, so a cell and its drill-down list agree:

- ``values(specs, ctx)``: for each spec, ``{group: count}``, a group being the first
  ``ctx.group_len`` digits of the place code (one row of the table);
- ``members(spec, prefix=, period=, scope=)``: the persons, events, contraception episodes or
  pregnancies counted in the unit ``prefix`` (None: the cell has no name list).

Kinds:

``indicator``  an indicator of ``renkou.reports.indicators`` (its numerator or denominator):
               the figure is ``evaluate()``'s, so a table agrees with the dashboard and the
               indicator command to the last digit
``measure``    a tally measure read as a flow over the period or a stock at its start or end
``mwcba``      married women 15–49 at the end of the period (the ``stock_persons("mwcba")``
               set) by living children, sons, daughters and the method in use on that day
``births``     counted births by parity, sex and policy attribute; with ``late`` those reported
               in the period but born before it (往年出生未报)
``operation``  contraception episodes begun (``event: start``) or ended (``event: end``) in the
               period, by method: the family-planning operations (计划生育手术例数)
``pregnancy``  pregnancy outcomes dated in the period, by outcome code (人工流产 4, 中期引产 5)
``sum``        the sum of other columns of the same row (the engine adds them)
``ratio``      ``{"of": [numerator column, denominator column], "scale": 100}``: a rate of two
               columns of the same row, rounded to one decimal, "—" when the denominator is 0;
               the 合计 row's rate is that of its totals (no name list)
``one_child_cert`` married women 15–49 at the end of the period whose couple holds the
               独生子女父母光荣证 that day (benefits' certificates; 期末领取独生子女证人数)
``none``       data the system does not hold: shown as "—" with a footnote, never a number

Operations and pregnancy outcomes count where the woman was in the scope on that day (her
population spell), as events count at their place when they happened.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery

from renkou.benefits.selectors import one_child_certificate_holders
from renkou.common.periods import Period
from renkou.events import selectors
from renkou.events.constants import AGE_GROUPS, COUNTED, Kind, Measure
from renkou.events.models import Event, Spell
from renkou.events.tally import by_report, parity_class
from renkou.geo.constants import county_of
from renkou.geo.scope import prefix_range
from renkou.people.constants import FEMALE, MALE, NO_CONTRACEPTION, Survival
from renkou.people.models import Child, ContraceptionEpisode, Person, Pregnancy, WomanCard
from renkou.reports.indicators import (
    AVG,
    BIRTHS_BY,
    BY_CODE,
    END,
    FLOW,
    OCCURRENCE,
    START,
    evaluate,
    variant,
)

Spec = dict[str, Any]
Values = dict[str, float]

# The methods with their own column in 国人口统2表; "other" is every method besides these.
LISTED_METHODS = frozenset({"01", "02", "03", "04", "05", "06", "07", "08"})
NO_METHOD = frozenset({"", NO_CONTRACEPTION})
SEX_CODE = {"m": MALE, "f": FEMALE}

_SEXES = ("m", "f", "u")
_PARITIES = (1, 2, 3)
_BIRTH_FLOWS = (
    "birth",
    "birth_ok",
    "birth_timely",
    *(f"birth_{s}" for s in _SEXES),
    *(f"birth_p{k}" for k in (*_PARITIES, "u")),
    *(f"birth_p{k}_ok" for k in (*_PARITIES, "u")),
    *(f"birth_p{k}_{s}" for k in (*_PARITIES, "u") for s in _SEXES),
    *(f"birth_a{lo}" for lo, _hi in AGE_GROUPS),
)
# The flow measures the tallies keep (``renkou.events.tally.event_measures``).
FLOWS = frozenset(
    {
        *_BIRTH_FLOWS,
        *(by_report(m) for m in _BIRTH_FLOWS),
        "marriage",
        "fmar_f",
        "fmar_f_late",
        "fmar_f_early",
        *(
            k.value
            for k in Kind
            if k not in (Kind.BIRTH, Kind.FIRST_MARRIAGE, Kind.REMARRIAGE, Kind.VOID)
        ),
    }
)


class DefinitionError(ValueError):
    """A table definition that asks for something the engine cannot count."""


@dataclass(frozen=True)
class Ctx:
    """What every cell of one table shares: the unit, the period, the scope and the length of
    the place-code prefix that makes a row."""

    prefix: str
    period: Period
    scope: str
    group_len: int


class QueryKind(Protocol):
    def check(self, spec: Spec) -> None: ...

    def values(self, specs: list[Spec], ctx: Ctx) -> list[Values]: ...

    def members(
        self, spec: Spec, *, prefix: str, period: Period, scope: str
    ) -> Sequence[Any] | None: ...


def _allow(spec: Spec, *names: str) -> None:
    unknown = set(spec) - {"kind", *names}
    if unknown:
        raise DefinitionError(f"{spec['kind']} 查询不支持参数：{', '.join(sorted(unknown))}")


def _group(code: str, length: int) -> str:
    return code[:length]


class PersonList:
    """Persons by id in a fixed order, loaded one page at a time: a county's list may hold
    tens of thousands, and a query with that many ids in ``IN (…)`` would exceed SQLite's limit."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.ids = list(ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            return self[index : index + 1][0]
        chunk = self.ids[index]
        found = Person.objects.in_bulk(chunk)
        return [found[i] for i in chunk if i in found]


# --- tally measures and indicators ------------------------------------------------------------


def measure_members(
    measure: str, mode: str, *, prefix: str, period: Period, scope: str
) -> Sequence[Any]:
    """The name list of one tally measure: its events over the period, or its persons at the
    end of the day before the period (start) or of its last day (end)."""
    if mode == FLOW:
        return selectors.flow_events(measure, scope=scope, prefix=prefix, period=period)
    day = period.end if mode == END else period.day_before
    persons = selectors.stock_persons(measure, scope=scope, prefix=prefix, day=day)
    return persons.order_by("unit_code", "pk")


class IndicatorQuery:
    """``{"kind": "indicator", "code": "births", "part": "numerator"}``, with
    ``"births_by": "report"`` for births counted in the period they were reported in (the
    statutory tables' rule, docs/indicators.md §4.3)."""

    def check(self, spec: Spec) -> None:
        _allow(spec, "code", "part", "births_by")
        if spec.get("births_by", OCCURRENCE) not in BIRTHS_BY:
            raise DefinitionError("births_by 应为 occurrence 或 report")
        indicator = BY_CODE.get(spec.get("code", ""))
        if indicator is None:
            raise DefinitionError(f"未知指标：{spec.get('code')}")
        if spec.get("part", "numerator") not in ("numerator", "denominator"):
            raise DefinitionError("指标查询的 part 应为 numerator 或 denominator")
        if not self._terms(spec):
            raise DefinitionError(f"指标 {indicator.code} 没有分母")

    @staticmethod
    def _terms(spec: Spec) -> tuple:
        ind = variant(spec["code"], spec.get("births_by", OCCURRENCE))
        return getattr(ind, spec.get("part", "numerator"))

    def drillable(self, spec: Spec) -> bool:
        terms = self._terms(spec)
        return len(terms) == 1 and terms[0].sign == 1 and terms[0].mode != AVG

    def values(self, specs: list[Spec], ctx: Ctx) -> list[Values]:
        found = {}
        for births_by in sorted({s.get("births_by", OCCURRENCE) for s in specs}):
            codes = sorted(
                {s["code"] for s in specs if s.get("births_by", OCCURRENCE) == births_by}
            )
            found[births_by] = evaluate(
                codes,
                prefix=ctx.prefix,
                period=ctx.period,
                scope=ctx.scope,
                group_len=ctx.group_len,
                births_by=births_by,
            )
        return [
            {
                group: getattr(by_code[s["code"]], s.get("part", "numerator")) or 0
                for group, by_code in found[s.get("births_by", OCCURRENCE)].items()
            }
            for s in specs
        ]

    def members(
        self, spec: Spec, *, prefix: str, period: Period, scope: str
    ) -> Sequence[Any] | None:
        if not self.drillable(spec):
            return None  # a sum or a mean of several lists has no single list
        term = self._terms(spec)[0]
        return measure_members(term.measure, term.mode, prefix=prefix, period=period, scope=scope)


class MeasureQuery:
    """``{"kind": "measure", "measure": "birth_p1_ok", "mode": "flow"}`` (mode start/end for
    stocks)."""

    def check(self, spec: Spec) -> None:
        _allow(spec, "measure", "mode")
        measure, mode = spec.get("measure", ""), spec.get("mode", FLOW)
        if mode not in (FLOW, START, END):
            raise DefinitionError("measure 查询的 mode 应为 flow、start 或 end")
        if mode == FLOW and measure not in FLOWS:
            raise DefinitionError(f"未知的流量指标：{measure}")
        if mode != FLOW and not selectors.is_stock(measure):
            raise DefinitionError(f"未知的存量指标：{measure}")

    def values(self, specs: list[Spec], ctx: Ctx) -> list[Values]:
        flows = {s["measure"] for s in specs if s.get("mode", FLOW) == FLOW}
        stocks = {s["measure"] for s in specs if s.get("mode", FLOW) != FLOW}
        days = {START: ctx.period.day_before, END: ctx.period.end}
        data = selectors.sums(
            scope=ctx.scope,
            prefix=ctx.prefix,
            group_len=ctx.group_len,
            flows=flows,
            stocks=stocks,
            period=ctx.period,
            stock_days=list(days.values()) if stocks else [],
        )

        def key(s: Spec) -> tuple[str, str]:
            mode = s.get("mode", FLOW)
            return (s["measure"], "flow" if mode == FLOW else days[mode].isoformat())

        return [{g: cell.get(key(s), 0) for g, cell in data.items()} for s in specs]

    def members(self, spec: Spec, *, prefix: str, period: Period, scope: str) -> Sequence[Any]:
        return measure_members(
            spec["measure"], spec.get("mode", FLOW), prefix=prefix, period=period, scope=scope
        )


# --- married women of childbearing age at the period end --------------------------------------


@dataclass(frozen=True)
class Woman:
    person_id: int
    unit_code: str
    children: int  # living children on her card at the end of the day
    boys: int
    girls: int
    method: str  # the method in use that day ("" for none)


def _mwcba_spells(*, prefix: str, day: date, scope: str) -> QuerySet[Spell]:
    return Spell.objects.filter(
        measure=Measure.MARRIED_WCBA,
        scope=scope,
        start__lte=day,
        **prefix_range("unit_code", prefix),
    ).filter(Q(end__isnull=True) | Q(end__gt=day))


def women_counted(
    *, prefix: str, day: date, scope: str, group_len: int
) -> list[tuple[str, Woman, int]]:
    """The women of ``women()`` counted in the database by group and by kind of woman (living
    children, sons, daughters, method): a few hundred rows for a county, not one per woman.
    One SQL statement joining her spell to her living children (grouped once) and to the
    episode in use that day (the one begun last): correlated subqueries per woman took seconds
    for a county of a million (issue 4 item 7)."""
    q = connection.ops.quote_name
    spell, card = Spell._meta.db_table, WomanCard._meta.db_table
    child, episode = Child._meta.db_table, ContraceptionEpisode._meta.db_table
    where = prefix_range("unit_code", prefix)
    if "unit_code__gte" in where:
        place, place_params = (
            "s.unit_code >= %s AND s.unit_code < %s",
            [where["unit_code__gte"], where["unit_code__lt"]],
        )
    else:
        place, place_params = "substr(s.unit_code, 1, %s) = %s", [len(prefix), prefix]
    no_method = sorted(NO_METHOD)
    sql = f"""
        SELECT substr(s.unit_code, 1, %s), COALESCE(k.kids, 0), COALESCE(k.boys, 0),
               COALESCE(k.girls, 0), COALESCE(m.method, ''), COUNT(*)
        FROM {spell} s
        LEFT JOIN (
            SELECT c.person_id AS person_id, COUNT(*) AS kids,
                   SUM(CASE WHEN ch.sex = %s THEN 1 ELSE 0 END) AS boys,
                   SUM(CASE WHEN ch.sex = %s THEN 1 ELSE 0 END) AS girls
            FROM {child} ch JOIN {card} c ON c.id = ch.card_id
            WHERE ch.birth_date <= %s AND (ch.survival = %s OR ch.death_date > %s)
            GROUP BY c.person_id
        ) k ON k.person_id = s.person_id
        LEFT JOIN (
            SELECT person_id, method FROM (
                SELECT c.person_id AS person_id, e.method AS method,
                       ROW_NUMBER() OVER (PARTITION BY c.person_id
                                          ORDER BY e.{q("start")} DESC, e.id DESC) AS n
                FROM {episode} e JOIN {card} c ON c.id = e.card_id
                WHERE e.{q("start")} <= %s AND (e.{q("end")} IS NULL OR e.{q("end")} > %s)
                  AND e.method NOT IN ({", ".join(["%s"] * len(no_method))})
            ) ranked WHERE n = 1
        ) m ON m.person_id = s.person_id
        WHERE s.measure = %s AND s.scope = %s AND s.{q("start")} <= %s
          AND (s.{q("end")} IS NULL OR s.{q("end")} > %s) AND {place}
        GROUP BY 1, 2, 3, 4, 5"""  # noqa: S608
    params = [
        group_len,
        MALE,
        FEMALE,
        day,
        Survival.ALIVE,
        day,
        day,
        day,
        *no_method,
        Measure.MARRIED_WCBA,
        scope,
        day,
        day,
        *place_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (group, Woman(0, group, kids, boys, girls, method), number)
        for group, kids, boys, girls, method, number in rows
    ]


def women(*, prefix: str, day: date, scope: str) -> list[Woman]:
    """Married women 15–49 present in the unit subtree at the end of ``day``: the spells that
    ``selectors.stock_persons("mwcba", …)`` reads, with the same filter, so the two sets are
    one. A woman with several episodes covering the day uses the one begun last."""
    spells = _mwcba_spells(prefix=prefix, day=day, scope=scope)
    places = dict(spells.values_list("person_id", "unit_code"))
    ids = spells.values("person_id")
    kids = (
        Child.objects.filter(card__person_id__in=ids, birth_date__lte=day)
        .filter(Q(survival=Survival.ALIVE) | Q(death_date__gt=day))
        .values_list("card__person_id", "sex")
    )
    count: Counter = Counter()
    for person_id, sex in kids:
        count[(person_id, sex)] += 1
        count[person_id] += 1
    episodes = (
        ContraceptionEpisode.objects.filter(card__person_id__in=ids, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .exclude(method__in=NO_METHOD)
        .order_by("start", "pk")
        .values_list("card__person_id", "method")
    )
    method = dict(episodes)  # the latest start wins
    return [
        Woman(pid, unit, count[pid], count[(pid, MALE)], count[(pid, FEMALE)], method.get(pid, ""))
        for pid, unit in sorted(places.items())
    ]


def woman_matches(spec: Spec, woman: Woman) -> bool:
    children = spec.get("children")
    if children == "3+":
        if woman.children < 3:
            return False
    elif children is not None and woman.children != children:
        return False
    if "boys" in spec and woman.boys != spec["boys"]:
        return False
    if "girls" in spec and woman.girls != spec["girls"]:
        return False
    methods = spec.get("methods")
    if methods is None:
        return True
    if methods == "any":
        return bool(woman.method)
    if methods == "none":
        return not woman.method
    if methods == "other":
        return bool(woman.method) and woman.method not in LISTED_METHODS
    return woman.method in methods


class MwcbaQuery:
    """``{"kind": "mwcba", "children": 1, "boys": 1, "methods": ["03"]}``: ``children`` 0, 1, 2
    or "3+"; ``boys``/``girls`` exact counts of living sons/daughters; ``methods`` a list of
    method codes, "any", "none" or "other" (not one of 01–08)."""

    def check(self, spec: Spec) -> None:
        _allow(spec, "children", "boys", "girls", "methods")
        if spec.get("children") not in (None, 0, 1, 2, "3+"):
            raise DefinitionError("children 应为 0、1、2 或 3+")
        for name in ("boys", "girls"):
            if name in spec and not isinstance(spec[name], int):
                raise DefinitionError(f"{name} 应为整数")
        methods = spec.get("methods")
        if methods is None or methods in ("any", "none", "other"):
            return
        if not (isinstance(methods, list) and methods and all(isinstance(m, str) for m in methods)):
            raise DefinitionError("methods 应为方法代码列表或 any、none、other")

    def values(self, specs: list[Spec], ctx: Ctx) -> list[Values]:
        found = women_counted(
            prefix=ctx.prefix, day=ctx.period.end, scope=ctx.scope, group_len=ctx.group_len
        )
        out: list[Values] = []
        for spec in specs:
            counts: Counter = Counter()
            for group, woman, number in found:
                if woman_matches(spec, woman):
                    counts[group] += number
            out.append(dict(counts))
        return out

    def members(self, spec: Spec, *, prefix: str, period: Period, scope: str) -> PersonList:
        found = women(prefix=prefix, day=period.end, scope=scope)
        chosen = sorted((w.unit_code, w.person_id) for w in found if woman_matches(spec, w))
        return PersonList(pid for _unit, pid in chosen)


# --- births by parity, sex, policy; late-reported births -----------------------------------------


def _births(*, prefix: str, period: Period, scope: str) -> QuerySet[Event]:
    column = selectors.PLACE_COLUMN[scope]
    in_period = Q(effective_date__gte=period.start, effective_date__lte=period.end)
    late = Q(
        reported_date__gte=period.start,
        reported_date__lte=period.end,
        effective_date__lt=period.start,
    )
    return Event.objects.filter(
        in_period | late, kind=Kind.BIRTH, status__in=COUNTED, **prefix_range(column, prefix)
    )


def birth_matches(spec: Spec, event: Event, period: Period) -> bool:
    """Parity as the tallies count it (3 = third or later); policy "in" = 政策内 (code 1)."""
    if bool(spec.get("late")) != (event.effective_date < period.start):
        return False
    if "parity" in spec and parity_class(event.parity) != str(spec["parity"]):
        return False
    if "sex" in spec and event.sex != SEX_CODE[spec["sex"]]:
        return False
    return "policy" not in spec or (event.policy_attribute == "1") == (spec["policy"] == "in")


class BirthsQuery:
    """``{"kind": "births", "parity": 1, "sex": "m", "policy": "in"}``, or ``{"late": true}``."""

    def check(self, spec: Spec) -> None:
        _allow(spec, "parity", "sex", "policy", "late")
        if spec.get("parity", 1) not in _PARITIES:
            raise DefinitionError("parity 应为 1、2 或 3（三孩及以上）")
        if spec.get("sex", "m") not in SEX_CODE:
            raise DefinitionError("sex 应为 m 或 f")
        if spec.get("policy", "in") not in ("in", "out"):
            raise DefinitionError("policy 应为 in 或 out")

    def values(self, specs: list[Spec], ctx: Ctx) -> list[Values]:
        column = selectors.PLACE_COLUMN[ctx.scope]
        events = list(
            _births(prefix=ctx.prefix, period=ctx.period, scope=ctx.scope).only(
                column, "effective_date", "parity", "sex", "policy_attribute"
            )
        )
        out: list[Values] = []
        for spec in specs:
            counts: Counter = Counter()
            for event in events:
                if birth_matches(spec, event, ctx.period):
                    counts[_group(getattr(event, column), ctx.group_len)] += 1
            out.append(dict(counts))
        return out

    def members(self, spec: Spec, *, prefix: str, period: Period, scope: str) -> list[Event]:
        events = (
            _births(prefix=prefix, period=period, scope=scope)
            .select_related("person", "child")
            .order_by("effective_date", "id")
        )
        return [e for e in events if birth_matches(spec, e, period)]


# --- operations and pregnancy outcomes ------------------------------------------------------------


def _place_on(day_field: str, scope: str) -> Subquery:
    """The woman's place in ``scope`` at the end of the day the row names."""
    spells = Spell.objects.filter(
        person_id=OuterRef("card__person_id"),
        measure=Measure.POPULATION,
        scope=scope,
        start__lte=OuterRef(day_field),
    ).filter(Q(end__isnull=True) | Q(end__gt=OuterRef(day_field)))
    return Subquery(spells.order_by("-start").values("unit_code")[:1])


def _in_period(
    rows: QuerySet, day_field: str, *, prefix: str, period: Period, scope: str
) -> QuerySet:
    dated = rows.filter(**{f"{day_field}__gte": period.start, f"{day_field}__lte": period.end})
    placed = dated.annotate(place=_place_on(day_field, scope))
    return placed.filter(**prefix_range("place", prefix))


def _count_by(
    rows: Iterable[tuple[str, str]], specs: list[Spec], key: str, group_len: int
) -> list[Values]:
    """Counts per spec and group from (place, code) rows; a spec lists its codes in ``key``."""
    tally: Counter = Counter((_group(place, group_len), code) for place, code in rows)
    out: list[Values] = []
    for spec in specs:
        counts: Counter = Counter()
        for (group, code), n in tally.items():
            if code in spec[key]:
                counts[group] += n
        out.append(dict(counts))
    return out


def _codes(spec: Spec, key: str) -> None:
    codes = spec.get(key)
    if not (isinstance(codes, list) and codes and all(isinstance(c, str) for c in codes)):
        raise DefinitionError(f"{key} 应为代码列表")


class OperationQuery:
    """``{"kind": "operation", "event": "start", "methods": ["03"]}``: episodes of these
    methods begun in the period (放置宫内节育器); ``event: end`` those ended in it (取出)."""

    def check(self, spec: Spec) -> None:
        _allow(spec, "event", "methods")
        if spec.get("event") not in ("start", "end"):
            raise DefinitionError("event 应为 start 或 end")
        _codes(spec, "methods")

    def _rows(
        self, event: str, methods: Iterable[str], *, prefix: str, period: Period, scope: str
    ) -> QuerySet:
        rows = ContraceptionEpisode.objects.filter(method__in=sorted(set(methods)))
        return _in_period(rows, event, prefix=prefix, period=period, scope=scope)

    def values(self, specs: list[Spec], ctx: Ctx) -> list[Values]:
        out: list[Values] = [{} for _ in specs]
        for event in ("start", "end"):
            chosen = [i for i, s in enumerate(specs) if s["event"] == event]
            if not chosen:
                continue
            methods = [m for i in chosen for m in specs[i]["methods"]]
            rows = self._rows(
                event, methods, prefix=ctx.prefix, period=ctx.period, scope=ctx.scope
            ).values_list("place", "method")
            counted = _count_by(rows, [specs[i] for i in chosen], "methods", ctx.group_len)
            for i, values in zip(chosen, counted, strict=True):
                out[i] = values
        return out

    def members(
        self, spec: Spec, *, prefix: str, period: Period, scope: str
    ) -> list[ContraceptionEpisode]:
        rows = self._rows(spec["event"], spec["methods"], prefix=prefix, period=period, scope=scope)
        return list(rows.select_related("card__person").order_by(spec["event"], "pk"))


class PregnancyQuery:
    """``{"kind": "pregnancy", "outcomes": ["4"]}``: outcomes dated in the period."""

    def check(self, spec: Spec) -> None:
        _allow(spec, "outcomes")
        _codes(spec, "outcomes")

    def _rows(
        self, outcomes: Iterable[str], *, prefix: str, period: Period, scope: str
    ) -> QuerySet:
        rows = Pregnancy.objects.filter(outcome__in=sorted(set(outcomes)))
        return _in_period(rows, "outcome_date", prefix=prefix, period=period, scope=scope)

    def values(self, specs: list[Spec], ctx: Ctx) -> list[Values]:
        outcomes = [o for s in specs for o in s["outcomes"]]
        rows = self._rows(
            outcomes, prefix=ctx.prefix, period=ctx.period, scope=ctx.scope
        ).values_list("place", "outcome")
        return _count_by(rows, specs, "outcomes", ctx.group_len)

    def members(self, spec: Spec, *, prefix: str, period: Period, scope: str) -> list[Pregnancy]:
        rows = self._rows(spec["outcomes"], prefix=prefix, period=period, scope=scope)
        return list(rows.select_related("card__person").order_by("outcome_date", "pk"))


class OneChildCertQuery:
    """``{"kind": "one_child_cert"}``: the married women 15–49 present at the end of the period
    (the ``mwcba`` set) whose couple holds the 独生子女父母光荣证 that day, by the benefits app's
    certificates (``benefits.selectors.one_child_certificate_holders``) — the yearbooks'
    已婚育龄妇女独生子女领证人数, the 1表's 期末领取独生子女证人数. A certificate filed anywhere in
    the county counts where the woman lives at the end of the period."""

    def check(self, spec: Spec) -> None:
        _allow(spec)

    def _women(self, *, prefix: str, period: Period, scope: str) -> list[tuple[str, int]]:
        holders = one_child_certificate_holders(prefix=county_of(prefix), day=period.end)
        spells = _mwcba_spells(prefix=prefix, day=period.end, scope=scope)
        rows = spells.filter(person_id__in=sorted(holders)).values_list("unit_code", "person_id")
        return sorted(set(rows))

    def values(self, specs: list[Spec], ctx: Ctx) -> list[Values]:
        counts: Counter = Counter()
        for unit_code, _person in self._women(
            prefix=ctx.prefix, period=ctx.period, scope=ctx.scope
        ):
            counts[_group(unit_code, ctx.group_len)] += 1
        return [dict(counts) for _spec in specs]

    def members(self, spec: Spec, *, prefix: str, period: Period, scope: str) -> PersonList:
        return PersonList(
            pid for _unit, pid in self._women(prefix=prefix, period=period, scope=scope)
        )


from renkou.reports.tables.service_queries import ServiceQuery  # noqa: E402 — see its docstring

KINDS: dict[str, QueryKind] = {
    "indicator": IndicatorQuery(),
    "measure": MeasureQuery(),
    "mwcba": MwcbaQuery(),
    "births": BirthsQuery(),
    "operation": OperationQuery(),
    "pregnancy": PregnancyQuery(),
    "service": ServiceQuery(),
    "one_child_cert": OneChildCertQuery(),
}
# Kinds the engine handles itself.
SUM, NONE, RATIO = "sum", "none", "ratio"
