"""The quota pages: a township officer sees its progress and the veto warning, a leader sees
counts only (no name lists, "<5" below township level), every figure's name list is as long as
the figure, and only county officers set quotas."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_user
from renkou.accounts.constants import Role
from renkou.assessment.models import TaskQuota
from renkou.common.models import AuditEntry
from renkou.common.testing import local_noon

from .conftest import RH_TODAY, RH_YEAR

TOWNSHIP_B, TOWNSHIP_A = "620001101000", "620001100000"


@pytest.fixture(autouse=True)
def _today(time_machine):
    """The pages count up to 31 January 2027 (RH_TODAY)."""
    time_machine.move_to(local_noon(RH_TODAY))


@pytest.fixture
def quotas(rh):
    """B: 蓝氧 500 (veto) — 3 done, forecast 8.9: at risk; B: RH checks 30 % (2 of 4)."""
    blue = TaskQuota.objects.create(
        year=RH_YEAR,
        unit_code=TOWNSHIP_B,
        measure="treatment",
        target=Decimal(500),
        deadline=date(2027, 9, 30),
        veto=True,
    )
    check = TaskQuota.objects.create(
        year=RH_YEAR,
        unit_code=TOWNSHIP_B,
        measure="rh_check",
        target=Decimal(30),
        deadline=date(2027, 9, 30),
    )
    return {"blue": blue, "check": check}


def _url(name, *args, **query):
    from django.utils.http import urlencode

    return reverse(name, args=args) + ("?" + urlencode(query) if query else "")


def test_the_county_overview_marks_the_veto_item_at_risk(
    quotas, personas, client, signed_in_client
):
    signed_in_client(personas["county_officer"])
    page = client.get(_url("assessment:overview", year=RH_YEAR)).content.decode()
    assert "一票否决预警" in page and "乙乡蓝氧治疗人次" in page
    assert "table-danger" in page and "3</a> / 500" in page
    assert "2</a> / 2" in page  # RH checks: 2 done of ⌈4 × 30 %⌉ = 2


def test_a_township_officer_reads_its_own_quotas_only(
    quotas, units, personas, client, signed_in_client
):
    TaskQuota.objects.create(
        year=RH_YEAR,
        unit_code="620002100000",
        measure="treatment",
        target=Decimal(9),
        deadline=date(2027, 9, 30),
    )
    officer = personas["township_officer"]  # township A
    officer.unit = units[TOWNSHIP_B]
    officer.save()
    signed_in_client(officer)
    page = client.get(_url("assessment:unit_progress", TOWNSHIP_B, year=RH_YEAR)).content.decode()
    assert "按当前进度预计完成 9，低于目标 500" in page and "一票否决" in page
    assert client.get(_url("assessment:unit_progress", TOWNSHIP_A)).status_code == 404
    assert client.get(_url("assessment:quota_list")).status_code == 403
    assert client.post(_url("assessment:quota_delete", quotas["blue"].pk)).status_code == 403


def test_a_leader_sees_counts_only_and_small_cells_hidden(
    quotas, personas, client, signed_in_client
):
    signed_in_client(personas["leader"])
    page = client.get(_url("assessment:unit_progress", TOWNSHIP_B, year=RH_YEAR)).content.decode()
    assert "/names/" not in page  # no name-list links
    # By village: B1 0, B2 3 蓝氧 (1–4 → "<5"); with one cell hidden the other is hidden too.
    assert page.count("&lt;5") >= 2
    names = _url("assessment:names", TOWNSHIP_B, measure="treatment", year=RH_YEAR)
    assert client.get(names).status_code == 403
    overview = client.get(_url("assessment:overview", year=RH_YEAR)).content.decode()
    assert "3 / 500" in overview  # the county's rows are townships: counts shown


@pytest.mark.parametrize(
    ("measure", "side", "count"),
    [("treatment", "done", 3), ("rh_check", "done", 2), ("rh_check", "base", 4)],
)
def test_each_name_list_is_as_long_as_its_figure(
    quotas, units, client, signed_in_client, measure, side, count
):
    # A county technician: treatments are health details, listed only for technicians and the
    # woman's township office (the county officer sees the count; next test).
    signed_in_client(make_user("p_county_tech", Role.TECHNICIAN, units["620001000000"]))
    response = client.get(
        _url("assessment:names", TOWNSHIP_B, measure=measure, side=side, year=RH_YEAR, size=50)
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count
    assert len(response.context["rows"]) == count
    page = response.content.decode()
    assert "乙一" in page and "620001199" not in page  # IDs masked (none stored here)
    assert AuditEntry.objects.filter(action="assessment.names", row_count=count).exists()


def test_county_officers_set_and_copy_quotas(units, personas, client, signed_in_client, stations):
    signed_in_client(personas["county_officer"])
    response = client.post(
        _url("assessment:quota_create"),
        {
            "unit": TOWNSHIP_A,
            "year": RH_YEAR,
            "measure": "treatment",
            "target": "1500",
            "deadline": "2027-09-30",
            "veto": "on",
            "service_points": [stations["centre"].pk],
        },
    )
    assert response.status_code == 302
    quota = TaskQuota.objects.get(unit_code=TOWNSHIP_A, measure="treatment")
    assert quota.veto and quota.target == 1500
    assert list(quota.service_points.all()) == [stations["centre"]]
    client.post(_url("assessment:quota_copy", quota.pk))
    copy = TaskQuota.objects.get(unit_code=TOWNSHIP_B, measure="treatment")
    assert copy.target == 1500 and not copy.service_points.exists()
    bad = client.post(
        _url("assessment:quota_create"),
        {
            "unit": TOWNSHIP_A,
            "year": RH_YEAR,
            "measure": "rh_check",
            "target": "130",
            "deadline": "2027-09-30",
        },
    )
    assert bad.status_code == 200 and "比例目标不能超过100%" in bad.content.decode()


def test_health_detail_lists_show_counts_only_to_other_staff(
    quotas, personas, client, signed_in_client
):
    """Who had a 蓝氧 treatment is a health detail: a county officer gets the notice and no
    rows (the figure itself stays on the progress pages)."""
    signed_in_client(personas["county_officer"])
    response = client.get(
        _url("assessment:names", TOWNSHIP_B, measure="treatment", side="done", year=RH_YEAR)
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "仅服务技术人员和所在乡镇计生办可查看" in response.content.decode()
    assert "乙一" not in response.content.decode()
