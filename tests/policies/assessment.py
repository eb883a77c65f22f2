"""Policy of the task-quota pages (renkou/assessment/views.py).

Progress holds counts only (``reports.view_aggregate``: the worker roles and leaders); the name
lists behind the figures need ``people.view_person``; setting, copying and deleting quotas need
``assessment.manage_quota`` (county officers). Units and quotas outside the caller's subtree are
404.
"""

from datetime import date
from decimal import Decimal

from tests.authz_policy import GET_POST, LEAD, POST, WORKERS, C, Rule

COUNTY_ONLY = frozenset({C})

POLICY: dict[str, Rule] = {
    "assessment:overview": Rule(WORKERS | {LEAD}),
    "assessment:unit_progress": Rule(WORKERS | {LEAD}, obj="unit"),
    "assessment:names": Rule(WORKERS, obj="unit"),
    "assessment:quota_list": Rule(COUNTY_ONLY),
    "assessment:quota_create": Rule(COUNTY_ONLY, GET_POST),
    "assessment:quota_edit": Rule(COUNTY_ONLY, GET_POST, obj="quota"),
    "assessment:quota_copy": Rule(COUNTY_ONLY, POST, obj="quota"),
    "assessment:quota_delete": Rule(COUNTY_ONLY, POST, obj="quota"),
}


def _quota(unit, user) -> int:
    """A fresh quota of ``unit`` (a POST may have deleted the last one)."""
    from renkou.assessment.models import TaskQuota

    measures = (
        "treatment",
        "treatment_all",
        "rh_check",
        "prepreg_exam",
        "prepreg_high_risk",
        "prepreg_early_followup",
        "prepreg_outcome_followup",
    )
    taken = set(TaskQuota.objects.filter(unit_code=unit.code).values_list("year", "measure"))
    year, measure = next((y, m) for y in range(2026, 2100) for m in measures if (y, m) not in taken)
    quota = TaskQuota.objects.create(
        year=year,
        unit_code=unit.code,
        measure=measure,
        target=Decimal(100),
        deadline=date(year, 9, 30),
    )
    return quota.pk


PROVIDERS = {"quota": _quota}
