"""The API's error answers: ``{"detail": "…"}`` in Chinese, and the same words for a record that
does not exist and one outside the caller's unit subtree (existence never leaks): the text of
the scoping chokepoint, not Django's English "No Unit matches the given query."."""

from typing import Any

from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from renkou.geo.scope import NOT_FOUND


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = NotFound(NOT_FOUND)
    return drf_exception_handler(exc, context)
