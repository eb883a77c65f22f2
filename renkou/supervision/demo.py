"""The demo county's dated tasks (issue 14 items 5, 9): the seed speech's two tasks for every
township — service stations renovated by 15 May, publicity renewed and culture yards built by
30 May — in the year of the reference date, each township at a different step: some confirmed
by the county, some reported and waiting, some with part of the evidence, some not started (past
the deadline these show as overdue). The photos are small generated pictures (a coloured
square), stored under the upload rules like any upload. Idempotent: a task of that title and
year is left as it is."""

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from renkou.common.actors import Actor
from renkou.geo.constants import Level, full_code
from renkou.geo.models import Unit
from renkou.supervision import services
from renkou.supervision.constants import EvidenceKind
from renkou.supervision.models import Assignment, Task

STATIONS = {
    "title": "乡镇计生服务站所改造",
    "description": "按标准化服务站所要求完成改造，上传改造后服务室、宣传栏照片。",
    "month_day": (5, 15),
    "photos_required": 2,
    "count_required": 1,
    "count_label": "改造站所（个）",
}
PUBLICITY = {
    "title": "宣传品更新和婚育新风文化大院建设",
    "description": "更新村级宣传品，每乡镇建成婚育新风文化大院2个，上传照片和验收文件。",
    "month_day": (5, 30),
    "photos_required": 2,
    "documents_required": 1,
    "count_required": 2,
    "count_label": "建成文化大院（个）",
}
# The step each township reaches, in turn: confirmed, reported, part of the evidence, nothing.
STEPS = ("confirmed", "submitted", "partial", "none")


def _photo(n: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    colour = (60 + 40 * (n % 5), 120, 160 - 20 * (n % 4))
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(f"照片{n}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _pdf() -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% demo acceptance record\n%%EOF\n"
    return SimpleUploadedFile("验收.pdf", body, content_type="application/pdf")


def _fill(actor: Actor, part: Assignment, task: Task, step: str, n: int) -> None:
    if step == "none":
        return
    photos = task.photos_required if step != "partial" else 1
    for k in range(photos):
        services.evidence_add(
            actor=actor, assignment=part, kind=EvidenceKind.PHOTO, upload=_photo(n + k)
        )
    if step == "partial":
        return
    for _k in range(task.documents_required):
        services.evidence_add(
            actor=actor, assignment=part, kind=EvidenceKind.DOCUMENT, upload=_pdf()
        )
    services.count_record(actor=actor, assignment=part, count=task.count_required)
    services.submit(actor=actor, assignment=part, comment="已按要求完成")
    if step == "confirmed":
        services.confirm(actor=actor, assignment=part, comment="县局抽查核实")


def _month_day(spec: dict[str, Any]) -> tuple[int, int]:
    month, day = spec["month_day"]
    return int(month), int(day)


def seed_tasks(*, county: str, today: date) -> list[Task]:
    """The two dated tasks of the year of ``today`` for every township of ``county``."""
    unit = Unit.objects.current().filter(code=full_code(county)).first()
    if unit is None:
        return []
    townships = list(
        Unit.objects.current()
        .filter(level=Level.TOWNSHIP, prefix__startswith=unit.prefix)
        .order_by("code")
        .values_list("code", flat=True)
    )
    actor, made = Actor(None), []
    for offset, spec in enumerate((STATIONS, PUBLICITY)):
        found = Task.objects.filter(
            county_code=unit.prefix, year=today.year, title=spec["title"]
        ).first()
        if found is not None:
            made.append(found)
            continue
        values: dict[str, Any] = {k: v for k, v in spec.items() if k != "month_day"}
        task = services.task_create(
            actor=actor,
            county_code=unit.code,
            units=townships,
            issued_on=date(today.year, 3, 1),
            deadline=date(today.year, *_month_day(spec)),
            **values,
        )
        for n, part in enumerate(Assignment.objects.filter(task=task).order_by("unit_code")):
            _fill(actor, part, task, STEPS[(n + offset) % len(STEPS)], n)
        made.append(task)
    return made


# --- inspections (item 9: two inspections with findings, one notice closed, one overdue) ------

DEMO_INSPECTOR = "demo_inspector"


def _inspector(county: Unit) -> Any:
    """The demo county's inspector account (made once, unusable password: a demo of the team
    on the pages; the demo's real accounts are made by ``seed_demo``)."""
    from renkou.accounts.constants import Role
    from renkou.accounts.models import User

    found = User.objects.filter(role=Role.INSPECTOR, unit=county, is_active=True).first()
    if found is not None:
        return found
    user = User(
        username=DEMO_INSPECTOR,
        role=Role.INSPECTOR,
        unit=county,
        full_name="督查组（演示）",
        must_change_password=True,
    )
    user.set_unusable_password()
    user.save()
    return user


def seed_inspections(*, county: str, today: date) -> list[Any]:
    """Two visits (the first two townships), each with a sample, verified records and a finding
    with its notice: the first notice responded with a photo and closed, the second past its
    deadline without a response (overdue). The visits are made through the services on
    ``today`` and then dated back (synthetic history: the first visit 60 days ago, the second
    46), since a notice cannot be issued with a deadline already past."""
    from renkou.supervision import inspections
    from renkou.supervision.constants import InspectionKind
    from renkou.supervision.models import Finding, Inspection, Rectification

    unit = Unit.objects.current().filter(code=full_code(county)).first()
    if unit is None:
        return []
    found = list(Inspection.objects.filter(county_code=unit.prefix))
    if found:
        return found
    inspector = _inspector(unit)
    actor = Actor(inspector)
    townships = list(
        Unit.objects.current()
        .filter(level=Level.TOWNSHIP, prefix__startswith=unit.prefix)
        .order_by("code")
        .values_list("code", flat=True)[:2]
    )
    visits = inspections.plan(
        actor=actor,
        county_code=unit.code,
        kind=InspectionKind.ROTATION,
        title="上半年服务工作轮流督查",
        units=townships,
        first_day=today,
        days=3,
        every=0,
        period_start=today - timedelta(days=240),
        period_end=today - timedelta(days=61),
        team=[inspector],
    )
    texts = (
        ("todo_done", "major", "抽查已办结的服务待办，入户核实有记录不符", Decimal("1.5")),
        ("rh_due", "minor", "生殖健康检查台账登记不全", Decimal("0.5")),
    )
    for n, visit in enumerate(visits):
        topic, severity, text, points = texts[n % 2]
        inspections.sample(actor=actor, inspection=visit, sizes={"rh_due": 20, "todo_done": 10})
        inspections.start(actor=actor, inspection=visit)
        for k, row in enumerate(visit.samples.order_by("topic", "position")[:6]):
            outcome = "found" if k % 3 else "differs"
            inspections.verify(
                actor=actor,
                sample=row,
                outcome=outcome,
                differs_field="办理日期" if outcome == "differs" else "",
            )
        finding = inspections.finding_add(
            actor=actor,
            inspection=visit,
            topic=topic,
            severity=severity,
            text=text,
            deduction=points,
        )
        notice = inspections.notice_issue(
            actor=actor,
            finding=finding,
            requirement="逐户核实并更正记录，上传整改照片",
            deadline=today + timedelta(days=20),
        )
        inspections.close(actor=actor, inspection=visit)
        if n == 0:  # the first: responded and closed
            inspections.respond(
                actor=Actor(None), notice=notice, response="已逐户核实更正", photo=_photo(n)
            )
            inspections.recheck(actor=actor, notice=notice, passed=True, note="复查属实，销号")
        back = timedelta(days=60 - 14 * n)
        Inspection.objects.filter(pk=visit.pk).update(
            starts_on=visit.starts_on - back, ends_on=visit.ends_on - back
        )
        Finding.objects.filter(pk=finding.pk).update(found_on=finding.found_on - back)
        notice.refresh_from_db()
        Rectification.objects.filter(pk=notice.pk).update(
            issued_on=notice.issued_on - back,
            deadline=notice.deadline - back,
            responded_on=notice.responded_on and notice.responded_on - back + timedelta(days=10),
            closed_on=notice.closed_on and notice.closed_on - back + timedelta(days=12),
        )
    return visits
