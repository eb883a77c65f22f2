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


PROVIDERS = {"task": _task_of_county, "taskpart": _part, "taskevidence": _evidence}
