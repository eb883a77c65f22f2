"""Policy of the dashboard pages (renkou/reports/dashboard_views.py): the dashboard, the big
screen and its JSON. Aggregates only, so every role with ``reports.view_aggregate`` (the five
worker roles and leaders) may open them; the three administrators may not. The ``unit``
parameter is a query parameter, not part of the URL: the matrix calls them without it (the
caller's own unit); the out-of-scope 404 is tested in renkou/reports/tests/test_dashboard.py.
"""

from tests.authz_policy import LEAD, WORKERS, Rule

VIEWERS = WORKERS | {LEAD}

POLICY: dict[str, Rule] = {
    "reports:dashboard": Rule(VIEWERS),
    "reports:dashboard_data": Rule(VIEWERS, notes="JSON for the big screen; no personal data"),
    "reports:bigscreen": Rule(VIEWERS),
    "reports:dashboard_services": Rule(VIEWERS, notes="coverage figures and quota progress"),
    "reports:dashboard_benefits": Rule(VIEWERS, notes="benefit coverage, payment rate, money"),
}
