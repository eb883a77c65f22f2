"""The change-event import pages as a township officer: template, upload → preview → confirm
→ background commit → result; large files checked in the background; scope, refusals,
hostile uploads, the error report download."""

import random
from datetime import date
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import TOWNSHIP_B, VILLAGE_A1, make_user
from renkou.accounts.constants import Role
from renkou.common import idnumber
from renkou.common.models import AuditEntry, JobProgress
from renkou.events.models import Event, EventImportBatch
from renkou.events.tests.test_import import HEADERS, line, make_town, xlsx
from renkou.people.models import ImportBatch
from renkou.people.tests.import_files import csv_bytes, read_sheet
from renkou.people.tests.test_import_hostile import EXPECTED, hostile  # noqa: F401 fixture

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def town(units):
    return make_town()


@pytest.fixture
def officer(personas, signed_in_client):
    return signed_in_client(personas["township_officer"])


def upload(client, name, content, mode="rows"):
    data = {"file": SimpleUploadedFile(name, content), "mode": mode}
    return client.post(reverse("events:import_upload"), data)


def batch_url(batch):
    return reverse("events:import_detail", args=[batch.pk])


def test_upload_preview_confirm_and_result(
    officer, town, tmp_path, django_capture_on_commit_callbacks
):
    assert officer.get(reverse("events:import_upload")).status_code == 200
    rows = [
        line("死亡", town["old"], date(2024, 6, 1)),
        line("初婚", town["young"], date(2024, 3, 1)),
        line("死亡", town["b1"], date(2024, 6, 1)),
    ]
    response = upload(officer, "变动.xlsx", xlsx(tmp_path, rows).read_bytes(), mode="all")
    batch = EventImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch_url(batch)
    assert batch.status == EventImportBatch.Status.VALIDATED
    assert (batch.good, batch.bad, batch.to_create) == (2, 1, 2)
    page = officer.get(batch_url(batch)).content.decode()
    assert "将登记变动" in page and "person_unknown" in page and "确认导入" in page
    assert "every 2s" not in page and Event.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("events:import_confirm", args=[batch.pk]), {"mode": "rows"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == EventImportBatch.Status.DONE and (batch.created, batch.bad) == (2, 1)
    assert Event.objects.count() == 2 and batch.job.status == JobProgress.Status.DONE
    assert batch.job.kind == "event_import" and batch.job.result_file == batch.error_report
    page = officer.get(batch_url(batch)).content.decode()
    assert "导入完成：登记变动 2 条" in page and "确认导入" not in page
    assert "变动.xlsx" in officer.get(reverse("events:import_list")).content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"event.import_upload", "event.import", "event.record"} <= actions

    report = officer.get(reverse("events:import_report", args=[batch.pk]))
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"".join(report.streaming_content))
    assert read_sheet(path, 1)[1][3] == "person_unknown"
    assert AuditEntry.objects.filter(action="event.import_report").count() == 1
    assert ImportBatch.objects.count() == 0  # the person import's batches are apart


def test_events_are_recorded_as_the_uploading_officer(
    officer, personas, town, tmp_path, django_capture_on_commit_callbacks
):
    upload(
        officer,
        "a.xlsx",
        xlsx(tmp_path, [line("死亡", town["old"], date(2024, 6, 1))]).read_bytes(),
    )
    batch = EventImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("events:import_confirm", args=[batch.pk]), {"mode": "all"})
    event = Event.objects.get()
    assert event.reported_by == personas["township_officer"]
    assert event.reporter_unit == personas["township_officer"].unit_code


def test_a_large_file_is_checked_in_the_background(
    officer, town, django_capture_on_commit_callbacks
):
    rng = random.Random(5)
    rows = [
        line("死亡", idnumber.generate(rng, area="620001"), date(2024, 6, 1)) for _ in range(320)
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(officer, "big.csv", csv_bytes(rows, "utf-8-sig", HEADERS))
    batch = EventImportBatch.objects.get()
    assert batch.status == EventImportBatch.Status.UPLOADED and len(callbacks) == 1
    page = officer.get(batch_url(batch), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in page and "<html" not in page
    callbacks[0]()  # the worker picks the task up
    batch.refresh_from_db()
    assert batch.status == EventImportBatch.Status.VALIDATED
    assert (batch.total, batch.bad) == (320, 320)
    assert batch.job.status == JobProgress.Status.DONE and batch.job.task_id


def test_the_same_file_twice_is_recognised(
    officer, town, tmp_path, django_capture_on_commit_callbacks
):
    content = xlsx(tmp_path, [line("死亡", town["old"], date(2024, 6, 1))]).read_bytes()
    upload(officer, "a.xlsx", content)
    first = EventImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("events:import_confirm", args=[first.pk]), {"mode": "rows"})
    upload(officer, "a-copy.xlsx", content)
    second = EventImportBatch.objects.exclude(pk=first.pk).get()
    assert second.status == EventImportBatch.Status.DUPLICATE
    assert "该文件已导入过" in second.message and Event.objects.count() == 1
    response = officer.post(reverse("events:import_confirm", args=[second.pk]), follow=True)
    assert "不能导入" in response.content.decode() and Event.objects.count() == 1


def test_hostile_uploads_are_refused_with_nothing_recorded(officer, hostile):  # noqa: F811
    """Refused at the upload (no batch), except a binary file named .csv, which passes the
    magic-byte check and fails when it is read: its batch fails with the reason."""
    for name in ("billion laughs", "forged sizes", "csv named xlsx", "elf named xls"):
        path = hostile[name]
        response = upload(officer, path.name, path.read_bytes())
        assert response.status_code == 200 and EXPECTED[name] in response.content.decode(), name
    assert EventImportBatch.objects.count() == 0 and JobProgress.objects.count() == 0
    path = hostile["binary named csv"]
    upload(officer, path.name, path.read_bytes())
    batch = EventImportBatch.objects.get()
    assert batch.status == EventImportBatch.Status.FAILED and EXPECTED["binary named csv"] in (
        batch.message
    )
    response = officer.post(reverse("events:import_confirm", args=[batch.pk]), follow=True)
    assert "不能导入" in response.content.decode() and Event.objects.count() == 0


def test_the_template_download(officer, tmp_path):
    response = officer.get(reverse("events:import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert quote("人口变动导入模板.xlsx") in response["Content-Disposition"]
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    sheet = read_sheet(path, 0)
    assert sheet[0] == HEADERS and sheet[1][HEADERS.index("说明")] == "示例"
    # The example mother belongs to the officer's first village's county.
    assert sheet[1][HEADERS.index("公民身份号码")][:6] == VILLAGE_A1[:6]
    assert AuditEntry.objects.count() == 0 and JobProgress.objects.count() == 0


def test_a_village_administrator_cannot_import(personas, signed_in_client, town, tmp_path):
    client = signed_in_client(personas["village_admin"])
    for name in ("events:import_list", "events:import_upload", "events:import_template"):
        assert client.get(reverse(name)).status_code == 403
    content = xlsx(tmp_path, [line("死亡", town["old"], date(2024, 6, 1))]).read_bytes()
    response = upload(client, "a.xlsx", content)
    assert response.status_code == 403 and EventImportBatch.objects.count() == 0


def test_another_townships_batch_is_not_found(officer, personas, signed_in_client, town, tmp_path):
    upload(
        officer, "a.xlsx", xlsx(tmp_path, [line("死亡", town["b1"], date(2024, 6, 1))]).read_bytes()
    )
    batch = EventImportBatch.objects.get()
    assert batch.errors_head[0]["code"] == "person_unknown"
    township_b = personas["township_officer"].unit.parent.children.get(code=TOWNSHIP_B)
    client = signed_in_client(make_user("t_b", Role.TOWNSHIP_OFFICER, township_b))
    for name in ("events:import_detail", "events:import_report"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("events:import_confirm", args=[batch.pk])).status_code == 404
    assert "a.xlsx" not in client.get(reverse("events:import_list")).content.decode()
    assert batch.unit_code == personas["township_officer"].unit_code
