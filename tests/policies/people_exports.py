"""完整导出申请 pages (renkou/people/export_views.py, security.md CR8).

Asking, approving and using a full export need the registrar's export and unmask permissions
(village, township and county staff). A request belongs to the requester's unit: staff of that
unit and the units above see it (404 elsewhere). Two object kinds: ``exportrequest`` is
someone else's pending request (the approver's view), ``approvedexport`` the caller's own
approved request (the export itself, private to the requester).
"""

from datetime import timedelta

from django.utils import timezone

from conftest import make_user
from renkou.accounts.constants import Role
from renkou.accounts.models import User
from renkou.people.models import ExportRequest
from tests.authz_policy import GET_POST, POST, C, Rule, T, V

REGISTRARS = frozenset({V, T, C})

POLICY: dict[str, Rule] = {
    "people:export_request_create": Rule(REGISTRARS, GET_POST),
    "people:export_request_list": Rule(REGISTRARS),
    "people:export_approval_list": Rule(REGISTRARS),
    "people:export_request_detail": Rule(REGISTRARS, obj="exportrequest"),
    "people:export_request_approve": Rule(REGISTRARS, POST, obj="exportrequest"),
    "people:export_request_reject": Rule(
        REGISTRARS, POST, obj="exportrequest", notes="without a note: refused with a message"
    ),
    "people:export_request_use": Rule(
        REGISTRARS, POST, obj="approvedexport", notes="the caller's own approved request; once"
    ),
}


def _staff(prefix: str, unit) -> User:
    name = f"{prefix}_{unit.code}"
    return User.objects.filter(username=name).first() or make_user(name, Role.VILLAGE_ADMIN, unit)


def pending_request(unit, user) -> int:
    """A fresh pending request of another registrar of ``unit``."""
    grant = ExportRequest.objects.create(
        requester=_staff("exporter", unit),
        unit_code=unit.code,
        filters={"unit": unit.prefix},
        reason="专项核查需要完整名单",
    )
    return grant.pk


def approved_request(unit, user) -> int:
    """A fresh request of the caller at ``unit``, approved by someone else an hour ago."""
    now = timezone.now()
    grant = ExportRequest.objects.create(
        requester=user,
        unit_code=unit.code,
        filters={"unit": unit.prefix},
        reason="专项核查需要完整名单",
        status=ExportRequest.Status.APPROVED,
        approver=_staff("approver", unit),
        decided_at=now - timedelta(hours=1),
        expires_at=now + timedelta(hours=23),
    )
    return grant.pk


PROVIDERS = {"exportrequest": pending_request, "approvedexport": approved_request}
