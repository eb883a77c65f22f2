"""Progress arithmetic with fixed dates, statuses (veto at risk), and the quota services."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from renkou.assessment import selectors as S
from renkou.assessment import services
from renkou.assessment.models import TaskQuota
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.geo.models import Unit

from .conftest import RH_TODAY, RH_YEAR

YEAR_END = date(2027, 9, 30)


def test_days_and_forecast_with_fixed_dates():
    # FP 2027 starts 2026-10-01; to 2027-01-31: 31 + 30 + 31 + 31 = 123 days, both inclusive.
    assert S.elapsed_days(RH_YEAR, RH_TODAY, YEAR_END) == 123
    assert S.all_days(RH_YEAR, YEAR_END) == 365
    # 2027-01-31 to 2027-09-30: 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 = 242.
    assert S.days_left(RH_TODAY, YEAR_END) == 242
    assert S.forecast(300, RH_YEAR, RH_TODAY, YEAR_END) == pytest.approx(300 / 123 * 365)
    # A deadline of 2027-06-30 has 273 days; after it the forecast is the figure itself.
    assert S.forecast(100, RH_YEAR, RH_TODAY, date(2027, 6, 30)) == pytest.approx(100 / 123 * 273)
    assert S.forecast(100, RH_YEAR, date(2027, 7, 1), date(2027, 6, 30)) == 100
    assert S.days_left(date(2027, 7, 1), date(2027, 6, 30)) == 0
    assert S.forecast(0, RH_YEAR, date(2026, 9, 1), YEAR_END) == 0  # before the year


def test_rate_targets_round_up_to_whole_services():
    assert S.needed(Decimal(80), 6) == 5  # 4.8
    assert S.needed(Decimal(30), 10) == 3
    assert S.needed(Decimal(1500), None) == 1500


@pytest.mark.parametrize(
    ("done", "goal", "forecast", "veto", "status"),
    [
        (1500, 1500, 1500.0, True, S.ACHIEVED),
        (400, 1500, 1500.0, True, S.ON_TRACK),
        (400, 1500, 1499.9, False, S.BEHIND),
        (400, 1500, 1499.9, True, S.VETO_RISK),
    ],
)
def test_status(done, goal, forecast, veto, status):
    assert S.status(done, goal, forecast, veto) == status


def _quota(unit_code, measure, target, veto=False, deadline=YEAR_END, year=RH_YEAR):
    return TaskQuota.objects.create(
        year=year,
        unit_code=unit_code,
        measure=measure,
        target=Decimal(target),
        deadline=deadline,
        veto=veto,
    )


def test_progress_of_the_county_and_its_townships(rh, stations):
    # B: 3 蓝氧 of 500 by 2027-01-31 → forecast 3 / 123 × 365 = 8.9, veto → at risk.
    # A with the county centre: a1 + b2 = 2 of 2 → achieved.
    # B's RH checks: 2 of 4 married WCBA checked, target 30 % → ⌈1.2⌉ = 2 → achieved.
    blue_b = _quota("620001101000", "treatment", 500, veto=True)
    blue_a = _quota("620001100000", "treatment", 2, veto=True)
    blue_a.service_points.set([stations["centre"]])
    rh_b = _quota("620001101000", "rh_check", 30)
    found = {(p.quota.pk): p for p in S.progress("620001", RH_YEAR, RH_TODAY)}
    b = found[blue_b.pk]
    assert (b.done, b.goal, b.days_left) == (3, 500, 242)
    assert b.forecast == pytest.approx(3 / 123 * 365)
    assert b.status == S.VETO_RISK and b.red and b.percent == pytest.approx(0.6)
    assert b.unit_name == "乙乡"
    a = found[blue_a.pk]
    assert (a.done, a.goal, a.status) == (2, 2, S.ACHIEVED)
    r = found[rh_b.pk]
    assert (r.done, r.base, r.goal, r.status) == (2, 4, 2, S.ACHIEVED)
    assert r.rate == 50
    # A township sees its own quotas only.
    assert {p.quota.pk for p in S.progress("620001101", RH_YEAR, RH_TODAY)} == {blue_b.pk, rh_b.pk}


def test_a_growing_base_rate_is_forecast_at_its_current_value(scenario):
    from renkou.programs.tests.conftest import TODAY, YEAR

    # Township A early follow-up: 1 of 2 due → 50 %; target 80 % → ⌈1.6⌉ = 2, not on pace.
    quota = _quota(
        "620001100000",
        "prepreg_early_followup",
        80,
        veto=True,
        deadline=date(2026, 9, 30),
        year=YEAR,
    )
    found = S.progress("620001100", YEAR, TODAY)
    assert len(found) == 1 and found[0].quota == quota
    assert (found[0].done, found[0].base, found[0].goal) == (1, 2, 2)
    assert found[0].forecast == 1 and found[0].status == S.VETO_RISK


def test_set_copy_and_delete_are_audited(units, personas, stations):
    actor = Actor(personas["county_officer"], "10.0.0.1")
    county = Unit.objects.get(code="620001000000")
    quota = services.quota_set(
        actor=actor,
        unit=county,
        year=RH_YEAR,
        measure="treatment",
        target=Decimal(500),
        deadline=YEAR_END,
        veto=True,
    )
    copies = services.quota_copy_to_townships(actor=actor, quota=quota)
    assert sorted(q.unit_code for q in copies) == ["620001100000", "620001101000"]
    assert all(q.veto and q.target == 500 for q in copies)
    assert services.quota_copy_to_townships(actor=actor, quota=quota) == []  # idempotent
    changed = services.quota_set(
        actor=actor,
        unit=Unit.objects.get(code="620001100000"),
        year=RH_YEAR,
        measure="treatment",
        target=Decimal(1500),
        deadline=YEAR_END,
        veto=True,
        service_points=[stations["centre"]],
    )
    assert changed.pk == copies[0].pk and list(changed.service_points.all()) == [stations["centre"]]
    services.quota_delete(actor=actor, quota=copies[1])
    actions = list(
        AuditEntry.objects.filter(action__startswith="assessment.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["assessment.quota_create"] * 3 + [
        "assessment.quota_change",
        "assessment.quota_delete",
    ]


@pytest.mark.parametrize(
    ("measure", "target", "field"),
    [
        ("rh_check", "120", "target"),
        ("treatment", "10.5", "target"),
        ("treatment", "0", "target"),
        ("rh_checks", "10", "measure"),
    ],
)
def test_invalid_quotas_are_refused(units, personas, measure, target, field):
    actor = Actor(personas["county_officer"])
    with pytest.raises(ValidationError) as exc:
        services.quota_set(
            actor=actor,
            unit=Unit.objects.get(code="620001100000"),
            year=RH_YEAR,
            measure=measure,
            target=Decimal(target),
            deadline=YEAR_END,
            veto=False,
        )
    assert field in exc.value.message_dict


def test_a_village_gets_no_quota(units, personas):
    with pytest.raises(ValidationError):
        services.quota_set(
            actor=Actor(personas["county_officer"]),
            unit=Unit.objects.get(code="620001100201"),
            year=RH_YEAR,
            measure="treatment",
            target=Decimal(5),
            deadline=YEAR_END,
            veto=False,
        )


def test_the_demo_quotas_are_seeded_once(db):
    from django.core.management import call_command

    from renkou.geo.models import ServicePoint

    county = Unit.objects.create(code="623022000000", name="卓尼县", level=3)
    main = Unit.objects.create(code="623022100000", name="柳林镇", level=4, parent=county)
    other = Unit.objects.create(code="623022101000", name="完冒镇", level=4, parent=county)
    centre = ServicePoint.objects.create(
        unit=county, kind=ServicePoint.Kind.COUNTY_CENTRE, name="卓尼县计划生育服务中心"
    )
    call_command("seed_demo_quotas", date="2026-11-29")
    call_command("seed_demo_quotas", date="2026-11-29")
    quotas = TaskQuota.objects.filter(year=2027)
    assert quotas.count() == 3 * 2 + 2  # coverage and RH for 3 units, 蓝氧 for 2 townships
    blue = quotas.get(unit_code=main.code, measure="treatment")
    assert (blue.target, blue.veto, list(blue.service_points.all())) == (1500, True, [centre])
    assert quotas.get(unit_code=other.code, measure="treatment").target == 500
    prepreg = quotas.get(unit_code=county.code, measure="prepreg_exam")
    assert (prepreg.target, prepreg.veto, prepreg.deadline) == (80, True, date(2027, 9, 30))
    assert quotas.get(unit_code=other.code, measure="rh_check").target == 30
