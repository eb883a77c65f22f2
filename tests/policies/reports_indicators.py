"""Policy of the indicator pages, name lists, targets and the indicator API
(renkou/reports/indicator_views.py, renkou/api/indicators.py).

Figures are aggregates: every role with ``reports.view_aggregate`` (the five worker roles and
leaders) sees them, for a unit of its subtree. Name lists (花名册) also need
``people.view_person``, which leaders lack. Targets are read by the same roles and entered,
changed, copied down and deleted by county officers (``reports.manage_target``). A unit or
target outside the caller's subtree is 404.
"""

from tests.authz_policy import GET_POST, LEAD, POST, WORKERS, C, Rule

VIEWERS = WORKERS | {LEAD}
MANAGERS = frozenset({C})

POLICY: dict[str, Rule] = {
    "reports:indicators": Rule(VIEWERS, notes="?unit= outside the subtree is 404 (tested)"),
    "reports:balance": Rule(VIEWERS, notes="?unit= outside the subtree is 404"),
    "reports:indicator_list": Rule(
        WORKERS, obj="unit", notes="without ?indicator= redirects to the page"
    ),
    "reports:target_list": Rule(VIEWERS),
    "reports:target_create": Rule(MANAGERS, GET_POST),
    "reports:target_edit": Rule(MANAGERS, GET_POST, obj="target"),
    "reports:target_copy": Rule(
        MANAGERS, POST, obj="target", notes="a township target answers with a message, not a copy"
    ),
    "reports:target_delete": Rule(MANAGERS, POST, obj="target"),
    "unit-indicators": Rule(VIEWERS, obj="unit"),
}


def _target_in(unit, user) -> int:
    """A target of ``unit`` (created again after a POST deleted it)."""
    from renkou.reports.models import Target

    target, _ = Target.objects.get_or_create(
        unit_code=unit.code,
        year=2025,
        indicator="natural_growth_rate",
        defaults={"direction": Target.Direction.AT_MOST, "value": "9.31"},
    )
    return target.pk


PROVIDERS = {"target": _target_in}
