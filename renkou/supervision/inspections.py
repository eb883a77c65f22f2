"""Writes of the inspections (督查, issue 14 item 6): plan visits (a rotation across townships
on a schedule, or a special topic), draw each visit's sample reproducibly (the seed is stored:
the same seed over the same register draws the same records), record what the inspectors found
of each sampled record and per topic, issue rectification notices, take the township's
response with its photos, re-check and close. Each transition locks its row, checks the move,
the actor's scope and role, and audits in the same transaction; bad input changes nothing.

Sampled records verify the units' work (was the check done, is the birth registered, is the
benefit paid to a real family): nothing here scores or targets a person's childbearing.
"""

import random
import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renkou.accounts.constants import Perm, Role
from renkou.benefits import documents
from renkou.common import audit, dates
from renkou.common.actors import Actor, require, require_in_scope
from renkou.geo.constants import Level, county_of
from renkou.geo.models import Unit
from renkou.geo.scope import prefix_range
from renkou.supervision import reminders
from renkou.supervision.constants import (
    INSPECTION_TRANSITIONS,
    RECT_TRANSITIONS,
    InspectionKind,
    InspectionStatus,
    Outcome,
    RectStatus,
    SampleTopic,
    Severity,
)
from renkou.supervision.models import (
    Finding,
    Inspection,
    Rectification,
    RectificationPhoto,
    Sample,
)

MAX_SAMPLE = 200
MAX_DEDUCTION = Decimal(100)


def _on_team(actor: Actor, inspection: Inspection) -> None:
    """Sampled records and findings are the team's to record (an inspector of the visit)."""
    if actor.user is None:
        return
    require(actor, Perm.INSPECT)
    if not inspection.team.filter(pk=actor.user.pk).exists():
        raise PermissionDenied("您不是本次督查组成员")


def _move(table: dict[str, tuple[frozenset[str], str]], row: Any, action: str, label: str) -> str:
    sources, target = table[action]
    if row.status not in sources:
        raise ValidationError(f"当前状态为“{row.get_status_display()}”，不能{label}")
    before = row.status
    row.status = target
    return before


# --- plans -----------------------------------------------------------------------------------


@transaction.atomic
def plan(
    *,
    actor: Actor,
    county_code: str,
    kind: str,
    title: str,
    units: Sequence[str],
    first_day: date,
    days: int,
    every: int,
    period_start: date,
    period_end: date,
    team: Sequence[Any],
) -> list[Inspection]:
    """Visits of ``units`` in turn: the first on ``first_day``, each lasting ``days`` days,
    the next ``every`` days later (a special topic: usually one township, or all at once with
    ``every`` 0)."""
    require(actor, Perm.INSPECT)
    errors: dict[str, str] = {}
    if kind not in InspectionKind.values:
        errors["kind"] = "请选择督查类型"
    if not title.strip():
        errors["title"] = "请填写督查名称"
    if not 1 <= days <= 60:
        errors["days"] = "每次督查天数应在1到60之间"
    if not 0 <= every <= 366:
        errors["every"] = "间隔天数应在0到366之间"
    if period_end < period_start:
        errors["period_end"] = "抽样期间的结束日期不能早于开始日期"
    if not team:
        errors["team"] = "请至少选择一名督查员"
    elif any(getattr(u, "role", "") != Role.INSPECTOR or not u.is_active for u in team):
        errors["team"] = "督查组成员应为在用的督查员账号"
    county = county_of(county_code)
    codes = sorted(set(units))
    found = set(
        Unit.objects.filter(
            code__in=codes, level=Level.TOWNSHIP, code__startswith=county
        ).values_list("code", flat=True)
    )
    if not codes or found != set(codes):
        errors["units"] = "请选择本县的乡镇"
    if errors:
        raise ValidationError(errors)
    _avoid(team, codes, first_day, days, every)
    made = []
    for n, code in enumerate(codes):
        require_in_scope(actor, code)
        start = first_day + timedelta(days=n * every)
        visit = Inspection.objects.create(
            county_code=county,
            unit_code=code,
            kind=kind,
            title=title.strip(),
            starts_on=start,
            ends_on=start + timedelta(days=days - 1),
            period_start=period_start,
            period_end=period_end,
            created_by=actor.account,
        )
        visit.team.set(team)
        audit.record_for(actor, "supervision.inspection_plan", visit, summary=f"unit={code}")
        made.append(visit)
    return made


def _avoid(
    team: Sequence[Any], codes: Sequence[str], first_day: date, days: int, every: int
) -> None:
    """回避: nobody inspects the area assigned to them (包乡, 包村) during the visit's dates."""
    from renkou.accounts.staffing import area_conflicts
    from renkou.geo.selectors import unit_names

    refused = []
    for n, code in enumerate(codes):
        start = first_day + timedelta(days=n * every)
        for row in area_conflicts(team, code, start, start + timedelta(days=days - 1)):
            refused.append((code, row))
    if refused:
        names = unit_names([code for code, _ in refused] + [r.unit_code for _, r in refused])
        text = "；".join(
            f"{row.user}是{names.get(row.unit_code, row.unit_code)}的{row.get_role_display()}"
            f"，应回避{names.get(code, code)}的督查"
            for code, row in refused
        )
        raise ValidationError({"team": f"督查组成员须回避本人包联的乡镇：{text}"})


# --- the sample ------------------------------------------------------------------------------


def _population(topic: str, visit: Inspection) -> list[tuple[str, int, int]]:
    """(record type, record id, person id) of the township's records of ``topic`` in the
    visit's period, in key order (so a seed draws the same records again)."""
    from renkou.benefits.constants import Status as BenefitStatus
    from renkou.benefits.models import Application
    from renkou.events.constants import Kind
    from renkou.events.constants import Status as EventStatus
    from renkou.events.models import Event
    from renkou.todo.constants import Population
    from renkou.todo.constants import Status as TodoStatus
    from renkou.todo.models import TodoItem

    township = visit.unit_code[:9]
    lo, hi = visit.period_start, visit.period_end
    if topic == SampleTopic.RH_DUE:
        rows: Any = TodoItem.objects.filter(
            rule__population=Population.MARRIED_WCBA, due_on__gte=lo, due_on__lte=hi
        )
        kind = "todo.todoitem"
    elif topic == SampleTopic.TODO_DONE:
        rows = TodoItem.objects.filter(
            status=TodoStatus.DONE, person__isnull=False, done_on__gte=lo, done_on__lte=hi
        )
        kind = "todo.todoitem"
    elif topic == SampleTopic.BIRTHS:
        rows = Event.objects.filter(
            kind=Kind.BIRTH,
            status=EventStatus.CONFIRMED,
            effective_date__gte=lo,
            effective_date__lte=hi,
        )
        kind = "events.event"
    else:
        rows = Application.objects.filter(status=BenefitStatus.APPROVED)
        kind = "benefits.application"
    rows = rows.filter(**prefix_range("unit_code", township)).order_by("pk")
    return [(kind, pk, person) for pk, person in rows.values_list("pk", "person_id")]


def draw(records: list[Any], size: int, seed: int, topic: str) -> list[Any]:
    """``size`` records drawn at random with ``seed`` (per topic), in the order drawn."""
    rng = random.Random(f"{seed}:{topic}")  # noqa: S311 reproducible by design, not a secret
    return rng.sample(records, min(size, len(records)))


@transaction.atomic
def sample(
    *, actor: Actor, inspection: Inspection, sizes: dict[str, int], seed: int | None = None
) -> list[Sample]:
    """Draw the visit's sample: ``sizes`` per topic; a new random seed unless one is given
    (to draw a stored sample again). Once per visit."""
    visit = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _on_team(actor, visit)
    if visit.status == InspectionStatus.CLOSED:
        raise ValidationError("督查已结束，不能再抽样")
    if visit.samples.exists():
        raise ValidationError("本次督查已抽样（种子已保存），不能重抽")
    wanted = {t: n for t, n in sizes.items() if n}
    if not wanted:
        raise ValidationError({"sizes": "请至少为一类记录填写抽样数量（应大于0）"})
    for topic, n in wanted.items():
        if topic not in SampleTopic.values:
            raise ValidationError({"sizes": "抽样类别无效"})
        if not 0 < n <= MAX_SAMPLE:
            raise ValidationError({"sizes": f"每类抽样数量应在1到{MAX_SAMPLE}之间"})
    visit.seed = secrets.randbelow(2**31) if seed is None else seed
    visit.sizes = wanted
    visit.save(update_fields=["seed", "sizes"])
    made = []
    for topic, n in wanted.items():
        for position, (kind, pk, person) in enumerate(
            draw(_population(topic, visit), n, visit.seed, topic), 1
        ):
            made.append(
                Sample(
                    inspection=visit,
                    unit_code=visit.unit_code,
                    topic=topic,
                    position=position,
                    record_type=kind,
                    record_id=pk,
                    person_id=person,
                )
            )
    Sample.objects.bulk_create(made)
    audit.record_for(
        actor, "supervision.inspection_sample", visit, summary=f"seed={visit.seed} n={len(made)}"
    )
    return made


@transaction.atomic
def verify(
    *, actor: Actor, sample: Sample, outcome: str, differs_field: str = "", note: str = ""
) -> Sample:
    """What the inspector found of one sampled record, during the visit only."""
    row = Sample.objects.select_for_update().select_related("inspection").get(pk=sample.pk)
    visit = row.inspection
    _on_team(actor, visit)
    today = dates.today()
    if visit.status != InspectionStatus.VISITING or not visit.starts_on <= today <= visit.ends_on:
        raise ValidationError("只能在督查期间核实抽样记录")
    if outcome not in (Outcome.FOUND, Outcome.NOT_FOUND, Outcome.DIFFERS):
        raise ValidationError({"outcome": "请选择核实结果"})
    if outcome == Outcome.DIFFERS and not differs_field.strip():
        raise ValidationError({"differs_field": "信息不符时请写明哪一项不符"})
    row.outcome = outcome
    row.differs_field = differs_field.strip()[:60] if outcome == Outcome.DIFFERS else ""
    row.note = note.strip()[:200]
    row.checked_by, row.checked_at = actor.account, timezone.now()
    row.save()
    audit.record_for(actor, "supervision.sample_verify", row, summary=outcome)
    return row


# --- the visit, findings ---------------------------------------------------------------------


@transaction.atomic
def start(*, actor: Actor, inspection: Inspection) -> Inspection:
    visit = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _on_team(actor, visit)
    before = _move(INSPECTION_TRANSITIONS, visit, "start", "开始督查")
    visit.save(update_fields=["status"])
    audit.record_for(actor, "supervision.inspection_start", visit, summary=f"{before}->visiting")
    return visit


@transaction.atomic
def close(*, actor: Actor, inspection: Inspection) -> Inspection:
    visit = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _on_team(actor, visit)
    before = _move(INSPECTION_TRANSITIONS, visit, "close", "结束督查")
    visit.save(update_fields=["status"])
    audit.record_for(actor, "supervision.inspection_close", visit, summary=f"{before}->closed")
    return visit


@transaction.atomic
def finding_add(
    *,
    actor: Actor,
    inspection: Inspection,
    topic: str,
    severity: str,
    text: str,
    deduction: Decimal = Decimal(0),
) -> Finding:
    visit = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _on_team(actor, visit)
    if visit.status != InspectionStatus.VISITING:
        raise ValidationError("只能在督查期间记录发现的问题")
    errors: dict[str, str] = {}
    if topic and topic not in SampleTopic.values:
        errors["topic"] = "类别无效"
    if severity not in Severity.values:
        errors["severity"] = "请选择问题程度"
    if not text.strip():
        errors["text"] = "请填写发现的问题"
    if not Decimal(0) <= deduction <= MAX_DEDUCTION:
        errors["deduction"] = f"建议扣分应在0到{MAX_DEDUCTION}之间"
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(
        inspection=visit,
        unit_code=visit.unit_code,
        topic=topic,
        severity=severity,
        text=text.strip()[:300],
        deduction=deduction,
        found_on=dates.today(),
        created_by=actor.account,
    )
    audit.record_for(actor, "supervision.finding_add", finding, summary=f"deduction={deduction}")
    return finding


# --- rectification ---------------------------------------------------------------------------


@transaction.atomic
def notice_issue(
    *, actor: Actor, finding: Finding, requirement: str, deadline: date
) -> Rectification:
    """整改通知 to the township of the finding."""
    row = Finding.objects.select_related("inspection").get(pk=finding.pk)
    _on_team(actor, row.inspection)
    issued = dates.today()
    errors: dict[str, str] = {}
    if not requirement.strip():
        errors["requirement"] = "请填写整改要求"
    if deadline < issued:
        errors["deadline"] = "整改时限不能早于下发日期"
    if errors:
        raise ValidationError(errors)
    notice = Rectification.objects.create(
        finding=row,
        unit_code=row.unit_code,
        requirement=requirement.strip()[:300],
        issued_on=issued,
        deadline=deadline,
    )
    audit.record_for(actor, "supervision.notice_issue", notice, summary=f"deadline={deadline}")
    reminders.refresh_later(notice.unit_code)
    return notice


@transaction.atomic
def respond(
    *, actor: Actor, notice: Rectification, response: str, photo: Any = None
) -> Rectification:
    """The township's response: what it did, with at least one photo (the benefit documents'
    upload rules)."""
    require(actor, Perm.REPORT_TASK)
    row = Rectification.objects.select_for_update().get(pk=notice.pk)
    require_in_scope(actor, row.unit_code)
    if row.status != RectStatus.ISSUED:
        raise ValidationError(f"当前状态为“{row.get_status_display()}”，不能反馈")
    if not response.strip():
        raise ValidationError({"response": "请填写整改情况"})
    if photo is not None:
        relative, ext, digest, size = documents.store(photo)
        RectificationPhoto.objects.create(
            rectification=row,
            unit_code=row.unit_code,
            stored=relative,
            ext=ext,
            size=size,
            sha256=digest,
            uploaded_by=actor.account,
        )
    if not row.photos.exists():
        raise ValidationError({"photo": "请上传整改照片作为佐证"})
    before = _move(RECT_TRANSITIONS, row, "respond", "反馈")
    row.response, row.responded_on = response.strip()[:500], dates.today()
    row.version += 1
    row.save()
    audit.record_for(actor, "supervision.notice_respond", row, summary=f"{before}->responded")
    reminders.refresh_later(row.unit_code)
    return row


@transaction.atomic
def recheck(*, actor: Actor, notice: Rectification, passed: bool, note: str) -> Rectification:
    """The re-check: closes the notice (销号), or sends it back with the reason."""
    row = (
        Rectification.objects.select_for_update()
        .select_related("finding__inspection")
        .get(pk=notice.pk)
    )
    _on_team(actor, row.finding.inspection)
    if not passed and not note.strip():
        raise ValidationError({"note": "复查未通过时请写明原因"})
    before = _move(RECT_TRANSITIONS, row, "close" if passed else "reopen", "复查")
    row.recheck_note = note.strip()[:300]
    row.closed_on = dates.today() if passed else None
    row.version += 1
    row.save()
    audit.record_for(actor, "supervision.notice_recheck", row, summary=f"{before}->{row.status}")
    reminders.refresh_later(row.unit_code)
    return row


# --- bulletins (通报) ------------------------------------------------------------------------


@transaction.atomic
def bulletin_create(
    *,
    actor: Actor,
    county_code: str,
    title: str,
    number: str,
    preface: str,
    first_day: date,
    last_day: date,
) -> Any:
    """A draft bulletin of the county's findings found between two days."""
    from renkou.supervision.models import Bulletin

    require(actor, Perm.INSPECT)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写通报标题"
    if last_day < first_day:
        errors["last_day"] = "结束日期不能早于开始日期"
    county = county_of(county_code)
    rows = Finding.objects.filter(
        **prefix_range("unit_code", county), found_on__gte=first_day, found_on__lte=last_day
    )
    if not errors and not rows.exists():
        errors["first_day"] = "该期间没有督查发现的问题，无需通报"
    if errors:
        raise ValidationError(errors)
    bulletin = Bulletin.objects.create(
        county_code=county,
        title=title.strip(),
        number=number.strip()[:40],
        preface=preface.strip(),
        created_by=actor.account,
    )
    bulletin.findings.set(rows)
    audit.record_for(actor, "supervision.bulletin_create", bulletin, summary=f"n={rows.count()}")
    return bulletin


@transaction.atomic
def bulletin_publish(*, actor: Actor, bulletin: Any) -> Any:
    """Publish to all townships of the county (locked from then on)."""
    from renkou.supervision.models import Bulletin

    require(actor, Perm.INSPECT)
    row = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if row.published_on is not None:
        raise ValidationError("该通报已发布")
    row.published_on = dates.today()
    row.save(update_fields=["published_on"])
    audit.record_for(actor, "supervision.bulletin_publish", row)
    return row
