"""The registry of populations a reminder rule can name (who, and what closes their items).

Each population reads the register in bulk (``values_list``, no model instances) and returns
``Anchor`` rows: the person, her managing unit, the record the schedule counts from, the first day
of the first window and the day the population stops holding. ``closers`` returns the records
that close items, by key, sorted by date. Only women with an open card who are still in the
register are listed (a closed card is read-only: she aged out, moved away or died).

Service records of the reproductive-health module (``programs.ContraceptionVisit`` and
``programs.RHCheck``, the contract in docs/todo.md) are looked up by name, so this module works
before they exist: until then, those rules close nothing.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from renkou.geo.scope import prefix_range
from renkou.people.constants import CardStatus
from renkou.people.models import ContraceptionEpisode, Pregnancy, WomanCard
from renkou.programs.constants import FINAL, CoupleStatus
from renkou.programs.models import CoupleFile, FollowUp
from renkou.todo.constants import LOOKBACK, Population
from renkou.todo.schedule import parse_offsets

DAY = timedelta(days=1)
Closer = tuple[date, str, int]  # (date, closed_type, closed_id)
Closers = dict[tuple[str, int], list[Closer]]


@dataclass(frozen=True)
class Scope:
    """What one refresh covers: a unit prefix and/or some persons (None: everything)."""

    prefix: str | None = None
    person_ids: frozenset[int] | None = None

    def apply(self, rows: QuerySet, person_path: str) -> QuerySet:
        if self.prefix:
            rows = rows.filter(**prefix_range(f"{person_path}__unit_code", self.prefix))
        if self.person_ids is not None:
            rows = rows.filter(**{f"{person_path}_id__in": self.person_ids})
        return rows


@dataclass(frozen=True)
class Anchor:
    person_id: int | None  # None: a unit's item (a dated task), not a person's
    unit_code: str
    anchor_type: str
    anchor_id: int
    anchor_date: date
    first_day: date  # the first window starts here
    holds_until: date | None  # the population stops holding after this day
    close_keys: tuple[tuple[str, int], ...]


def oldest_anchor(rule: Any, today: date) -> date | None:
    """The oldest anchor date whose last window can still end within the lookback, or None when
    the rule repeats (an IUD inserted decades ago is still due yearly)."""
    if rule.repeat:
        return None
    last = parse_offsets(rule.offsets)[-1]
    span = timedelta(days=last.months * 31 + last.days + rule.expire_days)
    return today - LOOKBACK - span


def _kept_since(rule: Any, today: date) -> date:
    """An episode that ended before this day can have no item left to update: its windows were
    cut at the end date, and the last of them is past the lookback."""
    return today - LOOKBACK - timedelta(days=rule.expire_days)


def _on_open_cards(rows: QuerySet, card_path: str) -> QuerySet:
    return rows.filter(
        **{f"{card_path}status": CardStatus.OPEN, f"{card_path}person__exited_at__isnull": True}
    )


def _service_model(name: str) -> Any:
    try:
        return apps.get_model("programs", name)
    except LookupError:
        return None


def _service_rows(model: Any) -> QuerySet:
    """A service model's rows, without those voided (作废) as entered by mistake."""
    rows = model._default_manager.all()
    names = {f.name for f in model._meta.get_fields()}
    return rows.filter(voided_at__isnull=True) if "voided_at" in names else rows


def _sorted(found: Closers) -> Closers:
    for rows in found.values():
        rows.sort()
    return found


# --- contraception episodes ------------------------------------------------------------------


def _episodes(rule: Any, scope: Scope) -> QuerySet:
    rows = _on_open_cards(ContraceptionEpisode.objects.all(), "card__")
    if rule.code_list:
        rows = rows.filter(method__in=rule.code_list)
    return scope.apply(rows, "card__person")


_EPISODE_FIELDS = ("pk", "card__person_id", "card__person__unit_code", "start", "end")


def episode_start(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    """Women whose episode of a listed method started (insertion, implant, sterilisation): the
    series counts from the start and stops when the episode ends."""
    rows = _episodes(rule, scope).filter(start__lte=today)
    oldest = oldest_anchor(rule, today)
    if oldest is not None:
        rows = rows.filter(start__gte=oldest)
    rows = rows.filter(Q(end__isnull=True) | Q(end__gte=_kept_since(rule, today)))
    return [
        Anchor(
            person,
            unit,
            "episode",
            pk,
            start,
            start + DAY,
            end,
            (("episode", pk), ("person", person)),
        )
        for pk, person, unit, start, end in rows.values_list(*_EPISODE_FIELDS)
    ]


def episode_end(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    """Women whose episode of a listed method ended (IUD or implant taken out)."""
    rows = _episodes(rule, scope).filter(end__isnull=False, end__lte=today)
    oldest = oldest_anchor(rule, today)
    if oldest is not None:
        rows = rows.filter(end__gte=oldest)
    return [
        Anchor(
            person, unit, "episode", pk, end, end + DAY, None, (("episode", pk), ("person", person))
        )
        for pk, person, unit, _start, end in rows.values_list(*_EPISODE_FIELDS)
    ]


def episode_in_place(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    """Women still using a listed method (an implant due for removal): closed by the episode's
    end date on the card, which also stops the series."""
    rows = _episodes(rule, scope).filter(start__lte=today)
    rows = rows.filter(Q(end__isnull=True) | Q(end__gte=_kept_since(rule, today)))
    return [
        Anchor(person, unit, "episode", pk, start, start + DAY, end, (("episode", pk),))
        for pk, person, unit, start, end in rows.values_list(*_EPISODE_FIELDS)
    ]


def episode_end_closers(rule: Any, anchors: list[Anchor], scope: Scope, today: date) -> Closers:
    """The end date on the card closes the removal item (read from the anchors: no query)."""
    return {
        ("episode", a.anchor_id): [(a.holds_until, "people.contraceptionepisode", a.anchor_id)]
        for a in anchors
        if a.holds_until is not None
    }


# --- pregnancies -----------------------------------------------------------------------------


def pregnancy_end(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    """Women whose pregnancy ended with a listed outcome (an abortion, 人工流产/中期引产)."""
    rows = _on_open_cards(Pregnancy.objects.all(), "card__")
    rows = rows.filter(outcome_date__isnull=False, outcome_date__lte=today)
    if rule.code_list:
        rows = rows.filter(outcome__in=rule.code_list)
    oldest = oldest_anchor(rule, today)
    if oldest is not None:
        rows = rows.filter(outcome_date__gte=oldest)
    rows = scope.apply(rows, "card__person")
    fields = ("pk", "card__person_id", "card__person__unit_code", "outcome_date")
    return [
        Anchor(
            person,
            unit,
            "pregnancy",
            pk,
            day,
            day + DAY,
            None,
            (("pregnancy", pk), ("person", person)),
        )
        for pk, person, unit, day in rows.values_list(*fields)
    ]


def visit_closers(rule: Any, anchors: list[Anchor], scope: Scope, today: date) -> Closers:
    """Contraception follow-up visits of the rule's reason: one linked to an episode or a
    pregnancy closes that anchor's items; one linked to neither closes the person's."""
    visit = _service_model("ContraceptionVisit")
    if visit is None or not anchors or not rule.visit_reason:
        return {}
    since = min(a.first_day for a in anchors)
    rows = scope.apply(
        _service_rows(visit).filter(reason=rule.visit_reason, visited_on__gte=since), "person"
    )
    found: Closers = defaultdict(list)
    fields = ("pk", "person_id", "episode_id", "pregnancy_id", "visited_on")
    for pk, person, episode, pregnancy, day in rows.values_list(*fields):
        key = ("episode", episode) if episode else ("pregnancy", pregnancy) if pregnancy else None
        found[key or ("person", person)].append((day, "programs.contraceptionvisit", pk))
    return _sorted(found)


# --- the yearly check offer ------------------------------------------------------------------


def _years(today: date) -> list[int]:
    years = [today.year]
    if (today - LOOKBACK).year < today.year:
        years.insert(0, today.year - 1)
    return years


def married_wcba(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    """Every married woman of childbearing age with an open card, once a year: the anchor is
    1 January and the year closes the window (an offer of a free check, never a duty)."""
    rows = scope.apply(_on_open_cards(WomanCard.objects.all(), ""), "person")
    cards = list(rows.values_list("pk", "person_id", "person__unit_code"))
    anchors = []
    for year in _years(today):
        first, last = date(year, 1, 1), date(year, 12, 31)
        anchors += [
            Anchor(person, unit, "card", pk, first, first, last, (("person", person),))
            for pk, person, unit in cards
        ]
    return anchors


def rh_check_closers(rule: Any, anchors: list[Anchor], scope: Scope, today: date) -> Closers:
    check = _service_model("RHCheck")
    if check is None or not anchors:
        return {}
    since = date(_years(today)[0], 1, 1)
    rows = scope.apply(_service_rows(check).filter(checked_on__gte=since), "person")
    found: Closers = defaultdict(list)
    for pk, person, day in rows.values_list("pk", "person_id", "checked_on"):
        found[("person", person)].append((day, "programs.rhcheck", pk))
    return _sorted(found)


# --- the pre-pregnancy exam ------------------------------------------------------------------


def _couples(rule: Any, scope: Scope, today: date) -> QuerySet:
    rows = CoupleFile.objects.filter(eligible_on__isnull=False, eligible_on__lte=today)
    rows = rows.filter(
        Q(examined_on__isnull=True, status=CoupleStatus.ELIGIBLE)
        | Q(examined_on__gte=today - LOOKBACK)
    )
    oldest = oldest_anchor(rule, today)
    if oldest is not None:
        rows = rows.filter(eligible_on__gte=oldest)
    return scope.apply(rows, "wife")


def prepregnancy_exam(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    """Couples whose eligibility the township confirmed (服务通知单) and who are not examined
    yet: they asked for the free exam; the list reminds the service point to offer a date."""
    fields = ("pk", "wife_id", "wife__unit_code", "eligible_on")
    return [
        Anchor(wife, unit, "couple", pk, day, day, None, (("couple", pk),))
        for pk, wife, unit, day in _couples(rule, scope, today).values_list(*fields)
    ]


def exam_closers(rule: Any, anchors: list[Anchor], scope: Scope, today: date) -> Closers:
    rows = _couples(rule, scope, today).filter(examined_on__isnull=False)
    return {
        ("couple", pk): [(day, "programs.couplefile", pk)]
        for pk, day in rows.values_list("pk", "examined_on")
    }


# --- pre-pregnancy follow-ups ----------------------------------------------------------------


def _followups(rule: Any, scope: Scope, today: date) -> QuerySet:
    rows = FollowUp.objects.filter(Q(done_on__isnull=False) | ~Q(couple__status__in=FINAL))
    rows = rows.filter(due_on__gte=today - LOOKBACK - timedelta(days=rule.expire_days))
    if rule.code_list:
        rows = rows.filter(kind__in=rule.code_list)
    return scope.apply(rows, "couple__wife")


def prepregnancy_followup(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    """The early-pregnancy and outcome follow-ups of the free pre-pregnancy exam (their due
    dates are set by ``programs``; the rule's offset is normally 0 days)."""
    fields = ("pk", "couple__wife_id", "couple__wife__unit_code", "due_on")
    return [
        Anchor(
            wife, unit, "followup", pk, due, due - timedelta(days=366), None, (("followup", pk),)
        )
        for pk, wife, unit, due in _followups(rule, scope, today).values_list(*fields)
    ]


def followup_closers(rule: Any, anchors: list[Anchor], scope: Scope, today: date) -> Closers:
    rows = _followups(rule, scope, today).filter(done_on__isnull=False)
    return {
        ("followup", pk): [(day, "programs.followup", pk)]
        for pk, day in rows.values_list("pk", "done_on")
    }


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationDef:
    anchors: Callable[[Any, Scope, date], list[Anchor]]
    closers: Callable[[Any, list[Anchor], Scope, date], Closers]
    # "visit", "rh_check", "episode_end", "exam", "followup", "task", "rectification"
    closed_by: str
    codes: str = ""  # which code list narrows it: "method", "outcome", "followup_kind"
    personal: bool = True  # False: items of units (no person), scoped by their unit_code


POPULATIONS: dict[str, PopulationDef] = {
    Population.EPISODE_START: PopulationDef(episode_start, visit_closers, "visit", "method"),
    Population.EPISODE_END: PopulationDef(episode_end, visit_closers, "visit", "method"),
    Population.EPISODE_IN_PLACE: PopulationDef(
        episode_in_place, episode_end_closers, "episode_end", "method"
    ),
    Population.PREGNANCY_END: PopulationDef(pregnancy_end, visit_closers, "visit", "outcome"),
    Population.MARRIED_WCBA: PopulationDef(married_wcba, rh_check_closers, "rh_check"),
    Population.PREPREGNANCY_EXAM: PopulationDef(prepregnancy_exam, exam_closers, "exam"),
    Population.PREPREGNANCY_FOLLOWUP: PopulationDef(
        prepregnancy_followup, followup_closers, "followup", "followup_kind"
    ),
}


def register(code: str, definition: PopulationDef) -> None:
    """A population whose records live in a higher app (the dated tasks of
    ``renkou.supervision``), registered when that app is ready: the to-do lists stay the one
    place reminders are made, and this app imports nothing above it."""
    POPULATIONS[code] = definition


def closers_for(anchor: Anchor, found: Closers) -> list[Closer]:
    keys: Iterable[tuple[str, int]] = anchor.close_keys
    rows = [c for key in keys for c in found.get(key, ())]
    return sorted(rows) if len(anchor.close_keys) > 1 else rows
