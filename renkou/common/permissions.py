"""View policies: every view declares who may call it (security.md AZ7: default deny).

``require_perm(...)`` signs the caller in, checks the role's permission and otherwise answers
403 and writes an audit row. ``signed_in`` is for pages every account may see (home, own
password). ``public`` is only for the sign-in pages. The declaration is stored on the view as
``renkou_policy`` so the authorization-matrix meta-test can find undeclared views.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from renkou.common import audit

# A view keeps its own signature through these decorators (its request type among them).
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def require_perm(*perms: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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

        wrapper.renkou_policy = ("perm", perms)  # type: ignore[attr-defined]  # read by the authz test
        return cast(View, wrapper)

    return decorator


def signed_in[V: Callable[..., HttpResponseBase]](view: V) -> V:
    view.renkou_policy = ("signed_in", ())  # type: ignore[attr-defined]  # as above
    return view


def public[V: Callable[..., HttpResponseBase]](view: V) -> V:
    view = login_not_required(view)
    view.renkou_policy = ("public", ())  # type: ignore[attr-defined]  # as above
    return view
