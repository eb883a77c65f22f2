"""The page of a refused stale action (409, security.md RL1).

Forms that edit a record show the conflict above the form they send back (person, card rows,
补正). Buttons that move a record on (approve, lock a roll, close it) have no form to send
back: they get this page, which says nothing was done and links to the record as it is now.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renkou.common.actors import ConflictError


def conflict_page(request: HttpRequest, exc: ConflictError, back: str) -> HttpResponse:
    """409 with the conflict's message and a link to reload ``back`` (the record's page)."""
    context = {"message": str(exc), "back": back}
    return render(request, "errors/conflict.html", context, status=409)
