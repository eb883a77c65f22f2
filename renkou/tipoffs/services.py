"""Writes of the tip-offs, one service per workflow step (house style rules 2 and 8).

Each step locks the row, checks the move against ``ALLOWED_TRANSITIONS``, the actor's permission
and scope (the tip-off's unit in the actor's subtree) and the row's ``version`` (a lost update
is refused), saves, and writes one audit row in the same transaction. Audit summaries hold
codes and ids, never the informant nor the matter's text. Bad input raises ``ValidationError``
with a Chinese message and writes nothing.

Investigation steps and the result are the handler's alone (the assigned account); the reward
is decided by the county (``tipoffs.decide_reward``) and recorded paid by finance
(``tipoffs.pay_reward``), in fen.
"""

import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dates
from renkou.common.actors import Actor, check_version, require, require_in_scope
from renkou.geo.constants import Level, county_of
from renkou.geo.models import Unit
from renkou.tipoffs import reminders
from renkou.tipoffs.constants import (
    ACK_ALPHABET,
    ACK_LENGTH,
    ACK_PURPOSE,
    ALLOWED_TRANSITIONS,
    MAX_REWARD_FEN,
    Category,
    Channel,
    Finding,
    Reward,
    Status,
)
from renkou.tipoffs.models import Informant, Step, TipOff
from renkou.tipoffs.selectors import may_handle

OUT_OF_SCOPE = "该举报不在您的管辖范围内"
NOT_HANDLER = "只有承办人可以记录调查情况和办结"
WRONG_STATE = "该举报当前为“{status}”，不能{action}"
WHAT = "该举报"
LIMITS = {
    "subject": 100,
    "place": 100,
    "content": 2000,
    "informant_name": 50,
    "informant_contact": 50,
}


def _locked(tipoff: TipOff, version: int | None) -> TipOff:
    row = TipOff.objects.select_for_update().get(pk=tipoff.pk)
    check_version(row.version, version, WHAT)
    return row


def _move(row: TipOff, to: str, action: str) -> None:
    if to not in ALLOWED_TRANSITIONS[Status(row.status)]:
        raise ValidationError(WRONG_STATE.format(status=row.get_status_display(), action=action))
    row.status = to


def _save(row: TipOff, fields: list[str]) -> None:
    row.version += 1
    row.save(update_fields=[*fields, "version", "updated_at"])


# --- intake ----------------------------------------------------------------------------------


def new_ack_code() -> str:
    return "".join(secrets.choice(ACK_ALPHABET) for _ in range(ACK_LENGTH))


def normalise_ack(text: str) -> str:
    """The code as typed (lower case, spaces, dashes, full-width) → its canonical form."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate({ord(c) + 0xFEE0: c for c in ACK_ALPHABET})


def ack_index(code: str) -> str:
    return crypto.blind_index(normalise_ack(code), ACK_PURPOSE)


def _check_intake(values: dict[str, Any]) -> Unit:
    errors: dict[str, str] = {}
    unit = Unit.objects.current().filter(code=values.get("unit_code") or "").first()
    if unit is None or unit.level not in (Level.COUNTY, Level.TOWNSHIP):
        errors["unit_code"] = "请选择举报事项所在的乡镇"
    if values.get("category") not in Category.values:
        errors["category"] = "请选择举报类别"
    if values.get("channel") not in Channel.values:
        errors["channel"] = "请选择举报方式"
    if not str(values.get("subject") or "").strip():
        errors["subject"] = "请填写被举报的机构或人员"
    if not str(values.get("content") or "").strip():
        errors["content"] = "请填写举报内容"
    for name, limit in LIMITS.items():
        if len(str(values.get(name) or "")) > limit:
            errors[name] = f"不能超过{limit}个字"
    received = values.get("received_on")
    if not isinstance(received, date) or received > dates.today():
        errors["received_on"] = "受理日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    return unit


def _numbered(values: dict[str, Any], county: str) -> TipOff:
    """The tip-off with the next number of its county and year (retried if two intakes raced
    for the same number)."""
    year = values["received_on"].year
    for _ in range(5):
        rows = TipOff.objects.filter(county_code=county, year=year)
        seq = (rows.aggregate(m=Max("seq"))["m"] or 0) + 1
        try:
            with transaction.atomic():
                return TipOff.objects.create(county_code=county, year=year, seq=seq, **values)
        except IntegrityError:
            continue
    raise ValidationError("系统繁忙，请稍后再试")


@transaction.atomic
def tipoff_receive(
    *,
    actor: Actor,
    unit_code: str,
    channel: str,
    category: str,
    subject: str,
    content: str,
    place: str = "",
    received_on: date | None = None,
    informant_name: str = "",
    informant_contact: str = "",
) -> tuple[TipOff, str]:
    """Receive a tip-off from the public form (``actor.user`` anonymous, channel ``web``),
    from staff at the window, by phone or letter (``tipoffs.intake``, in scope), or from the
    system (``Actor(None)``: the demo). Returns the
    tip-off and its acknowledgement code, which is shown once and kept only as a hash."""
    staff = actor.account
    if staff is not None:
        require(actor, Perm.INTAKE_TIPOFF)
        if channel == Channel.WEB:
            raise ValidationError({"channel": "网上举报由举报人本人提交"})
    elif actor.user is not None and channel != Channel.WEB:  # the public: the web form only
        raise PermissionDenied
    received_on = received_on or dates.today()
    values: dict[str, Any] = {
        "unit_code": unit_code,
        "channel": channel,
        "category": category,
        "subject": subject.strip(),
        "place": place.strip(),
        "content": content.strip(),
        "received_on": received_on,
        "informant_name": informant_name.strip(),
        "informant_contact": informant_contact.strip(),
    }
    unit = _check_intake(values)
    if staff is not None:
        require_in_scope(actor, unit.code, OUT_OF_SCOPE)
    code = new_ack_code()
    tipoff = _numbered(
        {
            "unit_code": unit.code,
            "channel": channel,
            "category": category,
            "subject": values["subject"],
            "place": values["place"],
            "content": values["content"],
            "received_on": received_on,
            "received_by": staff,
            "deadline": received_on + timedelta(days=settings.RENKOU_TIPOFF_DAYS),
            "ack_index": ack_index(code),
        },
        county_of(unit.code),
    )
    Informant.objects.create(
        tipoff=tipoff, name=values["informant_name"], contact=values["informant_contact"]
    )
    # The public submitter's address is not written to the audit row: it would tie the
    # informant to the tip-off (the per-address limit keeps only a keyed hash, apart).
    audit.record(
        actor=staff,
        ip=actor.ip if staff is not None else "",
        action="tipoffs.receive",
        object_type="tipoffs.tipoff",
        object_id=tipoff.pk,
        summary=f"channel={channel} category={category} unit={unit.code}",
    )
    reminders.refresh_later(tipoff.unit_code)
    return tipoff, code


# --- handling --------------------------------------------------------------------------------


@transaction.atomic
def tipoff_assign(*, actor: Actor, tipoff: TipOff, handler: Any, version: int | None) -> TipOff:
    """Name (or change) the handler; the tip-off moves to 调查中."""
    require(actor, Perm.ASSIGN_TIPOFF)
    require_in_scope(actor, tipoff.unit_code, OUT_OF_SCOPE)
    row = _locked(tipoff, version)
    if handler is None or not may_handle(handler, row):
        raise ValidationError({"handler": "请从列表中选择承办人"})
    _move(row, Status.ASSIGNED, "分派")
    row.handler = handler
    row.assigned_on = dates.today()
    _save(row, ["status", "handler", "assigned_on"])
    audit.record_for(actor, "tipoffs.assign", row, summary=f"handler={handler.pk}")
    return row


def _handler_only(actor: Actor, row: TipOff) -> None:
    require_in_scope(actor, row.unit_code, OUT_OF_SCOPE)
    if actor.user is not None and row.handler_id != actor.user.pk:
        raise PermissionDenied(NOT_HANDLER)


@transaction.atomic
def step_add(*, actor: Actor, tipoff: TipOff, done_on: date | None, text: str) -> Step:
    """Log one dated investigation step (the handler only, while 调查中)."""
    row = TipOff.objects.select_for_update().get(pk=tipoff.pk)
    _handler_only(actor, row)
    if row.status != Status.ASSIGNED:
        raise ValidationError(WRONG_STATE.format(status=row.get_status_display(), action="记录"))
    text = text.strip()
    if not text:
        raise ValidationError({"text": "请填写调查情况"})
    if len(text) > 500:
        raise ValidationError({"text": "不能超过500个字"})
    if done_on is None or done_on > dates.today() or done_on < row.received_on:
        raise ValidationError({"done_on": "日期应在受理日期和今天之间"})
    step = Step.objects.create(
        tipoff=row, unit_code=row.unit_code, done_on=done_on, text=text, actor=actor.account
    )
    audit.record_for(actor, "tipoffs.step", row, summary=f"step={step.pk}")
    return step


@transaction.atomic
def tipoff_conclude(
    *, actor: Actor, tipoff: TipOff, finding: str, result: str, version: int | None
) -> TipOff:
    """The handler's conclusion (属实 / 部分属实 / 不属实) and what was done; 已办结."""
    row = _locked(tipoff, version)
    _handler_only(actor, row)
    errors = {}
    if finding not in Finding.values:
        errors["finding"] = "请选择核查结论"
    if not result.strip():
        errors["result"] = "请填写处理结果"
    elif len(result) > 2000:
        errors["result"] = "不能超过2000个字"
    if errors:
        raise ValidationError(errors)
    _move(row, Status.CONCLUDED, "办结")
    row.finding, row.result, row.concluded_on = finding, result.strip(), dates.today()
    _save(row, ["status", "finding", "result", "concluded_on"])
    audit.record_for(actor, "tipoffs.conclude", row, summary=f"finding={finding}")
    reminders.refresh_later(row.unit_code)
    return row


# --- reward ----------------------------------------------------------------------------------


@transaction.atomic
def reward_decide(
    *,
    actor: Actor,
    tipoff: TipOff,
    grant: bool,
    amount_fen: int | None,
    note: str,
    version: int | None,
) -> TipOff:
    """The county's decision: a reward of ``amount_fen`` for a tip-off found (partly) true,
    or none. A paid reward is final."""
    require(actor, Perm.DECIDE_REWARD)
    require_in_scope(actor, tipoff.unit_code, OUT_OF_SCOPE)
    row = _locked(tipoff, version)
    if row.status != Status.CONCLUDED:
        raise ValidationError("举报办结后才能决定奖励")
    if row.reward == Reward.PAID:
        raise ValidationError("奖励已发放，不能更改")
    if grant:
        if row.finding == Finding.UNFOUNDED:
            raise ValidationError("核查不属实的举报不予奖励")
        if amount_fen is None or not 0 < amount_fen <= MAX_REWARD_FEN:
            raise ValidationError({"amount": "奖励金额应大于0元，且不超过10万元"})
    if len(note) > 300:
        raise ValidationError({"note": "不能超过300个字"})
    row.reward = Reward.DECIDED if grant else Reward.REFUSED
    row.reward_fen = amount_fen if grant else None
    row.reward_note = note.strip()
    row.reward_decided_on, row.reward_decided_by = dates.today(), actor.account
    _save(row, ["reward", "reward_fen", "reward_note", "reward_decided_on", "reward_decided_by"])
    audit.record_for(
        actor, "tipoffs.reward_decide", row, summary=f"reward={row.reward} fen={row.reward_fen}"
    )
    return row


@transaction.atomic
def reward_pay(
    *, actor: Actor, tipoff: TipOff, paid_on: date | None, voucher: str, version: int | None
) -> TipOff:
    """Finance records the decided reward paid (date and voucher number)."""
    require(actor, Perm.PAY_REWARD)
    require_in_scope(actor, tipoff.unit_code, OUT_OF_SCOPE)
    row = _locked(tipoff, version)
    if row.reward != Reward.DECIDED:
        raise ValidationError("只有已决定、待发放的奖励才能登记发放")
    errors = {}
    if (
        paid_on is None
        or paid_on > dates.today()
        or (row.reward_decided_on and paid_on < row.reward_decided_on)
    ):
        errors["paid_on"] = "发放日期应在奖励决定日期和今天之间"
    voucher = voucher.strip()
    if not voucher or len(voucher) > 40:
        errors["voucher"] = "请填写凭证号（不超过40个字）"
    if errors:
        raise ValidationError(errors)
    row.reward, row.paid_on, row.voucher, row.paid_by = Reward.PAID, paid_on, voucher, actor.account
    _save(row, ["reward", "paid_on", "voucher", "paid_by"])
    audit.record_for(actor, "tipoffs.reward_pay", row, summary=f"fen={row.reward_fen}")
    return row
