"""Data-quality pages (per township and for the county, each figure with its name list) and the
duplicate-person queue with side-by-side comparison, merge and 不是同一人 (issue 3 §8)."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from renkou.accounts.constants import Perm
from renkou.accounts.requests import SignedInRequest
from renkou.common import crypto, dicts
from renkou.common.actors import Actor
from renkou.common.forms import error_text, parse_id
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.people import duplicates, quality
from renkou.people.models import DuplicateCandidate, Person

# (label, attribute, dictionary or None) of the side-by-side comparison.
COMPARED = (
    ("姓名", "name", None),
    ("性别", "sex", "sex"),
    ("出生日期（只显示年龄）", "birth_date", None),
    ("公民身份号码", "masked_id", None),
    ("证件类型", "id_type", "document_type"),
    ("号码校验结果", "id_status_label", None),
    ("校验例外原因", "id_override_reason", None),
    ("民族", "ethnicity", "ethnicity"),
    ("婚姻状况", "marital_status", "marital_status"),
    ("初婚日期", "first_marriage_date", None),
    ("户口性质", "hukou_type", "hukou_type"),
    ("户编号", "household_code", None),
    ("与户主关系", "relationship", "relationship"),
    ("管理地代码", "unit_code", None),
    ("户籍地代码", "registered_code", None),
    ("现居住地代码", "residence_code", None),
    ("父亲", "father", None),
    ("母亲", "mother", None),
    ("配偶", "spouse", None),
    ("联系电话", "masked_phone", None),
    ("登记时间", "created", None),
)
ID_STATUS_LABELS = {
    "ok": "通过",
    "none": "无号码",
    "other": "其他证件",
    "unreadable": "无法识别",
    "check": "校验位错误",
    "birth": "出生日期不符",
    "sex": "性别不符",
}


def masked_id(person: Person) -> str:
    return crypto.mask(person.id_number)


def _quality_page(request: SignedInRequest, unit: Unit) -> HttpResponse:
    report = quality.quality_report(request.user, unit)
    context = {
        "report": report,
        "unit": unit,
        "sections": quality.sections(report.total),
        # Only the units the account may open (a village's county would answer 404).
        "crumbs": [
            a for a in unit.ancestors() if a.prefix.startswith(request.user.scope_prefix or "")
        ],
        "has_parts": unit.level < Level.VILLAGE,
    }
    return render(request, "people/quality.html", context)


@require_perm(Perm.VIEW_QUALITY)
@require_GET
def quality_home(request: SignedInRequest) -> HttpResponse:
    """The quality page of the caller's own unit (county, township or village)."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=request.user.unit_code)
    return _quality_page(request, unit)


@require_perm(Perm.VIEW_QUALITY)
@require_GET
def quality_unit(request: SignedInRequest, code: str) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    return _quality_page(request, unit)


@require_perm(Perm.VIEW_QUALITY)
@require_GET
def quality_list(request: HttpRequest, code: str) -> HttpResponse:
    """The name list behind one figure (``?check=<code>``), masked IDs only."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    check = quality.CHECKS.get(request.GET.get("check", ""))
    if check is None:
        return redirect("people:quality_unit", code=unit.code)
    page = paginate(request, quality.check_rows(request.user, unit, check))
    rows, today = list(page), timezone.localdate()
    for row in rows:
        if isinstance(row, Person):
            row.masked_id = masked_id(row)  # type: ignore[attr-defined]  # for the template
            row.age = row.age_on(today)  # type: ignore[attr-defined]  # not the birth date (masking.md)
    context = {"unit": unit, "check": check, "page": page, "rows": rows}
    return render_page(request, "people/quality_list.html", context, partial="results")


@require_perm(Perm.VIEW_QUALITY)
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", DuplicateCandidate.Status.OPEN)
    reason = request.GET.get("reason", "")
    pairs = DuplicateCandidate.objects.visible_to(request.user).select_related("first", "second")
    if status in DuplicateCandidate.Status.values:
        pairs = pairs.filter(status=status)
    if reason in DuplicateCandidate.Reason.values:
        pairs = pairs.filter(reason=reason)
    page = paginate(request, pairs.order_by("unit_code", "pk"))
    context = {
        "page": page,
        "status": status,
        "reason": reason,
        "statuses": DuplicateCandidate.Status.choices,
        "reasons": DuplicateCandidate.Reason.choices,
    }
    return render_page(request, "people/duplicate_list.html", context, partial="results")


def _pair(request: HttpRequest, pk: int) -> tuple[DuplicateCandidate, Person, Person]:
    candidate = get_visible_or_404(DuplicateCandidate, request.user, pk=pk)
    found = {
        p.pk: p
        for p in Person.objects.visible_to(request.user)
        .select_related("household", "father", "mother", "spouse")
        .filter(pk__in=(candidate.first_id, candidate.second_id))
    }
    if len(found) != 2:
        raise Http404("未找到该记录")
    return candidate, found[candidate.first_id], found[candidate.second_id]


@require_perm(Perm.VIEW_QUALITY)
@require_GET
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate, first, second = _pair(request, pk)
    context = {
        "candidate": candidate,
        "first": first,
        "second": second,
        "rows": _compare(first, second, timezone.localdate()),
        "can_merge": request.user.has_perm(Perm.MERGE_PERSON),
    }
    return render(request, "people/duplicate_detail.html", context)


def _shown(person: Person, today: date) -> tuple[dict[str, str], dict[str, str]]:
    """(display values, comparison keys) of one person. Numbers are shown masked and the
    birth date as an age (docs/masking.md); whether the two records agree is decided on the
    stored values, since two different numbers can look alike masked."""
    values = {
        "masked_id": masked_id(person),
        "masked_phone": crypto.mask(person.phone, crypto.PHONE),
        "birth_date": f"{person.age_on(today)}岁",
        "household_code": person.household.code if person.household else "",
        "created": f"{person.created_at:%Y-%m-%d}" if person.created_at else "",
        "id_status_label": "、".join(
            ID_STATUS_LABELS.get(s, s) for s in person.id_status.split(",") if s
        ),
    }
    for link in ("father", "mother", "spouse"):
        relative = getattr(person, link)
        values[link] = relative.name if relative else ""
    for _label, attr, code in COMPARED:
        if attr not in values:
            raw = getattr(person, attr)
            values[attr] = dicts.label(code, raw) if code and raw else str(raw or "")
    keys = {
        **values,
        "masked_id": person.id_index,
        "masked_phone": person.phone,
        "birth_date": str(person.birth_date),
    }
    return values, keys


def _compare(first: Person, second: Person, today: date) -> list[tuple[str, str, str, bool]]:
    (a, a_key), (b, b_key) = _shown(first, today), _shown(second, today)
    return [(label, a[attr], b[attr], a_key[attr] == b_key[attr]) for label, attr, _ in COMPARED]


@require_perm(Perm.MERGE_PERSON)
@require_POST
def duplicate_merge(request: HttpRequest, pk: int) -> HttpResponse:
    candidate, _first, _second = _pair(request, pk)
    keep = request.POST.get("keep", "")
    try:
        duplicates.duplicate_merge(
            actor=Actor.of(request), candidate=candidate, keep_id=parse_id(keep) or 0
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("people:duplicate_detail", pk=candidate.pk)
    messages.success(request, "已合并：保留所选人员，另一条记录以“重复或错误”退出。")
    return redirect("people:duplicate_list")


@require_perm(Perm.MERGE_PERSON)
@require_POST
def duplicate_distinct(request: HttpRequest, pk: int) -> HttpResponse:
    candidate, _first, _second = _pair(request, pk)
    try:
        duplicates.duplicate_mark_distinct(actor=Actor.of(request), candidate=candidate)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("people:duplicate_detail", pk=candidate.pk)
    messages.success(request, "已标记为不是同一人。")
    return redirect("people:duplicate_list")


urlpatterns = [
    path("quality/", quality_home, name="quality"),
    path("quality/<str:code>/", quality_unit, name="quality_unit"),
    path("quality/<str:code>/list/", quality_list, name="quality_list"),
    path("duplicates/", duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/", duplicate_detail, name="duplicate_detail"),
    path("duplicates/<int:pk>/merge/", duplicate_merge, name="duplicate_merge"),
    path("duplicates/<int:pk>/distinct/", duplicate_distinct, name="duplicate_distinct"),
]
