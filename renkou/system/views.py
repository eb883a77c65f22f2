"""System pages: the home page per role and the administrators' lists."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from renkou.accounts.constants import Perm, Role
from renkou.accounts.models import LoginLog, User, UserSession
from renkou.accounts.permissions import require_perm, signed_in
from renkou.common.htmx import render_page
from renkou.common.models import AuditEntry, DictType, JobProgress
from renkou.geo.constants import Level
from renkou.geo.models import Unit

HOME_TEMPLATES = {
    Role.SYS_ADMIN: "system/home_admin.html",
    Role.SEC_ADMIN: "system/home_admin.html",
    Role.AUDIT_ADMIN: "system/home_admin.html",
}


def _page(request: HttpRequest, rows: object) -> object:
    size = request.GET.get("size", "10")
    size_n = int(size) if size in {"10", "20", "30", "50"} else 10
    return Paginator(rows, size_n).get_page(request.GET.get("page"))


@signed_in
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = Unit.objects.current().visible_to(user)
    context = {
        "townships": units.filter(level=Level.TOWNSHIP).count(),
        "villages": units.filter(level=Level.VILLAGE).count(),
        "recent_logins": LoginLog.objects.filter(user=user).order_by("-ts")[:5],
    }
    return render(request, HOME_TEMPLATES.get(user.role, "system/home.html"), context)


@require_perm(Perm.MANAGE_USER)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.visible_to(request.user).select_related("unit").order_by("username")
    return render_page(request, "system/user_list.html", {"page": _page(request, users)},
                       partial="results")  # fmt: skip


@require_perm(Perm.MANAGE_DICT)
@require_GET
def dict_list(request: HttpRequest) -> HttpResponse:
    types = DictType.objects.all()
    return render_page(request, "system/dict_list.html", {"page": _page(request, types)},
                       partial="results")  # fmt: skip


@require_perm(Perm.MANAGE_SECURITY)
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    rows = UserSession.objects.select_related("user", "user__unit")
    return render_page(request, "system/session_list.html", {"page": _page(request, rows)},
                       partial="results")  # fmt: skip


@require_perm(Perm.VIEW_LOGIN_LOG)
@require_GET
def loginlog_list(request: HttpRequest) -> HttpResponse:
    rows = LoginLog.objects.all()
    return render_page(request, "system/loginlog_list.html", {"page": _page(request, rows)},
                       partial="results")  # fmt: skip


@require_perm(Perm.VIEW_AUDIT_LOG)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    rows = AuditEntry.objects.all()
    return render_page(request, "system/audit_list.html", {"page": _page(request, rows)},
                       partial="results")  # fmt: skip


@require_perm(Perm.VIEW_JOBS)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    rows = JobProgress.objects.filter(owner_id=request.user.pk)
    return render_page(request, "system/job_list.html", {"page": _page(request, rows)},
                       partial="results")  # fmt: skip
