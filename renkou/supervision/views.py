"""Pages of the dated tasks (重点工作): the county gives a task to its townships with a deadline
and the evidence it asks for; each township names its responsible person, uploads photos and
documents, records the count and reports its part done; the county confirms or returns it.

Reading needs ``supervision.view`` (township and county officers, inspectors, leaders); a unit's
part outside the caller's subtree is 404. The evidence files are not for leaders (a photo may
show a person): they see the status and counts only.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.benefits.constants import MAGIC
from renkou.benefits.documents import open_document
from renkou.common import audit, dates
from renkou.common.actors import Actor
from renkou.common.forms import error_text, styled
from renkou.common.permissions import require_perm
from renkou.geo.constants import county_of, full_code
from renkou.geo.scope import NOT_FOUND, get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.supervision import selectors, services
from renkou.supervision.constants import Progress, Status
from renkou.supervision.forms import CommentForm, CountForm, EvidenceForm, ResponsibleForm, TaskForm
from renkou.supervision.models import Assignment, Evidence, StepLog

CONTENT_TYPES = {ext: content_type for _magic, ext, content_type in MAGIC}


def _label(rows: list[selectors.Row]) -> list[selectors.Row]:
    names = unit_names(r.assignment.unit_code for r in rows)
    for row in rows:
        row.unit_name = names.get(row.assignment.unit_code, row.assignment.unit_code)  # type: ignore[attr-defined]  # display only
    return rows


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """重点工作: the county's tasks with how many units are at each status; a township's own
    parts, the overdue first."""
    today = dates.today()
    tasks = list(selectors.tasks_visible(request.user))
    unit = selectors.unit_prefix(request.GET.get("unit"))
    parts = selectors.assignments_visible(request.user).filter(unit_code__startswith=unit)
    rows = _label(selectors.rows_of(parts, today))
    by_task: dict[int, Counter[str]] = {}
    for row in rows:
        by_task.setdefault(row.assignment.task_id, Counter())[row.progress] += 1
    summaries = [
        {
            "task": t,
            "counts": by_task.get(t.pk, Counter()),
            "units": sum(by_task.get(t.pk, Counter()).values()),
        }
        for t in tasks
        if t.pk in by_task
    ]
    user: Any = request.user
    mine = len(user.scope_prefix or "") > 6 or bool(unit)
    context = {
        "summaries": summaries,
        "rows": sorted(
            rows, key=lambda r: (r.progress != Progress.OVERDUE, r.assignment.task.deadline)
        ),
        "mine": mine,
        "progress": Progress,
        "can_manage": request.user.has_perm(Perm.MANAGE_TASK),
        "today": today,
    }
    return render(request, "supervision/task_list.html", context)


@require_perm(Perm.MANAGE_TASK)
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    units = selectors.townships(request.user)
    form = styled(TaskForm(request.POST or None, units=units))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                actor=Actor.of(request),
                county_code=county_of(full_code(_prefix(request))),
                units=data["units"],
                title=data["title"],
                description=data["description"],
                issued_on=data["issued_on"],
                deadline=data["deadline"],
                photos_required=data["photos_required"],
                documents_required=data["documents_required"],
                count_required=data["count_required"],
                count_label=data["count_label"],
            )
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(
                request, f"已下达重点工作“{task.title}”，共{task.assignments.count()}个责任单位"
            )
            return redirect("supervision:task_detail", task.pk)
    return render(request, "supervision/task_form.html", {"form": form})


def _prefix(request: HttpRequest) -> str:
    user: Any = request.user
    return str(user.scope_prefix or "")


def _to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(selectors.tasks_visible(request.user), request.user, pk=pk)
    rows = _label(selectors.task_rows(request.user, task, dates.today()))
    if not rows:
        raise Http404(NOT_FOUND)
    counts = Counter(r.progress for r in rows)
    context = {"task": task, "rows": rows, "counts": [(p, counts.get(p, 0)) for p in Progress]}
    return render(request, "supervision/task_detail.html", context)


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    rows = selectors.assignments_visible(request.user).select_related("task", "responsible")
    return get_visible_or_404(rows, request.user, pk=pk)


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One township's part: what is asked, what it holds, the forms of the step it is at."""
    part = _assignment(request, pk)
    row = _label(
        selectors.rows_of(
            selectors.assignments_visible(request.user).filter(pk=part.pk), dates.today()
        )
    )[0]
    user = request.user
    reports = user.has_perm(Perm.REPORT_TASK) and part.status == Status.OPEN
    context = {
        "row": row,
        "part": part,
        "task": part.task,
        "evidence": list(Evidence.objects.filter(assignment=part)),
        "steps": list(StepLog.objects.filter(assignment=part).select_related("actor")),
        "files": user.has_perm(Perm.VIEW_PERSON),
        "reports": reports,
        "reviews": user.has_perm(Perm.MANAGE_TASK) and part.status == Status.SUBMITTED,
        "evidence_form": styled(EvidenceForm()) if reports else None,
        "count_form": styled(CountForm(initial={"count": part.count_done})) if reports else None,
        "comment_form": styled(CommentForm()),
        "responsible_form": _responsible_form(request, part),
    }
    return render(request, "supervision/assignment_detail.html", context)


def _responsible_form(request: HttpRequest, part: Assignment, data: Any = None) -> Any:
    if not (request.user.has_perm(Perm.REPORT_TASK) or request.user.has_perm(Perm.MANAGE_TASK)):
        return None
    initial = {"responsible": part.responsible_id}
    return styled(ResponsibleForm(data, initial=initial, users=selectors.staff_of(part.unit_code)))


def _act(
    request: HttpRequest, part: Assignment, act: Callable[[Assignment], Any], done: str
) -> HttpResponse:
    try:
        act(part)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc, fallback="不能执行此操作"))
    else:
        messages.success(request, done)
    return redirect("supervision:assignment_detail", part.pk)


@require_perm(Perm.VIEW_SUPERVISION)
@require_POST
def responsible_set(request: HttpRequest, pk: int) -> HttpResponse:
    part = _assignment(request, pk)
    form = _responsible_form(request, part, request.POST)
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, "请从列表中选择责任人")
        return redirect("supervision:assignment_detail", part.pk)
    chosen = form.cleaned_data["responsible"]
    user = None if chosen is None else selectors.staff_member(part.unit_code, chosen)
    return _act(
        request,
        part,
        lambda a: services.responsible_set(actor=Actor.of(request), assignment=a, user=user),
        "已指定责任人",
    )


@require_perm(Perm.REPORT_TASK)
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    part = _assignment(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择类型和要上传的文件")
        return redirect("supervision:assignment_detail", part.pk)
    data = form.cleaned_data
    return _act(
        request,
        part,
        lambda a: services.evidence_add(
            actor=Actor.of(request),
            assignment=a,
            kind=data["kind"],
            upload=data["file"],
            note=data["note"],
        ),
        "已上传佐证材料",
    )


@require_perm(Perm.REPORT_TASK)
@require_POST
def count_record(request: HttpRequest, pk: int) -> HttpResponse:
    part = _assignment(request, pk)
    form = CountForm(request.POST)
    if not form.is_valid():
        messages.error(request, "已完成数量应为0到100000之间的整数")
        return redirect("supervision:assignment_detail", part.pk)
    count = form.cleaned_data["count"]
    return _act(
        request,
        part,
        lambda a: services.count_record(actor=Actor.of(request), assignment=a, count=count),
        "已保存完成数量",
    )


def _comment(request: HttpRequest) -> str:
    form = CommentForm(request.POST)
    return form.cleaned_data["comment"] if form.is_valid() else ""


@require_perm(Perm.REPORT_TASK)
@require_POST
def assignment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request)
    return _act(
        request,
        _assignment(request, pk),
        lambda a: services.submit(actor=Actor.of(request), assignment=a, comment=comment),
        "已报告完成，等待县局确认",
    )


@require_perm(Perm.MANAGE_TASK)
@require_POST
def assignment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request)
    return _act(
        request,
        _assignment(request, pk),
        lambda a: services.confirm(actor=Actor.of(request), assignment=a, comment=comment),
        "已确认完成",
    )


@require_perm(Perm.MANAGE_TASK)
@require_POST
def assignment_return(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request)
    return _act(
        request,
        _assignment(request, pk),
        lambda a: services.return_(actor=Actor.of(request), assignment=a, comment=comment),
        "已退回，请乡镇补充佐证",
    )


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """A photo or document, as an attachment (audited); not for leaders."""
    if not request.user.has_perm(Perm.VIEW_PERSON):
        raise Http404(NOT_FOUND)
    row = get_visible_or_404(Evidence.objects.all(), request.user, pk=pk)
    audit.record_request(
        request,
        action="supervision.evidence_download",
        object_type="supervision.evidence",
        object_id=row.pk,
    )
    response = FileResponse(
        open_document(row),  # Evidence has the stored-file fields of a Document
        as_attachment=True,
        filename=f"佐证材料-{row.pk}.{row.ext}",
        content_type=CONTENT_TYPES.get(row.ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
