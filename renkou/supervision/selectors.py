"""Scoped reads of the supervision app, and the two functions the assessment reads
(``renkou.assessment.sources``: the ``supervision_task`` and ``supervision`` kinds).

``task_result(unit_code, year, task_id, on=date)`` is a unit's result of a dated task as of a
date: it unpacks as ``(value, target, links)`` as the assessment's adapter expects (the value
is the completion in per cent: 100 once the county confirmed it, else the share of the
required evidence and count present, at most 99; the target 100), and carries the computed
status and the done/required evidence counts for the pages. ``deductions(unit_code, year,
on=date)`` lists the proposed deductions of the inspections' findings as (points, reason,
link).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from renkou.common import dates
from renkou.common.periods import fp_year
from renkou.geo.constants import PREFIX_LENGTH, Level, full_code, township_of
from renkou.geo.scope import PersonGrant
from renkou.supervision.constants import PROGRESS_BADGE, EvidenceKind, Progress, Status
from renkou.supervision.models import Assignment, Task

TARGET = Decimal(100)


@dataclass(frozen=True)
class Evidenced:
    """What an assignment holds against what its task requires."""

    photos: int
    documents: int
    count: int
    photos_required: int
    documents_required: int
    count_required: int

    @property
    def done(self) -> int:
        return (
            min(self.photos, self.photos_required)
            + min(self.documents, self.documents_required)
            + min(self.count, self.count_required)
        )

    @property
    def required(self) -> int:
        return self.photos_required + self.documents_required + self.count_required

    @property
    def complete(self) -> bool:
        return self.done >= self.required

    @property
    def any(self) -> bool:
        return bool(self.photos or self.documents or self.count)

    def missing(self, count_label: str) -> list[str]:
        """What is still missing, in words (the refusal of an early report names it)."""
        gaps = []
        if self.photos < self.photos_required:
            gaps.append(f"照片还差{self.photos_required - self.photos}张")
        if self.documents < self.documents_required:
            gaps.append(f"文件还差{self.documents_required - self.documents}份")
        if self.count < self.count_required:
            gaps.append(f"{count_label or '完成数量'}还差{self.count_required - self.count}")
        return gaps


def evidenced(assignment: Assignment, photos: int, documents: int) -> Evidenced:
    task = assignment.task
    return Evidenced(
        photos,
        documents,
        assignment.count_done,
        task.photos_required,
        task.documents_required,
        task.count_required,
    )


def progress_of(assignment: Assignment, held: Evidenced, on: date) -> Progress:
    """未开始 / 进行中 / 已完成 / 已逾期 from the dates, the evidence and the confirmation: done
    once the county confirmed it (on or before ``on``); overdue once the deadline has passed
    without that; in progress with any evidence, count or report; else not started."""
    if assignment.status == Status.CONFIRMED and (
        assignment.confirmed_on is None or assignment.confirmed_on <= on
    ):
        return Progress.DONE
    if on > assignment.task.deadline:
        return Progress.OVERDUE
    if held.any or assignment.status == Status.SUBMITTED:
        return Progress.IN_PROGRESS
    return Progress.NOT_STARTED


def _with_counts(rows: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return rows.select_related("task", "responsible").annotate(
        n_photos=Count("evidence", filter=Q(evidence__kind=EvidenceKind.PHOTO)),
        n_documents=Count("evidence", filter=Q(evidence__kind=EvidenceKind.DOCUMENT)),
    )


@dataclass
class Row:
    """One assignment as the pages show it."""

    assignment: Assignment
    held: Evidenced
    progress: Progress
    badge: str = field(init=False)

    def __post_init__(self) -> None:
        self.badge = PROGRESS_BADGE[self.progress]

    @property
    def late_days(self) -> int:
        return max(0, (dates.today() - self.assignment.task.deadline).days)


def rows_of(assignments: QuerySet[Assignment], on: date) -> list[Row]:
    found = []
    for a in _with_counts(assignments):
        held = evidenced(a, a.n_photos, a.n_documents)  # type: ignore[attr-defined]  # annotated
        found.append(Row(a, held, progress_of(a, held, on)))
    return found


def assignments_visible(user: Any) -> QuerySet[Assignment]:
    """The units' parts of the tasks the user may see: its subtree's."""
    return Assignment.objects.visible_to(user)


def tasks_visible(user: Any) -> QuerySet[Task]:
    return Task.objects.visible_to(user)


def task_rows(user: Any, task: Task, on: date) -> list[Row]:
    return rows_of(assignments_visible(user).filter(task=task), on)


def late_parts(rows: QuerySet[Assignment], on: date) -> QuerySet[Assignment]:
    """The parts overdue on day ``on``: past the deadline (before ``on``) and not confirmed on
    or before ``on`` (as ``progress_of``: a confirmation without a date counts as done). A
    part confirmed later was still overdue that day, so a past date reads as it stood then;
    confirmation is final (``ALLOWED_TRANSITIONS``), so its date is the only one needed."""
    done = Q(status=Status.CONFIRMED) & (Q(confirmed_on__isnull=True) | Q(confirmed_on__lte=on))
    return rows.filter(task__deadline__lt=on).exclude(done)


def overdue(user: Any, on: date) -> list[Row]:
    """The user's units' parts past the deadline and not confirmed (for the boards)."""
    return rows_of(late_parts(assignments_visible(user), on), on)


# --- what the assessment reads (renkou.assessment.sources) -----------------------------------


@dataclass(frozen=True)
class TaskResult:
    """A unit's result of one task; unpacks as (value, target, links)."""

    value: Decimal | None
    target: Decimal | None
    links: tuple[str, ...]
    progress: str = ""
    progress_label: str = ""
    done: int = 0
    required: int = 0

    def __iter__(self) -> Iterator[Any]:
        return iter((self.value, self.target, self.links))

    @property
    def link(self) -> str:
        return self.links[0] if self.links else ""


def task_choices() -> list[tuple[str, str]]:
    """Every task as an item code of a scheme: (id, "year title")."""
    return [
        (str(pk), f"{year}年 {title}（{deadline:%m月%d日}前）")
        for pk, year, title, deadline in Task.objects.order_by("-year", "deadline").values_list(
            "pk", "year", "title", "deadline"
        )
    ]


def task_result(unit_code: str, year: int, task_id: Any, *, on: date) -> TaskResult:
    """The result of task ``task_id`` of ``year`` for the unit ``unit_code`` (12 digits) as of
    ``on``; value None when the unit has no part in that task."""
    empty = TaskResult(None, TARGET, ())
    try:
        key = int(task_id)
    except (TypeError, ValueError):
        return empty
    rows = _with_counts(
        Assignment.objects.filter(task_id=key, task__year=year, unit_code=full_code(unit_code))
    )
    a = rows.first()
    if a is None:
        return empty
    held = evidenced(a, a.n_photos, a.n_documents)  # type: ignore[attr-defined]  # annotated
    progress = progress_of(a, held, on)
    if progress == Progress.DONE:
        value = TARGET
    elif held.required:
        value = min(Decimal(99), (Decimal(100) * held.done / held.required).quantize(Decimal(1)))
    else:
        value = Decimal(0)
    link = reverse("supervision:assignment_detail", args=[a.pk])
    return TaskResult(
        value, TARGET, (link,), progress.value, progress.label, held.done, held.required
    )


def deductions(unit_code: str, year: int, *, on: date) -> list[tuple[Decimal, str, str]]:
    """The proposed deductions of the inspections' findings about the unit (a township: its
    own; the county: every township's) found in the FP year ``year`` — the assessment's year,
    October to September by default — up to ``on``: (points, reason, link to the inspection)."""
    from renkou.geo.scope import prefix_range
    from renkou.supervision.models import Finding

    code = full_code(unit_code)
    prefix = code[:6] if code[6:] == "000000" else code[:9]
    span = fp_year(year)
    rows = (
        Finding.objects.filter(**prefix_range("unit_code", prefix))
        .filter(deduction__gt=0, found_on__gte=span.start, found_on__lte=min(on, span.end))
        .select_related("inspection")
        .order_by("found_on", "pk")
    )
    return [
        (
            f.deduction,
            f"{f.inspection.title}：{f.text}（{f.get_severity_display()}）",
            reverse("supervision:inspection_detail", args=[f.inspection_id]),
        )
        for f in rows
    ]


def rectifications_visible(user: Any) -> QuerySet[Any]:
    from renkou.supervision.models import Rectification

    return Rectification.objects.visible_to(user).select_related("finding__inspection")


def late_notices(rows: QuerySet[Any], on: date) -> QuerySet[Any]:
    """The notices overdue on day ``on``: past the deadline (before ``on``) and not closed on
    or before ``on`` (``closed_on``, the 销号 date; a closed notice without one counts as
    closed). Closing is final, so a past date reads as it stood then."""
    from renkou.supervision.constants import RectStatus

    closed = Q(status=RectStatus.CLOSED) & (Q(closed_on__isnull=True) | Q(closed_on__lte=on))
    return rows.filter(deadline__lt=on).exclude(closed)


def overdue_rectifications(user: Any, on: date) -> QuerySet[Any]:
    """Notices past their deadline and not closed (highlighted on the lists and boards)."""
    return late_notices(rectifications_visible(user), on)


def inspections_visible(user: Any) -> QuerySet[Any]:
    from renkou.supervision.models import Inspection

    return Inspection.objects.visible_to(user)


def inspectors_of(user: Any) -> list[Any]:
    """The active inspector accounts of the user's county (a visit's team)."""
    from renkou.accounts.constants import Role
    from renkou.accounts.models import User

    county = (getattr(user, "scope_prefix", None) or "")[:6]
    rows = User.objects.filter(role=Role.INSPECTOR, is_active=True, unit__code__startswith=county)
    return list(rows.order_by("username"))


def staff_of(unit_code: str) -> list[tuple[int, str]]:
    """The active accounts of a township (its offices and villages), for naming the
    responsible person of its part: names of staff, not of the people in the register."""
    from renkou.accounts.models import User

    rows = User.objects.filter(is_active=True, unit__code__startswith=unit_code[:9]).order_by(
        "unit__code", "username"
    )
    return [
        (pk, name or username)
        for pk, name, username in rows.values_list("pk", "full_name", "username")
    ]


def townships(user: Any) -> list[tuple[str, str]]:
    """The user's county's townships (code, name), for giving a task."""
    from renkou.geo.constants import Level
    from renkou.geo.models import Unit

    rows = Unit.objects.current().visible_to(user).filter(level=Level.TOWNSHIP).order_by("code")
    return list(rows.values_list("code", "name"))


def staff_member(unit_code: str, pk: int) -> Any:
    """One active account of the township (None when it is not one of them)."""
    from renkou.accounts.models import User

    rows = User.objects.filter(is_active=True, unit__code__startswith=unit_code[:9])
    return rows.filter(pk=pk).first()


# --- the inspector's access to people's data (issue 14 item 6) -------------------------------


def visits_granting(user: Any, on: date) -> QuerySet[Any]:
    """The visits that open people's data to ``user`` on day ``on``: those whose team it is
    on, from ``starts_on`` to ``ends_on`` inclusive, unless closed earlier (closing the visit
    ends the access with it)."""
    from renkou.supervision.constants import InspectionStatus
    from renkou.supervision.models import Inspection

    if not getattr(user, "pk", None):
        return Inspection.objects.none()
    rows = Inspection.objects.filter(team=user, starts_on__lte=on, ends_on__gte=on)
    return rows.exclude(status=InspectionStatus.CLOSED).order_by("ends_on", "pk")


def visit_grants(user: Any, on: date) -> list[PersonGrant]:
    """The grant provider registered in ``SupervisionConfig.ready`` (``renkou.accounts.grants``):
    during a visit the inspector reads, in the inspected township, the persons of that visit's
    sample and the rows about them; nothing before the sample is drawn, nothing after the
    visit. Two queries, once per request (``User.person_grants`` caches the answer)."""
    from renkou.supervision.models import Sample

    visits = dict(visits_granting(user, on).values_list("pk", "unit_code"))
    if not visits:
        return []
    sampled: dict[int, set[int]] = {pk: set() for pk in visits}
    rows = Sample.objects.filter(inspection__in=list(visits)).values_list(
        "inspection_id", "person_id"
    )
    for visit, person in rows:
        sampled[visit].add(person)
    township = PREFIX_LENGTH[Level.TOWNSHIP]
    return [
        PersonGrant(
            prefix=code[:township],
            person_ids=frozenset(sampled[pk]),
            source_type="supervision.inspection",
            source_id=pk,
        )
        for pk, code in visits.items()
    ]


@dataclass(frozen=True)
class VisitAccess:
    """What an inspector may read now, for the home and visit pages (本次督查可查阅…)."""

    pk: int
    title: str
    unit_name: str
    ends_on: date
    persons: int


def current_access(user: Any, on: date) -> list[VisitAccess]:
    from renkou.geo.selectors import unit_names

    visits = list(
        visits_granting(user, on).annotate(persons=Count("samples__person", distinct=True))
    )
    names = unit_names([v.unit_code for v in visits])
    return [
        VisitAccess(v.pk, v.title, names.get(v.unit_code, v.unit_code), v.ends_on, v.persons)
        for v in visits
    ]


@dataclass(frozen=True)
class InspectorHome:
    """What an inspector's home shows: the visits of the teams it is on, the notices, and
    which township's sampled records it may read today (none outside a visit)."""

    upcoming: int
    visiting: int
    to_recheck: int
    overdue_notices: int
    access: list[VisitAccess]


def inspector_home(user: Any, on: date) -> InspectorHome:
    from renkou.supervision.constants import InspectionStatus, RectStatus

    mine = inspections_visible(user).filter(team=user)
    notices = rectifications_visible(user).filter(finding__inspection__team=user)
    return InspectorHome(
        upcoming=mine.filter(status=InspectionStatus.PLANNED).count(),
        visiting=mine.filter(status=InspectionStatus.VISITING).count(),
        to_recheck=notices.filter(status=RectStatus.RESPONDED).count(),
        overdue_notices=overdue_rectifications(user, on).count(),
        access=current_access(user, on),
    )


def overdue_rectifications_all(on: date) -> QuerySet[Any]:
    """Every overdue notice (for the demo command's summary; not a page: unscoped)."""
    from renkou.supervision.constants import RectStatus
    from renkou.supervision.models import Rectification

    return Rectification.objects.filter(deadline__lt=on).exclude(status=RectStatus.CLOSED)


@dataclass(frozen=True)
class Overdue:
    """A township's overdue dated tasks and rectification notices (for the assessment board)."""

    tasks: int = 0
    notices: int = 0


def overdue_by_township(user: Any, on: date) -> dict[str, Overdue]:
    """Every visible township's (9-digit prefix) counts of the task parts (``late_parts``)
    and notices (``late_notices``) overdue on day ``on`` — a board's date, not only today:
    two grouped queries for all townships."""
    tasks: dict[str, int] = {}
    parts = late_parts(assignments_visible(user), on).values_list("unit_code")
    for code, n in parts.annotate(n=Count("pk")).order_by():
        tasks[township_of(code)] = tasks.get(township_of(code), 0) + n
    notices: dict[str, int] = {}
    late = overdue_rectifications(user, on).values_list("unit_code").annotate(n=Count("pk"))
    for code, n in late.order_by():
        notices[township_of(code)] = notices.get(township_of(code), 0) + n
    return {
        code: Overdue(tasks.get(code, 0), notices.get(code, 0))
        for code in set(tasks) | set(notices)
    }


def unit_prefix(raw: object) -> str:
    """The township prefix a list page's ``?unit=`` names (9 digits), or "" for none."""
    text = str(raw or "")
    return text[:9] if len(text) == 12 and text.isascii() and text.isdigit() else ""
