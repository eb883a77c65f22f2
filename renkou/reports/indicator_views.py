"""统计指标 pages (issue 4 items 2, 3, 4, 8): every indicator of a unit for a period and scope
with its numerator, denominator, target, 达标/未达标 and gap; the ranking of the sub-units for
one indicator; the name list (花名册) behind each numerator and denominator; yearly targets.

The figures come from ``renkou.reports.indicators.evaluate`` (the same definitions as the API
and ``manage.py indicators``); the name lists from ``renkou.events.selectors``, term by term,
so a list has exactly as many rows as its part of the figure (docs/indicators.md).

Scoping: the unit of a page must be in the caller's subtree (``get_visible_or_404``, else 404).
A name list holds the persons or events the figure counts *in that unit* for the chosen scope
(e.g. everyone registered there), which can include persons now managed elsewhere, so it is
not narrowed by the person's managing unit; the link to a person page appears only for
persons the caller may open (``Person.objects.visible_to``). Name lists need 查看个人信息;
leaders see the figures without links.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.accounts.permissions import require_perm
from renkou.common import audit, crypto, dicts
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.events import selectors
from renkou.events.constants import SCOPE_FIELD, Scope
from renkou.events.models import Event
from renkou.events.periods import Period
from renkou.geo.constants import PREFIX_LENGTH, Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.people.models import Person
from renkou.people.services import Actor
from renkou.reports import targets
from renkou.reports.forms import (
    DrillForm,
    IndicatorPageForm,
    TargetFilterForm,
    TargetForm,
    target_year,
)
from renkou.reports.indicators import (
    AVG,
    BY_CODE,
    END,
    FLOW,
    INDICATORS,
    START,
    Figure,
    Indicator,
    evaluate,
)
from renkou.reports.models import Target

DEFAULT_RANK = "natural_growth_rate"


def _unit_of(request: HttpRequest, code: str | None = None) -> Unit:
    """The unit of a page: ``code`` or ``?unit=``, else the caller's own; 404 outside scope."""
    code = code or request.GET.get("unit") or request.user.unit.code
    return get_visible_or_404(Unit.objects.current(), request.user, code=code)


def _unit_choices(user: Any) -> list[tuple[str, str]]:
    units = list(Unit.objects.current().visible_to(user).order_by("code"))
    top = min((u.level for u in units), default=Level.COUNTY)
    return [(u.code, f"{'　' * (u.level - top)}{u.name}") for u in units]


def _names(codes: Any) -> dict[str, str]:
    wanted = {c.ljust(12, "0") for c in codes if c}
    return dict(Unit.objects.current().filter(code__in=wanted).values_list("code", "name"))


# --- the name-list parts of a figure ----------------------------------------------------------

MEASURE_LABELS = {
    "birth": "出生", "birth_m": "出生男婴", "birth_f": "出生女婴", "birth_ok": "政策内出生",
    "birth_timely": "按时上报的出生", "death": "死亡", "pop": "人口",
    "pop_id": "有有效居民身份号码的人口", "pop_full": "必采项齐全的人口",
    "w15_49": "15—49岁妇女", "mwcba": "已婚育龄妇女", "cuser": "采取节育措施的已婚育龄妇女",
    "fmar_f": "女性初婚", "fmar_f_late": "女性晚婚（23岁及以上初婚）",
    "fmar_f_early": "女性早婚（19岁及以下初婚）", "marriage": "结婚",
}  # fmt: skip
PARITY = {"1": "一孩", "2": "二孩", "3": "多孩"}
SEX = {"m": "男婴", "f": "女婴"}


def measure_label(measure: str) -> str:
    if measure in MEASURE_LABELS:
        return MEASURE_LABELS[measure]
    parts = measure.split("_")
    if parts[0] == "birth" and parts[1].startswith("p"):
        return PARITY[parts[1][1:]] + (SEX.get(parts[2], "") if len(parts) > 2 else "出生")
    if parts[0] == "birth" and parts[1].startswith("a"):
        lo = int(parts[1][1:])
        return f"{lo}—{lo + 4}岁妇女所生"
    if measure.startswith("w"):
        lo = int(measure[1:])
        return f"{lo}—{lo + 4}岁妇女"
    return measure


@dataclass(frozen=True)
class Part:
    """One name list behind a figure: a term of its numerator or denominator, read at one day
    for a stock. The side's value is Σ sign × weight × rows over its parts."""

    side: str
    term: int
    day: str  # "" for a flow over the period, "start" or "end" for a stock
    measure: str
    sign: int
    weight: float

    @property
    def is_stock(self) -> bool:
        return self.day != ""

    def label(self, period: Period) -> str:
        text = measure_label(self.measure)
        if self.day == "start":
            text += f"（期初，{period.day_before:%Y-%m-%d}日末）"
        elif self.day == "end":
            text += f"（期末，{period.end:%Y-%m-%d}日末）"
        if self.sign < 0:
            text = f"减：{text}"
        return text

    def params(self) -> dict[str, str]:
        return {"side": self.side, "term": str(self.term), "day": self.day}


def parts(ind: Indicator, side: str) -> list[Part]:
    terms = ind.numerator if side == "numerator" else ind.denominator
    out = []
    for i, t in enumerate(terms):
        if t.mode == FLOW:
            out.append(Part(side, i, "", t.measure, t.sign, 1))
        elif t.mode in (START, END):
            out.append(Part(side, i, "start" if t.mode == START else "end", t.measure, t.sign, 1))
        elif t.mode == AVG:
            out.extend(Part(side, i, day, t.measure, t.sign, 0.5) for day in ("start", "end"))
    return out


def part_rows(part: Part, *, scope: str, prefix: str, period: Period) -> Any:
    """The persons (stock) or counted events (flow) of one part, in the unit ``prefix``."""
    if part.is_stock:
        day = period.day_before if part.day == "start" else period.end
        return selectors.stock_persons(part.measure, scope=scope, prefix=prefix, day=day)
    return selectors.flow_events(part.measure, scope=scope, prefix=prefix, period=period)


def part_count(part: Part, *, scope: str, prefix: str, period: Period) -> int:
    rows = part_rows(part, scope=scope, prefix=prefix, period=period)
    return rows.count() if part.is_stock else len(rows)


# --- the indicator page -----------------------------------------------------------------------


@dataclass
class Row:
    figure: Figure
    indicator: Indicator
    verdict: targets.Verdict | None
    unit: Unit | None = None
    name: str = ""
    rank: int | None = None

    @property
    def target_text(self) -> str:
        return target_text(self.verdict.target) if self.verdict else ""


def _sub_units(unit: Unit) -> list[Unit]:
    if unit.level >= Level.VILLAGE:
        return []
    return list(Unit.objects.current().filter(level=unit.level + 1,
                                              prefix__startswith=unit.prefix)
                .order_by("code"))  # fmt: skip


def ranking(unit: Unit, code: str, *, period: Period, scope: str,
            year: int) -> tuple[list[Row], bool]:  # fmt: skip
    """The sub-units of ``unit`` (townships of a county, villages of a township) for one
    indicator, ranked, and whether lower ranks first: lower first when the target (the unit's,
    else one of the sub-units') is "≤", else higher first. Equal values (as displayed) share a
    rank; units without a value come last, unranked."""
    children = _sub_units(unit)
    if not children:
        return [], False
    length = PREFIX_LENGTH[Level(unit.level + 1)]
    figures = evaluate([code], prefix=unit.prefix, period=period, scope=scope, group_len=length,
                       groups=[c.prefix for c in children])  # fmt: skip
    by_prefix = {c.prefix: c for c in children}
    found = targets.targets_for([g.ljust(12, "0") for g in figures] + [unit.code], year)
    ind = BY_CODE[code]
    rows = []
    for group, figs in figures.items():
        target = found.get((group.ljust(12, "0"), code))
        child = by_prefix.get(group)
        rows.append(Row(figs[code], ind, targets.judge(figs[code], target) if target else None,
                        child, child.name if child else group))  # fmt: skip
    own = found.get((unit.code, code)) or next((t for (_u, c), t in found.items() if c == code),
                                               None)  # fmt: skip
    lower_first = own is not None and own.direction == Target.Direction.AT_MOST
    valued = [r for r in rows if r.figure.value is not None]
    valued.sort(key=lambda r: (r.figure.rounded if lower_first else -r.figure.rounded,
                               r.unit.code if r.unit else r.name))  # fmt: skip
    for i, row in enumerate(valued):
        same = i > 0 and valued[i - 1].figure.rounded == row.figure.rounded
        row.rank = valued[i - 1].rank if same else i + 1
    return valued + [r for r in rows if r.figure.value is None], lower_first


def _groups(unit: Unit, period: Period, scope: str, year: int) -> list[tuple[str, list[Row]]]:
    figures = evaluate([i.code for i in INDICATORS], prefix=unit.prefix, period=period,
                       scope=scope)[unit.prefix]  # fmt: skip
    verdicts = targets.attach(figures, unit.code, year)
    grouped: dict[str, list[Row]] = {}
    for ind in INDICATORS:
        row = Row(figures[ind.code], ind, verdicts.get(ind.code))
        grouped.setdefault(ind.group, []).append(row)
    return list(grouped.items())


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def indicator_page(request: HttpRequest) -> HttpResponse:
    unit = _unit_of(request)
    form = IndicatorPageForm(request.GET)
    context: dict[str, Any] = {"unit": unit, "form": form, "units": _unit_choices(request.user)}
    if form.is_valid():
        data = form.cleaned_data
        period, scope, year = data["period"], data["scope_code"], data["target_year"]
        rank = data.get("rank") or DEFAULT_RANK
        ranked, lower_first = ranking(unit, rank, period=period, scope=scope, year=year)
        context.update(
            period=period, scope_label=Scope(scope).label, target_year=year, rank=rank,
            groups=_groups(unit, period, scope, year), rank_indicator=BY_CODE[rank],
            ranking=ranked, lower_first=lower_first,
            query=urlencode({**form.params(), "unit": unit.code}),
            drill_query=urlencode(form.params()), whole_year=data["part"] in ("fp", "cal"),
        )  # fmt: skip
    return render(request, "reports/indicator_page.html", context)


# --- the figures as JSON objects (the API and ``manage.py indicators``) ------------------------


def figure_rows(unit: Unit, *, period: Period, calendar: bool, scope: str, codes: list[str],
                sub_units: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """The figures of ``codes`` for ``unit`` (and, with ``sub_units``, for each of its
    townships or villages) as JSON objects: ``Figure.as_dict`` plus the period's label and
    days, the unit's name, and ``target``/``direction``/``met``/``gap`` where a target is set."""
    year = target_year(period, calendar)
    found = evaluate(codes, prefix=unit.prefix, period=period, scope=scope)
    children = _sub_units(unit) if sub_units else []
    if children:
        found.update(evaluate(codes, prefix=unit.prefix, period=period, scope=scope,
                              group_len=len(children[0].prefix),
                              groups=[c.prefix for c in children]))  # fmt: skip
    names = {unit.prefix: unit.name, **{c.prefix: c.name for c in children}}
    goals = targets.targets_for([p.ljust(12, "0") for p in found], year)
    rows = []
    for prefix, figures in found.items():
        for code in codes:
            fig = figures[code]
            row = {**fig.as_dict(), "unit_name": names.get(prefix, ""),
                   "period_label": period.label, "period_start": period.start.isoformat(),
                   "period_end": period.end.isoformat(), "target_year": year}  # fmt: skip
            goal = goals.get((prefix.ljust(12, "0"), code))
            if goal is not None:
                row.update(targets.judge(fig, goal).as_dict())
            rows.append(row)
    return rows


# --- the name list (花名册) ---------------------------------------------------------------------


def _decorate_persons(request: HttpRequest, rows: list[Person], scope: str, day: date) -> None:
    field = SCOPE_FIELD[scope]
    names = _names([getattr(p, field) for p in rows])
    visible = set(Person.objects.visible_to(request.user).filter(pk__in=[p.pk for p in rows])
                  .values_list("pk", flat=True))  # fmt: skip
    for p in rows:
        p.id_masked = crypto.mask(p.id_number)  # type: ignore[attr-defined]
        p.age = p.age_on(day) if p.birth_date <= day else 0  # type: ignore[attr-defined]
        p.place = getattr(p, field)  # type: ignore[attr-defined]
        p.place_name = names.get(p.place, p.place)  # type: ignore[attr-defined]
        p.can_open = p.pk in visible  # type: ignore[attr-defined]


def _decorate_events(request: HttpRequest, rows: list[Event], scope: str) -> None:
    names = _names([e.place_of(scope) for e in rows])
    people = {e.person_id for e in rows} | {e.child_id for e in rows if e.child_id}
    visible = set(Person.objects.visible_to(request.user).filter(pk__in=people)
                  .values_list("pk", flat=True))  # fmt: skip
    for e in rows:
        e.place = e.place_of(scope)  # type: ignore[attr-defined]
        e.place_name = names.get(e.place, e.place)  # type: ignore[attr-defined]
        e.policy_label = dicts.label("policy_attribute", e.policy_attribute)  # type: ignore[attr-defined]
        e.person_open = e.person_id in visible  # type: ignore[attr-defined]
        e.child_open = e.child_id in visible  # type: ignore[attr-defined]


SIDE_LABELS = {"numerator": "分子", "denominator": "分母"}
PLACE_LABELS = {Scope.REGISTERED: "户籍地", Scope.RESIDENT: "现居住地", Scope.MANAGED: "管理地"}


def formulas(tabs: list[dict]) -> list[str]:
    """How each side adds up from its lists, e.g. ``分母 =（100 + 104）÷ 2 = 102``."""
    out = []
    for side, label in SIDE_LABELS.items():
        mine = [t for t in tabs if t["part"].side == side]
        if not mine:
            continue
        text, total = "", 0.0
        for t in mine:
            part, count = t["part"], t["count"]
            total += part.sign * part.weight * count
            if part.weight != 1 and part.day == "start":
                text += f"{' − ' if part.sign < 0 else (' + ' if text else '')}（{count}"
            elif part.weight != 1:
                text += f" + {count}）÷ 2"
            else:
                text += f"{' − ' if part.sign < 0 else (' + ' if text else '')}{count}"
        shown = int(total) if float(total).is_integer() else total
        out.append(f"{label} = {text} = {shown}" if len(mine) > 1 else f"{label} = {shown}")
    return out


def _chosen(options: list[Part], data: dict[str, Any]) -> Part:
    same_term = [p for p in options if p.side == data["side"] and p.term == data["term"]]
    return next((p for p in same_term if p.day == (data.get("day") or "")), same_term[0])


@require_perm(Perm.VIEW_AGGREGATE, Perm.VIEW_PERSON)
@require_GET
def indicator_list(request: HttpRequest, code: str) -> HttpResponse:
    """The persons or events behind one part of a figure (``?indicator=…&side=…``)."""
    unit = _unit_of(request, code)
    form = DrillForm(request.GET)
    if not form.is_valid():
        messages.warning(request, "请从统计指标页面点击数字查看名单。")
        return redirect(f"{reverse('reports:indicators')}?{urlencode({'unit': unit.code})}")
    data = form.cleaned_data
    ind, period, scope = BY_CODE[data["indicator"]], data["period"], data["scope_code"]
    figure = evaluate([ind.code], prefix=unit.prefix, period=period, scope=scope)[unit.prefix]
    options = parts(ind, "numerator") + parts(ind, "denominator")
    chosen = _chosen(options, data)
    tabs = [{"part": p, "side": SIDE_LABELS[p.side], "label": p.label(period),
             "count": part_count(p, scope=scope, prefix=unit.prefix, period=period),
             "query": urlencode({**form.params(), "indicator": ind.code, **p.params()}),
             "active": p == chosen} for p in options]  # fmt: skip
    page = paginate(request, part_rows(chosen, scope=scope, prefix=unit.prefix, period=period))
    page.object_list = list(page.object_list)
    if chosen.is_stock:
        day = period.day_before if chosen.day == "start" else period.end
        _decorate_persons(request, page.object_list, scope, day)
    else:
        _decorate_events(request, page.object_list, scope)
    context = {"unit": unit, "indicator": ind, "figure": figure[ind.code], "period": period,
               "scope_label": Scope(scope).label, "chosen": chosen, "tabs": tabs, "page": page,
               "formulas": formulas(tabs), "place_label": PLACE_LABELS[scope],
               "back": urlencode({**form.params(), "unit": unit.code})}  # fmt: skip
    return render_page(request, "reports/drill_list.html", context, partial="results")


# --- targets: the writes (one audited transaction each; reports has no services module yet) ---


def _summary(target: Target) -> str:
    return (f"unit={target.unit_code} year={target.year} indicator={target.indicator} "
            f"direction={target.direction} value={target.value}")  # fmt: skip


@transaction.atomic
def target_save(*, actor: Actor, target: Target) -> Target:
    """Create or change a target (county officers); audited with codes and numbers only. A
    target set by hand is no longer the county's copy."""
    created = target.pk is None
    target.set_by, target.copied_from = actor.user, None
    target.save()
    audit.record(actor=actor.user, ip=actor.ip, object_type="reports.target",
                 action="target.create" if created else "target.update", object_id=target.pk,
                 summary=_summary(target))  # fmt: skip
    return target


@transaction.atomic
def target_copy(*, actor: Actor, target: Target) -> int:
    """Copy a county target to every current township of the county (created or updated,
    marked ``copied_from``). Returns how many townships got it."""
    townships = Unit.objects.current().filter(level=Level.TOWNSHIP,
                                              prefix__startswith=target.unit_code[:6])  # fmt: skip
    count = 0
    for township in townships:
        Target.objects.update_or_create(
            unit_code=township.code, year=target.year, indicator=target.indicator,
            defaults={"direction": target.direction, "value": target.value,
                      "copied_from": target, "set_by": actor.user},
        )  # fmt: skip
        count += 1
    audit.record(actor=actor.user, ip=actor.ip, action="target.copy", object_id=target.pk,
                 object_type="reports.target", summary=_summary(target),
                 row_count=count)  # fmt: skip
    return count


@transaction.atomic
def target_delete_one(*, actor: Actor, target: Target) -> None:
    audit.record(actor=actor.user, ip=actor.ip, action="target.delete", object_id=target.pk,
                 object_type="reports.target", summary=_summary(target))  # fmt: skip
    target.delete()


# --- targets: the pages -------------------------------------------------------------------------


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    form = TargetFilterForm(request.GET)
    rows = Target.objects.visible_to(request.user)
    if form.is_valid():
        if form.cleaned_data.get("year"):
            rows = rows.filter(year=form.cleaned_data["year"])
        if form.cleaned_data.get("indicator"):
            rows = rows.filter(indicator=form.cleaned_data["indicator"])
    page = paginate(request, rows.select_related("set_by").order_by("-year", "unit_code",
                                                                  "indicator"))  # fmt: skip
    page.object_list = list(page.object_list)
    names = _names(t.unit_code for t in page.object_list)
    for t in page.object_list:
        ind = BY_CODE.get(t.indicator)
        t.unit_name = names.get(t.unit_code, t.unit_code)  # type: ignore[attr-defined]
        t.indicator_name = ind.name if ind else t.indicator  # type: ignore[attr-defined]
        t.shown = target_text(t)  # type: ignore[attr-defined]
        t.is_county = t.unit_code[6:] == "000000"  # type: ignore[attr-defined]
    context = {"form": form, "page": page, "can_manage": request.user.has_perm(Perm.MANAGE_TARGET)}
    return render_page(request, "reports/target_list.html", context, partial="results")


def target_text(target: Target) -> str:
    """``≤9.31‰``, ``≥96.5%``, ``≤107``: the target as the pages show it."""
    sign = "≤" if target.direction == Target.Direction.AT_MOST else "≥"
    ind = BY_CODE.get(target.indicator)
    return f"{sign}{target.value.normalize():f}{ind.unit if ind else ''}"


@require_perm(Perm.MANAGE_TARGET)
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        target_save(actor=Actor.of(request), target=form.save(commit=False))
        messages.success(request, "目标已保存。")
        return redirect("reports:target_list")
    return render(request, "reports/target_form.html", {"form": form, "creating": True})


@require_perm(Perm.MANAGE_TARGET)
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(Target, request.user, pk=pk)
    form = TargetForm(request.POST or None, instance=target, user=request.user)
    if request.method == "POST" and form.is_valid():
        target_save(actor=Actor.of(request), target=form.save(commit=False))
        messages.success(request, "目标已修改。")
        return redirect("reports:target_list")
    return render(request, "reports/target_form.html", {"form": form, "target": target})


@require_perm(Perm.MANAGE_TARGET)
@require_POST
def target_copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(Target, request.user, pk=pk)
    if target.unit_code[6:] != "000000":
        messages.error(request, "只有县级目标可以下达到各乡镇。")
    else:
        count = target_copy(actor=Actor.of(request), target=target)
        messages.success(request, f"已下达到 {count} 个乡镇。")
    return redirect(f"{reverse('reports:target_list')}?{urlencode({'year': target.year})}")


@require_perm(Perm.MANAGE_TARGET)
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(Target, request.user, pk=pk)
    target_delete_one(actor=Actor.of(request), target=target)
    messages.success(request, "目标已删除。")
    return redirect("reports:target_list")


urlpatterns = [
    path("indicators/", indicator_page, name="indicators"),
    path("indicators/<str:code>/list/", indicator_list, name="indicator_list"),
    path("targets/", target_list, name="target_list"),
    path("targets/new/", target_create, name="target_create"),
    path("targets/<int:pk>/edit/", target_edit, name="target_edit"),
    path("targets/<int:pk>/copy/", target_copy_view, name="target_copy"),
    path("targets/<int:pk>/delete/", target_delete, name="target_delete"),
]
