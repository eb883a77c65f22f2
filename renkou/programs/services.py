"""Writes of the free pre-pregnancy exam (domain.md §6). Views and the demo call these.

Each write locks the couple file, checks the step's rules, saves (django-simple-history keeps
every version and who made it), brings the file's status in step with its records and writes one
audit row with ids and codes only (never a result, a finding or a name), in one transaction.

The flow [S8g]: the township confirms eligibility and issues the service notice (服务通知单) →
each spouse is examined at a designated service point → risk assessment with counselling
(general population by phone, high risk face to face) and referral → when the wife's pregnancy
is recorded, the early-pregnancy and the outcome follow-ups fall due. One free exam per couple
per planned pregnancy: a second file for the same couple and planned-pregnancy sequence is
refused (files withdrawn before any exam do not count). Consent is recorded on the file before
anything else; the service is voluntary and the couple may stop at any step.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min

from renkou.common import audit, dicts, idnumber
from renkou.common.actors import Actor
from renkou.geo.constants import PREFIX_LENGTH, Level, county_of, township_of
from renkou.geo.models import ServicePoint, Unit
from renkou.people.constants import FEMALE, MALE, MARRIED_CODES
from renkou.people.models import Person
from renkou.people.services import id_index
from renkou.programs import figures
from renkou.programs.constants import (
    EARLY_WINDOW,
    EXPECTED_DELIVERY,
    FINAL,
    LATEST_LMP,
    LIVE_BIRTH,
    OUTCOME_DICT,
    OUTCOME_GRACE,
    PRETERM_DAYS,
    RISK_DICT,
    CloseReason,
    Counselling,
    CoupleStatus,
    FollowUpKind,
    RiskCategory,
    Spouse,
    result_items,
)
from renkou.programs.models import (
    CoupleFile,
    Exam,
    ExamItem,
    FollowUp,
    RiskAssessment,
    TargetPopulation,
)

ONE_EXAM = (
    "该夫妇本次计划怀孕（第{sequence}孩）已建档（档案编号 {file_no}），"
    "每对夫妇每次计划怀孕只享受一次免费检查"
)
FINAL_MESSAGE = "该档案已结案或撤销，只能查看"
NOT_ELIGIBLE = "服务资格尚未确认：请先由乡镇计生办确认资格并发放服务通知单，再进行检查"
MAX_SEQUENCE = 10


@dataclass(frozen=True)
class ItemValue:
    """One exam item as entered: abnormal flag, result text and notes."""

    abnormal: bool = False
    result: str = ""
    notes: str = ""


def _lock(couple: CoupleFile) -> CoupleFile:
    locked = CoupleFile.objects.select_for_update().get(pk=couple.pk)
    if locked.status in FINAL:
        raise ValidationError(FINAL_MESSAGE)
    return locked


def _not_future(day: date, today: date, field: str, label: str) -> None:
    if day > today:
        raise ValidationError({field: f"{label}不能晚于今天"})


def status_of(couple: CoupleFile) -> str:
    """The status the file's records call for (closed and withdrawn files keep theirs)."""
    if couple.status in FINAL:
        return couple.status
    if couple.lmp_on is not None:
        return CoupleStatus.PREGNANT
    exams = list(couple.exams.values_list("assessment", flat=True))
    if exams:
        return CoupleStatus.ASSESSED if all(exams) else CoupleStatus.EXAMINED
    if couple.eligible_on is not None:
        return CoupleStatus.ELIGIBLE
    return CoupleStatus.FILED


def _save(couple: CoupleFile, *fields: str) -> None:
    couple.status = status_of(couple)
    couple.version += 1
    couple.save(update_fields=[*fields, "status", "version", "updated_at"])


# --- the couple file -------------------------------------------------------------------------


def _husband_keys(husband: Person | None, number: str) -> tuple[str, set[str]]:
    """(key to store, every key the same man may already be filed under). A man typed by a
    number outside the caller's reach is filed under the number; if the register holds him
    elsewhere, his record's key is among those checked too (keys only: nothing of him is read
    for display)."""
    if husband is not None:
        keys = {f"p{husband.pk}"}
        if husband.id_index:
            keys.add(f"i{husband.id_index}")
        return f"p{husband.pk}", keys
    index = id_index(number)
    held = Person.objects.filter(id_index=index).values_list("pk", flat=True)
    return f"i{index}", {f"i{index}", *(f"p{pk}" for pk in held)}


# Legal marriage ages (婚姻法 / 民法典 第一千零四十七条): a couple file is for a married couple.
MARRIAGE_AGE = {MALE: 22, FEMALE: 20}
NOT_IN_REACH = "本辖区未找到该身份证号的人员；丈夫不在本辖区人员库中的，请同时填写丈夫姓名"


def _in_reach(actor: Actor) -> Any:
    """The persons the actor may look up: the scoping chokepoint for a signed-in user; the
    whole register for the system itself (commands, demo data)."""
    user = actor.account
    return Person.objects.all() if user is None else Person.objects.visible_to(user)


def _check_wife(wife: Person, today: date) -> None:
    if wife.sex != FEMALE:
        raise ValidationError({"wife": "妻子须为女性"})
    if wife.exited_at is not None:
        raise ValidationError({"wife": "该妇女已退出人员库"})
    if wife.marital_status not in MARRIED_CODES:
        raise ValidationError({"wife": "该妇女的婚姻状况不是已婚，孕前优生检查以夫妇为服务对象"})
    if wife.age_on(today) < MARRIAGE_AGE[FEMALE]:
        raise ValidationError({"wife": "该妇女未满法定婚龄（女20周岁），请核对出生日期"})


def _check_typed(raw: str, today: date) -> str:
    """The husband's typed number, checked on its own: valid, a man's, of marriage age."""
    if not raw:
        raise ValidationError({"husband_id_number": "请填写丈夫身份证号"})
    result = idnumber.validate(raw, today=today)
    if result.info is None or result.errors:
        raise ValidationError({"husband_id_number": "丈夫身份证号无效，请核对"})
    if result.info.sex != MALE:
        raise ValidationError({"husband_id_number": "该身份证号不是男性的号码，请核对"})
    born = result.info.birth_date
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < MARRIAGE_AGE[MALE]:
        raise ValidationError({"husband_id_number": "丈夫未满法定婚龄（男22周岁），请核对"})
    return result.value


def _check_husband(
    wife: Person, husband: Person | None, name: str, raw: str, today: date, reach: Any
) -> tuple[Person | None, str]:
    """The husband from the register, or the checked name and ID number (normalised, 18
    characters) of one outside it. A man typed by ID is linked when he is within ``reach``
    (the caller's scope); outside it he is "not found" and is filed by name and number, so the
    form never tells whose number it was."""
    number = ""
    if husband is None:
        number = _check_typed(raw, today)
        found = reach.filter(id_index=id_index(number)).order_by("exited_at", "pk")
        husband = found.filter(exited_at__isnull=True).first() or found.first()
    if husband is None:
        if not name:
            raise ValidationError({"husband_id_number": NOT_IN_REACH})
        return None, number
    if husband.pk == wife.pk or husband.sex != MALE:
        raise ValidationError({"husband_id_number": "丈夫须为男性，且不能是妻子本人"})
    if husband.exited_at is not None:
        raise ValidationError({"husband_id_number": "该男子已退出人员库（或已死亡）"})
    if husband.age_on(today) < MARRIAGE_AGE[MALE]:
        raise ValidationError({"husband_id_number": "丈夫未满法定婚龄（男22周岁），请核对"})
    return husband, ""


def _next_file_no(unit_code: str, year: int) -> str:
    prefix = f"{township_of(unit_code)}{year}"
    last = CoupleFile.objects.filter(file_no__startswith=prefix).aggregate(m=Max("file_no"))["m"]
    return f"{prefix}{(int(last[13:]) + 1) if last else 1:05d}"


def _refuse_second(wife: Person, keys: set[str], sequence: int) -> None:
    files = CoupleFile.objects.filter(wife=wife).exclude(status=CoupleStatus.WITHDRAWN)
    same = files.filter(husband_key__in=keys, sequence=sequence).first()
    if same is not None:
        message = ONE_EXAM.format(sequence=sequence, file_no=same.file_no)
        raise ValidationError({"sequence": message})
    active = files.exclude(status__in=FINAL).first()
    if active is not None:
        raise ValidationError(f"该妇女已有未结案的孕前优生档案（{active.file_no}），请先结案")


@transaction.atomic
def couple_open(
    *,
    actor: Actor,
    wife: Person,
    husband: Person | None = None,
    husband_name: str = "",
    husband_id_number: str = "",
    sequence: int,
    consent_on: date,
    today: date,
) -> CoupleFile:
    """建档: open the couple's file for one planned pregnancy, with the date the couple signed
    the informed-consent form (知情同意书). Refuses a second file for the same couple and
    planned pregnancy, and a second open file of the same woman."""
    Person.objects.select_for_update().filter(pk=wife.pk).first()  # serialise per woman
    _check_wife(wife, today)
    reach = _in_reach(actor)
    husband, number = _check_husband(
        wife, husband, husband_name.strip(), husband_id_number, today, reach
    )
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValidationError({"sequence": f"计划怀孕孩次应在 1–{MAX_SEQUENCE} 之间"})
    _not_future(consent_on, today, "consent_on", "知情同意书签署日期")
    key, keys = _husband_keys(husband, number)
    _refuse_second(wife, keys, sequence)
    couple = CoupleFile(
        file_no=_next_file_no(wife.unit_code, today.year),
        unit_code=wife.unit_code,
        wife=wife,
        husband=husband,
        husband_name="" if husband else husband_name.strip(),
        husband_id_number=number,
        husband_key=key,
        sequence=sequence,
        opened_on=today,
        consent_on=consent_on,
        consent_recorded_by=actor.account,
    )
    try:
        with transaction.atomic():
            couple.save()
    except IntegrityError as exc:  # a concurrent open of the same couple or file number
        raise ValidationError("该夫妇刚刚已由他人建档，请刷新后查看") from exc
    audit.record_for(actor, "programs.couple_open", couple, summary=f"sequence={sequence}")
    return couple


@transaction.atomic
def couple_confirm(
    *, actor: Actor, couple: CoupleFile, on: date, notice_no: str, today: date
) -> CoupleFile:
    """确认资格: the township checks eligibility (a couple planning a pregnancy, floating couples
    at their residence) and issues the service notice that the exam needs."""
    locked = _lock(couple)
    if locked.eligible_on is not None:
        raise ValidationError("该档案的服务资格已确认")
    _not_future(on, today, "on", "资格确认日期")
    if on < locked.consent_on:
        raise ValidationError({"on": "资格确认日期不能早于知情同意书签署日期"})
    if not notice_no.strip():
        raise ValidationError({"notice_no": "请填写服务通知单编号"})
    locked.eligible_on, locked.eligible_by, locked.notice_no = on, actor.account, notice_no.strip()
    _save(locked, "eligible_on", "eligible_by", "notice_no")
    audit.record_for(actor, "programs.couple_confirm", locked)
    return locked


# --- exams and assessments -------------------------------------------------------------------


def _check_exam(
    couple: CoupleFile,
    spouse: str,
    examined_on: date,
    point: ServicePoint,
    items: dict[int, ItemValue],
    today: date,
) -> None:
    if couple.eligible_on is None:
        raise ValidationError(NOT_ELIGIBLE)
    if spouse not in Spouse.values:
        raise ValidationError({"spouse": "受检者只能是妻子或丈夫"})
    _not_future(examined_on, today, "examined_on", "检查日期")
    if examined_on < couple.eligible_on:
        raise ValidationError({"examined_on": "检查日期不能早于资格确认日期"})
    if county_of(point.unit_code) != county_of(couple.unit_code) or not point.is_active:
        raise ValidationError({"service_point": "请选择本县在用的服务机构"})
    allowed = {i.code for i in result_items(spouse)}
    if not items or set(items) - allowed:
        raise ValidationError("请至少录入一项检查结果（只能录入该受检者适用的项目）")


@transaction.atomic
def exam_record(
    *,
    actor: Actor,
    couple: CoupleFile,
    spouse: str,
    examined_on: date,
    service_point: ServicePoint,
    examiner: str,
    items: dict[int, ItemValue],
    today: date,
) -> Exam:
    """录入检查结果 of one spouse (a second call corrects it): the items entered replace the
    earlier ones; an item left out was not done."""
    locked = _lock(couple)
    _check_exam(locked, spouse, examined_on, service_point, items, today)
    if not examiner.strip():
        raise ValidationError({"examiner": "请填写检查医生"})
    exam = Exam.objects.filter(couple=locked, spouse=spouse).first()
    action = "exam_update" if exam else "exam_record"
    exam = exam or Exam(couple=locked, spouse=spouse, unit_code=locked.unit_code)
    exam.examined_on, exam.service_point = examined_on, service_point
    exam.examiner, exam.recorded_by = examiner.strip(), actor.account
    exam.save()
    _save_items(exam, items)
    locked.examined_on = locked.exams.aggregate(first=Min("examined_on"))["first"]
    _save(locked, "examined_on")
    audit.record_for(
        actor, f"programs.{action}", exam, summary=f"spouse={spouse} items={len(items)}"
    )
    return exam


def _save_items(exam: Exam, items: dict[int, ItemValue]) -> None:
    existing = {row.item: row for row in exam.items.all()}
    for gone in set(existing) - set(items):
        existing[gone].delete()
    for code, value in sorted(items.items()):
        row = existing.get(code) or ExamItem(exam=exam, item=code, unit_code=exam.unit_code)
        new = (value.abnormal, value.result.strip(), value.notes.strip())
        if row.pk and (row.abnormal, row.result, row.notes) == new:
            continue  # unchanged: no history row
        row.abnormal, row.result, row.notes = new
        row.save()


def _check_assessment(exam: Exam, values: dict[str, Any], today: date) -> None:
    day, category, factors = values["assessed_on"], values["category"], values["factors"]
    _not_future(day, today, "assessed_on", "评估日期")
    if day < exam.examined_on:
        raise ValidationError({"assessed_on": "评估日期不能早于检查日期"})
    if category not in RiskCategory.values:
        raise ValidationError({"category": "请选择评估结论"})
    unknown = [f for f in factors if dicts.entry(RISK_DICT, f) is None]
    if unknown:
        raise ValidationError({"factors": "风险因素不在代码表中"})
    if category == RiskCategory.HIGH and not factors:
        raise ValidationError({"factors": "高风险人群须至少选择一项风险因素"})
    if category == RiskCategory.GENERAL and factors:
        raise ValidationError({"factors": "有风险因素的应评为高风险人群"})
    _check_counselling(exam, values, today)


def _check_counselling(exam: Exam, values: dict[str, Any], today: date) -> None:
    day, how = values.get("counselled_on"), values.get("counselling", "")
    if day is not None:
        _not_future(day, today, "counselled_on", "咨询指导日期")
        if day < exam.examined_on:
            raise ValidationError({"counselled_on": "咨询指导日期不能早于检查日期"})
        if how not in Counselling.values:
            raise ValidationError({"counselling": "请选择咨询指导方式"})
    if values["category"] == RiskCategory.HIGH and how == Counselling.PHONE:
        raise ValidationError({"counselling": "高风险人群应到服务中心面对面咨询指导"})
    if values.get("referred") and not values.get("referral_to", "").strip():
        raise ValidationError({"referral_to": "转诊时请填写转诊机构"})


ASSESSMENT_FIELDS = (
    "assessed_on",
    "category",
    "details",
    "counselled_on",
    "counselling",
    "counsellor",
    "referred",
    "referral_to",
    "referral_notes",
)


@transaction.atomic
def assessment_record(
    *, actor: Actor, exam: Exam, values: dict[str, Any], today: date
) -> RiskAssessment:
    """风险评估和咨询指导 of one examined spouse (a second call corrects it). ``values``: the
    ``ASSESSMENT_FIELDS`` and ``factors`` (a list of ``preconception_risk`` codes)."""
    locked = _lock(exam.couple)
    values = {**values, "factors": sorted(set(values.get("factors") or []), key=_code_order)}
    _check_assessment(exam, values, today)
    row = RiskAssessment.objects.filter(exam=exam).first()
    action = "assessment_update" if row else "assessment_record"
    row = row or RiskAssessment(exam=exam, unit_code=exam.unit_code)
    for name in ASSESSMENT_FIELDS:
        default = None if name == "counselled_on" else False if name == "referred" else ""
        setattr(row, name, values.get(name, default))
    row.factors, row.assessed_by = ",".join(values["factors"]), actor.account
    row.save()
    _save(locked)
    audit.record_for(
        actor, f"programs.{action}", row, summary=f"exam={exam.pk} category={row.category}"
    )
    return row


def _code_order(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (1 << 30, code)


# --- pregnancy and follow-ups ----------------------------------------------------------------


def early_due(lmp_on: date) -> date:
    """The early-pregnancy follow-up is due within 12 weeks of gestation."""
    return lmp_on + EARLY_WINDOW


def outcome_due(lmp_on: date) -> date:
    """The outcome follow-up is due 6 weeks after the expected delivery (LMP + 280 days)."""
    return lmp_on + EXPECTED_DELIVERY + OUTCOME_GRACE


@transaction.atomic
def pregnancy_record(
    *, actor: Actor, couple: CoupleFile, lmp_on: date, recorded_on: date, today: date
) -> list[FollowUp]:
    """登记怀孕: the wife's pregnancy after the exam, dated by her last menstrual period; creates
    (or, before any follow-up is done, re-dates) the two follow-ups with their due dates."""
    locked = _lock(couple)
    if locked.examined_on is None:
        raise ValidationError("尚未检查的档案不能登记怀孕")
    _not_future(recorded_on, today, "recorded_on", "登记日期")
    if lmp_on > recorded_on:
        raise ValidationError({"lmp_on": "末次月经日期不能晚于登记日期"})
    if recorded_on - lmp_on > LATEST_LMP:
        raise ValidationError({"lmp_on": "末次月经距登记日期超过42周，请核实"})
    rows = {f.kind: f for f in locked.followups.all()}
    if any(f.done_on for f in rows.values()):
        raise ValidationError("已有随访记录，不能再修改怀孕信息")
    dues = {FollowUpKind.EARLY: early_due(lmp_on), FollowUpKind.OUTCOME: outcome_due(lmp_on)}
    for kind, due in dues.items():
        row = rows.get(kind) or FollowUp(couple=locked, kind=kind, unit_code=locked.unit_code)
        row.due_on = due
        row.save()
        rows[kind] = row
    locked.lmp_on, locked.pregnancy_recorded_on = lmp_on, recorded_on
    _save(locked, "lmp_on", "pregnancy_recorded_on")
    audit.record_for(actor, "programs.pregnancy_record", locked)
    return [rows[FollowUpKind.EARLY], rows[FollowUpKind.OUTCOME]]


FOLLOWUP_FIELDS = (
    "done_on",
    "method",
    "weeks",
    "outcome",
    "outcome_on",
    "birth_defect",
    "birth_weight",
    "notes",
)


def _check_outcome(values: dict[str, Any], lmp_on: date) -> None:
    outcome, day = values.get("outcome", ""), values.get("outcome_on")
    if dicts.entry(OUTCOME_DICT, outcome) is None:
        raise ValidationError({"outcome": "请选择妊娠结局"})
    if day is None:
        raise ValidationError({"outcome_on": "请填写结局日期"})
    if not lmp_on <= day <= values["done_on"]:
        raise ValidationError({"outcome_on": "结局日期应在末次月经之后、随访日期之前"})
    live = outcome == LIVE_BIRTH
    if live and (values.get("birth_weight") is None or values.get("birth_defect") is None):
        raise ValidationError({"birth_weight": "活产须填写出生体重和有无出生缺陷"})
    if not live and values.get("birth_weight") is not None:
        raise ValidationError({"birth_weight": "非活产不填写出生体重"})


def _check_followup(row: FollowUp, values: dict[str, Any], lmp_on: date, today: date) -> None:
    done = values.get("done_on")
    if done is None:
        raise ValidationError({"done_on": "请填写随访日期"})
    _not_future(done, today, "done_on", "随访日期")
    if done < lmp_on:
        raise ValidationError({"done_on": "随访日期不能早于末次月经日期"})
    if not values.get("method"):
        raise ValidationError({"method": "请选择随访方式"})
    if row.kind == FollowUpKind.OUTCOME:
        _check_outcome(values, lmp_on)


@transaction.atomic
def followup_record(
    *, actor: Actor, followup: FollowUp, values: dict[str, Any], today: date
) -> FollowUp:
    """随访: record (or correct) an early-pregnancy or outcome follow-up. The outcome
    follow-up completes the service: the file is closed as 随访完成."""
    couple = CoupleFile.objects.select_for_update().get(pk=followup.couple_id)
    if couple.status == CoupleStatus.WITHDRAWN or couple.lmp_on is None:
        raise ValidationError(FINAL_MESSAGE)
    row = FollowUp.objects.select_for_update().get(pk=followup.pk)
    _check_followup(row, values, couple.lmp_on, today)
    for name in FOLLOWUP_FIELDS:
        setattr(
            row,
            name,
            values.get(name)
            if name not in ("method", "outcome", "notes")
            else values.get(name) or "",
        )
    if row.kind == FollowUpKind.EARLY and row.weeks is None:
        row.weeks = (row.done_on - couple.lmp_on).days // 7
    if row.kind == FollowUpKind.OUTCOME:
        live = row.outcome == LIVE_BIRTH
        row.preterm = live and (row.outcome_on - couple.lmp_on).days < PRETERM_DAYS
    row.done_by = actor.account
    row.save()
    if row.kind == FollowUpKind.OUTCOME and couple.status != CoupleStatus.CLOSED:
        couple.status, couple.closed_on = CoupleStatus.CLOSED, row.done_on
        couple.close_reason = CloseReason.COMPLETED
        couple.version += 1
        couple.save(update_fields=["status", "closed_on", "close_reason", "version", "updated_at"])
    audit.record_for(actor, "programs.followup_record", row, summary=f"kind={row.kind}")
    return row


@transaction.atomic
def couple_close(
    *, actor: Actor, couple: CoupleFile, on: date, reason: str, today: date
) -> CoupleFile:
    """结案: the couple stops the service (voluntary), moved away, or no pregnancy came. A file
    closed before any exam is withdrawn (已撤销), which leaves the free exam of this planned
    pregnancy unused; after an exam it is closed."""
    locked = _lock(couple)
    if reason not in CloseReason.values or reason == CloseReason.COMPLETED:
        raise ValidationError({"reason": "请选择结案原因"})
    _not_future(on, today, "on", "结案日期")
    if on < locked.opened_on:
        raise ValidationError({"on": "结案日期不能早于建档日期"})
    examined = locked.examined_on is not None
    locked.status = CoupleStatus.CLOSED if examined else CoupleStatus.WITHDRAWN
    locked.closed_on, locked.close_reason = on, reason
    locked.version += 1
    locked.save(update_fields=["status", "closed_on", "close_reason", "version", "updated_at"])
    audit.record_for(
        actor, "programs.couple_close", locked, summary=f"reason={reason} status={locked.status}"
    )
    return locked


# --- target population -----------------------------------------------------------------------


@transaction.atomic
def target_adjust(
    *, actor: Actor, unit: Unit, year: int, adjustment: int, reason: str
) -> TargetPopulation:
    """人工调整 of a township's target population for one FP year, with its reason (the
    register cannot know every couple who plans a pregnancy). The target used is the computed
    count plus the adjustment, and may not fall below zero."""
    if unit.level != Level.TOWNSHIP:
        raise ValidationError("目标人群按乡镇调整")
    reason = reason.strip()
    if adjustment and not reason:
        raise ValidationError({"reason": "调整目标人群须填写原因"})
    computed = figures.target_population(unit.code[: PREFIX_LENGTH[Level.TOWNSHIP]], year).count()
    if computed + adjustment < 0:
        raise ValidationError({"adjustment": f"调整后目标人群不能小于0（系统计算 {computed}）"})
    row = (
        TargetPopulation.objects.select_for_update().filter(unit_code=unit.code, year=year).first()
    )
    row = row or TargetPopulation(unit_code=unit.code, year=year)
    row.adjustment, row.reason, row.updated_by = adjustment, reason, actor.account
    row.save()
    audit.record_for(
        actor,
        "programs.target_adjust",
        row,
        summary=f"unit={unit.code} year={year} adjustment={adjustment}",
    )
    return row
