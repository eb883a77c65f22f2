"""The demo year's indicator targets (issue 13 item 8): seeded for the county and copied to its
townships, audited, idempotent, and shown on the dashboard out of the box."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.common.models import AuditEntry
from renkou.reports.models import Target

pytestmark = pytest.mark.django_db


def seed(day="2026-03-01"):
    call_command("seed_demo_targets", "--county", COUNTY[:6], "--date", day, stdout=StringIO())


def test_the_speech_targets_are_set_for_the_county_and_every_township(units):
    seed()
    # The county's speech (domain.md §0.4): growth ≤ 9.31‰, 计划生育率 ≥ 96.5 %, SRB ≤ 107.
    expected = {
        ("natural_growth_rate", "le", Decimal("9.31")),
        ("policy_compliant_birth_rate", "ge", Decimal("96.5")),
        ("sex_ratio_at_birth", "le", Decimal("107")),
    }
    for unit in (COUNTY, TOWNSHIP_A, TOWNSHIP_B):
        rows = Target.objects.filter(unit_code=unit, year=2026)  # FP year 2026 holds 1 March
        assert {(t.indicator, t.direction, t.value) for t in rows} == expected
    assert AuditEntry.objects.filter(action="target.create").count() == 3
    assert AuditEntry.objects.filter(action="target.copy").count() == 3


def test_seeding_again_leaves_a_changed_target_alone(units):
    seed()
    Target.objects.filter(unit_code=COUNTY, indicator="sex_ratio_at_birth").update(value=110)
    seed()
    assert Target.objects.filter(year=2026).count() == 9
    assert Target.objects.get(unit_code=COUNTY, indicator="sex_ratio_at_birth").value == 110


def test_the_dashboard_shows_the_seeded_targets(units, personas, signed_in_client):
    seed()
    client = signed_in_client(personas["county_officer"])
    body = client.get(reverse("reports:dashboard"), {"period": "2026", "scope": "registered"})
    text = body.content.decode()
    assert "≤9.31‰" in text and "≥96.5%" in text and "≤107" in text
