"""View policies: every view declares who may call it (security.md AZ7: default deny).

``require_perm(...)`` signs the caller in, checks the role's permission and otherwise answers
403 and writes an audit row. ``signed_in`` is for pages every account may see (home, own
password). ``public`` is only for the sign-in pages. The declaration is stored on the view as
``renkou_policy`` so the authorization-matrix meta-test can find undeclared views.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from renkou.common import audit

View = Callable[..., HttpResponse]


def require_perm(*perms: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not all(request.user.has_perm(p) for p in perms):
                audit.record_request(
                    request,
                    action="authz.denied",
                    object_type="view",
                    object_id=request.resolver_match.view_name if request.resolver_match else "",
                    result="denied",
                    summary="缺少权限 " + ",".join(perms),
                )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.renkou_policy = ("perm", perms)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def signed_in(view: View) -> View:
    view.renkou_policy = ("signed_in", ())  # type: ignore[attr-defined]
    return view


def public(view: View) -> View:
    view = login_not_required(view)
    view.renkou_policy = ("public", ())  # type: ignore[attr-defined]
    return view
