"""Writes of the reproductive-health services (issue 5 items 2–3; docs/rh-services.md): RH checks
and gynaecological treatments by the service technicians, contraception follow-up visits and free
contraceptive supplies by technicians and village/township staff. Views, the to-do lists and the
demo call these.

Each write checks the clinic's rules (below), saves (django-simple-history keeps every version
and who made it) and writes one audit row with ids and field names only — never a finding, a
diagnosis or a name — in one transaction. Edits compare the record's ``version`` with the one the
form was opened with (optimistic lock); a record entered by mistake is voided with a reason,
never deleted. All services are voluntary: consent is recorded before a check or a treatment,
and nothing here is a compulsory check, a quota on a person or a penalty.

Rules (a clinic's view):
- no service date in the future, none before the person's birth or after she left the register;
- an RH check only for a married woman aged 15–49 on the day, at the county centre or a
  township station of her county, consent on or before the day, at least one finding code, and
  未见异常 not combined with another finding; a referral names where to;
- a treatment only for a woman aged 15 or over, consent first, a diagnosis, a known kind;
- a follow-up visit needs the episode (or, after an abortion, the pregnancy) of her own card: an
  IUD visit an IUD episode, an implant visit an implant, a sterilisation visit a sterilisation; a
  removal visit an ended episode and a date after the removal; an insertion visit a date from the
  insertion on (and before a removal); an abortion visit an induced abortion or induced labour
  with its date, and a date after it;
- a supply to a person aged 15 or over, a known product, 1–500 units;
- the same service for the same person on the same day is refused as a double entry.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from renkou.common import audit, dicts
from renkou.common.actors import Actor, ConflictError
from renkou.geo import network
from renkou.geo.constants import county_of
from renkou.geo.models import Equipment, ServicePoint
from renkou.people import card_services
from renkou.people.constants import FEMALE, MARRIED_CODES
from renkou.people.models import ContraceptionEpisode, Person, Pregnancy
from renkou.people.rules import age_on
from renkou.programs.constants import (
    ABORTION_OUTCOMES,
    BLUE_OXYGEN,
    FINDING_DICT,
    IMPLANT_METHOD,
    MAX_SUPPLY_QUANTITY,
    NO_FINDING,
    REASON_METHODS,
    RH_AGES,
    SUPPLY_DICT,
    SUPPLY_MIN_AGE,
    TREATMENT_DICT,
    FollowUpMethod,
    VisitReason,
    VisitResult,
)
from renkou.programs.models import ContraceptionVisit, RHCheck, ServiceRecord, Supply, Treatment

CONFLICT = "该记录已被他人修改，请刷新后重试"
VOIDED = "该记录已作废，只能查看"
CLINIC_KINDS = frozenset({ServicePoint.Kind.COUNTY_CENTRE, ServicePoint.Kind.TOWNSHIP_STATION})
IUD_RESULTS = frozenset({VisitResult.IUD_EXPELLED, VisitResult.IUD_DISPLACED})

# The fields each kind of record takes from ``values`` (derived fields are set here).
FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    RHCheck: (
        "checked_on",
        "service_point",
        "examiner",
        "consent_on",
        "findings",
        "finding_notes",
        "advice",
        "referred",
        "referral_to",
    ),
    Treatment: (
        "treated_on",
        "service_point",
        "kind",
        "rh_check",
        "doctor",
        "consent_on",
        "diagnosis",
        "notes",
    ),
    ContraceptionVisit: ("visited_on", "reason", "method", "result", "visitor", "notes"),
    Supply: ("issued_on", "product", "quantity", "service_point", "notes"),
}
NAMES = {RHCheck: "rh_check", Treatment: "treatment", ContraceptionVisit: "visit", Supply: "supply"}
TEXT = frozenset(
    {
        "examiner",
        "finding_notes",
        "advice",
        "referral_to",
        "doctor",
        "diagnosis",
        "notes",
        "visitor",
    }
)


@dataclass(frozen=True)
class Anchor:
    """What a follow-up visit is anchored on: a contraception episode or a pregnancy."""

    episode: ContraceptionEpisode | None = None
    pregnancy: Pregnancy | None = None


# --- small checks -----------------------------------------------------------------------------


def _by(obj: models.Model, actor: Actor) -> None:
    """The history row's user, also outside a request (the middleware sets it inside one)."""
    if actor.account is not None:
        obj._history_user = actor.user  # type: ignore[attr-defined]  # read by simple_history


def _day(values: dict[str, Any], field: str, label: str, today: date) -> date:
    day = values.get(field)
    if day is None:
        raise ValidationError({field: f"请填写{label}"})
    if day > today:
        raise ValidationError({field: f"{label}不能晚于今天"})
    return day


def _present(person: Person, day: date, field: str) -> None:
    if day < person.birth_date:
        raise ValidationError({field: "服务日期不能早于服务对象的出生日期"})
    if person.exited_at is not None and day >= person.exited_at:
        raise ValidationError({field: "服务对象在该日期已退出人员库"})


def _consent(values: dict[str, Any], day: date, today: date) -> None:
    consent = _day(values, "consent_on", "知情同意日期", today)
    if consent > day:
        raise ValidationError({"consent_on": "须在检查或治疗之前（或当天）取得本人知情同意"})


def _clinic(values: dict[str, Any], person: Person, *, required: bool = True) -> None:
    point = values.get("service_point")
    if point is None:
        if required:
            raise ValidationError({"service_point": "请选择服务机构"})
        return
    if not point.is_active or county_of(point.unit_code) != county_of(person.unit_code):
        raise ValidationError({"service_point": "请选择本县在用的服务机构"})
    if required and point.kind not in CLINIC_KINDS:
        raise ValidationError({"service_point": "检查和治疗在县服务中心或乡镇服务站进行"})


def _device(values: dict[str, Any], day: date) -> None:
    """A 蓝氧 treatment needs a 蓝氧 device working at the point on the day (the service
    network's equipment: installed, not broken or retired by then)."""
    point = values.get("service_point")
    if values.get("kind") != BLUE_OXYGEN or point is None:
        return
    if not network.working_device(point.pk, Equipment.Kind.BLUE_OXYGEN, day):
        when = f"{day.year}年{day.month}月{day.day}日"
        message = (
            f"{point.name}在{when}没有可用的蓝氧治疗仪（未安装、故障停用或未登记），"
            "不能登记蓝氧治疗。请选择有设备的服务机构，或先在“服务网络”中登记设备"
        )
        raise ValidationError({"service_point": message})


def _required(values: dict[str, Any], field: str, label: str) -> None:
    if not str(values.get(field) or "").strip():
        raise ValidationError({field: f"请填写{label}"})


def _double(
    model: type[ServiceRecord], row: ServiceRecord | None, message: str, **lookup: Any
) -> None:
    rows = model.objects.live().filter(**lookup)
    if row is not None:
        rows = rows.exclude(pk=row.pk)
    if rows.exists():
        raise ValidationError(message)


# --- the rules per kind -------------------------------------------------------------------------


def _check_rh(person: Person, values: dict[str, Any], row: Any, today: date) -> None:
    day = _day(values, "checked_on", "检查日期", today)
    _present(person, day, "checked_on")
    if person.sex != FEMALE or person.marital_status not in MARRIED_CODES:
        raise ValidationError("生殖健康检查的服务对象为已婚育龄妇女")
    low, high = RH_AGES
    if not low <= age_on(person.birth_date, day) <= high:
        raise ValidationError({"checked_on": f"检查当天该妇女不在{low}–{high}周岁之间"})
    _consent(values, day, today)
    _clinic(values, person)
    _required(values, "examiner", "检查医生")
    codes = values.get("findings") or []
    if not codes:
        raise ValidationError({"findings": "请至少选择一项检查发现（无异常选“未见异常”）"})
    if any(dicts.entry(FINDING_DICT, code) is None for code in codes):
        raise ValidationError({"findings": "检查发现不在代码表中"})
    if NO_FINDING in codes and len(codes) > 1:
        raise ValidationError({"findings": "“未见异常”不能与其他检查发现同时选择"})
    if values.get("referred") and not str(values.get("referral_to") or "").strip():
        raise ValidationError({"referral_to": "转诊时请填写转诊机构"})
    _double(
        RHCheck, row, "该妇女当天已登记过生殖健康检查，请勿重复录入", person=person, checked_on=day
    )


def _check_treatment(person: Person, values: dict[str, Any], row: Any, today: date) -> None:
    day = _day(values, "treated_on", "治疗日期", today)
    _present(person, day, "treated_on")
    if person.sex != FEMALE:
        raise ValidationError("妇科治疗的服务对象为女性")
    if age_on(person.birth_date, day) < RH_AGES[0]:
        raise ValidationError({"treated_on": f"治疗当天该妇女未满{RH_AGES[0]}周岁"})
    _consent(values, day, today)
    _clinic(values, person)
    if dicts.entry(TREATMENT_DICT, values.get("kind")) is None:
        raise ValidationError({"kind": "请选择治疗方式"})
    _device(values, day)
    _required(values, "doctor", "治疗医生")
    _required(values, "diagnosis", "诊断")
    check = values.get("rh_check")
    if check is not None and (
        check.person_id != person.pk or check.checked_on > day or check.is_void
    ):
        raise ValidationError({"rh_check": "所选检查不是该妇女在治疗之前的有效检查"})
    _double(
        Treatment,
        row,
        "该妇女当天已登记过同一治疗方式，请勿重复录入",
        person=person,
        treated_on=day,
        kind=values["kind"],
    )


def _check_episode_reason(episode: ContraceptionEpisode, reason: str, day: date) -> None:
    methods, removal = REASON_METHODS[reason]
    label = VisitReason(reason).label
    if episode.method not in methods:
        name = dicts.label("contraception_method", episode.method)
        raise ValidationError(
            {"reason": f"“{label}”随访须对应相应的避孕节育措施，该记录的避孕方法是“{name}”"}
        )
    if removal:
        if episode.end is None:
            raise ValidationError(
                {"reason": "该避孕节育措施尚未填写取出（结束）日期，不能登记取出后随访"}
            )
        if day < episode.end:
            raise ValidationError({"visited_on": "随访日期不能早于取出日期"})
        return
    if day < episode.start:
        raise ValidationError({"visited_on": "随访日期不能早于施术（开始）日期"})
    if episode.end is not None and day > episode.end:
        raise ValidationError({"visited_on": "该措施已结束，结束后的随访请按“取出后”登记"})


def _check_visit(
    person: Person, anchor: Anchor, values: dict[str, Any], row: Any, today: date
) -> None:
    day = _day(values, "visited_on", "随访日期", today)
    _present(person, day, "visited_on")
    reason = values.get("reason")
    if reason not in VisitReason.values:
        raise ValidationError({"reason": "请选择随访原因"})
    if anchor.pregnancy is not None:
        preg = anchor.pregnancy
        if reason != VisitReason.ABORTION:
            raise ValidationError({"reason": "孕情的随访只能是人工流产（引产）后随访"})
        if preg.outcome not in ABORTION_OUTCOMES or preg.outcome_date is None:
            raise ValidationError("该孕情不是已登记日期的人工流产或中期引产，不能登记术后随访")
        if day < preg.outcome_date:
            raise ValidationError({"visited_on": "随访日期不能早于手术日期"})
    else:
        if anchor.episode is None or reason == VisitReason.ABORTION:
            raise ValidationError({"reason": "人工流产后随访请从孕情登记"})
        _check_episode_reason(anchor.episode, reason, day)
    if values.get("method") not in FollowUpMethod.values:
        raise ValidationError({"method": "请选择随访方式"})
    result = values.get("result")
    if result not in VisitResult.values:
        raise ValidationError({"result": "请选择随访结果"})
    if result in IUD_RESULTS and reason != VisitReason.IUD_IN:
        raise ValidationError({"result": "节育器脱落、移位只用于放置宫内节育器后的随访"})
    _required(values, "visitor", "随访人")
    _double(
        ContraceptionVisit,
        row,
        "该措施当天已登记过随访，请勿重复录入",
        person=person,
        visited_on=day,
        episode=anchor.episode,
        pregnancy=anchor.pregnancy,
    )


def _check_supply(person: Person, values: dict[str, Any], row: Any, today: date) -> None:
    day = _day(values, "issued_on", "发放日期", today)
    _present(person, day, "issued_on")
    if age_on(person.birth_date, day) < SUPPLY_MIN_AGE:
        raise ValidationError(f"免费避孕药具发放对象须年满{SUPPLY_MIN_AGE}周岁")
    if dicts.entry(SUPPLY_DICT, values.get("product")) is None:
        raise ValidationError({"product": "请选择药具品种"})
    quantity = values.get("quantity")
    if quantity is None or not 1 <= quantity <= MAX_SUPPLY_QUANTITY:
        raise ValidationError({"quantity": f"数量应在 1–{MAX_SUPPLY_QUANTITY} 之间"})
    _clinic(values, person, required=False)
    _double(
        Supply,
        row,
        "当天已向该人员发放过同一品种，请修改原记录的数量",
        person=person,
        issued_on=day,
        product=values["product"],
    )


# --- writes -----------------------------------------------------------------------------------


def _clean(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    clean = {k: values.get(k) for k in FIELDS[model]}
    for name in TEXT & set(clean):
        clean[name] = str(clean[name] or "").strip()
    if model is RHCheck:
        codes = sorted(set(clean["findings"] or []))
        clean["findings"], clean["referred"] = codes, bool(clean["referred"])
        if not clean["referred"]:
            clean["referral_to"] = ""
    return clean


def _apply(row: ServiceRecord, clean: dict[str, Any]) -> None:
    for name, value in clean.items():
        if name == "findings":
            row.abnormal = any(code != NO_FINDING for code in value)  # type: ignore[attr-defined]  # a field of the models that have findings
            value = ",".join(value)
        setattr(row, name, value)


def _action(row: ServiceRecord, verb: str) -> str:
    """The audit action of a service record: ``programs.rh_check_record``, ``…_void``."""
    return f"programs.{NAMES[type(row)]}_{verb}"


def _create(
    actor: Actor, model: type[ServiceRecord], person: Person, clean: dict[str, Any], **extra: Any
) -> ServiceRecord:
    row = model(person=person, unit_code=person.unit_code, recorded_by=actor.account, **extra)
    _apply(row, clean)
    _by(row, actor)
    row.save()
    audit.record_for(actor, _action(row, "record"), row, summary=f"person={person.pk}")
    return row


def _locked(row: ServiceRecord, version: int | None) -> ServiceRecord:
    current = type(row).objects.select_for_update().select_related("person").get(pk=row.pk)
    if current.is_void:
        raise ValidationError(VOIDED)
    if version != current.version:
        raise ConflictError(CONFLICT)
    return current


def _stored(row: ServiceRecord, name: str) -> Any:
    value = getattr(row, name)
    if name == "findings":
        return row.finding_codes  # type: ignore[attr-defined]  # as above
    return value


@transaction.atomic
def rh_check_record(
    *, actor: Actor, person: Person, values: dict[str, Any], today: date
) -> RHCheck:
    """登记生殖健康检查 (one person-time). ``values``: the ``FIELDS[RHCheck]``, ``findings`` a
    list of ``rh_finding`` codes."""
    clean = _clean(RHCheck, values)
    _check_rh(person, clean, None, today)
    return _create(actor, RHCheck, person, clean)  # type: ignore[return-value]  # _create returns the model it is given


@transaction.atomic
def treatment_record(
    *, actor: Actor, person: Person, values: dict[str, Any], today: date
) -> Treatment:
    """登记妇科治疗 (one session, one person-time; 蓝氧治疗 is kind ``BLUE_OXYGEN``)."""
    clean = _clean(Treatment, values)
    _check_treatment(person, clean, None, today)
    return _create(actor, Treatment, person, clean)  # type: ignore[return-value]  # as above


@transaction.atomic
def visit_record(
    *, actor: Actor, anchor: Anchor, values: dict[str, Any], today: date
) -> ContraceptionVisit:
    """登记避孕节育随访 of one episode (or, after an abortion, one pregnancy) of a woman's card."""
    card = (anchor.episode or anchor.pregnancy).card  # type: ignore[union-attr]  # an anchor has one of them
    person = Person.objects.get(pk=card.person_id)
    clean = _clean(ContraceptionVisit, values)
    _check_visit(person, anchor, clean, None, today)
    return _create(
        actor, ContraceptionVisit, person, clean, episode=anchor.episode, pregnancy=anchor.pregnancy
    )  # type: ignore[return-value]  # _create returns the model it is given


@transaction.atomic
def supply_record(*, actor: Actor, person: Person, values: dict[str, Any], today: date) -> Supply:
    """登记药具发放; the issuing unit is the recording account's unit (else the person's)."""
    clean = _clean(Supply, values)
    _check_supply(person, clean, None, today)
    issuer = getattr(actor.account, "unit_code", "") or person.unit_code
    return _create(actor, Supply, person, clean, issuer_code=issuer)  # type: ignore[return-value]  # as above


def _check(row: ServiceRecord, clean: dict[str, Any], today: date) -> None:
    person = row.person
    if isinstance(row, RHCheck):
        _check_rh(person, clean, row, today)
    elif isinstance(row, Treatment):
        _check_treatment(person, clean, row, today)
    elif isinstance(row, ContraceptionVisit):
        _check_visit(person, Anchor(row.episode, row.pregnancy), clean, row, today)
    else:
        _check_supply(person, clean, row, today)


@transaction.atomic
def record_update(
    *, actor: Actor, row: ServiceRecord, values: dict[str, Any], version: int | None, today: date
) -> ServiceRecord:
    """Correct a record (any kind): the fields of ``values`` replace the stored ones, the same
    rules apply as on entry; the audit row names the changed fields, never their values."""
    current = _locked(row, version)
    model = type(current)
    clean = _clean(model, {**{k: _stored(current, k) for k in FIELDS[model]}, **values})
    changed = [k for k in FIELDS[model] if _stored(current, k) != clean[k]]
    if not changed:
        return current
    _check(current, clean, today)
    _apply(current, clean)
    current.version += 1
    _by(current, actor)
    current.save()
    audit.record_for(
        actor, _action(current, "update"), current, summary="changed=" + ",".join(changed)
    )
    return current


@transaction.atomic
def record_void(
    *, actor: Actor, row: ServiceRecord, reason: str, version: int | None
) -> ServiceRecord:
    """作废 a record entered by mistake, with the reason: it stays (history, audit) but leaves
    every list count and figure."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写作废原因"})
    current = _locked(row, version)
    current.voided_at, current.voided_by = timezone.now(), actor.account
    current.void_reason = reason[:200]
    current.version += 1
    _by(current, actor)
    current.save(update_fields=["voided_at", "voided_by", "void_reason", "version", "updated_at"])
    audit.record_for(actor, _action(current, "void"), current, reason=reason)
    return current


@transaction.atomic
def implant_removal_record(
    *,
    actor: Actor,
    episode: ContraceptionEpisode,
    removed_on: date,
    card_version: int | None,
    today: date,
) -> ContraceptionEpisode:
    """登记皮下埋植取出 by the service technician who took it out: the implant's end date on
    the woman's card (the register's own service, so the card keeps its version, history and
    audit row), which closes the 到期取出 reminder."""
    if episode.method != IMPLANT_METHOD:
        raise ValidationError("只有皮下埋植可以在此登记取出")
    if episode.end is not None:
        raise ValidationError(f"该皮下埋植已于 {episode.end} 取出")
    if removed_on > today:
        raise ValidationError({"removed_on": "取出日期不能晚于今天"})
    if removed_on < episode.start:
        raise ValidationError({"removed_on": f"取出日期不能早于放置日期 {episode.start}"})
    row, _warnings = card_services.card_row_update(
        actor=actor, row=episode, values={"end": removed_on}, version=card_version
    )
    return row  # type: ignore[return-value]  # as above
