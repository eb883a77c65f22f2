"""Policy of the statutory and county tables (renkou/reports/table_views.py).

Tables are aggregate figures: every worker and the leader (``reports.view_aggregate``). A
cell's name list needs ``people.view_person`` (no leader) and a unit in the caller's subtree.
Submitting and the submission overview need ``reports.submit_report`` (township and county
officers); returning a submission is for the county only.
"""

from django.utils import timezone

from tests.authz_policy import LEAD, POST, WORKERS, C, Rule, T

SUBMITTERS = frozenset({T, C})

POLICY: dict[str, Rule] = {
    "reports:table_list": Rule(WORKERS | {LEAD}),
    "reports:table_view": Rule(WORKERS | {LEAD}),
    "reports:table_xlsx": Rule(WORKERS | {LEAD}),
    "reports:table_pdf": Rule(WORKERS | {LEAD}, POST, notes="queues the PDF on the worker"),
    "reports:table_drill": Rule(WORKERS, obj="unit", notes="name list of one cell"),
    "reports:table_status": Rule(SUBMITTERS),
    "reports:table_submit": Rule(SUBMITTERS, POST, notes="the caller's own unit only"),
    "reports:table_return": Rule(
        frozenset({C}), POST, obj="submission", notes="township officers hold submit_report: 403"
    ),
}


def _submission(unit, user) -> int:
    """A fresh submitted (locked) version of 国人口统1表 for ``unit``: the latest one, so a
    return is allowed."""
    from renkou.reports.models import TableSubmission

    key = {"unit_code": unit.code, "table": "gr1", "period": "2024", "scope": "R"}
    last = TableSubmission.objects.filter(**key).order_by("-version").first()
    row = TableSubmission.objects.create(
        **key,
        version=(last.version + 1) if last else 1,
        submitted_by=user,
        submitted_at=timezone.now(),
        cells={},
    )
    return row.pk


PROVIDERS = {"submission": _submission}
