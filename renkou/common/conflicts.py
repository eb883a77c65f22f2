"""The page of a refused stale action (409, security.md RL1).

Forms that edit a record show the conflict above the form they send back (person, card rows,
补正). Buttons that move a record on (approve, lock a roll, close it) have no form to send
back: they get this page, which says nothing was done and links to the record as it is now.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from renkou.common.actors import ConflictError
from renkou.common.forms import error_text


def conflict_page(request: HttpRequest, exc: ConflictError, back: str) -> HttpResponse:
    """409 with the conflict's message and a link to reload ``back`` (the record's page)."""
    context = {"message": str(exc), "back": back}
    return render(request, "errors/conflict.html", context, status=409)


def act_then_back(
    request: HttpRequest, act: Callable[[], object], back: str, done: str
) -> HttpResponse:
    """A button's action, then back to ``back`` (the record's page) with ``done`` or the reason
    it was refused; a stale action gets the conflict page instead."""
    try:
        act()
    except ConflictError as exc:
        return conflict_page(request, exc, back)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc, fallback="不能执行此操作"))
    else:
        messages.success(request, done)
    return redirect(back)
