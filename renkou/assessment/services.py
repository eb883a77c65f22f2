"""Writes of the task quotas (任务指标): set, copy to every township, delete. County officers only
(``assessment.manage_quota``, checked by the views); every write leaves an audit row and a
history row in the same transaction."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from renkou.assessment import documents, scoring, sources, template
from renkou.assessment import measures as M
from renkou.assessment.models import (
    CountyFigure,
    Deduction,
    Letter,
    ManualScore,
    Scheme,
    SchemeItem,
    ScoreSnapshot,
    TaskQuota,
    TownshipTarget,
)
from renkou.common import audit
from renkou.common.actors import Actor
from renkou.common.figures import AT_LEAST, AT_MOST
from renkou.geo.constants import Level, county_of
from renkou.geo.models import ServicePoint, Unit

MAX_PERCENT = Decimal(100)


def _n(value: Any) -> str:
    """A number without trailing zeros (5.00 → 5, 0.30 → 0.3)."""
    return f"{Decimal(str(value)).normalize():f}"


def _record(actor: Actor, action: str, quota: TaskQuota, summary: str) -> None:
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action=f"assessment.{action}",
        object_type="assessment.taskquota",
        object_id=quota.pk or "",
        summary=summary,
    )


def _check(unit: Unit, year: int, measure: str, target: Decimal, deadline: date) -> None:
    if unit.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise ValidationError("任务指标下达到县或乡镇")
    if measure not in M.QUOTA_MEASURES:
        raise ValidationError({"measure": "该项目不能作为任务指标"})
    span = M.period(year)
    if not span.start <= deadline:
        raise ValidationError({"deadline": f"完成期限应在{span.start:%Y-%m-%d}之后"})
    if target <= 0:
        raise ValidationError({"target": "目标值应大于0"})
    if M.MEASURES[measure].is_rate and target > MAX_PERCENT:
        raise ValidationError({"target": "比例目标不能超过100%"})
    if not M.MEASURES[measure].is_rate and target != target.to_integral():
        raise ValidationError({"target": "人次目标应为整数"})


@transaction.atomic
def quota_set(
    *,
    actor: Actor,
    unit: Unit,
    year: int,
    measure: str,
    target: Decimal,
    deadline: date,
    veto: bool,
    service_points: Iterable[ServicePoint] = (),
    note: str = "",
) -> TaskQuota:
    """Set (create or change) one unit's quota of a measure for an FP year. Service points
    count only toward count quotas (treatments given there, whatever the woman's unit)."""
    _check(unit, year, measure, target, deadline)
    points = list(service_points)
    if points and M.MEASURES[measure].is_rate:
        raise ValidationError({"service_points": "比例指标不按服务机构计数"})
    quota = (
        TaskQuota.objects.select_for_update()
        .filter(unit_code=unit.code, year=year, measure=measure)
        .first()
    )
    created = quota is None
    quota = quota or TaskQuota(unit_code=unit.code, year=year, measure=measure)
    quota.target, quota.deadline, quota.veto = target, deadline, veto
    quota.note, quota.updated_by = note.strip(), actor.account
    quota.save()
    quota.service_points.set(points)
    summary = (
        f"unit={unit.code} year={year} measure={measure} target={target} "
        f"deadline={deadline} veto={int(veto)} points={[p.pk for p in points]}"
    )
    _record(actor, "quota_create" if created else "quota_change", quota, summary)
    return quota


@transaction.atomic
def quota_copy_to_townships(*, actor: Actor, quota: TaskQuota) -> list[TaskQuota]:
    """Copy a quota (target, deadline, veto; not its service points) to every current
    township of its county that has no quota of that measure and year yet; returns the
    copies."""
    county = county_of(quota.unit_code)
    taken = set(
        TaskQuota.objects.filter(
            year=quota.year, measure=quota.measure, unit_code__startswith=county
        ).values_list("unit_code", flat=True)
    )
    townships = Unit.objects.current().filter(level=Level.TOWNSHIP, code__startswith=county)
    made = []
    for township in townships.exclude(code__in=taken).order_by("code"):
        made.append(
            quota_set(
                actor=actor,
                unit=township,
                year=quota.year,
                measure=quota.measure,
                target=quota.target,
                deadline=quota.deadline,
                veto=quota.veto,
                note=quota.note,
            )
        )
    return made


@transaction.atomic
def quota_delete(*, actor: Actor, quota: TaskQuota) -> None:
    summary = f"unit={quota.unit_code} year={quota.year} measure={quota.measure}"
    _record(actor, "quota_delete", quota, summary)
    quota.delete()


# --- assessment schemes (考核方案), manual scores, deductions, frozen results ----

MAX_POINTS = Decimal(1000)
# Counts of births are never a target of a unit's work (no birth quotas: the product's ethics
# line); rates of the whole population (growth rate, compliance, sex ratio) are.
NOT_TARGETS = frozenset(
    {"births", "births_male", "births_female", "births_parity1", "births_parity2", "births_parity3"}
)


def _draft(scheme: Scheme) -> None:
    if not scheme.is_draft:
        raise ValidationError("方案已发布，不能修改；如需调整，请复制为新草稿")


def _add_items(scheme: Scheme, rows: Iterable[dict[str, Any]]) -> None:
    bulk_create_with_history([SchemeItem(scheme=scheme, **row) for row in rows], SchemeItem)


@transaction.atomic
def scheme_create(
    *, actor: Actor, county: Unit, year: int, level: str, name: str, from_template: bool
) -> Scheme:
    """A new draft scheme of the county for the year, empty or from the 国优 template (which
    carries the notice to check it against the province's document)."""
    if county.level != Level.COUNTY:
        raise ValidationError("考核方案由县级制定")
    if level not in Scheme.Level.values:
        raise ValidationError({"level": "考核对象无效"})
    name = name.strip() or (template.NAME if from_template else "")
    if not name:
        raise ValidationError({"name": "请填写方案名称"})
    scheme = Scheme.objects.create(
        unit_code=county.code,
        year=year,
        level=level,
        name=name,
        notice=template.NOTICE if from_template else "",
        updated_by=actor.account,
    )
    if from_template:
        _add_items(scheme, template.items())
    summary = f"county={county.code} year={year} level={level} template={int(from_template)}"
    audit.record_for(actor, "assessment.scheme_create", scheme, summary=summary)
    return scheme


@transaction.atomic
def scheme_copy(*, actor: Actor, scheme: Scheme, year: int) -> Scheme:
    """A new draft for ``year`` with the items of ``scheme`` (e.g. last year's, published)."""
    copy = Scheme.objects.create(
        unit_code=scheme.unit_code,
        year=year,
        level=scheme.level,
        name=scheme.name,
        notice=scheme.notice,
        based_on=scheme,
        updated_by=actor.account,
    )
    fields = ("number", "group", "name", "points", "source", "code", "target", "direction")
    rows = [
        {**{f: getattr(i, f) for f in fields}, "rule": i.rule, "standard": i.standard}
        for i in scheme.items.order_by("number")
    ]
    _add_items(copy, rows)
    copied = {i.number: i for i in copy.items.all()}
    own = [
        TownshipTarget(
            item=copied[t.item.number],
            unit_code=t.unit_code,
            target=t.target,
            reason=t.reason,
            updated_by=actor.account,
        )
        for t in TownshipTarget.objects.filter(item__scheme=scheme).select_related("item")
    ]
    bulk_create_with_history(own, TownshipTarget)
    audit.record_for(
        actor,
        "assessment.scheme_copy",
        copy,
        summary=f"from={scheme.pk} year={year} items={len(rows)}",
    )
    return copy


@transaction.atomic
def scheme_rename(*, actor: Actor, scheme: Scheme, name: str, notice: str) -> Scheme:
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _draft(scheme)
    if not name.strip():
        raise ValidationError({"name": "请填写方案名称"})
    scheme.name, scheme.notice, scheme.updated_by = name.strip(), notice.strip(), actor.account
    scheme.save(update_fields=["name", "notice", "updated_by", "updated_at"])
    audit.record_for(
        actor, "assessment.scheme_rename", scheme, summary=f"notice_kept={int(bool(scheme.notice))}"
    )
    return scheme


def check_item(
    *,
    points: Decimal,
    source: str,
    code: str,
    target: Decimal | None,
    direction: str,
    rule: Any,
) -> None:
    """Every rule of one item: a known source and code, never a count of births, a valid
    direction and points, and a well-formed scoring rule (``scoring.check_rule``)."""
    labels = sources.labels()
    if source not in labels:
        raise ValidationError({"source": "数据来源无效"})
    if source != sources.MANUAL:
        if code in NOT_TARGETS:
            raise ValidationError({"code": "出生人数不能作为考核目标（不下达生育指标）"})
        kind = sources.kinds()[source]
        if code not in dict(kind.choices()):
            raise ValidationError({"code": f"“{labels[source]}”中没有该指标"})
        if isinstance(rule, dict) and rule.get("type") == scoring.POINTS:
            raise ValidationError({"rule": "直接评分只用于人工评分项"})
    if direction not in (AT_LEAST, AT_MOST):
        raise ValidationError({"direction": "方向须为不低于或不高于"})
    try:
        scoring.check_rule(rule, points=points, target=target)
    except ValidationError as exc:
        raise ValidationError({"rule": exc.messages}) from exc
    if not 0 <= points <= MAX_POINTS:
        raise ValidationError({"points": f"分值须在0到{MAX_POINTS}之间"})


@transaction.atomic
def item_save(
    *,
    actor: Actor,
    scheme: Scheme,
    item: SchemeItem | None = None,
    number: int,
    group: str,
    name: str,
    points: Decimal,
    source: str,
    code: str,
    target: Decimal | None,
    direction: str,
    rule: dict[str, Any],
    standard: str = "",
) -> SchemeItem:
    """Add or change one item of a draft scheme; nothing is saved unless every rule holds."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _draft(scheme)
    if rule.get("type") == scoring.BONUS and "cap" in rule:
        points = Decimal(str(rule["cap"])) if _is_number(rule["cap"]) else points
    code = "" if source == sources.MANUAL else code
    check_item(
        points=points, source=source, code=code, target=target, direction=direction, rule=rule
    )
    taken = scheme.items.filter(number=number).exclude(pk=getattr(item, "pk", None))
    if taken.exists():
        raise ValidationError({"number": f"序号{number}已被使用"})
    if not name.strip() or not group.strip():
        raise ValidationError({"name": "请填写类别和考核内容"})
    created = item is None
    item = item or SchemeItem(scheme=scheme)
    item.number, item.group, item.name, item.points = number, group.strip(), name.strip(), points
    item.source, item.code, item.target, item.direction = source, code, target, direction
    item.rule, item.standard = rule, standard.strip()
    item.save()
    summary = (
        f"scheme={scheme.pk} number={number} source={source} code={code} target={target} "
        f"direction={direction} points={points} rule={rule.get('type')} "
        f"veto={int(bool(rule.get('veto')))}"
    )
    audit.record_for(
        actor,
        "assessment.item_create" if created else "assessment.item_change",
        item,
        summary=summary,
    )
    return item


def _is_number(value: Any) -> bool:
    try:
        Decimal(str(value))
    except (ArithmeticError, ValueError):
        return False
    return not isinstance(value, bool)


@transaction.atomic
def item_delete(*, actor: Actor, item: SchemeItem) -> None:
    scheme = Scheme.objects.select_for_update().get(pk=item.scheme_id)
    _draft(scheme)
    audit.record_for(
        actor, "assessment.item_delete", item, summary=f"scheme={scheme.pk} number={item.number}"
    )
    item.delete()


@transaction.atomic
def scheme_publish(*, actor: Actor, scheme: Scheme) -> Scheme:
    """Lock a draft and give it the next version number of its county, year and level. Every
    item is checked again (a source removed since, a rule edited by hand)."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _draft(scheme)
    items = list(scheme.items.all())
    if not items:
        raise ValidationError("方案没有考核指标，不能发布")
    for item in items:
        try:
            check_item(
                points=item.points,
                source=item.source,
                code=item.code,
                target=item.target,
                direction=item.direction,
                rule=item.rule,
            )
        except ValidationError as exc:
            raise ValidationError(f"第{item.number}项：{'；'.join(exc.messages)}") from exc
    same = Scheme.objects.filter(
        unit_code=scheme.unit_code, year=scheme.year, level=scheme.level, version__isnull=False
    )
    scheme.version = (max(same.values_list("version", flat=True), default=0) or 0) + 1
    scheme.status, scheme.published_at = Scheme.Status.PUBLISHED, timezone.now()
    scheme.updated_by = actor.account
    scheme.save()
    audit.record_for(
        actor,
        "assessment.scheme_publish",
        scheme,
        summary=f"version={scheme.version} items={len(items)}",
    )
    return scheme


@transaction.atomic
def scheme_delete(*, actor: Actor, scheme: Scheme) -> None:
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _draft(scheme)
    audit.record_for(
        actor,
        "assessment.scheme_delete",
        scheme,
        summary=f"year={scheme.year} level={scheme.level}",
    )
    scheme.delete()


def _published(scheme: Scheme) -> None:
    if scheme.is_draft:
        raise ValidationError("方案尚未发布，不能评分")


def _assessed(scheme: Scheme, unit: Unit) -> None:
    county = county_of(scheme.unit_code)
    wanted = Level.COUNTY if scheme.level == Scheme.Level.COUNTY else Level.TOWNSHIP
    if unit.level != wanted or not unit.code.startswith(county):
        raise ValidationError("该单位不是本方案的考核对象")


@transaction.atomic
def manual_score_set(
    *,
    actor: Actor,
    item: SchemeItem,
    unit: Unit,
    value: Decimal,
    reason: str,
    evidence: Any = None,
) -> ManualScore:
    """An assessor's value for a manual item of one unit, with the reason and optional
    evidence (checked and stored as the benefit documents are)."""
    scheme = item.scheme
    _published(scheme)
    _assessed(scheme, unit)
    if item.source != sources.MANUAL:
        raise ValidationError("该项由系统自动计算，不能人工评分")
    if not reason.strip():
        raise ValidationError({"reason": "请填写评分依据"})
    if item.rule.get("type") == scoring.POINTS and not 0 <= value <= item.points:
        raise ValidationError({"value": f"评定得分须在0到{_n(item.points)}之间"})
    if value < 0:
        raise ValidationError({"value": "评定值不能小于0"})
    row = ManualScore.objects.select_for_update().filter(
        item=item, unit_code=unit.code
    ).first() or ManualScore(item=item, unit_code=unit.code)
    if evidence is not None:
        row.evidence, row.evidence_ext, row.evidence_sha256, _size = documents.store(evidence)
    row.value, row.reason, row.entered_by = value, reason.strip(), actor.account
    row.save()
    summary = f"scheme={scheme.pk} item={item.number} unit={unit.code} value={value}"
    audit.record_for(
        actor,
        "assessment.manual_score",
        row,
        summary=summary + f" evidence={int(bool(row.evidence))}",
    )
    return row


@transaction.atomic
def deduction_add(
    *,
    actor: Actor,
    scheme: Scheme,
    unit: Unit,
    points: Decimal,
    reason: str,
    item: SchemeItem | None = None,
) -> Deduction:
    _published(scheme)
    _assessed(scheme, unit)
    if points <= 0 or points > MAX_POINTS:
        raise ValidationError({"points": "扣分须大于0"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写扣分原因"})
    if item is not None and item.scheme_id != scheme.pk:
        raise ValidationError({"item": "该指标不属于本方案"})
    row = Deduction.objects.create(
        scheme=scheme,
        unit_code=unit.code,
        item=item,
        points=points,
        reason=reason.strip(),
        entered_by=actor.account,
    )
    summary = f"scheme={scheme.pk} unit={unit.code} points={points}"
    audit.record_for(actor, "assessment.deduction_add", row, summary=summary)
    return row


@transaction.atomic
def deduction_withdraw(*, actor: Actor, deduction: Deduction, reason: str) -> Deduction:
    row = Deduction.objects.select_for_update().get(pk=deduction.pk)
    if row.withdrawn_reason:
        raise ValidationError("该扣分已撤销")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销原因"})
    row.withdrawn_reason = reason.strip()
    row.save(update_fields=["withdrawn_reason"])
    audit.record_for(
        actor,
        "assessment.deduction_withdraw",
        row,
        summary=f"scheme={row.scheme_id} unit={row.unit_code}",
    )
    return row


@transaction.atomic
def scores_freeze(*, actor: Actor, scheme: Scheme, on: date, reason: str) -> ScoreSnapshot:
    """Freeze every unit's sheet as of ``on`` (a new version; the first is the year's final
    score, each later one a re-score with its reason)."""
    from renkou.assessment import sheets

    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _published(scheme)
    if not reason.strip():
        raise ValidationError({"reason": "请填写定格说明（如：年终考核定格、复核重新计分的原因）"})
    data = [sheets.as_data(s) for s in sheets.compute(scheme, on, fresh=True)]
    version = (max(scheme.snapshots.values_list("version", flat=True), default=0) or 0) + 1
    snap = ScoreSnapshot.objects.create(
        scheme=scheme,
        version=version,
        as_of=on,
        reason=reason.strip(),
        data=data,
        frozen_by=actor.account,
    )
    audit.record_for(
        actor,
        "assessment.scores_freeze",
        snap,
        summary=f"scheme={scheme.pk} version={version} as_of={on}",
    )
    return snap


# --- responsibility letters (目标管理责任书) ----------------------------------------------------


def _township_of_scheme(scheme: Scheme, unit: Unit) -> None:
    if scheme.level != Scheme.Level.TOWNSHIP:
        raise ValidationError("县级自查方案不签订乡镇责任书")
    if unit.level != Level.TOWNSHIP or not unit.code.startswith(county_of(scheme.unit_code)):
        raise ValidationError({"unit": "请选择本县的乡镇"})


@transaction.atomic
def township_target_set(
    *, actor: Actor, item: SchemeItem, unit: Unit, target: Decimal, reason: str
) -> TownshipTarget:
    """Set one township's own target for an item of a draft township scheme, with the reason
    (its letter states it; its score sheet scores against it)."""
    scheme = Scheme.objects.select_for_update().get(pk=item.scheme_id)
    _draft(scheme)
    _township_of_scheme(scheme, unit)
    if item.target is None:
        raise ValidationError({"item": "该指标没有目标值，不能按乡镇调整"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写调整理由"})
    if target < 0:
        raise ValidationError({"target": "目标值不能小于0"})
    if item.code in NOT_TARGETS:
        raise ValidationError({"item": "出生人数不能作为考核目标（不下达生育指标）"})
    try:
        scoring.check_rule(item.rule, points=item.points, target=target)
    except ValidationError as exc:
        raise ValidationError({"target": exc.messages}) from exc
    row = TownshipTarget.objects.select_for_update().filter(
        item=item, unit_code=unit.code
    ).first() or TownshipTarget(item=item, unit_code=unit.code)
    created = row.pk is None
    before = row.target
    row.target, row.reason, row.updated_by = target, reason.strip(), actor.account
    row.save()
    summary = (
        f"scheme={scheme.pk} item={item.number} unit={unit.code} "
        f"target={_n(item.target if created else before)}->{_n(target)}"
    )
    audit.record_for(
        actor, "assessment.township_target_set", row, summary=summary, reason=row.reason
    )
    return row


@transaction.atomic
def township_target_delete(*, actor: Actor, row: TownshipTarget) -> None:
    """Back to the scheme's target for that township (a draft only)."""
    scheme = Scheme.objects.select_for_update().get(pk=row.item.scheme_id)
    _draft(scheme)
    audit.record_for(
        actor,
        "assessment.township_target_delete",
        row,
        summary=f"scheme={scheme.pk} item={row.item.number} unit={row.unit_code}",
    )
    row.delete()


@transaction.atomic
def letters_issue(
    *, actor: Actor, scheme: Scheme, county_signatory: str, issued_on: date, wording: str
) -> list[Letter]:
    """Issue the letters of a published township scheme to every current township of its
    county that has none yet, in one action; returns the new letters."""
    from renkou.assessment import sheets

    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_draft:
        raise ValidationError("方案尚未发布，不能签订责任书；请先发布方案")
    if scheme.level != Scheme.Level.TOWNSHIP:
        raise ValidationError("县级自查方案不签订乡镇责任书")
    if not county_signatory.strip():
        raise ValidationError({"county_signatory": "请填写甲方（县）签字人"})
    if not wording.strip():
        raise ValidationError({"wording": "请填写责任书正文"})
    published = timezone.localtime(scheme.published_at).date() if scheme.published_at else None
    if published and issued_on < published:
        raise ValidationError(
            {"issued_on": f"签订日期不能早于方案发布日期（{published:%Y-%m-%d}）"}
        )
    taken = set(scheme.letters.values_list("unit_code", flat=True))
    townships = [u for u in sheets.subjects(scheme) if u.code not in taken]
    if not townships:
        raise ValidationError("本方案已向全部乡镇签订责任书")
    letters = [
        Letter(
            scheme=scheme,
            unit_code=u.code,
            wording=wording.strip(),
            county_signatory=county_signatory.strip(),
            issued_on=issued_on,
            issued_by=actor.account,
        )
        for u in townships
    ]
    bulk_create_with_history(letters, Letter, default_user=actor.account)
    audit.record_for(
        actor,
        "assessment.letters_issue",
        scheme,
        summary=f"scheme={scheme.pk} issued_on={issued_on} townships={len(letters)}",
        rows=len(letters),
    )
    return list(scheme.letters.filter(unit_code__in=[u.code for u in townships]))


@transaction.atomic
def letter_acknowledge(*, actor: Actor, letter: Letter, township_signatory: str) -> Letter:
    """The township confirms its letter in the system (who, when, its signatory)."""
    row = Letter.objects.select_for_update().get(pk=letter.pk)
    if row.acknowledged_at is not None:
        raise ValidationError("该责任书已确认")
    if not township_signatory.strip():
        raise ValidationError({"township_signatory": "请填写乙方（乡镇）签字人"})
    row.township_signatory = township_signatory.strip()
    row.acknowledged_at, row.acknowledged_by = timezone.now(), actor.account
    row.save(update_fields=["township_signatory", "acknowledged_at", "acknowledged_by"])
    audit.record_for(
        actor,
        "assessment.letter_acknowledge",
        row,
        summary=f"scheme={row.scheme_id} unit={row.unit_code}",
    )
    return row


# --- the prefecture's other counties (地区各县市对比) ------------------------------------------


def check_county_figure(
    county: Unit, year: int, county_name: str, measure: str, value: Decimal
) -> dict[str, str]:
    """Why a figure is refused, by field (empty: accepted)."""
    from renkou.assessment import ranking

    errors: dict[str, str] = {}
    name = county_name.strip()
    if not name:
        errors["county_name"] = "请填写县（市）名称"
    elif name == county.name:
        errors["county_name"] = "本县的数值由系统计算，不需录入"
    if measure not in dict(ranking.measures()):
        errors["measure"] = "没有该指标"
    if value < 0:
        errors["value"] = "数值不能小于0"
    if not 2000 <= year <= 2100:
        errors["year"] = "年度无效"
    return errors


@transaction.atomic
def county_figure_set(
    *,
    actor: Actor,
    county: Unit,
    year: int,
    county_name: str,
    measure: str,
    value: Decimal,
    note: str = "",
) -> CountyFigure:
    """Enter (or correct) one figure of another county of the prefecture."""
    if county.level != Level.COUNTY:
        raise ValidationError("地区各县市对比数据由县级录入")
    errors = check_county_figure(county, year, county_name, measure, value)
    if errors:
        raise ValidationError(errors)
    row, created = CountyFigure.objects.select_for_update().get_or_create(
        unit_code=county.code,
        year=year,
        county_name=county_name.strip(),
        measure=measure,
        defaults={"value": value, "note": note.strip(), "entered_by": actor.account},
    )
    if not created:
        row.value, row.note, row.entered_by = value, note.strip(), actor.account
        row.save()
    audit.record_for(
        actor,
        "assessment.county_figure_set",
        row,
        summary=f"year={year} measure={measure} value={_n(value)} created={int(created)}",
    )
    return row


@transaction.atomic
def county_figure_delete(*, actor: Actor, figure: CountyFigure) -> None:
    audit.record_for(
        actor,
        "assessment.county_figure_delete",
        figure,
        summary=f"year={figure.year} measure={figure.measure}",
    )
    figure.delete()


@transaction.atomic
def county_figures_import(
    *, actor: Actor, county: Unit, year: int, rows: list[dict[str, Any]]
) -> list[CountyFigure]:
    """Every row of a checked import file (``assessment.county_import.read``) at once: all or
    none (the file was refused before this if any row was bad)."""
    saved = [
        county_figure_set(
            actor=actor,
            county=county,
            year=year,
            county_name=r["county_name"],
            measure=r["measure"],
            value=r["value"],
            note=r.get("note", ""),
        )
        for r in rows
    ]
    audit.record_for(
        actor,
        "assessment.county_figures_import",
        CountyFigure,
        summary=f"year={year}",
        rows=len(saved),
    )
    return saved
