"""Stored uploads (issue 19 item 5): the probe found every web-uploaded import file under
media/imports/<sha256> in plain text, error reports holding the whole sheet with full numbers,
files readable by everyone, and nothing deleting them."""

import random
import stat
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import VILLAGE_A1
from renkou.people.models import ImportBatch
from renkou.people.tests.import_files import HEADERS, person, read_sheet, write_xlsx

BANK = "6222021234567890123"  # a bank-card-shaped number in a column the importer does not know


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(personas, signed_in_client):
    return signed_in_client(personas["township_officer"])


def bad_file(tmp_path):
    """Two rows: a good one and one with a wrong phone, both with their full numbers."""
    rng = random.Random(5)
    rows = [
        person(rng, VILLAGE_A1, 1, 备注=f"卡号{BANK}"),
        person(rng, VILLAGE_A1, 2, 联系电话="12", 备注=f"卡号{BANK}"),
    ]
    path = write_xlsx(tmp_path / "upload.xlsx", rows, [*HEADERS, "备注"])
    return path.read_bytes(), rows


def every_file_under(root):
    return [p for p in root.rglob("*") if p.is_file()]


def upload(client, content):
    data = {"file": SimpleUploadedFile("名单.xlsx", content), "mode": "rows"}
    return client.post(reverse("people:import_upload"), data)


def test_nothing_under_media_holds_the_uploaded_numbers_in_plain_text(officer, tmp_path, media):
    content, rows = bad_file(tmp_path)
    assert upload(officer, content).status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.error_report
    files = every_file_under(media)
    assert len(files) == 3  # the upload, the full report, the masked report
    secrets = [r["公民身份号码"].encode() for r in rows] + [b"13912345678", BANK.encode()]
    for path in files:
        data = path.read_bytes()
        assert not data.startswith(b"PK"), path  # no readable .xlsx on disk
        assert not any(secret in data for secret in secrets), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent
    assert batch.file_hash not in " ".join(p.name for p in files)


def cells_of(response, tmp_path) -> str:
    path = tmp_path / "downloaded.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return "\n".join(str(c) for row in read_sheet(path) for c in row) + "\n".join(
        str(c) for row in read_sheet(path, 1) for c in row
    )


def test_the_uploader_gets_the_full_report_everyone_else_a_masked_one(
    officer, personas, signed_in_client, tmp_path
):
    content, rows = bad_file(tmp_path)
    upload(officer, content)
    batch = ImportBatch.objects.get()
    url = reverse("people:import_report", args=[batch.pk])

    own = cells_of(officer.get(url), tmp_path)
    assert rows[1]["公民身份号码"] in own and BANK in own  # to fix and upload again

    county = signed_in_client(personas["county_officer"])
    response = county.get(url)
    assert response.status_code == 200
    assert quote("（已脱敏）") in response["Content-Disposition"]
    masked = cells_of(response, tmp_path)
    assert "王秀英" in masked and "联系电话格式不正确" in masked  # the rows and what is wrong
    for row in rows:
        assert row["公民身份号码"] not in masked
    assert "13912345678" not in masked and BANK not in masked


def test_an_imported_batch_keeps_no_upload(officer, tmp_path, django_capture_on_commit_callbacks):
    content, _rows = bad_file(tmp_path)
    upload(officer, content)
    batch = ImportBatch.objects.get()
    stored = batch.stored_file
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("people:import_confirm", args=[batch.pk]), {"mode": "rows"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert batch.stored_file == ""
    assert not (tmp_path / "media" / stored).exists()
