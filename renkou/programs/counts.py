"""Counts of the reproductive-health services (issue 5 items 2–3): pure selectors over a unit
code prefix and a date range, no request and no scoping — callers pass a prefix inside the
user's subtree (``renkou.geo.scope``) and scope name lists again with ``visible_to``.

``prefix`` is the unit code without trailing zero groups (county 6, township 9, village 12
digits); dates are inclusive. Records count at the woman's managing unit when they were
recorded (``unit_code``), and voided records never count. Each function returns a queryset, so
a figure and its name list are the same rows: ``.count()`` is the person-times (人次).
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from renkou.geo.scope import prefix_range
from renkou.people.models import Person
from renkou.programs.models import ContraceptionVisit, RHCheck, Supply, Treatment


def rh_checks(prefix: str, start: date, end: date) -> QuerySet[RHCheck]:
    """生殖健康检查人次: live checks dated in [start, end] of women managed within ``prefix``."""
    return (
        RHCheck.objects.live()
        .filter(checked_on__gte=start, checked_on__lte=end, **prefix_range("unit_code", prefix))
        .order_by("unit_code", "checked_on", "pk")
    )


def rh_checked_women(prefix: str, start: date, end: date) -> QuerySet[Person]:
    """生殖健康检查人数: distinct women with at least one check counted by ``rh_checks``."""
    checks = rh_checks(prefix, start, end).filter(person=OuterRef("pk"))
    return Person.objects.filter(Exists(checks)).order_by("unit_code", "name", "pk")


def treatments(
    prefix: str,
    start: date,
    end: date,
    kind: str | None = None,
    service_points: Iterable[int] | None = None,
) -> QuerySet[Treatment]:
    """妇科治疗人次 (``kind``: one ``gyn_treatment`` code, e.g. ``BLUE_OXYGEN``). With
    ``service_points`` (ServicePoint pks), sessions given at those points count too, whatever
    the woman's unit: the county centre's 蓝氧 quota is "the centre together with 柳林镇"."""
    where = Q(**prefix_range("unit_code", prefix))
    points = list(service_points or [])
    if points:
        where |= Q(service_point_id__in=points)
    rows = Treatment.objects.live().filter(where, treated_on__gte=start, treated_on__lte=end)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("unit_code", "treated_on", "pk")


def contraception_visits(prefix: str, start: date, end: date) -> QuerySet[ContraceptionVisit]:
    """避孕节育随访人次."""
    return (
        ContraceptionVisit.objects.live()
        .filter(visited_on__gte=start, visited_on__lte=end, **prefix_range("unit_code", prefix))
        .order_by("unit_code", "visited_on", "pk")
    )


def supplies(prefix: str, start: date, end: date) -> QuerySet[Supply]:
    """药具发放人次 (sum ``quantity`` for the number of units given)."""
    return (
        Supply.objects.live()
        .filter(issued_on__gte=start, issued_on__lte=end, **prefix_range("unit_code", prefix))
        .order_by("unit_code", "issued_on", "pk")
    )
