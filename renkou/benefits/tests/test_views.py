"""The pages end to end: a village administrator finds an eligible 60-year-old on the 全覆盖
list, files, the township and the county approve, each notice runs, the county finalises; the
eligibility page explains; uploads refuse bad files; downloads are typed and audited."""

from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renkou.benefits.constants import Status
from renkou.benefits.models import Application, Document, Notice
from renkou.benefits.tests.conftest import child, couple
from renkou.common.models import AuditEntry

TZ = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(day):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


@pytest.fixture
def sixty(programs, units):
    husband, wife = couple(husband_born=date(1966, 2, 1), wife_born=date(1968, 1, 1), id_number="")
    child(wife, 1, "1", date(1990, 1, 1))
    return husband


def _as(signed_in_client, personas, role):
    return signed_in_client(personas[role])


def shown(row):
    """The ``version`` a page of ``row`` shows now (the hidden field its forms post)."""
    return type(row).objects.values_list("version", flat=True).get(pk=row.pk)


def test_the_done_flow(sixty, personas, signed_in_client, client):
    day = date(2026, 3, 2)
    with at(day):
        _as(signed_in_client, personas, "village_admin")
        page = client.get(reverse("benefits:screening"))
        assert page.status_code == 200 and sixty.name in page.content.decode()
        url = reverse("benefits:application_create", args=[sixty.pk])
        response = client.post(url, {"program": "jiangfu", "village_opinion": "评议通过"})
        app = Application.objects.get(person=sixty)
        assert response.status_code == 302 and app.status == Status.SUBMITTED
        # Filed: the 60-year-old leaves the 全覆盖 list.
        assert sixty.name not in client.get(reverse("benefits:screening")).content.decode()
        _as(signed_in_client, personas, "township_officer")
        review = reverse("benefits:application_review", args=[app.pk])
        client.post(review, {"action": "approve", "comment": "同意", "version": shown(app)})
        client.post(
            reverse("benefits:notice_create"),
            {
                "program": "jiangfu",
                "unit": "620001100000",
                "starts_on": day.isoformat(),
                "days": 7,
                "contact": "0000-1234567",
            },
        )
    notice = Notice.objects.get()
    assert notice.ends_on == date(2026, 3, 8)
    with at(date(2026, 3, 8)):
        _as(signed_in_client, personas, "township_officer")  # a fresh session each day
        client.post(reverse("benefits:notice_close", args=[notice.pk]))
        app.refresh_from_db()
        assert app.status == Status.NOTICE  # still running on its last day
    with at(date(2026, 3, 9)):
        _as(signed_in_client, personas, "township_officer")
        client.post(reverse("benefits:notice_close", args=[notice.pk]))
        app.refresh_from_db()
        assert (app.status, app.level) == (Status.SUBMITTED, "county")
        _as(signed_in_client, personas, "county_officer")
        client.post(review, {"action": "approve", "version": shown(app)})
        client.post(
            reverse("benefits:notice_create"),
            {"program": "jiangfu", "unit": "620001000000", "starts_on": "2026-03-09", "days": 7},
        )
    with at(date(2026, 3, 16)):
        _as(signed_in_client, personas, "county_officer")
        client.post(review, {"action": "finalise", "version": shown(app)})
        app.refresh_from_db()
        assert app.status == Status.APPROVED and app.certificate_no == "J62000110020263" + "0001"
        printed = client.get(reverse("benefits:application_print", args=[app.pk]))
        assert app.certificate_no in printed.content.decode()


def test_eligibility_page_explains_and_is_audited(sixty, personas, signed_in_client, client):
    _as(signed_in_client, personas, "township_officer")
    with at(date(2026, 3, 2)):
        page = client.get(reverse("benefits:eligibility", args=[sixty.pk])).content.decode()
    assert "农村部分计划生育家庭奖励扶助" in page and "本人年满60周岁" in page and "第1版" in page
    assert AuditEntry.objects.filter(action="benefits.view", object_id=str(sixty.pk)).exists()


def test_id_search_is_post_only_and_out_of_scope_is_404(
    sixty, personas, signed_in_client, client, units
):
    from conftest import make_user

    other = make_user("v_b2", "village_admin", units["620001101202"])
    signed_in_client(other)
    assert client.get(reverse("benefits:eligibility", args=[sixty.pk])).status_code == 404
    response = client.post(reverse("benefits:eligibility_search"), {"id_number": "x"})
    assert response.status_code == 200 and "未找到" in response.content.decode()


@pytest.fixture
def filed(sixty, personas, signed_in_client, client):
    _as(signed_in_client, personas, "village_admin")
    with at(date(2026, 3, 2)):
        client.post(reverse("benefits:application_create", args=[sixty.pk]), {"program": "jiangfu"})
    return Application.objects.get(person=sixty)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.pdf", b"MZ\x90\x00 not a pdf", "只接受"),
        ("a.png", b"", "请选择"),  # empty: the form refuses it
    ],
)
def test_uploads_refused_for_bad_types(filed, client, name, content, message):
    url = reverse("benefits:document_upload", args=[filed.pk])
    response = client.post(
        url,
        {
            "kind": "hukou",
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
        follow=True,
    )
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_uploads_refused_over_the_size_limit(filed, client, settings):
    settings.RENKOU_BENEFIT_UPLOAD_MAX_BYTES = 50
    url = reverse("benefits:document_upload", args=[filed.pk])
    response = client.post(
        url, {"kind": "hukou", "file": SimpleUploadedFile("a.png", PNG)}, follow=True
    )
    assert "文件过大" in response.content.decode() and not Document.objects.exists()


def test_upload_sniffed_and_download_typed_and_audited(filed, client):
    url = reverse("benefits:document_upload", args=[filed.pk])
    # Named .pdf and claimed as HTML: stored by its content, served as PNG.
    client.post(
        url,
        {"kind": "hukou", "file": SimpleUploadedFile("evil.pdf", PNG, content_type="text/html")},
    )
    document = Document.objects.get()
    assert document.ext == "png" and not document.stored.endswith("evil.pdf")
    response = client.get(reverse("benefits:document_download", args=[document.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PNG
    assert AuditEntry.objects.filter(action="benefits.document_download").count() == 1


def test_a_document_is_encrypted_and_owner_only_on_disk(filed, client, settings):
    """Issue 19 item 5: stored uploads sat in plain text, readable by everyone."""
    import stat
    from pathlib import Path

    scan = b"%PDF-1.4 hukou book of 11010519491231002X"
    url = reverse("benefits:document_upload", args=[filed.pk])
    client.post(url, {"kind": "hukou", "file": SimpleUploadedFile("户口本.pdf", scan)})
    document = Document.objects.get()
    path = Path(settings.MEDIA_ROOT) / document.stored
    raw = path.read_bytes()
    assert b"11010519491231002X" not in raw and not raw.startswith(b"%PDF")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    response = client.get(reverse("benefits:document_download", args=[document.pk]))
    assert b"".join(response.streaming_content) == scan


def test_review_refused_at_the_wrong_level_leaves_a_message(
    filed, personas, signed_in_client, client
):
    _as(signed_in_client, personas, "county_officer")
    review = reverse("benefits:application_review", args=[filed.pk])
    page = client.post(review, {"action": "approve", "version": shown(filed)}, follow=True)
    page = page.content.decode()
    assert "乡镇" in page and "不能办理" in page
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED


def test_notice_export_is_masked_and_audited(filed, personas, signed_in_client, client):
    _as(signed_in_client, personas, "township_officer")
    with at(date(2026, 3, 2)):
        review = reverse("benefits:application_review", args=[filed.pk])
        client.post(review, {"action": "approve", "version": shown(filed)})
        client.post(
            reverse("benefits:notice_create"),
            {"program": "jiangfu", "unit": "620001100201", "starts_on": "2026-03-02", "days": 7},
        )
    notice = Notice.objects.get()
    response = client.get(reverse("benefits:notice_export", args=[notice.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # Named in Chinese as the other downloads (issue 11 item 8), e.g. 公示名单-…-20260302-1.xlsx
    name = "公示名单-农村部分计划生育家庭奖励扶助-20260302"
    assert quote(name) in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="benefits.notice_export", row_count=1).exists()
    page = client.get(reverse("benefits:notice_detail", args=[notice.pk])).content.decode()
    assert "2026年3月2日至2026年3月8日" in page


def test_declared_information_is_shown_in_words(sixty, personas, signed_in_client, client):
    """Issue 11 item 8: 申报信息 lists what the applicant declared, by its name on the form; the
    programme and the village's opinion are fields of their own, not declarations."""
    with at(date(2026, 3, 2)):
        _as(signed_in_client, personas, "village_admin")
        url = reverse("benefits:application_create", args=[sixty.pk])
        data = {"program": "jiangfu", "village_opinion": "评议通过", "one_child_cert_no": "D0012"}
        client.post(url, data)
        app = Application.objects.get(person=sixty)
        assert app.declared == {"one_child_cert_no": "D0012"}
        page = client.get(reverse("benefits:application_detail", args=[app.pk])).content.decode()
    assert "独生子女父母光荣证号：D0012" in page
    assert "program=" not in page and "village_opinion" not in page


def test_the_programme_page_reads_its_rule_in_words(programs, personas, signed_in_client, client):
    _as(signed_in_client, personas, "village_admin")
    page = client.get(reverse("benefits:program_detail", args=["jiangfu"])).content.decode()
    assert "现行第1版的资格条件" in page and "JSON" not in page
    assert '"fact"' not in page and "&quot;fact&quot;" not in page
    assert "domain.md" not in page and "§" not in page


def test_rule_editor_json_errors_and_amount_in_fen(programs, personas, signed_in_client, client):
    _as(signed_in_client, personas, "county_officer")
    url = reverse("benefits:version_create", args=["jiangfu"])
    page = client.post(url, {"effective_from": "2027-01-01", "conditions": "{bad"}).content
    assert "不是有效的 JSON" in page.decode()
    page = client.post(
        url,
        {"effective_from": "2027-01-01", "conditions": '{"fact": "wealth", "op": ">", "value": 1}'},
    ).content
    assert "未知的事实" in page.decode()
    client.post(
        reverse("benefits:amount_add", args=["jiangfu"]),
        {"effective_from": "2027-01-01", "yuan": "1080.50"},
    )
    row = programs["jiangfu"].amounts.get(effective_from=date(2027, 1, 1))
    assert row.fen == 108050
    page = client.post(
        reverse("benefits:amount_add", args=["jiangfu"]),
        {"effective_from": "2028-01-01", "yuan": "1.005"},
    ).content.decode()
    assert "两位小数" in page
