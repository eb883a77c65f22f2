"""The pages: 我的待办 (scope, role, filters, masking, ID search by POST, the 办理 link with
?next=), the rule pages (preview without saving, save), and the counts for the home badge."""

from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from renkou.todo import services
from renkou.todo.models import ReminderRule, TodoItem
from renkou.todo.selectors import counts_for
from renkou.todo.tests.factories import OTHER_VILLAGE, VILLAGE, episode, woman

pytestmark = pytest.mark.django_db
ID_NUMBER = "11010519491231002X"


def _setup():
    today = timezone.localdate()
    mine = woman(VILLAGE, name="王小梅", id_number=ID_NUMBER)
    far = woman(OTHER_VILLAGE, name="李远")
    start = today - timedelta(days=60)
    start = start.replace(day=min(start.day, 28))  # 60–63 days ago, a day every month has
    late = episode(mine, "03", start)  # the 1-month item is overdue since about day 45
    episode(far, "03", today - timedelta(days=25))  # due in 6 days
    services.refresh(today=today)
    return today, mine, far, late


def test_village_admin_sees_her_village_only_with_overdue_in_red(
    units, personas, signed_in_client, client
):
    today, mine, far, late = _setup()
    signed_in_client(personas["village_admin"])
    response = client.get(
        reverse("todo:item_list"), {"rule": ReminderRule.objects.get(code="iud_followup").pk}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "王小梅" in body and "李远" not in body
    assert ID_NUMBER not in body and "1101****" in body  # masked
    assert 'class="table-danger"' in body
    start = late.start  # the 1-month due date, counted by hand (the day is at most 28)
    due = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
    late_days = (today - (due + timedelta(days=14))).days
    assert f"逾期 {late_days} 天" in body
    # The 办理 link goes to the visit form of that episode and comes back here.
    back = quote(response.wsgi_request.get_full_path(), safe="")
    visit_url = reverse("programs:visit_for_episode", args=[late.pk])
    assert f"{visit_url}?next={back}" in body.replace("&amp;", "&")


def test_township_and_technician_see_the_township(units, personas, signed_in_client, client):
    _setup()
    for role in ("township_officer", "technician"):
        signed_in_client(personas[role])
        body = client.get(reverse("todo:item_list")).content.decode()
        assert "王小梅" in body and "李远" not in body
        client.logout()
    signed_in_client(personas["county_officer"])
    body = client.get(reverse("todo:item_list")).content.decode()
    assert "王小梅" not in body  # no seeded IUD or check rule names the county officer


def test_filters_overdue_and_month(units, personas, signed_in_client, client):
    today, mine, far, late = _setup()
    signed_in_client(personas["township_officer"])
    url = reverse("todo:item_list")
    overdue = client.get(url, {"state": "overdue"}).content.decode()
    assert "王小梅" in overdue
    other = TodoItem.objects.filter(person=mine, rule__code="iud_followup").get()
    month = other.due_on.strftime("%Y-%m")
    assert "王小梅" in client.get(url, {"month": month}).content.decode()
    next_year = f"{today.year + 1}-{today.month:02d}"
    assert (
        "王小梅" not in client.get(url, {"month": next_year, "state": "overdue"}).content.decode()
    )


def test_id_search_is_a_post_and_scoped(units, personas, signed_in_client, client):
    _setup()
    signed_in_client(personas["village_admin"])
    url = reverse("todo:item_list")
    body = client.post(url, {"id_number": ID_NUMBER.lower()}).content.decode()
    assert "王小梅" in body and "按身份证号查询：" in body
    signed_in_client(personas["technician"])
    found = client.post(url, {"id_number": "110105194912310037"}).content.decode()
    assert "王小梅" not in found


def test_counts_for_the_home_badge(units, personas):
    today, *_ = _setup()
    counts = counts_for(personas["village_admin"], today)
    rows = TodoItem.objects.filter(unit_code=VILLAGE, status="open")
    assert counts.open == rows.count()  # her IUD follow-up and her yearly check offer
    assert counts.overdue == rows.filter(overdue_on__lt=today).count() >= 1
    iud = next(c for c in counts.rules if c.name == "放置宫内节育器后随访")
    assert (iud.open, iud.overdue) == (1, 1)
    assert counts_for(personas["leader"], today).open == 0


def test_rule_preview_does_not_save_and_save_starts_a_version(
    units, personas, signed_in_client, client, django_capture_on_commit_callbacks
):
    _setup()
    rule = ReminderRule.objects.get(code="iud_followup")
    signed_in_client(personas["county_officer"])
    url = reverse("todo:rule_edit", args=[rule.pk])
    data = {
        "name": rule.name,
        "active": "on",
        "population": rule.population,
        "codes": "03",
        "visit_reason": "iud_in",
        "offsets": "1m,3m,6m,12m",
        "repeat": "12m",
        "lead_days": 14,
        "grace_days": 100,
        "expire_days": 90,
        "roles": ["village_admin", "technician"],
        "basis": rule.basis,
    }
    body = client.post(url, {**data, "action": "preview"}).content.decode()
    # Both women's IUD follow-ups, none overdue with 100 grace days.
    assert "待办 2 项（2 人），其中逾期 0 项" in body
    rule.refresh_from_db()
    assert (rule.grace_days, rule.version) == (14, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.grace_days, rule.version, rule.roles) == (100, 2, "village_admin,technician")
    # The immediate task backend of the tests has already remade the items.
    assert set(TodoItem.objects.filter(rule=rule).values_list("status", "rule_version")) == {
        ("open", 2)
    }
    bad = client.post(url, {**data, "offsets": "3m,1m", "action": "save"})
    assert bad.status_code == 200 and "间隔应从小到大排列" in bad.content.decode()


def test_rule_list_shows_the_seeded_rules_and_no_pregnancy_monitoring(
    units, personas, signed_in_client, client
):
    signed_in_client(personas["county_officer"])
    body = client.get(reverse("todo:rule_list")).content.decode()
    for name in (
        "放置宫内节育器后随访",
        "皮下埋植到期取出",
        "妇科检查（每年）",
        "孕前优生早孕随访",
    ):
        assert name in body
    assert "查孕" not in body and "孕情监测" not in body
    # Codes read as what they stand for (issue 11 item 8).
    assert "早孕随访" in body and ">early<" not in body and "early,outcome" not in body


def test_refresh_command_and_daily_task(units, capsys):
    from django.core.management import call_command

    from renkou.todo.models import RefreshRun
    from renkou.todo.tasks import refresh_daily

    her = woman()
    episode(her, "03", timezone.localdate() - timedelta(days=25))
    call_command("refresh_todo", "--unit", VILLAGE)
    assert "新增待办 2 条" in capsys.readouterr().out
    day = timezone.localdate().isoformat()
    assert refresh_daily.call(day=day) == {"created": 0, "changed": 0}  # nothing new since
    assert refresh_daily.call(day=day) == {"skipped": 1}  # a second chain for the same day stops
    assert RefreshRun.objects.filter(trigger="daily").count() == 1


def test_technician_opens_the_couple_exam_from_her_list(units, personas, signed_in_client, client):
    from renkou.programs.models import CoupleFile

    wife = woman(VILLAGE, name="赵检查")
    couple = CoupleFile.objects.create(
        file_no="M-TODO-1",
        unit_code=VILLAGE,
        wife=wife,
        husband_name="赵夫",
        husband_key="x1",
        sequence=1,
        opened_on=date(2026, 1, 5),
        consent_on=date(2026, 1, 5),
        eligible_on=timezone.localdate() - timedelta(days=3),
        status="eligible",
    )
    services.refresh(today=timezone.localdate())
    signed_in_client(personas["technician"])
    listing = client.get(reverse("todo:item_list"), {"state": "all"})  # due in 27 days
    body = listing.content.decode().replace("&amp;", "&")
    exam_url = reverse("programs:exam_wife", args=[couple.pk])
    assert "孕前优生检查" in body and f"{exam_url}?next=" in body
    # The village administrator does not record exams: no 办理 link, the file to look at instead.
    signed_in_client(personas["village_admin"])
    assert exam_url not in client.get(reverse("todo:item_list")).content.decode()


def test_the_list_opens_on_this_week_by_urgency_and_counts_lapsed_offers(
    units, personas, signed_in_client, client
):
    """Issue 11 item 9: the list opened on every open item, oldest first. It opens on what is
    due within the week or overdue, the offer whose window closes first on top; the rest is one
    filter away; lapsed offers are counted and listed as 未办理."""
    import time_machine

    today = date(2026, 12, 7)
    woman(VILLAGE, name="本周")  # the yearly check: overdue since October, to 12-31
    later = woman(VILLAGE, name="下旬")
    episode(later, "03", date(2026, 11, 20))  # its 1-month follow-up is due 12-20
    old = woman(VILLAGE, name="埋植")
    episode(old, "04", date(2012, 3, 1))  # removal offered 2026-03-01, open to 2027-01-29
    lapsed = woman(VILLAGE, name="过期")
    episode(lapsed, "03", date(2026, 8, 1))
    services.refresh(today=date(2026, 9, 1))  # its 1-month follow-up offered, never done
    with time_machine.travel(date(2026, 12, 7), tick=False):
        services.refresh(today=today)
        signed_in_client(personas["technician"])
        url = reverse("todo:item_list")
        page = client.get(url)
        rows = page.context["page"].object_list
        every = client.get(url, {"state": "all", "size": "50"}).context["page"]
        assert ("下旬", "iud_followup") in [(i.person.name, i.rule.code) for i in every]
        body = page.content.decode()
    shown = [(i.person.name, i.rule.code) for i in rows]
    # Her 1-month follow-up (due 09-01) lapsed on 10-17: not listed (the 3-month one is).
    assert date(2026, 9, 1) not in [i.due_on for i in rows if i.person.name == "过期"]
    assert ("下旬", "iud_followup") not in shown  # due in 13 days: under 全部待办 only
    assert [i.ends_on for i in rows] == sorted(i.ends_on for i in rows)  # most urgent first
    # The yearly checks lapse on 12-31, the implant removal offer on 2027-01-29: checks first.
    assert shown.index(("本周", "gyn_check")) < shown.index(("埋植", "implant_due"))
    assert all((today - i.overdue_on).days < 365 for i in rows)
    assert "近3个月超过办理期限未办理 1 项" in body
    with time_machine.travel(date(2026, 12, 7), tick=False):
        signed_in_client(personas["technician"])
        gone = client.get(url, {"state": "lapsed"})
    assert [(i.person.name, i.due_on) for i in gone.context["page"]] == [("过期", date(2026, 9, 1))]
    assert "未办理" in gone.content.decode()


def test_the_technician_gets_the_removal_form_for_an_implant_due(
    units, personas, signed_in_client, client, django_capture_on_commit_callbacks
):
    """The page promises 办理 on every row: an implant due for removal gave the technician
    (who takes it out, but may not edit the card) no link."""
    import time_machine

    her = woman(VILLAGE, name="埋植")
    implant = episode(her, "04", date(2022, 1, 10))
    with time_machine.travel(date(2026, 1, 5), tick=False):
        services.refresh(today=date(2026, 1, 5))
        signed_in_client(personas["technician"])
        body = client.get(reverse("todo:item_list")).content.decode()
        form = reverse("programs:implant_removal", args=[implant.pk])
        assert f'href="{form}?next=' in body
        page = client.get(form)
        version = page.context["form"].initial["card_version"]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                form, {"removed_on": "2026-01-04", "card_version": version, "next": "/todo/"}
            )
        assert response.status_code == 302 and response["Location"] == "/todo/"
    implant.refresh_from_db()
    assert implant.end == date(2026, 1, 4)
    item = TodoItem.objects.get(rule__code="implant_due", person=her)
    assert item.status == "done"  # the receivers refreshed her items after the commit
