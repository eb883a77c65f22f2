"""Beneficiary ledger and payment pages (issue 6 item 6).

Beneficiaries and their ledger are read by workers with person access; the account is
recorded by village/township staff (``benefits.apply``), masked on every page and never in a
URL or log. Rolls, the bank file, results and the reconciliation belong to the finance staff
(``benefits.pay``): the full account and ID numbers leave only in the bank file, downloaded by
POST (it marks the roll as sent) and audited with its row count.
"""

import io
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.benefits import amounts, payments, selectors
from renkou.benefits.constants import BeneficiaryStatus, LineStatus, Period, RollState
from renkou.benefits.forms import AccountForm, LineFilterForm, ResultForm, RollForm, UnitYearForm
from renkou.benefits.models import Beneficiary, PaymentRoll, Program
from renkou.common import audit, crypto, dates, xlsx
from renkou.common.actors import Actor, ConflictError
from renkou.common.conflicts import conflict_page
from renkou.common.forms import error_text, parse_int
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.constants import full_code, township_of
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import side_tree, unit_names
from renkou.people.importing.files import FileRefused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _paid_programs() -> list[Program]:
    return list(
        Program.objects.filter(is_active=True).exclude(period__in=[Period.NONE, Period.ONE_OFF])
    )


# --- beneficiaries and the ledger --------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON)
@require_GET
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    """享受对象台账: entitlements within the unit, with the account shown masked."""
    prefix = selectors.unit_prefix(request.user, request.GET.get("unit", ""))
    program, status = request.GET.get("program", ""), request.GET.get("status", "")
    rows = selectors.beneficiaries(request.user, prefix=prefix, program=program, status=status)
    page = paginate(request, rows)
    names = unit_names(b.unit_code for b in page.object_list)
    for b in page.object_list:
        b.unit_name = names.get(b.unit_code, "")  # type: ignore[attr-defined]  # display value for the template
        b.account_masked = crypto.mask(b.account, crypto.ACCOUNT)  # type: ignore[attr-defined]  # display value for the template
    context = {
        "page": page,
        "tree": side_tree(request.user, prefix),
        "prefix": prefix,
        "programs": _paid_programs(),
        "statuses": BeneficiaryStatus.choices,
        "program": program,
        "status": status,
    }
    return render_page(request, "benefits/beneficiary_list.html", context, partial="results")


@require_perm(Perm.VIEW_PERSON)
@require_GET
def beneficiary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One beneficiary's ledger: every roll line (period, amount, result) and the payments."""
    b = _beneficiary(request, pk)
    audit.record_request(
        request, action="benefits.view", object_type="benefits.beneficiary", object_id=b.pk
    )
    lines = b.lines.select_related("roll", "roll__program").order_by("roll__starts_on", "serial")
    ledger = list(b.ledger.select_related("roll").order_by("paid_on", "pk"))
    context = {
        "b": b,
        "lines": lines,
        "ledger": ledger,
        "ledger_fen": sum(e.fen for e in ledger),
        "account_masked": crypto.mask(b.account, crypto.ACCOUNT),
        "id_masked": crypto.mask(b.person.id_number),
        "can_edit": request.user.has_perm(Perm.APPLY_BENEFIT),
        "form": AccountForm(initial={"version": b.version}),
        "failed": b.lines.filter(status=LineStatus.FAILED).count(),
    }
    return render(request, "benefits/beneficiary_detail.html", context)


def _beneficiary(request: HttpRequest, pk: int) -> Beneficiary:
    rows = Beneficiary.objects.select_related("program", "person", "application")
    return get_visible_or_404(rows, request.user, pk=pk)


@require_perm(Perm.APPLY_BENEFIT)
@require_POST
def beneficiary_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or correct the 一卡通 account (failed payments then go into the next roll)."""
    b = _beneficiary(request, pk)
    form = AccountForm(request.POST)
    if not form.is_valid():
        messages.warning(request, "请填写一卡通账号")
        return redirect("benefits:beneficiary_detail", pk=b.pk)
    try:
        payments.account_record(
            actor=Actor.of(request),
            beneficiary=b,
            account=form.cleaned_data["account"],
            bank=form.cleaned_data["bank"],
            version=form.cleaned_data["version"] or 0,
        )
    except ConflictError as exc:
        return conflict_page(request, exc, reverse("benefits:beneficiary_detail", args=[b.pk]))
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc, fallback="无权办理"))
    else:
        messages.success(request, "账号已登记。")
    return redirect("benefits:beneficiary_detail", pk=b.pk)


# --- rolls ---------------------------------------------------------------------------------


@require_perm(Perm.PAY_BENEFIT)
@require_http_methods(["GET", "POST"])
def roll_list(request: HttpRequest) -> HttpResponse:
    """发放清册: the rolls of the caller's unit and the form for a new one."""
    programs = _paid_programs()
    form = RollForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        program = next(p for p in programs if p.code == form.cleaned_data["program"])
        try:
            roll = payments.roll_create(
                actor=Actor.of(request),
                program=program,
                period_code=form.cleaned_data["period"],
                today=dates.today(),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc, fallback="无权办理"))
        else:
            messages.success(request, f"已生成清册，{roll.line_count} 人。")
            return redirect("benefits:roll_detail", pk=roll.pk)
    rolls = PaymentRoll.objects.visible_to(request.user).select_related("program")
    return render(
        request, "benefits/roll_list.html", {"page": paginate(request, rolls), "form": form}
    )


def _roll(request: HttpRequest, pk: int) -> PaymentRoll:
    return get_visible_or_404(PaymentRoll.objects.select_related("program"), request.user, pk=pk)


def _version(request: HttpRequest) -> int:
    """The roll's version the page was opened with; a page without one is stale (0)."""
    return parse_int(request.POST.get("version")) or 0


def _stale(request: HttpRequest, roll: PaymentRoll, exc: ConflictError) -> HttpResponse:
    return conflict_page(request, exc, reverse("benefits:roll_detail", args=[roll.pk]))


@require_perm(Perm.PAY_BENEFIT)
@require_GET
def roll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roll = _roll(request, pk)
    form = LineFilterForm(
        request.GET or None, townships=selectors.roll_townships(request.user, roll)
    )
    page = paginate(request, selectors.roll_lines(request.user, roll, **form.values()))
    names = unit_names(line.unit_code for line in page.object_list)
    for line in page.object_list:
        line.unit_name = names.get(line.unit_code, "")  # type: ignore[attr-defined]  # display value for the template
        line.account_masked = crypto.mask(line.account or line.beneficiary.account, crypto.ACCOUNT)  # type: ignore[attr-defined]  # display value for the template
    audit.record_request(
        request, action="benefits.view", object_type="benefits.paymentroll", object_id=roll.pk
    )
    context = {
        "roll": roll,
        "form": form,
        "page": page,
        "missing": payments.missing_accounts(roll).count(),
        "span": amounts.span(roll.period),
        "imports": roll.imports.all(),
        "result_form": ResultForm(),
        "States": RollState,
    }
    return render_page(request, "benefits/roll_detail.html", context, partial="results")


@require_perm(Perm.PAY_BENEFIT)
@require_POST
def roll_lock(request: HttpRequest, pk: int) -> HttpResponse:
    roll = _roll(request, pk)
    try:
        payments.roll_lock(actor=Actor.of(request), roll=roll, version=_version(request))
    except ConflictError as exc:
        return _stale(request, roll, exc)
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc, fallback="无权办理"))
    else:
        messages.success(request, "清册已锁定，可以下载银行文件。")
    return redirect("benefits:roll_detail", pk=roll.pk)


@require_perm(Perm.PAY_BENEFIT)
@require_POST
def roll_delete(request: HttpRequest, pk: int) -> HttpResponse:
    roll = _roll(request, pk)
    try:
        payments.roll_delete(actor=Actor.of(request), roll=roll, version=_version(request))
    except ConflictError as exc:
        return _stale(request, roll, exc)
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc, fallback="无权办理"))
        return redirect("benefits:roll_detail", pk=roll.pk)
    messages.success(request, "草稿清册已删除。")
    return redirect("benefits:roll_list")


@require_perm(Perm.PAY_BENEFIT)
@require_POST
def roll_close(request: HttpRequest, pk: int) -> HttpResponse:
    roll = _roll(request, pk)
    try:
        payments.roll_close(actor=Actor.of(request), roll=roll, version=_version(request))
    except ConflictError as exc:
        return _stale(request, roll, exc)
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc, fallback="无权办理"))
    else:
        messages.success(request, "清册已结账。")
    return redirect("benefits:roll_detail", pk=roll.pk)


@require_perm(Perm.PAY_BENEFIT)
@require_POST
def roll_bank_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank file (.xlsx in the bank's layout, docs/benefits.md) with full ID and account
    numbers; POST because it reports the roll as sent; audited with its row count."""
    roll = _roll(request, pk)
    if roll.state == RollState.DRAFT:
        messages.warning(request, "请先锁定清册")
        return redirect("benefits:roll_detail", pk=roll.pk)
    if roll.state == RollState.CLOSED:
        # A closed roll was paid and reconciled: its full numbers are not sent out again.
        messages.warning(request, "清册已结账，不能再下载银行文件；如需核对请查看对账结果。")
        return redirect("benefits:roll_detail", pk=roll.pk)
    townships = unit_names(
        {full_code(township_of(line)) for line in roll.lines.values_list("unit_code", flat=True)}
    )
    rows = payments.bank_rows(roll, {township_of(code): name for code, name in townships.items()})
    buffer = io.BytesIO()
    workbook, sheet, text = xlsx.open_sheet(buffer, "发放清册", payments.BANK_COLUMNS)
    for i, row in enumerate(rows, 1):
        values = [
            row.serial,
            row.name,
            row.id_number,
            row.account,
            payments.yuan(row.fen),
            row.program,
            row.township,
            row.note,
        ]
        xlsx.write_row(sheet, i, values, text)
    workbook.close()
    try:
        payments.roll_mark_sent(
            actor=Actor.of(request), roll=roll, rows=len(rows), version=_version(request)
        )
    except ConflictError as exc:
        return _stale(request, roll, exc)
    except (ValidationError, PermissionDenied) as exc:  # changed meanwhile (closed, moved)
        messages.warning(request, error_text(exc, fallback="无权办理"))
        return redirect("benefits:roll_detail", pk=roll.pk)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"发放清册-{roll.program.name}-{roll.period}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_perm(Perm.PAY_BENEFIT)
@require_http_methods(["GET", "POST"])
def roll_results(request: HttpRequest, pk: int) -> HttpResponse:
    """导入银行结果: all rows or none; bad rows listed with row and column."""
    roll = _roll(request, pk)
    form = ResultForm(
        request.POST or None, request.FILES or None, initial={"version": roll.version}
    )
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = _import(request, roll, upload)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            context = {"roll": roll, "form": form, "errors": [], "error_count": 0}
            return render(request, "benefits/roll_results.html", context, status=409)
        except payments.ResultRefused as exc:
            errors = exc.errors
            form.add_error(None, exc.messages[0])
        except (FileRefused, ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc, fallback="无权办理"))
        else:
            if outcome.duplicate:
                messages.info(request, "该文件已经导入过，未做任何修改。")
            else:
                messages.success(
                    request, f"已导入：成功 {outcome.paid} 人，失败 {outcome.failed} 人。"
                )
            return redirect("benefits:roll_detail", pk=roll.pk)
    context = {"roll": roll, "form": form, "errors": errors[:500], "error_count": len(errors)}
    return render(request, "benefits/roll_results.html", context)


def _import(request: HttpRequest, roll: PaymentRoll, upload: Any) -> payments.ResultOutcome:
    suffix = Path(upload.name).suffix.lower()[:5]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"result{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return payments.results_import(
            actor=Actor.of(request),
            roll=roll,
            path=path,
            name=upload.name,
            today=dates.today(),
            version=_version(request),
        )


@require_perm(Perm.PAY_BENEFIT)
@require_GET
def roll_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    """对账: this roll by township, lines against results against the ledger, to the fen."""
    roll = _roll(request, pk)
    report = payments.reconcile(roll)
    names = unit_names(full_code(r.key) for r in report.rows)
    for row in report.rows:
        row.name = names.get(full_code(row.key), row.key)  # type: ignore[attr-defined]  # display value for the template
    return render(request, "benefits/roll_reconcile.html", {"roll": roll, "report": report})


@require_perm(Perm.PAY_BENEFIT)
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    """年度对账: every roll of the year by programme and township (the county totals)."""
    form = UnitYearForm(request.GET or None)
    prefix = request.user.scope_prefix or ""
    year = form.value("year", dates.today().year)
    reports = payments.reconcile_year(prefix, year)
    names = unit_names(full_code(r.key) for report in reports.values() for r in report.rows)
    for report in reports.values():
        for row in report.rows:
            row.name = names.get(full_code(row.key), row.key)  # type: ignore[attr-defined]  # display value for the template
    years = list(range(dates.today().year, dates.today().year - 5, -1))
    context = {"reports": reports, "year": year, "years": years}
    return render(request, "benefits/reconciliation.html", context)
