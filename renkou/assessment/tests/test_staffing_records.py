"""包乡包村 on the score sheets, the 领导责任档案 and the board's overdue supervision counts
(issue 14 items 7 and 8)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1
from renkou.accounts import staffing
from renkou.accounts.constants import AreaRole
from renkou.assessment import services
from renkou.assessment.models import ManualScore, ResponsibilityEntry, Scheme
from renkou.common.actors import Actor
from renkou.supervision.models import Assignment, Finding, Inspection, Rectification, Task
from renkou.supervision.selectors import overdue_by_township


@pytest.fixture
def scheme(units, personas):
    """A published scheme of FP year 2027 with one manual item of 5 points."""
    actor = Actor(personas["county_officer"])
    made = services.scheme_create(
        actor=actor,
        county=units[COUNTY],
        year=2027,
        level=Scheme.Level.TOWNSHIP,
        name="测试方案",
        from_template=False,
    )
    services.item_save(
        actor=actor,
        scheme=made,
        number=1,
        group="组织领导",
        name="工作机制",
        points=D(5),
        source="manual",
        code="",
        target=None,
        direction="ge",
        rule={"type": "points"},
    )
    return services.scheme_publish(actor=actor, scheme=made)


def _assign(personas, user, code, role):
    staffing.staff_assignment_add(
        actor=Actor(personas["county_officer"]),
        user=user,
        unit_code=code,
        role=role,
        starts_on=date(2027, 1, 1),
    )


def _score(scheme, code, value):
    ManualScore.objects.update_or_create(
        item=scheme.items.get(), unit_code=code, defaults={"value": D(value), "reason": "测试"}
    )


def test_the_sheet_names_the_townships_staff_of_the_year(
    scheme, personas, signed_in_client, client
):
    _assign(personas, personas["leader"], TOWNSHIP_A, AreaRole.TOWNSHIP_LEADER)
    _assign(personas, personas["county_officer"], TOWNSHIP_A, AreaRole.TOWNSHIP_OFFICER)
    _assign(personas, personas["technician"], VILLAGE_A1, AreaRole.VILLAGE_TECHNICIAN)
    signed_in_client(personas["county_officer"])
    page = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A])).content.decode()
    staff = page.split('id="sheet-staff"')[1].split("</p>")[0]
    assert f"包乡领导：{personas['leader']}" in staff
    assert f"包乡干部：{personas['county_officer']}" in staff
    assert f"包村技术员：{personas['technician']}" in staff
    other = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_B])).content.decode()
    assert '包乡领导：<span class="text-muted">未安排' in other


def test_the_record_shows_the_frozen_total_rank_and_the_leader(
    scheme, personas, signed_in_client, client
):
    _assign(personas, personas["leader"], TOWNSHIP_A, AreaRole.TOWNSHIP_LEADER)
    _score(scheme, TOWNSHIP_A, 2)
    _score(scheme, TOWNSHIP_B, 4)
    services.scores_freeze(
        actor=Actor(personas["county_officer"]), scheme=scheme, on=date(2027, 9, 30), reason="年终"
    )
    _score(scheme, TOWNSHIP_A, 5)  # a later correction: the frozen result stands
    signed_in_client(personas["leader"])
    url = reverse("assessment:responsibility_detail", args=[TOWNSHIP_A])
    page = client.get(url).content.decode()
    row = page.split("<td>2027</td>")[1].split("</tr>")[0]
    assert str(personas["leader"]) in row
    assert ">2.00</a>" in row and "第2名（共2个乡镇）" in row and "定格第1版" in row
    assert "新增记录" not in page  # leaders read only
    refused = client.post(reverse("assessment:responsibility_entry_add", args=[TOWNSHIP_A]), {})
    assert refused.status_code == 403
    assert not ResponsibilityEntry.objects.exists()


def test_the_record_without_a_freeze_reads_the_live_sheets(
    scheme, personas, signed_in_client, client
):
    _score(scheme, TOWNSHIP_A, 5)
    _score(scheme, TOWNSHIP_B, 4)
    signed_in_client(personas["township_officer"])
    page = client.get(reverse("assessment:responsibility_detail", args=[TOWNSHIP_A]))
    row = page.content.decode().split("<td>2027</td>")[1].split("</tr>")[0]
    assert ">5.00</a>" in row and "第1名（共2个乡镇）" in row and "实时得分" in row
    outside = client.get(reverse("assessment:responsibility_detail", args=[TOWNSHIP_B]))
    assert outside.status_code == 404


def test_the_county_records_a_dated_entry_and_a_blank_one_is_refused(
    units, personas, signed_in_client, client
):
    signed_in_client(personas["county_officer"])
    url = reverse("assessment:responsibility_entry_add", args=[TOWNSHIP_A])
    page = client.post(url, {"on": "2027-05-06", "kind": "interview", "note": " "})
    assert page.status_code == 200 and not ResponsibilityEntry.objects.exists()
    response = client.post(url, {"on": "2027-05-06", "kind": "interview", "note": "约谈分管领导"})
    assert response.status_code == 302
    entry = ResponsibilityEntry.objects.get()
    assert (entry.unit_code, entry.kind, entry.history.count()) == (TOWNSHIP_A, "interview", 1)
    page = client.get(reverse("assessment:responsibility_detail", args=[TOWNSHIP_A]))
    assert "约谈分管领导" in page.content.decode()


@pytest.fixture
def overdue_rows(units, personas):
    """Township A: two overdue task parts (one of them a second task) and one overdue notice;
    township B: a confirmed part and a closed notice (neither counts)."""
    past = date(2020, 5, 15)
    for title in ("站所改造", "文化大院"):
        task = Task.objects.create(
            county_code=COUNTY[:6],
            year=2020,
            title=title,
            issued_on=date(2020, 3, 1),
            deadline=past,
        )
        Assignment.objects.create(task=task, unit_code=TOWNSHIP_A)
        Assignment.objects.create(task=task, unit_code=TOWNSHIP_B, status="confirmed")
    for code, status in ((TOWNSHIP_A, "issued"), (TOWNSHIP_B, "closed")):
        visit = Inspection.objects.create(
            county_code=COUNTY[:6],
            unit_code=code,
            kind="rotation",
            title="督查",
            starts_on=date(2020, 4, 1),
            ends_on=date(2020, 4, 2),
            period_start=date(2020, 1, 1),
            period_end=date(2020, 3, 31),
        )
        finding = Finding.objects.create(
            inspection=visit, unit_code=code, severity="minor", text="台账不全", found_on=past
        )
        Rectification.objects.create(
            finding=finding,
            unit_code=code,
            requirement="补全",
            issued_on=past,
            deadline=date(2020, 6, 1),
            status=status,
        )


def test_the_board_shows_each_townships_overdue_tasks_and_notices(
    scheme, overdue_rows, personas, signed_in_client, client, django_assert_num_queries
):
    with django_assert_num_queries(2):
        found = overdue_by_township(personas["county_officer"], date(2027, 1, 1))
    assert {k: (v.tasks, v.notices) for k, v in found.items()} == {TOWNSHIP_A[:9]: (2, 1)}
    signed_in_client(personas["county_officer"])
    page = client.get(reverse("assessment:board", args=[scheme.pk])).content.decode()
    tasks_link = f'{reverse("supervision:task_list")}?unit={TOWNSHIP_A}">2</a>'
    notices_link = f'{reverse("supervision:inspection_list")}?unit={TOWNSHIP_A}">1</a>'
    assert tasks_link in page and notices_link in page
    row_b = page.split("乙乡")[1].split("</tr>")[0]
    assert '<td class="text-end overdue-tasks">0</td>' in row_b
    filtered = client.get(reverse("supervision:task_list"), {"unit": TOWNSHIP_A}).content.decode()
    assert "甲镇" in filtered and "乙乡" not in filtered


def test_the_demo_gives_every_township_its_staff_once(units):
    from renkou.accounts.models import StaffAssignment
    from renkou.assessment.demo import seed_staff

    today = date(2027, 6, 1)
    added = seed_staff(county=COUNTY[:6], today=today)
    assert seed_staff(county=COUNTY[:6], today=today) == 0  # idempotent
    assert StaffAssignment.objects.count() == added == 6  # 2 townships × 2, 2 villages
    for code in (TOWNSHIP_A, TOWNSHIP_B):
        found = staffing.township_staff(code, today, today)
        assert found["包乡领导"] and found["包乡干部"] and found["包村技术员"]
    assert ResponsibilityEntry.objects.count() == 4


@pytest.fixture
def dated_overdue(units):
    """Township A: a task due 31 March 2027 that the county confirmed on 10 May, and a notice
    due 30 April closed (销号) on 20 May; township B: a part of the same task never confirmed."""
    task = Task.objects.create(
        county_code=COUNTY[:6],
        year=2027,
        title="站所改造",
        issued_on=date(2027, 3, 1),
        deadline=date(2027, 3, 31),
    )
    Assignment.objects.create(
        task=task, unit_code=TOWNSHIP_A, status="confirmed", confirmed_on=date(2027, 5, 10)
    )
    Assignment.objects.create(task=task, unit_code=TOWNSHIP_B, status="submitted")
    visit = Inspection.objects.create(
        county_code=COUNTY[:6],
        unit_code=TOWNSHIP_A,
        kind="rotation",
        title="督查",
        starts_on=date(2027, 4, 1),
        ends_on=date(2027, 4, 2),
        period_start=date(2027, 1, 1),
        period_end=date(2027, 3, 31),
    )
    finding = Finding.objects.create(
        inspection=visit,
        unit_code=TOWNSHIP_A,
        severity="minor",
        text="台账不全",
        found_on=date(2027, 4, 1),
    )
    Rectification.objects.create(
        finding=finding,
        unit_code=TOWNSHIP_A,
        requirement="补全",
        issued_on=date(2027, 4, 2),
        deadline=date(2027, 4, 30),
        status="closed",
        closed_on=date(2027, 5, 20),
    )


def _counts(user, on):
    found = overdue_by_township(user, on)
    return {k: (v.tasks, v.notices) for k, v in found.items()}


def test_the_overdue_counts_read_as_they_stood_on_the_chosen_date(dated_overdue, personas):
    officer = personas["county_officer"]
    a, b = TOWNSHIP_A[:9], TOWNSHIP_B[:9]
    assert _counts(officer, date(2027, 3, 31)) == {}  # the deadline day itself: not yet late
    assert _counts(officer, date(2027, 4, 15)) == {a: (1, 0), b: (1, 0)}
    assert _counts(officer, date(2027, 5, 10)) == {a: (0, 1), b: (1, 0)}  # confirmed that day
    assert _counts(officer, date(2027, 5, 19)) == {a: (0, 1), b: (1, 0)}
    assert _counts(officer, date(2027, 5, 20)) == {b: (1, 0)}  # closed that day
    assert _counts(personas["township_officer"], date(2027, 4, 15)) == {a: (1, 0)}


def _board_cells(client, scheme, on):
    page = client.get(reverse("assessment:board", args=[scheme.pk]), {"on": on}).content.decode()
    row_a = page.split("甲镇")[1].split("</tr>")[0]
    tasks = row_a.split('class="text-end overdue-tasks">')[1].split("</td>")[0]
    notices = row_a.split('class="text-end overdue-notices">')[1].split("</td>")[0]
    return tasks, notices


def test_the_board_and_its_xlsx_count_overdue_as_of_the_boards_date(
    scheme, dated_overdue, personas, signed_in_client, client
):
    import io

    from python_calamine import CalamineWorkbook

    signed_in_client(personas["county_officer"])
    tasks, notices = _board_cells(client, scheme, "2027-04-15")
    assert ">1</a>" in tasks and notices == "0"
    tasks, notices = _board_cells(client, scheme, "2027-05-15")
    assert tasks == "0" and ">1</a>" in notices
    for on, expected in (
        ("2027-04-15", {"甲镇": (1, 0), "乙乡": (1, 0)}),
        ("2027-05-15", {"甲镇": (0, 1), "乙乡": (1, 0)}),
    ):
        response = client.get(reverse("assessment:board_export", args=[scheme.pk]), {"on": on})
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        rows = rows.get_sheet_by_index(0).to_python()
        head = rows[0]
        late, notice = head.index("逾期重点工作"), head.index("逾期整改")
        found = {r[head.index("单位")]: (r[late], r[notice]) for r in rows[1:]}
        assert found == expected


def test_the_ranking_pdf_counts_overdue_as_of_its_date(scheme, dated_overdue, personas):
    import subprocess

    from renkou.assessment import printing

    data = printing.ranking_pdf(scheme, date(2027, 5, 15), personas["county_officer"])
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "逾期重点工作" in text and "逾期整改" in text
    row_a = next(line for line in text.splitlines() if "甲镇" in line).split()
    row_b = next(line for line in text.splitlines() if "乙乡" in line).split()
    assert row_a[-2:] == ["0", "1"] and row_b[-2:] == ["1", "0"]
    earlier = printing.ranking_pdf(scheme, date(2027, 3, 31), personas["county_officer"])
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=earlier, capture_output=True, check=True
    ).stdout.decode()
    row_b = next(line for line in text.splitlines() if "乙乡" in line).split()
    assert row_b[-2:] == ["0", "0"]
