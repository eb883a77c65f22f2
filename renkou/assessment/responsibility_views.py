"""Pages of the 领导责任档案 (issue 14 item 7): the county's townships with this year's 包乡领导,
and each township's record: per year its 包乡领导, total score, rank and vetoes (the frozen
result, else the live score), and the dated entries the county records. Aggregates and staff
names only (``assessment.view_assessment``: leaders too, a township its own record); entries
are recorded by those who make the schemes (``assessment.manage_scheme``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from renkou.accounts.constants import Perm
from renkou.assessment import responsibility
from renkou.assessment.forms import ResponsibilityEntryForm
from renkou.common import dates
from renkou.common.actors import Actor
from renkou.common.forms import styled
from renkou.common.permissions import require_perm
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def responsibility_list(request: HttpRequest) -> HttpResponse:
    """领导责任档案: every township of the caller's subtree with this year's 包乡领导."""
    rows = responsibility.townships(request.user)
    return render(request, "assessment/responsibility_list.html", {"rows": rows})


def _township(request: HttpRequest, code: str) -> Unit:
    return get_visible_or_404(
        Unit.objects.current().filter(level=Level.TOWNSHIP), request.user, code=code
    )


def _page(request: HttpRequest, township: Unit, form: ResponsibilityEntryForm) -> HttpResponse:
    context = {
        "township": township,
        "years": responsibility.record(township, dates.today()),
        "entries": list(responsibility.entries(request.user, township)),
        "form": styled(form) if request.user.has_perm(Perm.MANAGE_SCHEME) else None,
    }
    return render(request, "assessment/responsibility_detail.html", context)


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def responsibility_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A township's record: per year its 包乡领导 and result, and the county's entries."""
    township = _township(request, code)
    return _page(request, township, ResponsibilityEntryForm(initial={"on": dates.today()}))


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def responsibility_entry_add(request: HttpRequest, code: str) -> HttpResponse:
    township = _township(request, code)
    form = ResponsibilityEntryForm(request.POST)
    if form.is_valid():
        try:
            responsibility.responsibility_entry_add(
                actor=Actor.of(request), township=township, **form.cleaned_data
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "已记入领导责任档案")
            return redirect("assessment:responsibility_detail", township.code)
    return _page(request, township, form)
