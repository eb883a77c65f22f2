"""Annual re-confirmation (年审) pages for county officers (``benefits.review`` +
``benefits.manage_rule``), and the benefit figures with their name lists (issue 6 item 7)."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from renkou.accounts.constants import Perm
from renkou.benefits import amounts, figures, reconfirm, tasks
from renkou.benefits.constants import ChangeDecision, ChangeKind
from renkou.benefits.forms import DecideForm, ReconfirmForm, UnitYearForm
from renkou.benefits.models import Change, Reconfirmation
from renkou.common import audit, crypto, dates, jobs
from renkou.common.actors import Actor
from renkou.common.forms import error_text
from renkou.common.htmx import render_page
from renkou.common.models import JobProgress
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.constants import full_code
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.people.models import Person

COUNTY_REVIEW = (Perm.REVIEW_BENEFIT, Perm.MANAGE_BENEFIT_RULE)


@require_perm(*COUNTY_REVIEW)
@require_GET
def reconfirmation_list(request: HttpRequest) -> HttpResponse:
    rows = Reconfirmation.objects.visible_to(request.user).order_by("-year", "-pk")
    form = ReconfirmForm(initial={"year": dates.today().year})
    return render(
        request,
        "benefits/reconfirmation_list.html",
        {"page": paginate(request, rows), "form": form},
    )


@require_perm(*COUNTY_REVIEW)
@require_POST
def reconfirmation_build(request: HttpRequest) -> HttpResponse:
    """Build (or rebuild) the year's change list from the register as of today, on the
    background worker (it reads the whole register): the 后台任务 page shows its progress and
    the list shows the result when it is done."""
    form = ReconfirmForm(request.POST)
    if not form.is_valid():
        messages.warning(request, "请填写年度")
        return redirect("benefits:reconfirmation_list")
    year, prefix = form.cleaned_data["year"], request.user.scope_prefix or ""
    job = jobs.start(
        task=tasks.build_reconfirmation,
        kind=tasks.KIND,
        title=f"{year} 年度年审变动清单",
        owner=request.user,
        unit_code=prefix,
        owner_id=request.user.pk,
        prefix=prefix,
        year=year,
        as_of=dates.today().isoformat(),
        ip=getattr(request, "client_ip", ""),
    )
    job.refresh_from_db()  # a worker that runs at once (the tests') has finished it already
    if job.status == JobProgress.Status.FAILED:
        messages.warning(request, job.message)
        return redirect("benefits:reconfirmation_list")
    if job.status == JobProgress.Status.DONE:
        built = Reconfirmation.objects.visible_to(request.user).filter(year=year).first()
        messages.success(request, job.message + "，请逐条确认。")
        return redirect("benefits:reconfirmation_detail", pk=built.pk)
    messages.info(
        request,
        "已提交后台生成变动清单（需读取全部登记信息，约需一分钟）；"
        "可在“后台任务”查看进度，完成后在本列表中打开。",
    )
    return redirect("benefits:reconfirmation_list")


def _reconfirmation(request: HttpRequest, pk: int) -> Reconfirmation:
    return get_visible_or_404(Reconfirmation, request.user, pk=pk)


@require_perm(*COUNTY_REVIEW)
@require_GET
def reconfirmation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = _reconfirmation(request, pk)
    kind = request.GET.get("kind", "")
    changes = Change.objects.visible_to(request.user).filter(reconfirmation=row)
    if kind:
        changes = changes.filter(kind=kind)
    page = paginate(request, changes.select_related("program", "person"))
    names = unit_names(c.unit_code for c in page.object_list)
    for c in page.object_list:
        c.unit_name = names.get(c.unit_code, "")  # type: ignore[attr-defined]  # display value for the template
        c.yuan = amounts.yuan(c.year_fen)  # type: ignore[attr-defined]  # display value for the template
    audit.record_request(
        request, action="benefits.view", object_type="benefits.reconfirmation", object_id=row.pk
    )
    context = {
        "rc": row,
        "page": page,
        "kinds": ChangeKind.choices,
        "kind": kind,
        "pending": row.changes.filter(decision=ChangeDecision.PENDING).count(),
        "continuing_yuan": amounts.yuan(row.summary.get("continuing_fen", 0)),
        "draft": row.state == Reconfirmation.State.DRAFT,
    }
    return render_page(request, "benefits/reconfirmation_detail.html", context, partial="results")


@require_perm(*COUNTY_REVIEW)
@require_POST
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_visible_or_404(Change, request.user, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.warning(request, "请选择确认或不予采纳")
    else:
        try:
            reconfirm.change_decide(
                actor=Actor.of(request),
                change=change,
                accept=form.cleaned_data["accept"] == "1",
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.warning(request, error_text(exc, fallback="无权办理"))
    return redirect("benefits:reconfirmation_detail", pk=change.reconfirmation_id)


@require_perm(*COUNTY_REVIEW)
@require_POST
def reconfirmation_accept_all(request: HttpRequest, pk: int) -> HttpResponse:
    row = _reconfirmation(request, pk)
    try:
        count = reconfirm.change_accept_all(actor=Actor.of(request), reconfirmation=row)
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc, fallback="无权办理"))
    else:
        messages.success(request, f"已确认 {count} 条。")
    return redirect("benefits:reconfirmation_detail", pk=row.pk)


@require_perm(*COUNTY_REVIEW)
@require_POST
def reconfirmation_apply(request: HttpRequest, pk: int) -> HttpResponse:
    row = _reconfirmation(request, pk)
    try:
        stopped = reconfirm.reconfirmation_apply(actor=Actor.of(request), reconfirmation=row)
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc, fallback="无权办理"))
    else:
        messages.success(request, f"年审已生效，停止享受 {stopped} 人。")
    return redirect("benefits:reconfirmation_detail", pk=row.pk)


# --- figures (item 7) --------------------------------------------------------------------------


def _unit_year(request: HttpRequest) -> tuple[Unit, str, int]:
    form = UnitYearForm(request.GET or None)
    prefix = form.value("unit", request.user.scope_prefix or "")
    unit = get_visible_or_404(Unit.objects.current(), request.user, prefix=prefix)
    return unit, unit.prefix, form.value("year", dates.today().year)


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def figure_overview(request: HttpRequest) -> HttpResponse:
    """利益导向指标: the unit's figures and one row per unit one level down, with links to the
    name lists (workers only)."""
    unit, prefix, year = _unit_year(request)
    today = dates.today()
    length = 9 if len(prefix) == 6 else 12
    rows = figures.table(prefix, year, today, length) if len(prefix) < 12 else {}
    names = unit_names(full_code(k) for k in rows)
    context = {
        "unit": unit,
        "prefix": prefix,
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "total": figures.evaluate(prefix, year, today),
        "rows": [(k, names.get(full_code(k), k), v) for k, v in rows.items()],
        "can_list": request.user.has_perm(Perm.VIEW_PERSON),
    }
    return render(request, "benefits/figures.html", context)


LISTS = {
    ("coverage", "n"): "在享对象",
    ("coverage", "d"): "在享对象及全覆盖名单",
    ("payment_rate", "n"): "本年度按时足额发放的对象",
    ("payment_rate", "d"): "本年度列入发放清册的对象",
}


def _people(code: str, side: str, prefix: str, year: int, today: date) -> list[dict]:
    day = figures.day_of(year, today)
    if code == "coverage":
        held = [
            {"person": b.person, "program": b.program.name, "unit": b.unit_code}
            for b in figures.in_force(prefix, day)
        ]
        if side == "n":
            return held
        listed = figures.screened(prefix, day)
        people = Person.objects.in_bulk([pk for pk, _unit, _name in listed])
        return held + [
            {"person": people[pk], "program": name, "unit": unit}
            for pk, unit, name in listed
            if pk in people
        ]
    rows = figures.paid_in_full if side == "n" else figures.confirmed
    return [
        {"person": b.person, "program": b.program.name, "unit": b.unit_code}
        for b in rows(prefix, year)
    ]


@require_perm(Perm.VIEW_PERSON)
@require_GET
def figure_names(request: HttpRequest, code: str) -> HttpResponse:
    """花名册 behind a figure (``?side=n|d&unit=&year=``): scoped, masked, audited."""
    side = request.GET.get("side", "n")
    if (code, side) not in LISTS:
        raise Http404("没有这个名单")
    unit, prefix, year = _unit_year(request)
    rows = _people(code, side, prefix, year, dates.today())
    visible = set(
        Person.objects.visible_to(request.user)
        .filter(pk__in=[r["person"].pk for r in rows])
        .values_list("pk", flat=True)
    )
    rows = [r for r in rows if r["person"].pk in visible]
    audit.record_request(
        request,
        action="benefits.figure_names",
        object_type="benefits.figure",
        object_id=code,
        summary=f"{side} {prefix} {year}",
        row_count=len(rows),
    )
    page = paginate(request, rows)
    names = unit_names(r["unit"] for r in page.object_list)
    for r in page.object_list:
        r["unit_name"] = names.get(r["unit"], "")
        r["id_masked"] = crypto.mask(r["person"].id_number)
    context = {
        "page": page,
        "title": LISTS[(code, side)],
        "unit": unit,
        "year": year,
        "code": code,
        "side": side,
    }
    return render_page(request, "benefits/figure_names.html", context, partial="results")
