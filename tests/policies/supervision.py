"""Policy of the dated tasks (renkou/supervision, issue 14 item 5).

Tasks and their units' parts are work of units, not people: read by every supervision role
(``supervision.view``: township and county officers, inspectors, leaders). A task belongs to the
county (``scoped=False``: the provider gives a task of the caller's county); a unit's part
outside the caller's subtree is 404. Giving tasks, confirming and returning need
``supervision.manage_task`` (county officers); uploading evidence, the count and the report
``supervision.report_task`` (township officers); naming the responsible person either. The
evidence files are not for leaders.
"""

from datetime import date

from tests.authz_policy import GET_POST, INSP, LEAD, POST, C, Rule, T

VIEW = frozenset({T, C, INSP, LEAD})
COUNTY_ONLY = frozenset({C})
TOWNSHIP_ONLY = frozenset({T})
INSPECTORS = frozenset({C, INSP})

POLICY: dict[str, Rule] = {
    "supervision:task_list": Rule(VIEW),
    "supervision:task_create": Rule(COUNTY_ONLY, GET_POST),
    "supervision:task_detail": Rule(VIEW, obj="task", scoped=False),
    "supervision:assignment_detail": Rule(VIEW, obj="taskpart"),
    "supervision:responsible_set": Rule(frozenset({T, C}), POST, obj="taskpart"),
    "supervision:evidence_add": Rule(TOWNSHIP_ONLY, POST, obj="taskpart"),
    "supervision:count_record": Rule(TOWNSHIP_ONLY, POST, obj="taskpart"),
    "supervision:assignment_submit": Rule(TOWNSHIP_ONLY, POST, obj="taskpart"),
    "supervision:assignment_confirm": Rule(COUNTY_ONLY, POST, obj="taskpart"),
    "supervision:assignment_return": Rule(COUNTY_ONLY, POST, obj="taskpart"),
    "supervision:evidence_download": Rule(frozenset({T, C, INSP}), obj="taskevidence"),
    # Inspections (item 6): planned and worked by those who inspect (inspectors, county
    # officers); the township responds to its notices. Visits, findings and notices are about
    # units; the sampled records name persons (verified by the team; an account not on the
    # team is refused by the service, with a message, not by the URL).
    "supervision:inspection_list": Rule(VIEW),
    "supervision:inspection_plan": Rule(INSPECTORS, GET_POST),
    "supervision:inspection_detail": Rule(VIEW, obj="inspection"),
    "supervision:inspection_start": Rule(INSPECTORS, POST, obj="inspection"),
    "supervision:inspection_sample": Rule(INSPECTORS, POST, obj="inspection"),
    "supervision:inspection_close": Rule(INSPECTORS, POST, obj="inspection"),
    "supervision:finding_add": Rule(INSPECTORS, POST, obj="inspection"),
    "supervision:sample_verify": Rule(INSPECTORS, POST, obj="sample"),
    "supervision:notice_issue": Rule(INSPECTORS, POST, obj="finding"),
    "supervision:notice_detail": Rule(VIEW, obj="notice"),
    "supervision:notice_respond": Rule(TOWNSHIP_ONLY, POST, obj="notice"),
    "supervision:notice_recheck": Rule(INSPECTORS, POST, obj="notice"),
    "supervision:notice_photo": Rule(frozenset({T, C, INSP}), obj="noticephoto"),
    # Bulletins belong to the county (scoped=False: a published one of the caller's county).
    "supervision:bulletin_list": Rule(VIEW),
    "supervision:bulletin_create": Rule(INSPECTORS, GET_POST),
    "supervision:bulletin_detail": Rule(VIEW, obj="bulletin", scoped=False),
    "supervision:bulletin_publish": Rule(INSPECTORS, POST, obj="bulletin", scoped=False),
    "supervision:bulletin_pdf": Rule(VIEW, obj="bulletin", scoped=False),
    # 包乡包村 (item 7): staff assigned to townships and villages, rows about units (staff
    # names, no person): read by every supervision role within its subtree; arranged, changed
    # and ended by county officers.
    "supervision:staff_list": Rule(VIEW),
    "supervision:staff_add": Rule(COUNTY_ONLY, GET_POST),
    "supervision:staff_edit": Rule(COUNTY_ONLY, GET_POST, obj="staffassignment"),
    "supervision:staff_end": Rule(COUNTY_ONLY, POST, obj="staffassignment"),
}


def _township(unit):
    """The township of ``unit`` (a county: its first township)."""
    from renkou.geo.constants import Level

    if unit.level == Level.COUNTY:
        return unit.children.filter(level=Level.TOWNSHIP).order_by("code").first()
    if unit.level == Level.VILLAGE:
        return unit.parent
    return unit


def _task(county: str, townships: list[str]):
    from renkou.supervision.models import Assignment, Task

    task = Task.objects.create(
        county_code=county[:6],
        year=2027,
        title="站所改造",
        issued_on=date(2027, 3, 1),
        deadline=date(2027, 5, 15),
    )
    Assignment.objects.bulk_create(Assignment(task=task, unit_code=c) for c in townships)
    return task


def _task_of_county(unit, user) -> int:
    from renkou.geo.constants import Level
    from renkou.geo.models import Unit

    county = (user.scope_prefix or "")[:6]
    townships = Unit.objects.filter(level=Level.TOWNSHIP, code__startswith=county)
    return _task(county, list(townships.values_list("code", flat=True))).pk


def _part(unit, user) -> int:
    township = _township(unit)
    return _task(township.code, [township.code]).assignments.get().pk


def _evidence(unit, user) -> int:
    from pathlib import Path

    from django.conf import settings

    from renkou.common import vault
    from renkou.supervision.models import Assignment, Evidence

    part = Assignment.objects.get(pk=_part(unit, user))
    stored = f"benefits/documents/matrix-{part.pk}"
    target = Path(settings.MEDIA_ROOT) / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    vault.seal([b"\xff\xd8\xff test"], target, context=vault.media_context(stored))
    return Evidence.objects.create(
        assignment=part,
        unit_code=part.unit_code,
        kind="photo",
        stored=stored,
        ext="jpg",
        size=8,
        sha256="0" * 64,
    ).pk


def _inspection(unit, user):
    from renkou.supervision.models import Inspection

    township = _township(unit)
    visit = Inspection.objects.create(
        county_code=township.code[:6],
        unit_code=township.code,
        kind="rotation",
        title="轮流督查",
        starts_on=date(2027, 6, 10),
        ends_on=date(2027, 6, 12),
        period_start=date(2027, 1, 1),
        period_end=date(2027, 5, 31),
    )
    visit.team.set([user])
    return visit


def _visit(unit, user) -> int:
    return _inspection(unit, user).pk


def _sample(unit, user) -> int:
    from renkou.supervision.models import Sample
    from renkou.todo.tests.factories import woman

    visit = _inspection(unit, user)
    person = woman(visit.unit_code)
    return Sample.objects.create(
        inspection=visit,
        unit_code=visit.unit_code,
        topic="todo_done",
        position=1,
        record_type="people.person",
        record_id=person.pk,
        person=person,
    ).pk


def _finding_row(unit, user):
    from renkou.supervision.models import Finding

    visit = _inspection(unit, user)
    return Finding.objects.create(
        inspection=visit,
        unit_code=visit.unit_code,
        severity="minor",
        text="台账不全",
        found_on=date(2027, 6, 10),
    )


def _finding(unit, user) -> int:
    return _finding_row(unit, user).pk


def _notice_row(unit, user):
    from renkou.supervision.models import Rectification

    finding = _finding_row(unit, user)
    return Rectification.objects.create(
        finding=finding,
        unit_code=finding.unit_code,
        requirement="补全台账",
        issued_on=date(2027, 6, 10),
        deadline=date(2027, 6, 30),
    )


def _notice(unit, user) -> int:
    return _notice_row(unit, user).pk


def _notice_photo(unit, user) -> int:
    from pathlib import Path

    from django.conf import settings

    from renkou.common import vault
    from renkou.supervision.models import RectificationPhoto

    notice = _notice_row(unit, user)
    stored = f"benefits/documents/matrix-notice-{notice.pk}"
    target = Path(settings.MEDIA_ROOT) / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    vault.seal([b"\xff\xd8\xff test"], target, context=vault.media_context(stored))
    return RectificationPhoto.objects.create(
        rectification=notice,
        unit_code=notice.unit_code,
        stored=stored,
        ext="jpg",
        size=8,
        sha256="0" * 64,
    ).pk


def _bulletin(unit, user) -> int:
    from renkou.supervision.models import Bulletin

    county = (user.scope_prefix or "")[:6]
    return Bulletin.objects.create(
        county_code=county, title="督查通报", published_on=date(2027, 7, 1)
    ).pk


def _staff_assignment(unit, user) -> int:
    """An open assignment of the caller to the township holding ``unit`` (a fresh one: a POST
    may have ended the last)."""
    from renkou.accounts.models import StaffAssignment

    township = _township(unit)
    mine = StaffAssignment.objects.filter(user=user, unit_code=township.code)
    mine.filter(ends_on__isnull=True).update(ends_on=date(2027, 12, 31))
    taken = mine.count()
    return StaffAssignment.objects.create(
        user=user,
        unit_code=township.code,
        role="township_officer",
        starts_on=date(2027, 1, 1 + taken % 28),
        note=f"矩阵{taken}",
    ).pk


PROVIDERS = {
    "staffassignment": _staff_assignment,
    "bulletin": _bulletin,
    "task": _task_of_county,
    "taskpart": _part,
    "taskevidence": _evidence,
    "inspection": _visit,
    "sample": _sample,
    "finding": _finding,
    "notice": _notice,
    "noticephoto": _notice_photo,
}
