"""Yearly targets: county officers enter, change, copy down and delete them (audited with codes
and numbers only); everyone else with aggregate access reads them; verdicts and gaps are
judged on the value as displayed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import COUNTY, OTHER_COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.common.figures import Figure
from renkou.common.models import AuditEntry
from renkou.reports.indicators import BY_CODE
from renkou.reports.models import Target
from renkou.reports.targets import judge

GOOD = {
    "unit_code": COUNTY,
    "year": "2025",
    "indicator": "natural_growth_rate",
    "direction": "le",
    "value": "9.31",
}


@pytest.fixture
def officer(personas, signed_in_client, client):
    signed_in_client(personas["county_officer"])
    return client


def _target(
    unit=COUNTY, indicator="natural_growth_rate", direction="le", value="9.31", year=2025, **extra
) -> Target:
    return Target.objects.create(
        unit_code=unit,
        year=year,
        indicator=indicator,
        direction=direction,
        value=Decimal(value),
        **extra,
    )


def _errors(response) -> str:
    return response.content.decode()


def test_a_county_officer_enters_a_target_and_it_is_audited(officer, personas):
    response = officer.post(reverse("reports:target_create"), GOOD)
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.unit_code, target.year, target.indicator, target.direction, target.value) == (
        COUNTY,
        2025,
        "natural_growth_rate",
        "le",
        Decimal("9.31"),
    )
    assert target.set_by == personas["county_officer"] and target.copied_from is None
    entry = AuditEntry.objects.get(action="target.create")
    assert entry.object_id == str(target.pk) and entry.username == "p_county_officer"
    assert entry.summary == (
        f"unit={COUNTY} year=2025 indicator=natural_growth_rate direction=le value=9.31"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"indicator": "happiness"}, "选择一个有效的选项"),
        ({"value": "九点三"}, "请输入数字"),
        ({"unit_code": OTHER_COUNTY}, "选择一个有效的选项"),
        ({"direction": ""}, "该字段是必填项"),
    ],
)
def test_invalid_targets_are_refused_in_chinese(officer, change, message):
    response = officer.post(reverse("reports:target_create"), {**GOOD, **change})
    assert response.status_code == 200
    assert message in _errors(response)
    assert not Target.objects.exists()


def test_one_target_per_unit_year_and_indicator(officer):
    _target()
    response = officer.post(reverse("reports:target_create"), {**GOOD, "value": "8"})
    assert "该单位本年度已有此指标的目标" in _errors(response)
    assert Target.objects.get().value == Decimal("9.31")
    # Another year or another unit is fine.
    officer.post(reverse("reports:target_create"), {**GOOD, "year": "2026"})
    officer.post(reverse("reports:target_create"), {**GOOD, "unit_code": TOWNSHIP_A})
    assert Target.objects.count() == 3


def test_editing_a_copied_target_makes_it_the_townships_own(officer):
    county = _target()
    copy = _target(unit=TOWNSHIP_A, copied_from=county)
    response = officer.post(
        reverse("reports:target_edit", args=[copy.pk]),
        {**GOOD, "unit_code": TOWNSHIP_A, "value": "8.5"},
    )
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.value == Decimal("8.5") and copy.copied_from is None
    assert AuditEntry.objects.filter(action="target.update", object_id=str(copy.pk)).exists()


def test_copying_to_townships_creates_and_updates_their_targets(officer):
    county = _target()
    existing = _target(unit=TOWNSHIP_B, value="12")
    response = officer.post(reverse("reports:target_copy", args=[county.pk]))
    assert response.status_code == 302
    copies = Target.objects.filter(copied_from=county).order_by("unit_code")
    assert [(t.unit_code, t.direction, t.value) for t in copies] == [
        (TOWNSHIP_A, "le", Decimal("9.31")),
        (TOWNSHIP_B, "le", Decimal("9.31")),
    ]
    assert copies[1].pk == existing.pk  # updated, not duplicated
    entry = AuditEntry.objects.get(action="target.copy")
    assert entry.row_count == 2 and entry.object_id == str(county.pk)
    # Copying again after a change of the county value updates both.
    Target.objects.filter(pk=county.pk).update(value=Decimal("9"))
    officer.post(reverse("reports:target_copy", args=[county.pk]))
    assert set(Target.objects.filter(copied_from=county).values_list("value", flat=True)) == {
        Decimal("9")
    }


def test_only_county_targets_are_copied_down(officer):
    township = _target(unit=TOWNSHIP_A)
    response = officer.post(reverse("reports:target_copy", args=[township.pk]), follow=True)
    assert "只有县级目标可以下达到各乡镇" in response.content.decode()
    assert Target.objects.count() == 1


def test_deleting_a_target(officer):
    county = _target()
    copy = _target(unit=TOWNSHIP_A, copied_from=county)
    assert officer.post(reverse("reports:target_delete", args=[county.pk])).status_code == 302
    assert list(Target.objects.values_list("pk", flat=True)) == [copy.pk]
    copy.refresh_from_db()
    assert copy.copied_from is None
    assert AuditEntry.objects.filter(action="target.delete", object_id=str(county.pk)).exists()


def test_others_read_targets_of_their_subtree_only(personas, units, signed_in_client, client):
    _target()
    _target(unit=TOWNSHIP_A, value="8")
    _target(unit=TOWNSHIP_B, value="7")
    signed_in_client(personas["township_officer"])
    html = client.get(reverse("reports:target_list")).content.decode()
    assert "≤8‰" in html and "≤7‰" not in html and "≤9.31‰" not in html
    assert reverse("reports:target_create") not in html and "/edit/" not in html
    assert client.post(reverse("reports:target_create"), GOOD).status_code == 403
    signed_in_client(personas["leader"])
    html = client.get(reverse("reports:target_list"), {"year": "2025"}).content.decode()
    assert "≤9.31‰" in html and "≤8‰" in html and "≤7‰" in html and "/edit/" not in html


def test_a_target_of_another_county_is_404(officer):
    elsewhere = _target(unit=OTHER_COUNTY)
    assert officer.get(reverse("reports:target_edit", args=[elsewhere.pk])).status_code == 404
    assert officer.post(reverse("reports:target_copy", args=[elsewhere.pk])).status_code == 404
    assert officer.post(reverse("reports:target_delete", args=[elsewhere.pk])).status_code == 404
    assert Target.objects.filter(pk=elsewhere.pk).exists()


def _figure(code, value):
    ind = BY_CODE[code]
    return Figure(code, "", 0, 1, value, ind.unit, ind.decimals, unit_code="620001")


@pytest.mark.parametrize(
    ("code", "value", "direction", "goal", "met", "gap"),
    [
        # 9.305 is shown as 9.31 (half up), which meets ≤ 9.31 exactly.
        ("natural_growth_rate", 9.305, "le", "9.31", True, 0.0),
        ("natural_growth_rate", 9.315, "le", "9.31", False, 0.01),
        ("natural_growth_rate", -2.5, "le", "9.31", True, -11.81),
        ("policy_compliant_birth_rate", 96.5, "ge", "96.5", True, 0.0),
        ("policy_compliant_birth_rate", 95.0, "ge", "96.5", False, -1.5),
        ("sex_ratio_at_birth", 107.04, "le", "107", True, 0.0),  # shown as 107.0
        ("sex_ratio_at_birth", 107.05, "le", "107", False, 0.1),  # shown as 107.1
    ],
)
def test_verdicts_are_judged_on_the_displayed_value(code, value, direction, goal, met, gap):
    verdict = judge(
        _figure(code, value), Target(indicator=code, direction=direction, value=Decimal(goal))
    )
    assert verdict.met is met
    assert verdict.gap == pytest.approx(gap)


def test_no_value_no_verdict():
    goal = Target(indicator="natural_growth_rate", direction="le", value=1)
    verdict = judge(_figure("natural_growth_rate", None), goal)
    assert verdict.met is None and verdict.verdict == "无数据" and verdict.gap_display == "—"
