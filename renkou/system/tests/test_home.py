"""The home page per role: counts and links, never a person."""

import pytest
from django.urls import reverse

from renkou.common import audit

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.mark.parametrize("role", ["village_admin", "township_officer", "technician", "inspector"])
def test_workers_see_their_unit_counts_and_links(role, as_role):
    response = as_role(role).get(HOME)
    assert response.status_code == 200
    assert "管辖范围" in response.content.decode()
    assert response.context["area_cards"] and "常用功能" in response.content.decode()


def test_township_worker_counts(as_role):
    context = as_role("township_officer").get(HOME).context
    assert context["area_cards"] == [("村（居）", 2), ("在册人员", 0)]
    technician = as_role("technician").get(HOME).context  # a township station's
    assert [label for label, _ in technician["area_cards"]] == ["村（居）", "在册人员"]


def test_the_village_home_offers_village_work(as_role, personas):
    """Issue 11 item 20: no empty 乡镇 card and no county shortcuts on a village's home."""
    from renkou.people.tests.page_helpers import make_person

    make_person()
    response = as_role("village_admin").get(HOME)
    assert response.context["area_cards"] == [("在册人员", 1), ("家庭户", 1)]
    shortcuts = [item["url_name"] for item in response.context["shortcuts"]]
    assert "reports:bigscreen" not in shortcuts and "reports:target_list" not in shortcuts
    assert shortcuts[:2] == ["people:person_create", "people:person_list"]
    body = response.content.decode()
    assert "数据大屏" not in body.split("常用功能")[1] and "乡镇（街道）" not in body


def test_county_officers_home_is_the_dashboard(as_role):
    body = as_role("county_officer").get(HOME).content.decode()
    assert reverse("reports:bigscreen") in body and "管辖范围" not in body


def test_leader_sees_the_aggregate_only_notice(as_role):
    assert "只查看统计汇总" in as_role("leader").get(HOME).content.decode()


def test_sys_admin_shortcuts(as_role):
    response = as_role("sys_admin").get(HOME)
    assert response.context["user_count"] == 10 and response.context["dict_count"] >= 16
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


def test_the_village_home_shows_the_services_due(as_role, time_machine):
    """An IUD put in on 10 August: the 1-month (due 10 Sep) and 3-month (due 10 Nov) follow-ups
    are open and, 14 days after their due dates, overdue on 29 November; the 6-month one (due
    10 Feb) does not show yet."""
    from datetime import date

    from renkou.common.testing import local_noon
    from renkou.todo import services as todo
    from renkou.todo.tests.factories import episode, woman

    today = date(2026, 11, 29)
    episode(woman(), "03", date(2026, 8, 10))
    todo.refresh(today=today)
    time_machine.move_to(local_noon(today))
    response = as_role("village_admin").get(HOME)
    counts = response.context["todo"]
    assert (counts.open, counts.overdue) == (2, 2)
    body = response.content.decode()
    assert "放置宫内节育器后随访" in body and reverse("todo:item_list") in body
    assert "测试妇女" not in body  # counts only on the home page


def test_the_sidebar_marks_the_open_page_and_escapes_labels():
    from renkou.system.menu import menu_html

    modules = [
        {
            "label": "<b>人口</b>",
            "icon": "bi-people",
            "active": True,
            "items": [
                {"label": "人员", "url": "/people/", "icon": "bi-dot", "active": True},
                {"label": "a&b", "url": "/x/?a=1&b=2", "icon": "bi-dot", "active": False},
            ],
        },
        {"label": "系统", "icon": "bi-gear", "active": False, "items": []},
    ]
    html = str(menu_html(modules))
    assert "<b>" not in html and "&lt;b&gt;人口&lt;/b&gt;" in html
    assert 'class="menu-link sub active" href="/people/"' in html
    assert 'class="menu-link sub" href="/x/?a=1&amp;b=2"' in html and "a&amp;b</a>" in html
    assert 'data-bs-target="#menu-1" aria-expanded="true"' in html
    assert 'class="menu-toggle collapsed" type="button"' in html  # the second, closed
    assert 'class="collapse show" id="menu-1"' in html and 'class="collapse" id="menu-2"' in html


@pytest.mark.django_db
def test_the_township_officer_sees_the_person_list_link_open_on_its_page(
    personas, signed_in_client
):
    client = signed_in_client(personas["township_officer"])
    url = reverse("people:person_list")
    body = client.get(url).content.decode()
    assert f'class="menu-link sub active" href="{url}"' in body
    assert reverse("system:user_list") not in body  # no system-management link for a township
