"""The dated tasks' pages as each role uses them (issue 14 item 5)."""

from django.urls import reverse

from conftest import TOWNSHIP_A, TOWNSHIP_B, make_user
from renkou.accounts.constants import Role
from renkou.supervision.constants import Status
from renkou.supervision.models import Assignment, Evidence, Task
from renkou.supervision.tests.conftest import photo


def test_the_county_gives_a_task_and_a_bad_deadline_changes_nothing(
    units, personas, signed_in_client
):
    client = signed_in_client(personas["county_officer"])
    data = {
        "title": "宣传品更新",
        "issued_on": "2027-05-01",
        "deadline": "2027年4月30日",
        "photos_required": "1",
        "documents_required": "0",
        "count_required": "0",
        "units": [TOWNSHIP_A, TOWNSHIP_B],
    }
    response = client.post(reverse("supervision:task_create"), data)
    assert "完成时限不能早于下达日期" in response.content.decode()
    assert not Task.objects.exists()
    data["deadline"] = "2027-05-30"
    response = client.post(reverse("supervision:task_create"), data)
    task = Task.objects.get()
    assert response.status_code == 302
    assert sorted(task.assignments.values_list("unit_code", flat=True)) == [TOWNSHIP_A, TOWNSHIP_B]


def test_the_township_reports_with_a_photo_and_the_county_confirms(
    task, units, personas, signed_in_client, client
):
    part = Assignment.objects.get(task=task, unit_code=TOWNSHIP_A)
    township = signed_in_client(personas["township_officer"])
    page = township.get(reverse("supervision:assignment_detail", args=[part.pk])).content.decode()
    assert "乡镇服务站所改造" in page and "报告完成" in page
    township.post(reverse("supervision:assignment_submit", args=[part.pk]))
    part.refresh_from_db()
    assert part.status == Status.OPEN  # refused: no photo yet
    url = reverse("supervision:evidence_add", args=[part.pk])
    township.post(url, {"kind": "photo", "note": "改造后", "file": photo()})
    township.post(reverse("supervision:count_record", args=[part.pk]), {"count": "1"})
    township.post(reverse("supervision:assignment_submit", args=[part.pk]))
    part.refresh_from_db()
    assert part.status == Status.SUBMITTED
    client.logout()
    county = signed_in_client(personas["county_officer"])
    county.post(reverse("supervision:assignment_confirm", args=[part.pk]), {"comment": "核实"})
    part.refresh_from_db()
    assert part.status == Status.CONFIRMED
    evidence = Evidence.objects.get()
    download = county.get(reverse("supervision:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(
        b"\xff\xd8\xff"
    )
    client.logout()
    leader = signed_in_client(personas["leader"])
    listed = leader.get(reverse("supervision:task_detail", args=[task.pk])).content.decode()
    assert "已完成" in listed
    url = reverse("supervision:evidence_download", args=[evidence.pk])
    assert leader.get(url).status_code == 404


def test_another_township_sees_neither_the_part_nor_its_evidence(
    task, units, personas, signed_in_client
):
    part = Assignment.objects.get(task=task, unit_code=TOWNSHIP_A)
    other = signed_in_client(make_user("t_b", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_B]))
    assert other.get(reverse("supervision:assignment_detail", args=[part.pk])).status_code == 404
    response = other.post(reverse("supervision:count_record", args=[part.pk]), {"count": "1"})
    assert response.status_code == 404
    part.refresh_from_db()
    assert part.count_done == 0
