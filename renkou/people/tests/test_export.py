"""Export of the current filter (security.md CR8): the file is read back with python-calamine;
the audit row counts exactly the rows written; numbers are text and always masked here (full
numbers only through an approved 完整导出申请, test_export_approval.py)."""

import re
from io import BytesIO
from pathlib import Path
from zipfile import ZipFile

import pytest
from django.conf import settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from conftest import VILLAGE_A2
from renkou.common import crypto
from renkou.common.models import AuditEntry, JobProgress
from renkou.common.testing import media_bytes
from renkou.people import exports
from renkou.people.models import Person
from renkou.people.tests.page_helpers import make_household, make_person, new_id

EXPORT = "people:person_export"


@pytest.fixture
def township(personas, signed_in_client):
    return signed_in_client(personas["township_officer"])


def sheet_rows(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


def download(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return sheet_rows(b"".join(response.streaming_content))


def test_export_writes_the_filter_masked_and_audits_the_row_count(township):
    woman = make_person(phone="13912345678")
    household = make_household()
    make_person(household=household, name="张三", id_number=new_id(sex="1"), relationship="户主")
    make_person(VILLAGE_A2, name="李四")
    rows = download(township.post(reverse(EXPORT), {}))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["序号", "姓名", "公民身份号码"] and len(body) == 3
    by_name = {r[1]: r for r in body}
    assert by_name["王秀英"][2] == crypto.mask(woman.id_number)
    assert by_name["王秀英"][header.index("联系电话")] == "139********"
    # Beside the masked number, the age and not the birth date (docs/masking.md).
    assert "出生日期" not in header and "年龄" in header
    assert all(woman.id_number not in str(cell) for row in body for cell in row)
    assert isinstance(by_name["王秀英"][header.index("户编号")], str)
    entry = AuditEntry.objects.get(action="person.export")
    assert entry.row_count == len(body) == 3 and "full=0" in entry.summary


def test_export_follows_the_current_filter(township):
    make_person()
    make_person(name="张三", id_number=new_id(sex="1"))
    body = download(township.post(reverse(EXPORT), {"sex": "1"}))[1:]
    assert [r[1] for r in body] == ["张三"]
    entry = AuditEntry.objects.get(action="person.export")
    assert entry.row_count == 1 and entry.summary == "filters=sex;full=0"


def test_export_stays_inside_the_subtree(personas, signed_in_client):
    make_person(name="赵一")
    make_person(VILLAGE_A2, name="钱二")
    client = signed_in_client(personas["village_admin"])
    body = download(client.post(reverse(EXPORT), {"unit": "620001"}))[1:]
    assert [r[1] for r in body] == ["赵一"]


def test_full_numbers_without_an_approved_request_are_refused(township):
    """CR8: the old 导出完整号码 tick box no longer unmasks; full numbers need an approved
    完整导出申请 (test_export_approval.py). The attempt is refused and audited."""
    make_person(phone="13912345678")
    response = township.post(reverse(EXPORT), {"full": "1"})
    assert response.status_code == 403
    assert "Content-Disposition" not in response
    entry = AuditEntry.objects.get(action="person.export")
    assert entry.result == AuditEntry.Result.DENIED and entry.row_count is None
    assert entry.summary == "filters=;full=1"


def test_a_name_that_looks_like_a_formula_is_written_as_text(township):
    """CSV/formula injection (CR8): strings are cells of text, never formulas."""
    names = ["=1+1", "+1-1", "-2+3", "@SUM(A1)"]
    for name in names:
        person = make_person(name="占位")
        Person.objects.filter(pk=person.pk).update(name=name)
    response = township.post(reverse(EXPORT), {})
    content = b"".join(response.streaming_content)
    body = sheet_rows(content)[1:]
    assert sorted(r[1] for r in body) == sorted(names)
    with ZipFile(BytesIO(content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_export_is_a_post_for_registrars_only(personas, signed_in_client, township):
    assert township.get(reverse(EXPORT)).status_code == 405
    technician = signed_in_client(personas["technician"])
    assert technician.post(reverse(EXPORT), {}).status_code == 403


def test_the_list_carries_the_filter_into_the_export_form(township):
    make_person()
    body = township.get(reverse("people:person_list"), {"sex": "2", "name": "wxy"}).content.decode()
    # Both the (masked) export and the 申请完整导出 form carry the filter; no unmask tick box.
    forms = dict(re.findall(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', body, re.S))
    for action in (reverse(EXPORT), reverse("people:export_request_create")):
        assert (
            'name="sex" value="2"' in forms[action] and 'name="name" value="wxy"' in forms[action]
        )
    assert reverse("people:export_request_create") in body and 'name="full"' not in body


def test_large_exports_become_a_background_job(
    township, monkeypatch, django_capture_on_commit_callbacks, personas
):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 1)
    make_person()
    make_person(name="张三", id_number=new_id(sex="1"))
    with django_capture_on_commit_callbacks(execute=True):
        response = township.post(reverse(EXPORT), {})
    assert response.status_code == 302 and response["Location"] == reverse("system:job_list")
    job = JobProgress.objects.get(kind="person_export")
    assert job.status == JobProgress.Status.DONE and job.owner_id == personas["township_officer"].pk
    raw = (Path(settings.MEDIA_ROOT) / job.result_file).read_bytes()
    assert not raw.startswith(b"PK")  # encrypted at rest, not an .xlsx on disk
    content = media_bytes(job.result_file)
    body = sheet_rows(content)[1:]
    entry = AuditEntry.objects.get(action="person.export")
    assert entry.row_count == len(body) == 2 and entry.object_id == str(job.pk)
    download_ = township.get(reverse("system:job_download", args=[job.pk]))
    assert download_.status_code == 200
