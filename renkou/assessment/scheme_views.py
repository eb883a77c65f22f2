"""Pages of the target-responsibility assessment (目标管理责任制考核): schemes (draft, edit,
publish, copy), the county board with every township's live score, each unit's score sheet
explaining every point, manual scores, deductions and the frozen year-end results.

Schemes, boards and sheets hold aggregates only (``assessment.view_assessment``: township and
county officers, inspectors, leaders); a
township's account sees its own township's sheet and row of the board only; the name lists
behind a figure link only for accounts that may read persons. Drafts are seen by those who
make schemes (``assessment.manage_scheme``); manual scores, deductions and freezing need
``assessment.assess`` (county officers, inspectors).
"""

import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.assessment import documents, exports, letters, services, sheets, sources
from renkou.assessment.models import Deduction, Letter, ManualScore, Scheme, SchemeItem
from renkou.assessment.scheme_forms import (
    CopyForm,
    DeductionForm,
    ItemForm,
    LettersIssueForm,
    ManualForm,
    OnForm,
    ReasonForm,
    SchemeCreateForm,
    SchemeRenameForm,
    TownshipTargetForm,
)
from renkou.common import audit, dates, xlsx
from renkou.common.actors import Actor
from renkou.common.forms import styled
from renkou.common.periods import fp_year_of
from renkou.common.permissions import require_perm
from renkou.geo.constants import Level, county_of, full_code, township_of
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names

NOT_FOUND = "未找到该考核方案"


def _schemes(user: Any) -> Any:
    """The schemes the account may see: its county's, drafts only for scheme makers."""
    found = Scheme.objects.visible_to(user)
    if not user.has_perm(Perm.MANAGE_SCHEME):
        found = found.filter(status=Scheme.Status.PUBLISHED)
    return found


def _scheme(request: HttpRequest, pk: int) -> Scheme:
    return get_visible_or_404(_schemes(request.user), request.user, pk=pk)


def _draft_scheme(request: HttpRequest, pk: int) -> Scheme:
    return get_visible_or_404(
        Scheme.objects.filter(status=Scheme.Status.DRAFT), request.user, pk=pk
    )


def _county(request: HttpRequest) -> Unit:
    prefix = county_of(request.user.scope_prefix or "")
    return get_visible_or_404(Unit.objects.current(), request.user, code=full_code(prefix))


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _on(request: HttpRequest) -> date:
    form = OnForm(request.GET or None)
    if form.is_bound and form.is_valid() and form.cleaned_data["on"]:
        return form.cleaned_data["on"]
    return dates.today()


# --- schemes -----------------------------------------------------------------------------------


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    """考核方案: every scheme of the caller's county, newest year first."""
    year = fp_year_of(dates.today())
    can_manage = request.user.has_perm(Perm.MANAGE_SCHEME)
    context = {
        "schemes": list(_schemes(request.user).order_by("-year", "level", "-version", "-pk")),
        "can_manage": can_manage,
        "form": SchemeCreateForm(initial={"year": year, "level": Scheme.Level.TOWNSHIP}),
    }
    return render(request, "assessment/scheme_list.html", context)


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def scheme_create(request: HttpRequest) -> HttpResponse:
    form = SchemeCreateForm(request.POST)
    if form.is_valid():
        try:
            scheme = services.scheme_create(
                actor=Actor.of(request), county=_county(request), **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "方案草稿已建立，请逐项核对后发布。")
            return redirect("assessment:scheme_detail", scheme.pk)
    context = {"schemes": list(_schemes(request.user)), "can_manage": True, "form": form}
    return render(request, "assessment/scheme_list.html", context)


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """一个方案: items by group with source, target, rule and veto; drafts editable."""
    scheme = _scheme(request, pk)
    items = list(scheme.items.order_by("number"))
    labels = sources.labels()
    rows = [
        {
            "item": i,
            "source": labels.get(i.source, i.source),
            "code": sources.code_label(i.source, i.code) if i.code else "",
            "rule": sheets.scoring.describe(i.rule, i.direction),
            "veto": bool(i.rule.get("veto")),
        }
        for i in items
    ]
    maximum = sum(i.points for i in items if i.rule.get("type") != "bonus")
    context = {
        "scheme": scheme,
        "rows": rows,
        "maximum": maximum,
        "can_manage": request.user.has_perm(Perm.MANAGE_SCHEME),
        "copy_form": CopyForm(initial={"year": scheme.year + 1}),
        "rename_form": SchemeRenameForm(initial={"name": scheme.name, "notice": scheme.notice}),
        "history": list(
            scheme.history.select_related("history_user").order_by("-history_date")[:10]
        ),
        **_letters_context(request, scheme),
    }
    return render(request, "assessment/scheme_detail.html", context)


def _letters_context(request: HttpRequest, scheme: Scheme) -> dict[str, Any]:
    """The letters part of a township scheme's page: the townships' own targets (set on a
    draft), the letters issued and the form to issue the rest."""
    found = letters.section(request.user, scheme)
    if found is None:
        return {}
    can_manage = request.user.has_perm(Perm.MANAGE_SCHEME)
    target_form = issue_form = None
    if can_manage and scheme.is_draft:
        target_form = styled(
            TownshipTargetForm(scheme=scheme, townships=found.townships), small=True
        )
    if can_manage and not scheme.is_draft and found.missing:
        county = unit_names([full_code(county_of(scheme.unit_code))])
        wording = letters.default_wording(scheme, next(iter(county.values()), ""))
        issue_form = styled(
            LettersIssueForm(initial={"issued_on": dates.today(), "wording": wording})
        )
    return {"section": found, "target_form": target_form, "issue_form": issue_form}


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def scheme_rename(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _draft_scheme(request, pk)
    form = SchemeRenameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("；".join(e for errs in form.errors.values() for e in errs))
        services.scheme_rename(actor=Actor.of(request), scheme=scheme, **form.cleaned_data)
        messages.success(request, "方案名称已保存。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("assessment:scheme_detail", scheme.pk)


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def scheme_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """复制为新草稿 (last year's scheme for this year, or a published one to change it)."""
    scheme = _scheme(request, pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写有效的年度。")
        return redirect("assessment:scheme_detail", scheme.pk)
    copy = services.scheme_copy(
        actor=Actor.of(request), scheme=scheme, year=form.cleaned_data["year"]
    )
    messages.success(request, f"已复制为{copy.year}年度草稿。")
    return redirect("assessment:scheme_detail", copy.pk)


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _draft_scheme(request, pk)
    try:
        scheme = services.scheme_publish(actor=Actor.of(request), scheme=scheme)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"方案已发布（第{scheme.version}版），不能再修改。")
    return redirect("assessment:scheme_detail", scheme.pk)


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def scheme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _draft_scheme(request, pk)
    services.scheme_delete(actor=Actor.of(request), scheme=scheme)
    messages.success(request, "草稿已删除。")
    return redirect("assessment:scheme_list")


# --- items -------------------------------------------------------------------------------------


def _item_save(request: HttpRequest, form: ItemForm, scheme: Scheme, item: Any) -> Any:
    data = form.cleaned_data
    source, _, code = data["source"].partition(":")
    try:
        return services.item_save(
            actor=Actor.of(request),
            scheme=scheme,
            item=item,
            number=data["number"],
            group=data["group"],
            name=data["name"],
            points=data["points"],
            source=source,
            code=code,
            target=data["target"],
            direction=data["direction"],
            rule=data["rule"],
            standard=data["standard"],
        )
    except ValidationError as exc:
        _errors(form, exc)
    return None


def _item_page(request: HttpRequest, scheme: Scheme, item: Any, form: ItemForm) -> HttpResponse:
    history = (
        list(item.history.select_related("history_user").order_by("-history_date")[:10])
        if item
        else []
    )
    context = {"scheme": scheme, "item": item, "form": form, "history": history}
    return render(request, "assessment/item_form.html", context)


@require_perm(Perm.MANAGE_SCHEME)
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _draft_scheme(request, pk)
    number = (max(scheme.items.values_list("number", flat=True), default=0) or 0) + 1
    initial = {"number": number, "rule_type": "threshold", "above": "7:3", "below": "3:7"}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _item_save(request, form, scheme, None):
        messages.success(request, "考核指标已添加。")
        return redirect("assessment:scheme_detail", scheme.pk)
    return _item_page(request, scheme, None, form)


def _item(request: HttpRequest, pk: int, item_pk: int) -> tuple[Scheme, SchemeItem]:
    scheme = _scheme(request, pk)
    item = scheme.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404(NOT_FOUND)
    return scheme, item


@require_perm(Perm.MANAGE_SCHEME)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    scheme, item = _item(request, pk, item_pk)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_of(item))
    if request.method == "POST":
        if not scheme.is_draft:
            form.add_error(None, "方案已发布，不能修改；如需调整，请复制为新草稿")
        elif form.is_valid() and _item_save(request, form, scheme, item):
            messages.success(request, "考核指标已保存。")
            return redirect("assessment:scheme_detail", scheme.pk)
    return _item_page(request, scheme, item, form)


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    scheme, item = _item(request, pk, item_pk)
    try:
        services.item_delete(actor=Actor.of(request), item=item)
        messages.success(request, "考核指标已删除。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("assessment:scheme_detail", scheme.pk)


# --- board and score sheets --------------------------------------------------------------------


def _published_scheme(request: HttpRequest, pk: int) -> Scheme:
    return get_visible_or_404(
        Scheme.objects.filter(status=Scheme.Status.PUBLISHED), request.user, pk=pk
    )


def _within(request: HttpRequest, found: list[sheets.Sheet]) -> list[sheets.Sheet]:
    """The sheets inside the caller's subtree (a township sees its own row only)."""
    return sheets.within(request.user.scope_prefix or "", found)


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """考核看板: every unit's live score as of a date, ranked (vetoed units last, with the
    reason), with a link to each sheet."""
    scheme = _published_scheme(request, pk)
    on = _on(request)
    found = _within(request, sheets.compute(scheme, on))
    sheets.with_overdue(request.user, found, on)
    context = {
        "scheme": scheme,
        "on": on,
        "sheets": found,
        "freshness": sheets.freshness(found),
        "can_assess": request.user.has_perm(Perm.ASSESS),
        "snapshots": list(scheme.snapshots.order_by("-version")),
        "freeze_form": ReasonForm(),
    }
    return render(request, "assessment/board.html", context)


def _sheet_unit(request: HttpRequest, scheme: Scheme, code: str) -> Unit:
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    wanted = Level.COUNTY if scheme.level == Scheme.Level.COUNTY else Level.TOWNSHIP
    if unit.level != wanted or not unit.code.startswith(county_of(scheme.unit_code)):
        raise Http404(NOT_FOUND)
    return unit


def _one_sheet(request: HttpRequest, pk: int, code: str) -> tuple[Scheme, Unit, date, sheets.Sheet]:
    """The published scheme, the assessed unit (scoped) and its sheet as of the chosen date,
    for the sheet page and its .xlsx."""
    scheme = _published_scheme(request, pk)
    unit = _sheet_unit(request, scheme, code)
    on = _on(request)
    found = sheets.compute(scheme, on, only=[unit.prefix])
    if not found:
        raise Http404(NOT_FOUND)
    return scheme, unit, on, found[0]


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def sheet(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """考核评分表 of one unit: every item's value, target, rule, points, evidence and veto."""
    scheme, unit, on, found = _one_sheet(request, pk, code)
    persons = request.user.has_perm(Perm.VIEW_PERSON)
    context = {
        "scheme": scheme,
        "unit": unit,
        "on": on,
        "sheet": found,
        "freshness": sheets.freshness([found]),
        "persons": persons,
        "can_assess": request.user.has_perm(Perm.ASSESS),
        "deductions": list(
            Deduction.objects.filter(scheme=scheme, unit_code=unit.code).select_related("item")
        ),
        "letter": Letter.objects.visible_to(request.user)
        .filter(scheme=scheme, unit_code=unit.code)
        .first(),
        "staff": sheets.staff_of(scheme, unit.code),
    }
    return render(request, "assessment/sheet.html", context)


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def sheet_export(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """考核评分表.xlsx of one unit as of the chosen date: the rows of its PDF (aggregates)."""
    scheme, unit, on, found = _one_sheet(request, pk, code)
    audit.record_request(
        request,
        action="assessment.sheet_export",
        object_type="assessment.scheme",
        object_id=scheme.pk,
        row_count=len(found.lines),
        summary=f"unit={unit.code} on={on}",
    )
    response = HttpResponse(exports.sheet_xlsx(found, on), content_type=xlsx.CONTENT_TYPE)
    name = f"{scheme.year}年度考核评分表-{unit.name}-{on:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _sheet_url(scheme: Scheme, unit: Unit) -> str:
    return reverse("assessment:sheet", args=[scheme.pk, unit.code])


@require_perm(Perm.ASSESS)
@require_http_methods(["GET", "POST"])
def manual_score(request: HttpRequest, pk: int, code: str, item_pk: int) -> HttpResponse:
    """人工评分: an assessor's value for a manual item of one unit, with reason and evidence."""
    scheme = _published_scheme(request, pk)
    unit = _sheet_unit(request, scheme, code)
    item = scheme.items.filter(pk=item_pk, source=sources.MANUAL).first()
    if item is None:
        raise Http404(NOT_FOUND)
    current = ManualScore.objects.filter(item=item, unit_code=unit.code).first()
    initial = {"value": current.value, "reason": current.reason} if current else {}
    form = ManualForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.manual_score_set(
                actor=Actor.of(request),
                item=item,
                unit=unit,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "评分已保存。")
            return redirect(_sheet_url(scheme, unit))
    context = {
        "scheme": scheme,
        "unit": unit,
        "item": item,
        "form": styled(form),
        "current": current,
    }
    return render(request, "assessment/manual_form.html", context)


@require_perm(Perm.ASSESS)
@require_http_methods(["GET", "POST"])
def deduction_create(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    scheme = _published_scheme(request, pk)
    unit = _sheet_unit(request, scheme, code)
    form = DeductionForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = scheme.items.filter(pk=data["item"]).first() if data["item"] else None
        try:
            services.deduction_add(
                actor=Actor.of(request),
                scheme=scheme,
                unit=unit,
                points=data["points"],
                reason=data["reason"],
                item=item,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "扣分已记录。")
            return redirect(_sheet_url(scheme, unit))
    context = {"scheme": scheme, "unit": unit, "form": styled(form)}
    return render(request, "assessment/deduction_form.html", context)


@require_perm(Perm.ASSESS)
@require_POST
def deduction_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(Deduction.objects.select_related("scheme"), request.user, pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写撤销原因")
        services.deduction_withdraw(
            actor=Actor.of(request), deduction=row, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "扣分已撤销。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(reverse("assessment:sheet", args=[row.scheme_id, row.unit_code]))


@require_perm(Perm.ASSESS)
@require_POST
def scores_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    """定格: freeze every unit's score as of today (a new version with its reason)."""
    scheme = _published_scheme(request, pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写定格说明")
        snap = services.scores_freeze(
            actor=Actor.of(request),
            scheme=scheme,
            on=dates.today(),
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"已定格第{snap.version}版考核结果。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("assessment:board", scheme.pk)


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def snapshot(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """A frozen result: the sheets as stored, whatever the register says now."""
    scheme = _published_scheme(request, pk)
    snap = scheme.snapshots.filter(version=version).first()
    if snap is None:
        raise Http404(NOT_FOUND)
    prefix = request.user.scope_prefix or ""
    rows = [r for r in snap.data if r["unit"].startswith(prefix)]
    return render(
        request, "assessment/snapshot.html", {"scheme": scheme, "snap": snap, "rows": rows}
    )


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A manual score's evidence, as an attachment (audited); not for leaders, who see
    aggregates only (a photo or document may show a person)."""
    if not request.user.has_perm(Perm.VIEW_PERSON):
        raise Http404(NOT_FOUND)
    row = get_visible_or_404(ManualScore.objects.exclude(evidence=""), request.user, pk=pk)
    audit.record_request(
        request,
        action="assessment.evidence_download",
        object_type="assessment.manualscore",
        object_id=row.pk,
    )
    response = FileResponse(
        documents.open_evidence(row.evidence),
        as_attachment=True,
        filename=f"佐证材料-{row.pk}.{row.evidence_ext}",
        content_type=documents.CONTENT_TYPES.get(row.evidence_ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """本单位考核: a township's own sheet, a county account's board, of the newest published
    scheme of the caller's county."""
    prefix = request.user.scope_prefix or ""
    level = Scheme.Level.TOWNSHIP
    scheme = (
        _schemes(request.user)
        .filter(status=Scheme.Status.PUBLISHED, level=level)
        .order_by("-year", "-version")
        .first()
    )
    if scheme is None:
        messages.info(request, "本县尚未发布考核方案。")
        return redirect("assessment:scheme_list")
    if len(prefix) >= 9:
        return redirect("assessment:sheet", scheme.pk, full_code(township_of(prefix)))
    return redirect("assessment:board", scheme.pk)


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def board_export(request: HttpRequest, pk: int) -> HttpResponse:
    """考核排名.xlsx: the board as a sheet — rank, unit, every item's points, deductions, total,
    vetoes, overdue tasks and notices — of the units the caller may see, as of the chosen date
    (aggregates only)."""
    scheme = _published_scheme(request, pk)
    on = _on(request)
    found = _within(request, sheets.compute(scheme, on))
    sheets.with_overdue(request.user, found, on)
    items = list(scheme.items.order_by("number"))
    columns = [
        ("名次", 6, False),
        ("单位", 14, True),
        *[(f"{i.number}.{i.name}", 10, False) for i in items],
        ("扣分", 8, False),
        ("总分", 8, False),
        ("一票否决", 40, True),
        ("逾期重点工作", 12, False),
        ("逾期整改", 10, False),
    ]
    buffer = io.BytesIO()
    workbook, sheet, text = xlsx.open_sheet(buffer, "考核排名", columns)
    for row, s in enumerate(found, 1):
        values = [
            s.rank,
            s.unit_name,
            *[float(ln.scored.points) for ln in s.lines],
            float(s.deducted),
            float(s.total),
            "；".join(v.text for v in s.vetoes),
            s.extra["overdue"].tasks,
            s.extra["overdue"].notices,
        ]
        xlsx.write_row(sheet, row, values, text)
    workbook.close()
    audit.record_request(
        request,
        action="assessment.board_export",
        object_type="assessment.scheme",
        object_id=scheme.pk,
        row_count=len(found),
        summary=f"on={on}",
    )
    response = HttpResponse(buffer.getvalue(), content_type=xlsx.CONTENT_TYPE)
    name = f"{scheme.year}年度考核排名-{on:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
