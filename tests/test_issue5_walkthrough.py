"""Issue 5 "Done when", tried through the pages as a new user would: a technician records a
couple's exam and its follow-up from her to-do list, a township officer sees its quota
progress and the veto warning, a leader sees only counts, and the coverage figures agree with
the name lists behind them.

The clock is held with time_machine (as renkou/programs/tests/test_views.py does): the views
(through ``renkou.common.dates.today``) and the to-do receivers that refresh a woman's items
after the commit read ``timezone.localdate()``, so one travelling clock fixes the date for all
of them at once.

Township A (620001100: villages A1, A2) in FP year 2026 (2025-10-01 to 2026-09-30), counted on
2026-05-31 (day 243 of 365). The expected figures are worked out by hand in ``township``.
"""

import re
from datetime import date, datetime, time
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import (
    COUNTY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    make_user,
)
from renkou.accounts.constants import Role
from renkou.assessment import indicators
from renkou.assessment.models import TaskQuota
from renkou.geo.models import ServicePoint
from renkou.people.models import ContraceptionEpisode
from renkou.programs.models import CoupleFile, Exam, FollowUp, RHCheck, Treatment
from renkou.programs.tests.conftest import (  # noqa: F401 — fixtures used by these tests
    add,
    assess,
    confirm,
    examine,
    follow,
    open_file,
    point,
    pregnant,
    risk_dictionary,
    staff,
    wed,
)
from renkou.todo import services as todo
from renkou.todo.models import TodoItem

pytestmark = pytest.mark.django_db

YEAR = 2026  # FP year 2026: 2025-10-01 to 2026-09-30
TODAY = date(2026, 5, 31)  # the day tests (b)–(d) look at the figures
# Days of FP 2026 up to TODAY (Oct 31 + Nov 30 + Dec 31 + Jan 31 + Feb 28 + Mar 31 + Apr 30 + May
# 31) and up to the deadline, 2026-09-30.
ELAPSED, ALL_DAYS = 243, 365
A = "620001100"  # township A's prefix
LMP = date(2026, 2, 1)
EARLY_DUE = date(2026, 4, 26)  # LMP + 12 weeks: 27 days left in February + 31 + 26


def at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    """Holds the date; tests move it with ``clock.move_to(at(day))``."""
    with time_machine.travel(at(date(2026, 1, 5)), tick=True) as traveller:
        yield traveller


def signed_in(signed_in_client, personas, role: str) -> Client:
    """A fresh browser for one persona (signed in again after each move of the clock: the
    idle timeout counts from the sign-in)."""
    return signed_in_client(personas[role], Client())


def rows_of(body: str) -> list[str]:
    """The ``<tr>`` rows of a page's list tables."""
    return [unescape(r) for r in re.findall(r"<tr[ >].*?</tr>", body, flags=re.S)]


def row_with(body: str, *texts: str) -> str | None:
    found = [r for r in rows_of(body) if all(t in r for t in texts)]
    assert len(found) <= 1, found
    return found[0] if found else None


def close_link(row: str) -> str:
    """The 办理 link of a to-do row."""
    return re.search(r'href="([^"]+)"><i class="bi bi-check2-square"></i> 办理', row).group(1)


def exam_post(point_pk: int, day: date, items: dict[int, str]) -> dict[str, str]:
    data = {"examined_on": day.isoformat(), "service_point": str(point_pk), "examiner": "李医生"}
    for code, state in items.items():
        data[f"s{code}"] = state
        data[f"r{code}"] = "异常，建议复查" if state == "1" else "未见异常"
    return data


# --- (a) the technician's to-do list ------------------------------------------------------------


def test_technician_serves_a_couple_from_her_to_do_list(
    clock, units, personas, signed_in_client, django_capture_on_commit_callbacks
):
    wife = add("卓玛", "2", date(1996, 4, 2), VILLAGE_A1)
    husband = add("扎西", "1", date(1994, 8, 9), VILLAGE_A1, relationship="10")
    wed(wife, husband)
    station = ServicePoint.objects.create(
        unit=units[TOWNSHIP_A], name="甲镇计生服务站", kind=ServicePoint.Kind.TOWNSHIP_STATION
    )
    # 2026-01-05: the township office opens the file with the couple's consent; next day it
    # confirms eligibility (服务通知单).
    township = signed_in(signed_in_client, personas, "township_officer")
    opened = township.post(
        reverse("programs:couple_create") + f"?wife={wife.pk}",
        {"sequence": "1", "consent_on": "2026-01-05"},
    )
    assert opened.status_code == 302
    couple = CoupleFile.objects.get(wife=wife)
    assert couple.husband_id == husband.pk
    clock.move_to(at(date(2026, 1, 6)))
    township = signed_in(signed_in_client, personas, "township_officer")
    confirmed = township.post(
        reverse("programs:couple_confirm", args=[couple.pk]),
        {"on": "2026-01-06", "notice_no": "TZ-2026-001"},
    )
    assert confirmed.status_code == 302
    todo.refresh(today=date(2026, 1, 6))

    # 2026-01-12: the technician opens 我的待办: it opens on this week's items, and the exam, due
    # in February, is not among them; under 全部待办 it is there with its form.
    clock.move_to(at(date(2026, 1, 12)))
    tech = signed_in(signed_in_client, personas, "technician")
    this_week = tech.get(reverse("todo:item_list"))
    assert row_with(this_week.content.decode(), "孕前优生检查", "卓玛") is None
    listed = tech.get(reverse("todo:item_list"), {"state": "all"})
    assert listed.status_code == 200
    row = row_with(listed.content.decode(), "孕前优生检查", "卓玛")
    assert row is not None
    assert "2026-02-05" in row  # due 30 days after eligibility
    link = close_link(row)
    exam_url = reverse("programs:exam_wife", args=[couple.pk])
    # The form returns to the list as the technician left it.
    back_to = reverse("todo:item_list") + "?state=all"
    assert link == exam_url + "?" + urlencode({"next": back_to})
    form = tech.get(link)
    assert form.status_code == 200 and "卓玛" in form.content.decode()
    wife_items = {1: "0", 2: "0", 3: "0", 10: "1"}
    with django_capture_on_commit_callbacks(execute=True):
        saved = tech.post(link, exam_post(station.pk, date(2026, 1, 12), wife_items))
    assert saved.status_code == 302 and saved["Location"] == back_to
    back = tech.get(saved["Location"]).content.decode()
    assert row_with(back, "孕前优生检查", "卓玛") is None  # done: gone from the list
    item = TodoItem.objects.get(person=wife, rule__code="pp_exam")
    assert (item.status, item.done_on) == ("done", date(2026, 1, 12))

    # The husband's exam and the wife's risk assessment, from the couple's page.
    page = tech.get(reverse("programs:couple_detail", args=[couple.pk])).content.decode()
    husband_url = reverse("programs:exam_husband", args=[couple.pk])
    assert husband_url in page
    assert tech.get(husband_url).status_code == 200
    saved = tech.post(husband_url, exam_post(station.pk, date(2026, 1, 12), {1: "0", 2: "0"}))
    assert saved.status_code == 302
    wife_exam = Exam.objects.get(couple=couple, spouse="wife")
    assessment_url = reverse("programs:assessment_record", args=[wife_exam.pk])
    page = tech.get(reverse("programs:couple_detail", args=[couple.pk])).content.decode()
    assert assessment_url in page
    saved = tech.post(
        assessment_url,
        {
            "assessed_on": "2026-01-12",
            "category": "high",
            "factors": ["3"],
            "counselled_on": "2026-01-12",
            "counselling": "face",
            "counsellor": "王医生",
        },
    )
    assert saved.status_code == 302
    couple.refresh_from_db()
    assert (couple.examined_on, couple.status) == (date(2026, 1, 12), "examined")
    husband_exam = Exam.objects.get(couple=couple, spouse="husband")
    saved = tech.post(
        reverse("programs:assessment_record", args=[husband_exam.pk]),
        {
            "assessed_on": "2026-01-12",
            "category": "general",
            "counselled_on": "2026-01-12",
            "counselling": "phone",
            "counsellor": "王医生",
        },
    )
    assert saved.status_code == 302
    couple.refresh_from_db()
    assert couple.status == "assessed"  # both spouses assessed
    assert wife_exam.items.count() == 4 and wife_exam.items.get(item=10).abnormal

    # 2026-03-10: the township office registers the pregnancy (last period 2026-02-01).
    clock.move_to(at(date(2026, 3, 10)))
    township = signed_in(signed_in_client, personas, "township_officer")
    saved = township.post(
        reverse("programs:pregnancy_record", args=[couple.pk]),
        {"lmp_on": LMP.isoformat(), "recorded_on": "2026-03-10"},
    )
    assert saved.status_code == 302
    early = FollowUp.objects.get(couple=couple, kind="early")
    assert early.due_on == EARLY_DUE

    # 2026-03-30 (after the daily refresh): the early follow-up is on her list — it appears 30
    # days before its due date, 2026-03-27 — and she records it from there.
    clock.move_to(at(date(2026, 3, 30)))
    todo.refresh(today=date(2026, 3, 30))
    tech = signed_in(signed_in_client, personas, "technician")
    listed = tech.get(reverse("todo:item_list"), {"state": "all"}).content.decode()
    row = row_with(listed, "孕前优生早孕随访", "卓玛")
    assert row is not None and EARLY_DUE.isoformat() in row and "27 天后到期" in row
    assert row_with(listed, "孕前优生妊娠结局随访", "卓玛") is None  # due 2026-12-20: not yet
    link = close_link(row)
    followup_url = reverse("programs:followup_record", args=[early.pk])
    assert link == followup_url + "?" + urlencode({"next": back_to})
    assert tech.get(link).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        saved = tech.post(link, {"done_on": "2026-03-30", "method": "visit"})
    assert saved.status_code == 302 and saved["Location"] == back_to
    back = tech.get(saved["Location"]).content.decode()
    assert row_with(back, "孕前优生早孕随访", "卓玛") is None
    early.refresh_from_db()
    assert (early.done_on, early.weeks) == (date(2026, 3, 30), 8)  # 57 days after the LMP
    item = TodoItem.objects.get(person=wife, rule__code="pp_early")
    assert (item.status, item.done_on) == ("done", date(2026, 3, 30))
    done = tech.get(reverse("todo:item_list"), {"state": "done"}).content.decode()
    row = row_with(done, "孕前优生早孕随访", "卓玛")
    assert row is not None and "2026-03-30 已办" in row


# --- the township for (b)–(d) -------------------------------------------------------------------


def _check(person, on: date, where: ServicePoint, *, voided: bool = False) -> RHCheck:
    return RHCheck.objects.create(
        person=person,
        unit_code=person.unit_code,
        checked_on=on,
        service_point=where,
        examiner="王医生",
        consent_on=on,
        voided_at=timezone.now() if voided else None,
    )


def _treat(person, on: date, where: ServicePoint, kind: str = "01", *, voided: bool = False):
    return Treatment.objects.create(
        person=person,
        unit_code=person.unit_code,
        treated_on=on,
        service_point=where,
        kind=kind,
        doctor="王医生",
        consent_on=on,
        voided_at=timezone.now() if voided else None,
    )


@pytest.fixture
def township(clock, units, personas, staff, point):  # noqa: F811 — imported fixtures
    """Township A's women and services (through the services, on their own dates), and its
    quotas for FP 2026. Expected, worked out by hand:

    - target population on 2025-10-01 (married, 20–49, living in A, no method in force, no
      examined file still open): 卓玛, 拉姆, 央金 = 3. Not: 桑吉 (IUD), 次仁 (55), 德吉 and 白玛
      (examined in FP 2025, file open on that day), 格桑 (unmarried), 达娃 (township B);
    - couples first examined in FP 2026: 卓玛 (2026-01-12), 拉姆 (2025-10-20) = 2;
    - persons examined: both spouses of those two = 4; high risk: 卓玛, 拉姆 = 2;
    - early follow-ups due by 2026-05-31: 卓玛 (due 04-26, done 03-30: in time), 拉姆 (due
      2026-01-24, done 02-10: late) = 2, in time 1;
    - outcome follow-ups due in FP 2026 and passed: 德吉 (due 2026-02-17, done 01-20), 白玛
      (due 2026-01-17, not done) = 2, done 1 (拉姆's is due 2026-09-19: not yet);
    - married WCBA registered in A on 2026-05-31: 卓玛, 桑吉, 拉姆, 央金, 德吉, 白玛 = 6; checked in
      FP 2026: 卓玛 (twice), 桑吉 = 2 (拉姆's check was voided, 央金's was in FP 2025);
    - 蓝氧 counted for A's quota (the county centre counts too): 桑吉 at the A station, 央金 at
      the centre, 达娃 (B) at the centre = 3 (not: 达娃 at the B station, 桑吉's other treatment,
      卓玛's in FP 2025, 央金's voided one).
    """
    t, tech = staff["township_officer"], staff["technician"]
    a_station = ServicePoint.objects.create(
        unit=units[TOWNSHIP_A], name="甲镇计生服务站", kind=ServicePoint.Kind.TOWNSHIP_STATION
    )
    b_station = ServicePoint.objects.create(
        unit=units[TOWNSHIP_B], name="乙乡计生服务站", kind=ServicePoint.Kind.TOWNSHIP_STATION
    )
    p = {
        "卓玛": add("卓玛", "2", date(1996, 4, 2), VILLAGE_A1),
        "桑吉": add("桑吉", "2", date(1992, 3, 3), VILLAGE_A1),
        "拉姆": add("拉姆", "2", date(1990, 7, 7), VILLAGE_A2),
        "央金": add("央金", "2", date(1985, 2, 2), VILLAGE_A2),
        "次仁": add("次仁", "2", date(1970, 5, 1), VILLAGE_A1),
        "德吉": add("德吉", "2", date(1993, 5, 5), VILLAGE_A1),
        "白玛": add("白玛", "2", date(1994, 6, 6), VILLAGE_A2),
        "格桑": add("格桑", "2", date(1995, 8, 8), VILLAGE_A1, marital_status="10"),
        "达娃": add("达娃", "2", date(1993, 1, 1), VILLAGE_B1),
    }
    for wife, name in (("卓玛", "扎西"), ("拉姆", "多杰"), ("德吉", "旺堆"), ("白玛", "顿珠")):
        p[name] = add(name, "1", date(1990, 1, 1), p[wife].residence_code, relationship="10")
        wed(p[wife], p[name])
    ContraceptionEpisode.objects.create(
        card=p["桑吉"].card, unit_code=VILLAGE_A1, method="03", start=date(2020, 6, 1)
    )
    # 卓玛: the walkthrough's couple.
    c1 = open_file(t, p["卓玛"], p["扎西"], on=date(2026, 1, 5))
    confirm(t, c1, date(2026, 1, 6))
    wife_exam = examine(tech, c1, "wife", date(2026, 1, 12), a_station, abnormal={10})
    assess(tech, wife_exam, date(2026, 1, 12), factors=["3"])
    assess(tech, examine(tech, c1, "husband", date(2026, 1, 12), a_station), date(2026, 1, 12))
    early, _ = pregnant(t, c1, LMP, date(2026, 3, 10))
    follow(tech, early, date(2026, 3, 30))
    # 拉姆: examined in October 2025, high risk; early follow-up late.
    c2 = open_file(t, p["拉姆"], p["多杰"], on=date(2025, 10, 5))
    confirm(t, c2, date(2025, 10, 10))
    assess(
        tech,
        examine(tech, c2, "wife", date(2025, 10, 20), point),
        date(2025, 10, 22),
        factors=["8"],
    )
    examine(tech, c2, "husband", date(2025, 10, 21), point)
    early, _ = pregnant(t, c2, date(2025, 11, 1), date(2025, 12, 1))
    follow(tech, early, date(2026, 2, 10))
    # 德吉 and 白玛: examined in FP 2025; 德吉's outcome followed, 白玛's not.
    c3 = open_file(t, p["德吉"], p["旺堆"], on=date(2025, 2, 20))
    confirm(t, c3, date(2025, 2, 21))
    examine(tech, c3, "wife", date(2025, 3, 1), point)
    _, outcome = pregnant(t, c3, date(2025, 4, 1), date(2025, 5, 10))
    follow(
        t,
        outcome,
        date(2026, 1, 20),
        outcome="1",
        outcome_on=date(2026, 1, 5),
        birth_weight=3200,
        birth_defect=False,
    )
    c4 = open_file(t, p["白玛"], p["顿珠"], on=date(2025, 1, 20))
    confirm(t, c4, date(2025, 1, 21))
    examine(tech, c4, "wife", date(2025, 2, 1), point)
    pregnant(t, c4, date(2025, 3, 1), date(2025, 4, 1))
    # RH checks and treatments.
    _check(p["卓玛"], date(2026, 1, 20), a_station)
    _check(p["卓玛"], date(2026, 3, 15), a_station)
    _check(p["桑吉"], date(2026, 2, 1), point)
    _check(p["拉姆"], date(2026, 3, 1), a_station, voided=True)
    _check(p["央金"], date(2025, 9, 15), a_station)
    _check(p["达娃"], date(2026, 2, 2), point)
    _treat(p["桑吉"], date(2026, 1, 15), a_station)
    _treat(p["央金"], date(2026, 2, 15), point)
    _treat(p["达娃"], date(2026, 3, 1), point)
    _treat(p["达娃"], date(2026, 3, 2), b_station)
    _treat(p["桑吉"], date(2026, 1, 16), a_station, kind="02")
    _treat(p["卓玛"], date(2025, 9, 20), a_station)
    _treat(p["央金"], date(2026, 2, 20), point, voided=True)
    # A's quotas: 蓝氧 40 with the county centre (veto), pre-pregnancy 80 % (veto), RH 60 %.
    deadline = date(2026, 9, 30)
    blue = TaskQuota.objects.create(
        year=YEAR,
        unit_code=TOWNSHIP_A,
        measure="treatment",
        target=Decimal(40),
        deadline=deadline,
        veto=True,
    )
    blue.service_points.set([point])
    TaskQuota.objects.create(
        year=YEAR,
        unit_code=TOWNSHIP_A,
        measure="prepreg_exam",
        target=Decimal(80),
        deadline=deadline,
        veto=True,
    )
    TaskQuota.objects.create(
        year=YEAR, unit_code=TOWNSHIP_A, measure="rh_check", target=Decimal(60), deadline=deadline
    )
    clock.move_to(at(TODAY))
    return p


# (indicator, measure, done, base) by hand; the 蓝氧 base is the quota's 40 (no list).
EXPECTED = (
    ("prepreg_coverage", "prepreg_exam", 2, 3),
    ("prepreg_high_risk", "prepreg_high_risk", 2, 4),
    ("prepreg_early_followup", "prepreg_early_followup", 1, 2),
    ("prepreg_outcome_followup", "prepreg_outcome_followup", 1, 2),
    ("rh_check_rate", "rh_check", 2, 6),
    ("treatment_completion", "treatment", 3, 40),
)


def names_url(code: str, measure: str, side: str) -> str:
    query = {"measure": measure, "side": side, "year": YEAR, "size": 50}
    return reverse("assessment:names", args=[code]) + "?" + urlencode(query)


def listed_names(body: str) -> list[str]:
    """The names in the rows of a name-list page (序号, 姓名, …), checked against 共 N 条."""
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", body)
    assert [int(n) for n, _ in rows] == list(range(1, len(rows) + 1))
    total = int(re.search(r"共 (\d+) 条", body).group(1))
    assert total == len(rows)
    return [name for _, name in rows]


# --- (b) the township officer: progress and the veto warning -----------------------------------


def test_township_officer_sees_progress_and_the_veto_warning(township, personas, signed_in_client):
    officer = signed_in(signed_in_client, personas, "township_officer")
    page = officer.get(reverse("assessment:overview"), {"year": YEAR})
    body = page.content.decode()
    assert page.status_code == 200
    # 蓝氧: 3 done of 40 by day 243 of 365 → 3 × 365 / 243 ≈ 4.5 at the deadline: veto at risk.
    forecast = round(3 * ALL_DAYS / ELAPSED)
    assert forecast == 5
    assert f"一票否决预警：甲镇蓝氧治疗人次（完成 3/40，预计 {forecast}）" in body
    # Her township's row, one cell per quota: done / goal, completion, status; red = veto risk.
    # Pre-pregnancy 80 % (veto): 2 of ⌈3 × 80 %⌉ = 3, forecast 2 × 365 / 243 ≈ 3.0 ≥ 3: on track.
    # RH checks 60 % (no veto): 2 of ⌈6 × 60 %⌉ = 4, forecast ≈ 3.0 < 4: behind, not red.
    assert 3 <= 2 * ALL_DAYS / ELAPSED < 4
    row = row_with(body, "甲镇")
    cells = re.findall(r'<td class="text-end text-nowrap([^"]*)">(.*?)</td>', row)
    shown = [(css.strip(), re.sub(r"<[^>]+>", " ", text).split()) for css, text in cells]
    assert shown == [
        ("", ["2", "/", "3", "66.7%", "·", "进度正常"]),
        ("text-warning-emphasis", ["2", "/", "4", "50.0%", "·", "落后"]),
        ("table-danger text-danger fw-bold", ["3", "/", "40", "7.5%", "·", "否决风险"]),
    ]
    # The unit page: the 蓝氧 quota in red with the warning, and its done count by village.
    page = officer.get(reverse("assessment:unit_progress", args=[TOWNSHIP_A]), {"year": YEAR})
    body = page.content.decode()
    assert page.status_code == 200
    assert f"按当前进度预计完成 {forecast}，低于目标 40，该项为一票否决项目。" in body
    assert body.count("否决风险") == 1 and "落后" in body and "进度正常" in body
    # Another township's page is out of her scope.
    other = officer.get(reverse("assessment:unit_progress", args=[TOWNSHIP_B]), {"year": YEAR})
    assert other.status_code == 404


# --- (c) the leader: counts only ------------------------------------------------------------------


def test_leader_sees_counts_only(township, personas, signed_in_client):
    leader = signed_in(signed_in_client, personas, "leader")
    panel = leader.get(reverse("reports:dashboard_services"), {"unit": TOWNSHIP_A})
    body = panel.content.decode()
    assert panel.status_code == 200
    figures = re.findall(r'<div class="small text-muted">([^<]*)</div>', body)
    assert figures == [f"{done} / {base}" for _, _, done, base in EXPECTED]
    assert "66.7%" in body and "33.3%" in body and "7.5%" in body  # 2/3, 2/6, 3/40
    assert "否决风险" in body and "/names/" not in body
    overview = leader.get(reverse("assessment:overview"), {"year": YEAR})
    body = overview.content.decode()
    assert overview.status_code == 200
    assert "一票否决预警：甲镇蓝氧治疗人次" in body and "3 / 40" in body
    assert "/names/" not in body and "卓玛" not in body
    table = leader.get(
        reverse("reports:table_view"), {"table": "rh_service", "unit": COUNTY, "period": str(YEAR)}
    )
    assert table.status_code == 200 and "/drill/" not in table.content.decode()
    # Every name list behind those counts is closed to her (403: no person access).
    couple = CoupleFile.objects.get(wife=township["卓玛"])
    followup = FollowUp.objects.filter(couple=couple).first()
    lists = [names_url(TOWNSHIP_A, m, s) for _, m, *_ in EXPECTED for s in ("done", "base")]
    lists += [
        reverse("programs:names", args=[TOWNSHIP_A]) + "?figure=coverage&side=d",
        reverse("programs:names", args=[TOWNSHIP_A]) + "?figure=high_risk&side=n",
        reverse("programs:couple_list"),
        reverse("programs:couple_detail", args=[couple.pk]),
        reverse("programs:followup_due"),
        reverse("programs:followup_record", args=[followup.pk]),
        reverse("programs:rh_check_list"),
        reverse("programs:treatment_list"),
        reverse("programs:visit_list"),
        reverse("programs:supply_list"),
        reverse("programs:rh_find"),
        reverse("todo:item_list"),
        reverse("people:person_list"),
    ]
    for table_code, column in (
        ("rh_service", "checked"),
        ("rh_service", "blue"),
        ("prepreg_summary", "targets"),
        ("prepreg_summary", "high_risk"),
    ):
        query = urlencode({"table": table_code, "period": YEAR, "col": column})
        lists.append(reverse("reports:table_drill", args=[TOWNSHIP_A]) + "?" + query)
    for url in lists:
        assert leader.get(url).status_code == 403, url


# --- (d) every coverage figure is as long as its name list --------------------------------------


# Rows a figure counts that the viewer may not see: 达娃 lives in township B, so her 蓝氧 at the
# county centre counts toward A's quota (the centre counts with A) but is outside the township
# officer's scope. The county centre's technician sees the whole county.
OUT_OF_SCOPE = {"township_officer": {"treatment": 1}, "county_technician": {}}


@pytest.mark.parametrize("role", ["township_officer", "county_technician"])
def test_coverage_figures_agree_with_their_name_lists(
    township, units, personas, signed_in_client, role
):
    found = indicators.evaluate(A, YEAR, TODAY)
    assert [code for code, *_ in EXPECTED] == list(found)
    # Both viewers hold 查看检查结果 (the high-risk and treatment lists are health details).
    people = {
        **personas,
        "county_technician": make_user("p_county_technician", Role.TECHNICIAN, units[COUNTY]),
    }
    viewer = signed_in(signed_in_client, people, role)
    for code, measure, done, base in EXPECTED:
        figure = found[code]
        assert (figure.numerator, figure.denominator) == (done, base), code
        page = viewer.get(names_url(TOWNSHIP_A, measure, "done"))
        assert page.status_code == 200
        hidden = OUT_OF_SCOPE[role].get(measure, 0)
        assert len(listed_names(page.content.decode())) == figure.numerator - hidden, code
        if code == "treatment_completion":
            quota = TaskQuota.objects.get(unit_code=TOWNSHIP_A, measure="treatment")
            assert figure.denominator == quota.target  # a task, not a list
            continue
        assert figure.extra.get("adjustment", 0) == 0
        page = viewer.get(names_url(TOWNSHIP_A, measure, "base"))
        assert len(listed_names(page.content.decode())) == figure.denominator, code
    # And the lists hold the women worked out by hand.
    viewer_names = {
        ("prepreg_exam", "base"): ["卓玛", "拉姆", "央金"],
        ("prepreg_exam", "done"): ["卓玛", "拉姆"],
        ("prepreg_high_risk", "done"): ["卓玛", "拉姆"],
        ("prepreg_outcome_followup", "base"): ["德吉", "白玛"],
        ("rh_check", "base"): ["卓玛", "桑吉", "拉姆", "央金", "德吉", "白玛"],
        ("rh_check", "done"): ["卓玛", "桑吉"],
        # 达娃 (township B) only for the county officer: see OUT_OF_SCOPE.
        ("treatment", "done"): ["桑吉", "央金"] + (["达娃"] if role == "county_technician" else []),
    }
    for (measure, side), expected in viewer_names.items():
        body = viewer.get(names_url(TOWNSHIP_A, measure, side)).content.decode()
        assert sorted(listed_names(body)) == sorted(expected), (measure, side)
