"""Writes of the “两非” case register, one service per step (house style rules 2 and 8).

Each service checks the actor's permission (``cases.edit``) and scope (the case's unit in the
actor's subtree), locks the row, checks the move against ``ALLOWED_TRANSITIONS`` and the row's
``version`` (a lost update is refused), saves, and writes one audit row in the same
transaction: all or nothing. Audit summaries hold codes and ids, never the subject's name,
numbers or the facts. Bad input raises ``ValidationError`` with a Chinese message and writes
nothing.

A case opened from tip-offs links them; only the handler of each tip-off may do so, a tip-off
is linked to one case at most, and nothing of its informant is read or copied.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from renkou.accounts.constants import Perm
from renkou.benefits import documents
from renkou.cases import reminders
from renkou.cases.constants import (
    ALLOWED_TRANSITIONS,
    KINDS_OF,
    WHAT,
    Outcome,
    ReferredTo,
    Source,
    Status,
    SubjectType,
)
from renkou.cases.models import Case, Evidence, Step
from renkou.common import audit, dates, idnumber, validators
from renkou.common.actors import Actor, check_version, require, require_in_scope
from renkou.geo.constants import Level, county_of
from renkou.geo.models import Unit
from renkou.tipoffs.constants import Category
from renkou.tipoffs.models import TipOff

OUT_OF_SCOPE = "该案件不在您的管辖范围内"
WRONG_STATE = "该案件当前为“{status}”，不能{action}"
NOT_HANDLER = "只有举报的承办人可以据此立案"
LIMITS = {
    "source_note": 100,
    "subject_name": 100,
    "subject_licence": 40,
    "subject_address": 200,
    "facts": 2000,
}


@dataclass
class Subject:
    """Who the case is against (an institution or a person) and what happened."""

    unit_code: str
    subject_type: str
    subject_kind: str
    subject_name: str
    facts: str
    source_note: str = ""
    subject_licence: str = ""
    subject_address: str = ""
    subject_id_number: str = ""
    subject_phone: str = ""

    def cleaned(self) -> "Subject":
        return Subject(**{k: str(v or "").strip() for k, v in vars(self).items()})


def _check_subject(values: Subject, errors: dict[str, str]) -> Unit | None:
    unit = Unit.objects.current().filter(code=values.unit_code).first()
    if unit is None or unit.level not in (Level.COUNTY, Level.TOWNSHIP):
        errors["unit_code"] = "请选择案件所涉乡镇"
    if values.subject_type not in SubjectType.values:
        errors["subject_type"] = "请选择当事方是机构还是个人"
    elif values.subject_kind not in KINDS_OF[SubjectType(values.subject_type)]:
        errors["subject_kind"] = "当事方类别与机构或个人不符，请重新选择"
    if not values.subject_name:
        errors["subject_name"] = "请填写当事机构或人员名称"
    if not values.facts:
        errors["facts"] = "请填写案情"
    for name, limit in LIMITS.items():
        if len(getattr(values, name)) > limit:
            errors[name] = f"不能超过{limit}个字"
    return unit


def _normalised_numbers(values: Subject, errors: dict[str, str]) -> None:
    """The person's ID number and any phone, checked and normalised (empty stays empty)."""
    if values.subject_id_number:
        if values.subject_type != SubjectType.PERSON:
            errors["subject_id_number"] = "机构不填公民身份号码"
        else:
            result = idnumber.validate(values.subject_id_number)
            if result.ok:
                values.subject_id_number = result.value
            else:
                errors["subject_id_number"] = result.errors[0].message
    if values.subject_phone:
        try:
            values.subject_phone = validators.phone(values.subject_phone)
        except ValidationError as exc:
            errors["subject_phone"] = exc.messages[0]


def _linked(actor: Actor, source: str, tipoff_ids: list[int], errors: dict[str, str]) -> list:
    """The tip-offs a case opened from tip-offs links: in the actor's scope, handled by the
    actor, not yet linked to another case. Their informants are not read."""
    if source != Source.TIPOFF:
        if tipoff_ids:
            errors["source"] = "只有来源为群众举报的案件才能关联举报"
        return []
    # Locked, so two openings from one tip-off cannot both pass the "already linked" check.
    rows = TipOff.objects.select_for_update().filter(pk__in=tipoff_ids).order_by("pk")
    found = list(rows.only("pk", "unit_code", "handler_id", "category"))
    if not tipoff_ids or len(found) != len(set(tipoff_ids)):
        errors["source"] = "来源为群众举报的案件须从举报详情页立案"
        return []
    for tipoff in found:
        require_in_scope(actor, tipoff.unit_code, OUT_OF_SCOPE)
        if actor.user is not None and tipoff.handler_id != actor.user.pk:
            raise PermissionDenied(NOT_HANDLER)
        if tipoff.category != Category.SEX_SELECTION:
            errors["source"] = "只有“两非”类举报可以据此立案"
    if Case.tipoffs.through.objects.filter(tipoff_id__in=tipoff_ids).exists():
        errors["source"] = "该举报已立案，请在已有案件中记录"
    return found


def _numbered(values: dict[str, Any], county: str) -> Case:
    """The case with the next number of its county and year (retried if two raced)."""
    year = values["opened_on"].year
    for _ in range(5):
        rows = Case.objects.filter(county_code=county, year=year)
        seq = (rows.aggregate(m=Max("seq"))["m"] or 0) + 1
        try:
            with transaction.atomic():
                return Case.objects.create(county_code=county, year=year, seq=seq, **values)
        except IntegrityError:
            continue
    raise ValidationError("系统繁忙，请稍后再试")


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    source: str,
    subject: Subject,
    opened_on: date | None,
    tipoff_ids: list[int] | None = None,
) -> Case:
    """Open (立案) a case in the actor's subtree; one from tip-offs links them (the handler's)."""
    require(actor, Perm.EDIT_CASE)
    values = subject.cleaned()
    errors: dict[str, str] = {}
    if source not in Source.values:
        errors["source"] = "请选择案件来源"
    unit = _check_subject(values, errors)
    _normalised_numbers(values, errors)
    if opened_on is None or opened_on > dates.today():
        errors["opened_on"] = "立案日期不能晚于今天"
    if unit is not None:
        require_in_scope(actor, unit.code, OUT_OF_SCOPE)
    linked = _linked(actor, source, list(tipoff_ids or []), errors)
    if errors:
        raise ValidationError(errors)
    assert unit is not None and opened_on is not None
    case = _numbered(
        {
            **vars(values),
            "unit_code": unit.code,
            "source": source,
            "opened_on": opened_on,
            "opened_by": actor.account,
            "deadline": opened_on + timedelta(days=settings.RENKOU_CASE_DAYS),
        },
        county_of(unit.code),
    )
    case.tipoffs.set(linked)
    ids = ",".join(str(t.pk) for t in linked)
    summary = f"source={source} unit={unit.code}" + (f" tipoffs={ids}" if ids else "")
    audit.record_for(actor, "cases.open", case, summary=summary)
    reminders.refresh_later(case.unit_code)
    return case


def _locked(actor: Actor, case: Case, version: int | None) -> Case:
    require(actor, Perm.EDIT_CASE)
    require_in_scope(actor, case.unit_code, OUT_OF_SCOPE)
    row = Case.objects.select_for_update().get(pk=case.pk)
    check_version(row.version, version, WHAT)
    return row


def _move(row: Case, to: str, action: str) -> None:
    if to not in ALLOWED_TRANSITIONS[Status(row.status)]:
        raise ValidationError(WRONG_STATE.format(status=row.get_status_display(), action=action))
    row.status = to


def _save(row: Case, fields: list[str]) -> None:
    row.version += 1
    row.save(update_fields=[*fields, "version", "updated_at"])


EDITABLE = [
    "unit_code",
    "source_note",
    "subject_type",
    "subject_kind",
    "subject_name",
    "subject_licence",
    "subject_address",
    "subject_id_number",
    "subject_phone",
    "facts",
]


@transaction.atomic
def case_update(*, actor: Actor, case: Case, subject: Subject, version: int | None) -> Case:
    """Correct the subject and the facts of a case not yet closed. An empty ID number or
    phone keeps the stored one (the form never shows them in full)."""
    row = _locked(actor, case, version)
    if row.status == Status.CLOSED:
        raise ValidationError(WRONG_STATE.format(status=row.get_status_display(), action="修改"))
    values = subject.cleaned()
    values.subject_id_number = values.subject_id_number or row.subject_id_number
    values.subject_phone = values.subject_phone or row.subject_phone
    if values.subject_type != SubjectType.PERSON:
        values.subject_id_number = ""
    errors: dict[str, str] = {}
    unit = _check_subject(values, errors)
    _normalised_numbers(values, errors)
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    require_in_scope(actor, unit.code, OUT_OF_SCOPE)
    values.unit_code = unit.code
    changed = [name for name in EDITABLE if getattr(row, name) != getattr(values, name)]
    if not changed:
        return row
    old_unit = row.unit_code
    for name in changed:
        setattr(row, name, getattr(values, name))
    _save(row, changed)
    Step.objects.filter(case=row).update(unit_code=row.unit_code)
    Evidence.objects.filter(case=row).update(unit_code=row.unit_code)
    audit.record_for(actor, "cases.update", row, summary="fields=" + ",".join(changed))
    reminders.refresh_later(row.unit_code)
    if old_unit != row.unit_code:
        reminders.refresh_later(old_unit)
    return row


@transaction.atomic
def step_add(*, actor: Actor, case: Case, done_on: date | None, text: str) -> Step:
    """Log one dated investigation step (while the case is not closed)."""
    require(actor, Perm.EDIT_CASE)
    require_in_scope(actor, case.unit_code, OUT_OF_SCOPE)
    row = Case.objects.select_for_update().get(pk=case.pk)
    if row.status == Status.CLOSED:
        raise ValidationError(WRONG_STATE.format(status=row.get_status_display(), action="记录"))
    text = text.strip()
    if not text:
        raise ValidationError({"text": "请填写调查情况"})
    if len(text) > 500:
        raise ValidationError({"text": "不能超过500个字"})
    if done_on is None or done_on > dates.today() or done_on < row.opened_on:
        raise ValidationError({"done_on": "日期应在立案日期和今天之间"})
    step = Step.objects.create(
        case=row, unit_code=row.unit_code, done_on=done_on, text=text, actor=actor.account
    )
    audit.record_for(actor, "cases.step", row, summary=f"step={step.pk}")
    return step


@transaction.atomic
def evidence_add(*, actor: Actor, case: Case, title: str, upload: Any) -> Evidence:
    """Attach one piece of evidence under the benefit documents' upload rules (size limit,
    PDF/JPEG/PNG by content), while the case is not closed."""
    require(actor, Perm.EDIT_CASE)
    require_in_scope(actor, case.unit_code, OUT_OF_SCOPE)
    row = Case.objects.select_for_update().get(pk=case.pk)
    if row.status == Status.CLOSED:
        raise ValidationError("案件已结案，不能再上传材料")
    title = title.strip()
    if not title or len(title) > 100:
        raise ValidationError({"title": "请填写材料名称（不超过100个字）"})
    if upload is None:
        raise ValidationError({"file": "请选择文件"})
    relative, ext, digest, size = documents.store(upload)
    evidence = Evidence.objects.create(
        case=row,
        unit_code=row.unit_code,
        title=title,
        stored=relative,
        ext=ext,
        size=size,
        sha256=digest,
        uploaded_by=actor.account,
    )
    audit.record_for(actor, "cases.evidence_add", row, summary=f"evidence={evidence.pk} {ext}")
    return evidence


@transaction.atomic
def case_refer(
    *,
    actor: Actor,
    case: Case,
    referred_to: str,
    referral_body: str,
    referred_on: date | None,
    version: int | None,
) -> Case:
    """Refer (移送) the case to the health inspectorate or the police, who may penalise."""
    row = _locked(actor, case, version)
    errors = {}
    if referred_to not in ReferredTo.values:
        errors["referred_to"] = "请选择移送机关"
    body = referral_body.strip()
    if not body or len(body) > 100:
        errors["referral_body"] = "请填写接收机关名称（不超过100个字）"
    if referred_on is None or referred_on > dates.today() or referred_on < row.opened_on:
        errors["referred_on"] = "移送日期应在立案日期和今天之间"
    if errors:
        raise ValidationError(errors)
    _move(row, Status.REFERRED, "移送")
    row.referred_to, row.referral_body, row.referred_on = referred_to, body, referred_on
    _save(row, ["status", "referred_to", "referral_body", "referred_on"])
    audit.record_for(actor, "cases.refer", row, summary=f"to={referred_to}")
    reminders.refresh_later(row.unit_code)
    return row


@transaction.atomic
def case_close(
    *,
    actor: Actor,
    case: Case,
    outcome: str,
    decision: str,
    closed_on: date | None,
    version: int | None,
) -> Case:
    """Close (结案) with its outcome: penalised by the competent authority, otherwise dealt
    with, or not substantiated; and the decision taken."""
    row = _locked(actor, case, version)
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "请选择结案结果"
    decision = decision.strip()
    if not decision:
        errors["decision"] = "请填写处理决定或调查结论"
    elif len(decision) > 2000:
        errors["decision"] = "不能超过2000个字"
    earliest = row.referred_on or row.opened_on
    if closed_on is None or closed_on > dates.today() or closed_on < earliest:
        errors["closed_on"] = "结案日期应在立案（移送）日期和今天之间"
    if outcome == Outcome.PENALIZED and row.status != Status.REFERRED:
        errors["outcome"] = "处罚由卫生监督或公安机关作出：请先登记移送"
    if errors:
        raise ValidationError(errors)
    _move(row, Status.CLOSED, "结案")
    row.outcome, row.decision, row.closed_on = outcome, decision, closed_on
    _save(row, ["status", "outcome", "decision", "closed_on"])
    audit.record_for(actor, "cases.close", row, summary=f"outcome={outcome}")
    reminders.refresh_later(row.unit_code)
    return row
