"""Applications and their review (issue 6 items 3–4): a state machine (house style rule 8).

Each transition is one service: it locks the application row (``select_for_update``), checks the
transition against ``ALLOWED_TRANSITIONS``, the actor's scope (the application's unit must lie in
the actor's subtree) and role/level (review actions only at the level now reviewing: a township
officer at a township step, a county officer at a county step), saves with ``update_fields``,
writes a status-history row (``StepLog``) and an audit row (ids only), in one transaction.

Flow (domain.md §2.6, §5.1): the village administrator (or the township, for the applicant)
files with the village committee's opinion → each level in ``program.steps`` reviews: approve,
return for correction (补正), reject → approved lists go on a public notice (公示, 7 days by
default) at that level → an objection during the notice reopens that level's review → after
the notice ends the list moves up to the next level, or at the last level the application is
finalised (approved, certificate number issued). Never before the notice has ended.
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from renkou.accounts.constants import Perm
from renkou.benefits import eligibility, payments
from renkou.benefits.constants import (
    ALLOWED_TRANSITIONS,
    LEVEL_PREFIX,
    NOTICE_DAYS,
    OPEN,
    Action,
    Level,
    Status,
)
from renkou.benefits.eligibility import screen  # noqa: F401  (services.screen, issue 6 item 2)
from renkou.benefits.facts import Case
from renkou.benefits.models import (
    Application,
    Notice,
    NoticeEntry,
    Objection,
    Program,
    StepLog,
)
from renkou.common import audit, rules
from renkou.common.actors import Actor, check_version
from renkou.geo.constants import PREFIX_LENGTH, level_of, township_of
from renkou.geo.models import Unit
from renkou.geo.scope import prefix_range
from renkou.people.models import Person

APPLICATION = "该申请"  # what a stale application page names (``check_version``)
NOT_ELIGIBLE = "按 {date} 生效的规则（第{number}版），该对象不符合“{program}”条件：{reasons}"
WRONG_STATE = "当前状态为“{status}”，不能{action}"
NOT_YOUR_LEVEL = "该申请当前由{level}审核，您所在单位不能办理这一步"
OUT_OF_SCOPE = "该申请不属于您所在单位的管辖范围"
NOTICE_RUNNING = "公示期至 {end} 结束，公示期满后才能{what}"
UNVERIFIED = (
    "资格判定为“待核实”（{facts}须凭材料核实），且尚未上传证明材料：请先上传材料，"
    "或填写确认理由（如已现场核验原件）后再审核通过"
)


# --- helpers ---------------------------------------------------------------------------------


def actor_level(user: Any) -> str:
    """The level of the actor's unit: county (6-digit scope), township (9) or village (12)."""
    prefix = getattr(user, "scope_prefix", None) or ""
    for level, length in LEVEL_PREFIX.items():
        if len(prefix) == length:
            return level
    return ""


def _in_scope(user: Any, unit_code: str) -> bool:
    prefix = getattr(user, "scope_prefix", None)
    return prefix is not None and unit_code.startswith(prefix)


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _lock(application: Application, version: int | None = None) -> Application:
    """The application locked for a transition. ``version`` is the one the page was opened
    with: a stale page is refused (``ConflictError``, 409) before anything is checked or
    written, so a second click on the same step never applies it twice. None only for steps
    that act on a list rather than on a page of the application (a notice's publish and
    close), which check the state under the same lock."""
    app = (
        Application.objects.select_for_update(of=("self",))  # partner may be empty (outer join)
        .select_related("program", "person", "partner")
        .get(pk=application.pk)
    )
    if version is not None:
        check_version(app.version, version, APPLICATION)
    return app


def _transition(
    actor: Actor,
    app: Application,
    action: str,
    *,
    comment: str = "",
    step: int | None = None,
    fields: tuple[str, ...] = (),
    audit_note: str = "",
) -> Application:
    """Check the move, apply it, save, and write the history and audit rows."""
    sources, target = ALLOWED_TRANSITIONS[action]
    if app.status not in sources:
        raise ValidationError(
            WRONG_STATE.format(status=app.get_status_display(), action=Action(action).label)
        )
    if not _in_scope(actor.user, app.unit_code):
        raise PermissionDenied(OUT_OF_SCOPE)
    before, level = app.status, app.level
    app.status = target
    if step is not None:
        app.step = step
    app.version += 1
    app.save(update_fields=["status", "step", "version", "updated_at", *fields])
    StepLog.objects.create(
        application=app,
        unit_code=app.unit_code,
        action=action,
        from_status=before,
        to_status=target,
        level=level,
        comment=comment[:500],
        actor=actor.account,
        actor_unit=getattr(actor.user, "unit_code", ""),
    )
    audit.record_for(
        actor, f"benefits.application_{action}", app, summary=f"{before}->{target}{audit_note}"
    )
    return app


def _at_level(actor: Actor, app: Application) -> None:
    """Review actions only by the level now reviewing (the unit's own reviewers)."""
    _require(actor.user, Perm.REVIEW_BENEFIT)
    if actor_level(actor.user) != app.level:
        label = Level(app.level).label if app.level else "—"
        raise PermissionDenied(NOT_YOUR_LEVEL.format(level=label))


def _reasons(result: rules.Result) -> str:
    failed = [
        row.get("label") or row.get("fact", "")
        for row in rules.conditions(result.trace)
        if row["kind"] == "fact" and row["verdict"] == rules.FAIL
    ]
    return "、".join(failed) or "条件不满足"


def unknown_facts(trace: dict[str, Any]) -> list[str]:
    """The labels of the conditions a trace could not decide (待核实), in rule order."""
    found: list[str] = []
    for row in eligibility.trace_rows(trace):
        if row["kind"] == "fact" and row["verdict"] == rules.UNKNOWN:
            label = row.get("label") or row["fact_label"]
            if label not in found:
                found.append(label)
    return found


def _decide(actor: Actor, app: Application, day: date, purpose: str) -> None:
    """Evaluate the rule in force on ``day``, store the decision on the application, and refuse
    a case the rule fails (unknown facts pass to the reviewer, who checks the documents)."""
    case = Case(person=app.person, day=day, partner=app.partner, declared=app.declared)
    verdict = eligibility.check(app.program, case)
    if verdict is None:
        raise ValidationError(f"“{app.program.name}”在 {day} 尚无生效的资格规则")
    decision = eligibility.store(verdict, purpose=purpose, actor=actor, application=app)
    app.decision = decision
    app.save(update_fields=["decision"])
    if verdict.result.verdict == rules.FAIL:
        raise ValidationError(
            NOT_ELIGIBLE.format(
                date=verdict.version.effective_from,
                number=verdict.version.number,
                program=app.program.name,
                reasons=_reasons(verdict.result),
            )
        )


# --- filing ----------------------------------------------------------------------------------


def _clean_declared(declared: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in declared.items() if v not in (None, "")}


@transaction.atomic
def application_file(
    *,
    actor: Actor,
    program: Program,
    person: Person,
    partner: Person | None = None,
    declared: dict[str, Any] | None = None,
    village_opinion: str = "",
    today: date,
) -> Application:
    """受理: file an application for ``person`` (village administrator, or the township for
    the applicant). The rule in force today is evaluated and stored with it; a failing case is
    refused with the conditions it fails; one open or approved application per programme and
    person."""
    _require(actor.user, Perm.APPLY_BENEFIT)
    if not _in_scope(actor.user, person.unit_code):
        raise PermissionDenied(OUT_OF_SCOPE)
    if not program.is_active or not program.steps:
        raise ValidationError("该项目未启用")
    Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise per person
    taken = Application.objects.filter(
        program=program, person=person, status__in=[*OPEN, Status.APPROVED]
    ).first()
    if taken is not None:
        raise ValidationError(f"该对象已有“{program.name}”的申请（{taken.get_status_display()}）")
    if partner is None and program.subject != "child":
        partner = person.spouse
    app = Application(
        program=program,
        person=person,
        partner=partner,
        unit_code=person.unit_code,
        year=today.year,
        filed_on=today,
        declared=_clean_declared(declared or {}),
        village_opinion=village_opinion.strip()[:300],
        filed_by=actor.account,
    )
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError as exc:
        raise ValidationError(f"该对象已有“{program.name}”的申请") from exc
    _decide(actor, app, today, "file")
    StepLog.objects.create(
        application=app,
        unit_code=app.unit_code,
        action=Action.FILE,
        to_status=app.status,
        level=actor_level(actor.user),
        comment=app.village_opinion,
        actor=actor.account,
        actor_unit=getattr(actor.user, "unit_code", ""),
    )
    audit.record_for(actor, "benefits.application_file", app, summary=program.code)
    return app


# --- review steps ----------------------------------------------------------------------------


@transaction.atomic
def application_approve(
    *,
    actor: Actor,
    application: Application,
    comment: str = "",
    confirm_reason: str = "",
    today: date,
    version: int | None = None,
) -> Application:
    """审核通过 at the level now reviewing: the rule is evaluated again (stored) and the
    application waits for that level's public notice.

    A verdict of "待核实" (the register cannot decide a condition) rests on the documents: with
    none uploaded the reviewer must say why she approves anyway (``confirm_reason``, e.g. the
    originals were seen), and the reason stays in the history and the audit row."""
    app = _lock(application, version)
    _at_level(actor, app)
    reason = confirm_reason.strip()[:300]
    if app.status == Status.SUBMITTED:
        _decide(actor, app, today, "approve")
        unknown = app.decision.verdict == rules.UNKNOWN and not app.documents.exists()
        if unknown and not reason:
            facts = "、".join(unknown_facts(app.decision.trace)) or "部分条件"
            raise ValidationError({"confirm_reason": UNVERIFIED.format(facts=facts)})
        if unknown:
            comment = f"{comment.strip()}（待核实、无材料，确认理由：{reason}）"
            # The reason is free text: the audit row says only that one was given.
            return _transition(
                actor, app, Action.APPROVE, comment=comment, audit_note=" unverified_confirmed"
            )
    return _transition(actor, app, Action.APPROVE, comment=comment)


@transaction.atomic
def application_return(
    *, actor: Actor, application: Application, comment: str, version: int | None = None
) -> Application:
    """退回补正: back to the filer with what to correct."""
    if not comment.strip():
        raise ValidationError({"comment": "请填写需要补正的内容"})
    app = _lock(application, version)
    _at_level(actor, app)
    return _transition(actor, app, Action.RETURN, comment=comment)


@transaction.atomic
def application_reject(
    *, actor: Actor, application: Application, comment: str, version: int | None = None
) -> Application:
    """不予批准, with the reason."""
    if not comment.strip():
        raise ValidationError({"comment": "请填写不予批准的理由"})
    app = _lock(application, version)
    _at_level(actor, app)
    return _transition(actor, app, Action.REJECT, comment=comment, fields=("closed_on",))


@transaction.atomic
def application_correct(
    *,
    actor: Actor,
    application: Application,
    declared: dict[str, Any] | None = None,
    comment: str = "",
    today: date,
    version: int | None = None,
) -> Application:
    """补正后重新提交 by the filing side; review restarts at the level that returned it."""
    _require(actor.user, Perm.APPLY_BENEFIT)
    app = _lock(application, version)
    if declared is not None:
        app.declared = _clean_declared(declared)
        app.save(update_fields=["declared"])
    return _transition(actor, app, Action.CORRECT, comment=comment)


@transaction.atomic
def application_withdraw(
    *, actor: Actor, application: Application, comment: str = "", version: int | None = None
) -> Application:
    """撤回 by the filing side, before it goes on a notice."""
    _require(actor.user, Perm.APPLY_BENEFIT)
    app = _lock(application, version)
    return _transition(actor, app, Action.WITHDRAW, comment=comment)


def _last_level(app: Application) -> str:
    return app.program.steps[-1]


@transaction.atomic
def application_cancel(
    *, actor: Actor, application: Application, comment: str, today: date, version: int | None = None
) -> Application:
    """注销 an approved application (e.g. a child born since, death, information error), by
    the approving level."""
    if not comment.strip():
        raise ValidationError({"comment": "请填写注销原因"})
    app = _lock(application, version)
    _require(actor.user, Perm.REVIEW_BENEFIT)
    if actor_level(actor.user) != _last_level(app):
        raise PermissionDenied(NOT_YOUR_LEVEL.format(level=Level(_last_level(app)).label))
    app.closed_on = today
    payments.beneficiary_stop(actor=actor, application=app, day=today)
    return _transition(actor, app, Action.CANCEL, comment=comment, fields=("closed_on",))


@transaction.atomic
def application_archive(
    *, actor: Actor, application: Application, today: date, version: int | None = None
) -> Application:
    """归档 a finished application (approved, rejected, withdrawn or cancelled)."""
    _require(actor.user, Perm.REVIEW_BENEFIT)
    app = _lock(application, version)
    if app.closed_on is None:
        app.closed_on = today
    return _transition(actor, app, Action.ARCHIVE, fields=("closed_on",))


# --- public notice ---------------------------------------------------------------------------


def notice_candidates(actor: Actor, program: Program, unit_code: str) -> Any:
    """Applications approved at the actor's level, awaiting a notice, within ``unit_code``."""
    level = actor_level(actor.user)
    prefix = unit_code[: PREFIX_LENGTH[level_of(unit_code)]]
    rows = Application.objects.filter(
        program=program, status=Status.PASSED, **prefix_range("unit_code", prefix)
    )
    return [a for a in rows.select_related("program") if a.level == level]


def reviewer_name(unit_code: str, level: str) -> str:
    """The name of the unit whose review a notice publishes: the township (or county) above the
    board it is posted on. A notice on a village board shows the township's review, not the
    village's (there is no village review step)."""
    code = unit_code[: LEVEL_PREFIX[level]].ljust(12, "0")
    name = Unit.objects.current().filter(code=code).values_list("name", flat=True).first()
    return name or Level(level).label


def notice_title(program: str, reviewer: str, year: int) -> str:
    return f"{program}{reviewer}审核结果公示（{year}年）"


@transaction.atomic
def notice_publish(
    *,
    actor: Actor,
    program: Program,
    unit_code: str,
    starts_on: date,
    days: int = NOTICE_DAYS,
    contact: str = "",
    today: date,
) -> Notice:
    """张榜公示: put every application approved at the actor's level within ``unit_code`` (a
    village, township or the county, inside the actor's subtree) on a notice of ``days`` days."""
    _require(actor.user, Perm.REVIEW_BENEFIT)
    if not _in_scope(actor.user, unit_code):
        raise PermissionDenied(OUT_OF_SCOPE)
    if days < 1 or days > 60:
        raise ValidationError({"days": "公示天数应在 1–60 天之间"})
    if starts_on < today:
        raise ValidationError({"starts_on": "公示开始日期不能早于今天"})
    level = actor_level(actor.user)
    picked = notice_candidates(actor, program, unit_code)
    if not picked:
        raise ValidationError("该单位没有本级审核通过、待公示的申请")
    end = starts_on + timedelta(days=days - 1)
    notice = Notice.objects.create(
        program=program,
        unit_code=unit_code,
        level=level,
        starts_on=starts_on,
        ends_on=end,
        contact=contact[:100],
        created_by=actor.account,
        title=notice_title(program.name, reviewer_name(unit_code, level), starts_on.year),
    )
    for app in sorted(picked, key=lambda a: a.pk):
        locked = _lock(app)
        NoticeEntry.objects.create(
            notice=notice, application=locked, unit_code=locked.unit_code, step=locked.step
        )
        _transition(actor, locked, Action.NOTICE, comment=f"公示 {starts_on} 至 {end}")
    audit.record_for(actor, "benefits.notice_publish", notice, summary=f"{len(picked)} 人")
    return notice


def listed_on(app: Application) -> Notice | None:
    """The notice the application is listed on now (None when it is on none)."""
    entry = _entry(app)
    return entry.notice if entry is not None else None


def _entry(app: Application) -> NoticeEntry | None:
    return (
        NoticeEntry.objects.filter(application=app, outcome=NoticeEntry.Outcome.LISTED)
        .select_related("notice")
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def objection_record(
    *,
    actor: Actor,
    notice: Notice,
    application: Application,
    received_on: date,
    content: str,
    channel: str = "",
    today: date,
) -> Objection:
    """异议: record an objection received during the notice; the application goes back to the
    review of the level that listed it."""
    _require(actor.user, Perm.REVIEW_BENEFIT)
    if not content.strip():
        raise ValidationError({"content": "请填写异议内容"})
    if received_on > today:
        raise ValidationError({"received_on": "收到日期不能晚于今天"})
    if not notice.starts_on <= received_on <= notice.ends_on:
        raise ValidationError({"received_on": "只受理公示期内收到的异议"})
    app = _lock(application)
    entry = _entry(app)
    if entry is None or entry.notice_id != notice.pk:
        raise ValidationError("该申请不在这次公示名单中，或已处理")
    objection = Objection.objects.create(
        notice=notice,
        application=app,
        unit_code=app.unit_code,
        received_on=received_on,
        content=content.strip(),
        channel=channel[:50],
        recorded_by=actor.account,
    )
    entry.outcome = NoticeEntry.Outcome.OBJECTED
    entry.save(update_fields=["outcome"])
    _transition(actor, app, Action.OBJECTION, comment=f"公示异议（{received_on}），重新审核")
    audit.record_for(actor, "benefits.objection_record", objection)
    return objection


def _certificate_no(app: Application, today: date) -> str:
    """domain.md §2.6: letter + township code (9) + year (4) + last digit of the business
    code + serial (4); '' for programmes that issue no certificate."""
    program = app.program
    if not program.cert_letter:
        return ""
    head = f"{program.cert_letter}{township_of(app.unit_code)}{today.year}{program.business_digit}"
    last = Application.objects.filter(certificate_no__startswith=head).aggregate(
        m=Max("certificate_no")
    )["m"]
    serial = int(last[len(head) :]) + 1 if last else 1
    if serial > 9999:
        raise ValidationError("本乡镇本年度证书序号已用完（9999）")
    return f"{head}{serial:04d}"


def _finish_entry(actor: Actor, app: Application, today: date) -> NoticeEntry:
    entry = _entry(app)
    if entry is None:
        raise ValidationError("该申请没有进行中的公示")
    if not entry.notice.has_ended(today):
        what = "审批确认" if app.is_last_step else "报上级审核"
        raise ValidationError(NOTICE_RUNNING.format(end=entry.notice.ends_on, what=what))
    entry.outcome = NoticeEntry.Outcome.PASSED
    entry.save(update_fields=["outcome"])
    return entry


@transaction.atomic
def application_finalise(
    *, actor: Actor, application: Application, today: date, version: int | None = None
) -> Application:
    """审批确认 at the last level after its notice ended without objection: approved, with a
    certificate number where the programme issues one."""
    app = _lock(application, version)
    _at_level(actor, app)
    if app.status != Status.NOTICE or not app.is_last_step:
        raise ValidationError(
            WRONG_STATE.format(status=app.get_status_display(), action=Action.FINALISE.label)
        )
    _finish_entry(actor, app, today)
    app.certificate_no = _certificate_no(app, today)
    app.approved_on = app.eligible_from = today
    app = _transition(
        actor,
        app,
        Action.FINALISE,
        comment="公示期满无异议",
        fields=("certificate_no", "approved_on", "eligible_from"),
    )
    payments.beneficiary_open(actor=actor, application=app)  # the entitlement (享受对象)
    return app


@transaction.atomic
def application_advance(
    *, actor: Actor, application: Application, today: date, version: int | None = None
) -> Application:
    """公示期满 at an intermediate level: the application goes up to the next level's review."""
    app = _lock(application, version)
    _at_level(actor, app)
    if app.status != Status.NOTICE or app.is_last_step:
        raise ValidationError(
            WRONG_STATE.format(status=app.get_status_display(), action=Action.ADVANCE.label)
        )
    _finish_entry(actor, app, today)
    return _transition(actor, app, Action.ADVANCE, step=app.step + 1, comment="公示期满无异议")


@transaction.atomic
def notice_close(*, actor: Actor, notice: Notice, today: date) -> int:
    """结束公示 after its end date: every application still listed moves on (up a level, or
    finalised at the last level); returns how many moved."""
    _require(actor.user, Perm.REVIEW_BENEFIT)
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if not _in_scope(actor.user, locked.unit_code):
        raise PermissionDenied(OUT_OF_SCOPE)
    if locked.state != Notice.State.OPEN:
        raise ValidationError("该公示已结束")
    if not locked.has_ended(today):
        raise ValidationError(NOTICE_RUNNING.format(end=locked.ends_on, what="结束公示"))
    moved = 0
    for entry in locked.entries.filter(outcome=NoticeEntry.Outcome.LISTED).order_by("pk"):
        app = entry.application
        step = application_finalise if app.is_last_step else application_advance
        step(actor=actor, application=app, today=today)
        moved += 1
    locked.state, locked.closed_on = Notice.State.CLOSED, today
    locked.save(update_fields=["state", "closed_on"])
    audit.record_for(actor, "benefits.notice_close", locked, summary=f"{moved} 人")
    return moved
