"""One pass over a change-event file (the ``run`` of ``importer.EVENTS``): check each row on
its own, find the persons it names in the importer's scope, then record the rows in date order
through ``events.services.record`` — so person state, spells, tallies and audit follow as for
the entry form — each row in its own savepoint.

The preview runs the same records in a transaction that is rolled back at the end, so it
reports exactly the rows the service would refuse (a first marriage of a married person, a
divorce of an unmarried one, …), including rows that depend on earlier rows of the file. The
commit runs inside ``batches.commit``'s transaction: in ``all`` mode any bad row rolls all of
it back there; in ``rows`` mode the savepoint of a refused row is rolled back alone.

A row identical to a counted event (same kind, person and effective date; for a birth also the
baby's name, so twins stay two events) is 已登记: skipped with a note, not an error.
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renkou.common.actors import Actor
from renkou.events import forms, services
from renkou.events.constants import COUNTED, Kind
from renkou.events.importing.checking import Context, Row, check_row
from renkou.events.importing.columns import SHEET
from renkou.events.models import Event
from renkou.geo.scope import prefix_range
from renkou.people import rules
from renkou.people.constants import ID_CARD
from renkou.people.importing.checking import Scope
from renkou.people.importing.pipeline import Options, Outcome, keep_issues, sample, without_example
from renkou.people.importing.reading import Table
from renkou.people.models import Person
from renkou.people.rules import Issue
from renkou.people.services import person_register

LOOKUP_CHUNK = 1000
MESSAGES = {
    "person_unknown": forms.NOT_FOUND,
    "partner_unknown": "本单位范围内没有该父亲（配偶）身份号码的人员",
    "partner_self": "配偶或父亲不能是当事人本人",
    "id_elsewhere": forms.ELSEWHERE,
    "dup_in_file": "与第 {row} 行是同一变动（同一人、同一类型、同一发生日期）",
    "already_recorded": "已登记：系统中已有该人员同一发生日期的该类变动，本行已跳过",
    "depends_on_row": "第 {row} 行未能登记，本行依赖该行登记的人员，也未登记",
    "newcomer_required": "该人员尚未登记，迁入、流入时请填写{column}以便建档",
    "newcomer_registered": "未登记的流入人员请填写户籍地代码",
}
# A newcomer's columns (the entry form's NEW_PERSON_FIELDS) that the rules check.
NEWCOMER_REQUIRED = ("name", "sex", "birth_date")
# The rules' name of a newcomer's field → this file's column (forms.RULE_FIELDS by kind).
RULE_FIELDS = {
    Kind.MOVE_IN: {"residence_code": "to_code", "registered_code": "to_code"},
    Kind.FLOW_IN: {"residence_code": "to_code"},
}
Key = tuple[str, Any, date | None, str]


def issue(field_name: str, code: str, severity: str = "error", **params: Any) -> Issue:
    return Issue(field_name, code, MESSAGES[code].format(**params), severity)


def run(
    table: Table,
    *,
    scope: Scope,
    options: Options,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Check every row of ``table``, record the good ones (rolled back unless
    ``options.write``), and return the counts and issues."""
    ctx = Context.build(today, scope)
    outcome = Outcome(notes=list(table.notes))
    fields = sorted(table.fields.items())
    rows = [
        check_row(number, cells, fields, ctx) for number, cells in without_example(table, outcome)
    ]
    ordered = sorted(rows, key=lambda r: (r.effective or date.max, r.row))
    Planner(scope, options.user, ctx).plan(ordered)
    recorder = Recorder(Actor(options.user), today)
    recorder.record_all(ordered, write=options.write, progress=progress)
    _count(outcome, table, rows, recorder, options.write)
    outcome.note_mapped()
    return outcome


def _count(
    outcome: Outcome, table: Table, rows: list[Row], recorder: "Recorder", write: bool
) -> None:
    outcome.total = len(rows)
    for row in rows:
        if keep_issues(outcome, row.row, row.issues):
            outcome.bad += 1
            sample(outcome, table, row.row, row.cells, rules.errors(row.issues))
    outcome.good = outcome.total - outcome.bad
    outcome.unchanged = sum(1 for r in rows if r.recorded and not r.bad)
    outcome.to_create, outcome.to_update = recorder.events, recorder.persons
    if write:
        outcome.created, outcome.updated = recorder.events, recorder.persons


# --- the register ----------------------------------------------------------------------------


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), LOOKUP_CHUNK):
        yield items[start : start + LOOKUP_CHUNK]


class Planner:
    """Finds the persons the rows name among those the importer may see (``visible_to`` the
    uploading user, inside the scope), in date order, so that a person registered by an
    earlier row (a newcomer moving in, a baby with an ID) is known to later rows."""

    def __init__(self, scope: Scope, user: Any, ctx: Context) -> None:
        people = Person.objects.all() if user is None else Person.objects.visible_to(user)
        self.people = people.filter(**prefix_range("unit_code", scope.prefix))
        self.ctx = ctx
        self.found: dict[str, Person] = {}
        self.anywhere: set[str] = set()
        self.recorded: set[Key] = set()
        self.made_by: dict[str, int] = {}  # blind index → the row that registers the person
        self.seen: dict[Key, int] = {}

    def plan(self, rows: list[Row]) -> None:
        self._load(rows)
        for row in rows:
            if row.kind and row.index:
                self._plan(row)

    def _load(self, rows: list[Row]) -> None:
        wanted = {i for r in rows for i in (r.index, r.partner_index) if i}
        for chunk in _chunks(wanted):
            persons = self.people.filter(id_index__in=chunk).order_by("id_index", "pk")
            for person in persons:
                # As the entry form: a present person before one who has left the register.
                known = self.found.get(person.id_index)
                if known is None or (known.exited_at is not None and person.exited_at is None):
                    self.found[person.id_index] = person
        arrivals = {r.index for r in rows if r.kind in forms.NEW_PERSON_KINDS and r.index}
        for chunk in _chunks(arrivals - set(self.found)):
            found = Person.objects.filter(id_index__in=chunk).values_list("id_index", flat=True)
            self.anywhere.update(found)
        for chunk in _chunks({p.pk for p in self.found.values()}):
            events = Event.objects.filter(person_id__in=chunk, status__in=COUNTED)
            fields = ("kind", "person_id", "effective_date", "child__name")
            keys = events.exclude(kind=Kind.VOID).values_list(*fields)
            self.recorded.update((k, ("p", p), d, n or "") for k, p, d, n in keys)

    def _plan(self, row: Row) -> None:
        self._subject(row)
        if row.index and "partner" in forms.KIND_FIELDS[row.kind] and row.partner_index:
            self._partner(row)
        if row.kind == Kind.BIRTH and row.child_index and not row.bad:
            self.made_by.setdefault(row.child_index, row.row)
        self._duplicate(row)

    def _subject(self, row: Row) -> None:
        row.subject = self.found.get(row.index)
        if row.subject is not None:
            return
        row.subject_row = self.made_by.get(row.index, 0)
        if row.subject_row:
            return
        if row.kind not in forms.NEW_PERSON_KINDS:
            row.add(issue("id_number", "person_unknown"))
        elif row.index in self.anywhere:
            row.add(issue("id_number", "id_elsewhere"))
        elif _newcomer(row, self.ctx):
            self.made_by[row.index] = row.row

    def _partner(self, row: Row) -> None:
        if row.partner_index == row.index:
            row.add(issue("partner_id", "partner_self"))
            return
        row.partner = self.found.get(row.partner_index)
        row.partner_row = 0 if row.partner else self.made_by.get(row.partner_index, 0)
        if row.partner is None and not row.partner_row:
            row.add(issue("partner_id", "partner_unknown"))

    def _duplicate(self, row: Row) -> None:
        who = ("p", row.subject.pk) if row.subject is not None else ("n", row.index)
        baby = row.values.get("child_name", "") if row.kind == Kind.BIRTH else ""
        key: Key = (row.kind, who, row.effective, baby)
        first = self.seen.setdefault(key, row.row)
        if first != row.row:
            row.add(issue("kind", "dup_in_file", row=first))
        elif key in self.recorded:
            row.recorded = True
            row.add(issue("kind", "already_recorded", "warning"))


def _newcomer(row: Row, ctx: Context) -> bool:
    """A person who moves or flows in and is not registered: the register rules, as the entry
    form checks a new person (registered without a household); True when they pass."""
    for name in NEWCOMER_REQUIRED:
        if not row.text(name):
            header = SHEET.by_field[name].header
            row.add(issue(name, "newcomer_required", column=header))
    if row.kind == Kind.FLOW_IN and not row.text("registered_code"):
        row.add(issue("registered_code", "newcomer_registered"))
    if row.bad:
        return False
    raw = {name: row.raw.get(name, "") for name in forms.NEW_PERSON_FIELDS}
    raw.update(
        {
            "id_number": row.raw.get("id_number"),
            "id_type": ID_CARD,
            "residence_code": row.values["to_code"],
            "residence_status": "4" if row.kind == Kind.FLOW_IN else "1",
        }
    )
    if row.kind == Kind.MOVE_IN:
        raw["registered_code"] = row.values["to_code"]
    values, found = rules.check_person(raw, ctx.person)
    columns = RULE_FIELDS[row.kind]
    for item in found:
        if item.field in ("household_code", "relationship"):
            continue  # registered without a household, as the entry form does
        name = columns.get(item.field, item.field)
        if not row.has_issue(name):
            row.add(Issue(name, item.code, item.message, item.severity))
    row.newcomer = values
    return not row.bad


# --- recording -------------------------------------------------------------------------------


class _DryRun(Exception):
    """Ends the preview's transaction with a rollback."""


class _Missing(Exception):
    def __init__(self, row: int) -> None:
        self.row = row


class Recorder:
    """Records the good rows in date order; counts events recorded and persons registered."""

    def __init__(self, actor: Actor, today: date) -> None:
        self.actor, self.today = actor, today
        self.made: dict[str, Person] = {}  # blind index → person registered by this pass
        self.events = self.persons = 0

    def record_all(
        self, rows: list[Row], *, write: bool, progress: Callable[[int], None] | None
    ) -> None:
        try:
            with transaction.atomic():
                for done, row in enumerate(rows, start=1):
                    if not row.bad and not row.recorded:
                        self._one(row)
                    if progress is not None:
                        progress(done)
                if not write:
                    raise _DryRun
        except _DryRun:
            pass

    def _one(self, row: Row) -> None:
        try:
            with transaction.atomic():
                new = self._record(row)
        except ValidationError as exc:
            for found in _service_issues(exc):
                row.add(found)
        except _Missing as missing:
            row.add(
                issue(
                    "id_number" if missing.row == row.subject_row else "partner_id",
                    "depends_on_row",
                    row=missing.row,
                )
            )
        else:
            self.events += 1
            self.persons += new

    def _record(self, row: Row) -> int:
        """Record one row (registering a newcomer first); returns persons registered."""
        subject = row.subject or self.made.get(row.index)
        new = subject is None and bool(row.newcomer)
        if subject is None and not new:
            raise _Missing(row.subject_row)
        partner = row.partner or self.made.get(row.partner_index)
        if row.partner_row and partner is None:
            raise _Missing(row.partner_row)
        if new:
            subject = person_register(
                actor=self.actor, household=None, values=row.newcomer, today=self.today
            )
        event = services.record(
            actor=self.actor,
            kind=row.kind,
            person=subject,
            effective_date=row.effective,
            reported_date=row.reported,
            details=_details(row, partner),
            today=self.today,
            new_person=new,
        )
        if new:
            self.made[row.index] = subject
        if event.child_id and row.child_index:
            self.made[row.child_index] = event.child
        return int(new)


def _details(row: Row, partner: Person | None) -> services.Details:
    """The fields the entry form keeps for the kind (``forms.KIND_FIELDS``), and 迁出地代码 of
    an arrival."""
    kept = forms.KIND_FIELDS[row.kind]
    values = {name: row.values.get(name) for name in kept if name in row.values}
    if "child_sex" in values:
        values["sex"] = values.pop("child_sex")
    if row.kind in forms.NEW_PERSON_KINDS:
        values["from_code"] = row.values["from_code"]
    values = {k: v for k, v in values.items() if v not in (None, "")}
    return services.Details(
        partner=partner if "partner" in kept else None, note=row.values["note"], **values
    )


def _service_issues(exc: ValidationError) -> Iterator[Issue]:
    """A service's refusal on the column it names (the entry form's mapping), else on
    事件类型; code ``event_rule``."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            yield Issue("kind", "event_rule", message)
        return
    for name, messages in exc.message_dict.items():
        column = forms.SERVICE_FIELDS.get(name, name)
        for message in messages:
            yield Issue(column if column in SHEET.by_field else "kind", "event_rule", message)
