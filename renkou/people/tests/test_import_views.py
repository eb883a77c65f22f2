"""The import pages end to end as a township officer: template, upload → preview → confirm →
background commit → result; polling, scope, refusals, the error report download."""

import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, make_user
from renkou.accounts.constants import Role
from renkou.common import idnumber
from renkou.common.models import AuditEntry, JobProgress
from renkou.people.importing.template import EXAMPLE_NAME
from renkou.people.models import ImportBatch, Person
from renkou.people.tests.import_files import csv_bytes, person, read_sheet, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(personas, signed_in_client):
    return signed_in_client(personas["township_officer"])


@pytest.fixture
def rng():
    return random.Random(11)


def upload(client, name, content, mode="rows", **extra):
    data = {"file": SimpleUploadedFile(name, content), "mode": mode}
    return client.post(reverse("people:import_upload"), data, **extra)


def xlsx_bytes(tmp_path, rows):
    return write_xlsx(tmp_path / "upload.xlsx", rows).read_bytes()


def test_upload_preview_confirm_and_result(
    officer, tmp_path, rng, django_capture_on_commit_callbacks
):
    assert officer.get(reverse("people:import_upload")).status_code == 200
    rows = [
        person(rng, VILLAGE_A1, 1),
        person(rng, VILLAGE_A1, 2),
        person(rng, VILLAGE_A1, 3, 联系电话="12"),
    ]
    response = upload(officer, "名单.xlsx", xlsx_bytes(tmp_path, rows), mode="all")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch_url(batch)
    assert batch.status == ImportBatch.Status.VALIDATED and (batch.good, batch.bad) == (2, 1)
    page = officer.get(batch_url(batch)).content.decode()
    assert "将新增" in page and "bad_phone" in page and "确认导入" in page
    assert "every 2s" not in page and Person.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("people:import_confirm", args=[batch.pk]), {"mode": "rows"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and (batch.created, batch.bad) == (2, 1)
    assert Person.objects.count() == 2 and batch.job.status == JobProgress.Status.DONE
    assert batch.job.result_file == batch.error_report != ""
    page = officer.get(batch_url(batch)).content.decode()
    assert "导入完成" in page and "确认导入" not in page
    listing = officer.get(reverse("people:import_list")).content.decode()
    assert "名单.xlsx" in listing
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"person.import_upload", "person.import"} <= actions

    report = officer.get(reverse("people:import_report", args=[batch.pk]))
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"".join(report.streaming_content))
    assert read_sheet(path, 1)[1][3] == "bad_phone"
    assert AuditEntry.objects.filter(action="person.import_report").count() == 1


def batch_url(batch):
    return reverse("people:import_detail", args=[batch.pk])


def test_a_large_file_is_checked_in_the_background_with_progress(
    officer, rng, django_capture_on_commit_callbacks
):
    rows = [person(rng, VILLAGE_A1, n) for n in range(1, 2202)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(officer, "big.csv", csv_bytes(rows, "utf-8-sig"))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.UPLOADED and len(callbacks) == 1
    page = officer.get(batch_url(batch), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in page and "<html" not in page
    callbacks[0]()  # the worker picks the task up
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED and batch.total == 2201
    assert batch.job.status == JobProgress.Status.DONE and batch.job.task_id


def test_the_same_file_twice_is_recognised(
    officer, tmp_path, rng, django_capture_on_commit_callbacks
):
    content = xlsx_bytes(tmp_path, [person(rng, VILLAGE_A1, 1)])
    upload(officer, "a.xlsx", content)
    first = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("people:import_confirm", args=[first.pk]), {"mode": "rows"})
    upload(officer, "a-copy.xlsx", content)
    second = ImportBatch.objects.exclude(pk=first.pk).get()
    assert second.status == ImportBatch.Status.DUPLICATE and "该文件已导入过" in second.message
    assert Person.objects.count() == 1
    response = officer.post(reverse("people:import_confirm", args=[second.pk]), follow=True)
    assert "不能导入" in response.content.decode() and Person.objects.count() == 1


def test_another_townships_households_are_row_errors(
    officer, tmp_path, rng, django_capture_on_commit_callbacks
):
    rows = [person(rng, VILLAGE_B1, 1), person(rng, VILLAGE_A1, 2)]
    upload(officer, "b.xlsx", xlsx_bytes(tmp_path, rows), mode="all")
    batch = ImportBatch.objects.get()
    assert batch.errors_head[0]["code"] == "household_scope"
    assert batch.errors_head[0]["message"] == "户编号不在您的管辖范围内"
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("people:import_confirm", args=[batch.pk]), {"mode": "all"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED and Person.objects.count() == 0


def test_a_village_administrator_cannot_import(personas, signed_in_client, tmp_path, rng):
    client = signed_in_client(personas["village_admin"])
    for name in ("people:import_list", "people:import_upload", "people:import_template"):
        assert client.get(reverse(name)).status_code == 403
    response = upload(client, "a.xlsx", xlsx_bytes(tmp_path, [person(rng, VILLAGE_A1, 1)]))
    assert response.status_code == 403 and ImportBatch.objects.count() == 0


def test_another_townships_batch_is_not_found(officer, personas, signed_in_client, tmp_path, rng):
    upload(officer, "a.xlsx", xlsx_bytes(tmp_path, [person(rng, VILLAGE_A1, 1, 联系电话="1")]))
    batch = ImportBatch.objects.get()
    other = make_user(
        "t_b",
        Role.TOWNSHIP_OFFICER,
        personas["township_officer"].unit.parent.children.get(code=TOWNSHIP_B),
    )
    client = signed_in_client(other)
    for name in ("people:import_detail", "people:import_report"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("people:import_confirm", args=[batch.pk])).status_code == 404
    assert "a.xlsx" not in client.get(reverse("people:import_list")).content.decode()


def test_hostile_uploads_are_refused_on_the_form(officer, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (30 << 20))
    response = upload(officer, "bomb.xlsx", bomb.read_bytes())
    assert response.status_code == 200 and "压缩炸弹" in response.content.decode()
    response = upload(officer, "a.exe", b"MZ")
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()
    assert ImportBatch.objects.count() == 0
    assert not [p for p in (tmp_path / "media" / "imports").rglob("*") if p.is_file()]


def test_oversized_upload(officer, settings):
    settings.RENKOU_IMPORT_MAX_BYTES = 100
    response = upload(officer, "a.csv", b"x" * 200)
    assert response.status_code == 200 and "文件过大" in response.content.decode()


def test_template_download(officer, tmp_path):
    response = officer.get(reverse("people:import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        workbook = archive.read("xl/workbook.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert sheet.count("<dataValidation ") == 8 and "字典" in sheet
    assert 'state="hidden"' in workbook and 'formatCode="@"' in styles  # text format
    rows = read_sheet(path)
    assert rows[1][0] == EXAMPLE_NAME and idnumber.validate(rows[1][1]).ok
    assert rows[1][10].startswith(VILLAGE_A1[:9])  # the example household is in scope
    guide = read_sheet(path, 1)
    listed = {row[0] for row in guide}
    assert {"姓名", "公民身份号码", "证件类型", "户编号", "联系电话", "现居住地代码"} <= listed
    assert AuditEntry.objects.filter(action__startswith="person.").count() == 0
