"""The home page per role: counts and links, never a person."""

import pytest
from django.urls import reverse

from renkou.common import audit

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.mark.parametrize("role", ["village_admin", "township_officer", "technician",
                                  "inspector"])  # fmt: skip
def test_workers_see_their_unit_counts_and_links(role, as_role):
    response = as_role(role).get(HOME)
    assert response.status_code == 200
    assert "管辖范围" in response.content.decode()
    assert response.context["townships"] >= 0 and "常用功能" in response.content.decode()


def test_township_worker_counts(as_role):
    context = as_role("township_officer").get(HOME).context
    assert (context["townships"], context["villages"]) == (1, 2)


def test_county_officers_home_is_the_dashboard(as_role):
    body = as_role("county_officer").get(HOME).content.decode()
    assert reverse("reports:bigscreen") in body and "管辖范围" not in body


def test_leader_sees_the_aggregate_only_notice(as_role):
    assert "只查看统计汇总" in as_role("leader").get(HOME).content.decode()


def test_sys_admin_shortcuts(as_role):
    response = as_role("sys_admin").get(HOME)
    assert response.context["user_count"] == 9 and response.context["dict_count"] >= 16
    assert reverse("system:user_list") in response.content.decode()


def test_sec_admin_shortcuts(as_role):
    response = as_role("sec_admin").get(HOME)
    assert {"online", "locked"} <= set(response.context.keys())
    assert reverse("system:session_list") in response.content.decode()


def test_audit_admin_shortcuts(as_role, personas):
    audit.record(actor=personas["sys_admin"], action="x.test")
    response = as_role("audit_admin").get(HOME)
    assert response.context["audit_today"] >= 1 and response.context["audit_total"] >= 1
    assert reverse("system:audit_list") in response.content.decode()


def test_menu_modules_and_items_are_unique():
    from renkou.system.menu import MENU

    labels = [module.label for module in MENU]
    urls = [item.url_name for module in MENU for item in module.items]
    assert len(labels) == len(set(labels))
    assert len(urls) == len(set(urls))
