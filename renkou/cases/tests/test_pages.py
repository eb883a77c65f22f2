"""The case pages as each role uses them: opening with Chinese errors that change nothing, the
case's page with steps, evidence, referral and outcome, the edit keeping the masked numbers,
the list's filters and paging, the export without unmasked numbers, opening from a tip-off's
page, and 404 outside the subtree."""

import io
import re
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from conftest import TOWNSHIP_A, TOWNSHIP_B
from renkou.cases import services
from renkou.cases.models import Case, Evidence
from renkou.cases.tests.conftest import NAME, PERSON_ID, PHONE, SUBJECT_PHONE, open_case, person
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry

FORM = {
    "source": "hospital",
    "source_note": "县妇幼保健院报告",
    "opened_on": "2027-03-08",
    "unit_code": TOWNSHIP_A,
    "subject_type": "person",
    "subject_kind": "practitioner",
    "subject_name": "刘某",
    "subject_licence": "",
    "subject_address": "甲镇卫生院家属楼",
    "subject_id_number": PERSON_ID,
    "subject_phone": SUBJECT_PHONE,
    "facts": "为孕妇做B超时以手势暗示胎儿性别",
}


def test_opening_a_case_a_bad_form_says_why_and_changes_nothing(personas, signed_in_client, today):
    client = signed_in_client(personas["township_officer"])
    bad = {**FORM, "subject_kind": "clinic", "facts": "", "opened_on": "2027-13-01"}
    html = client.post(reverse("cases:create"), bad).content.decode()
    assert "此项为必填项" in html and "请输入有效的日期" in html
    assert not Case.objects.exists()
    html = client.post(reverse("cases:create"), {**FORM, "subject_kind": "clinic"}).content.decode()
    assert "当事方类别与机构或个人不符，请重新选择" in html and not Case.objects.exists()
    response = client.post(reverse("cases:create"), FORM)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[case.pk]
    )
    assert (case.source, case.subject_id_number, case.opened_by) == (
        "hospital",
        PERSON_ID,
        personas["township_officer"],
    )


def test_the_case_page_shows_steps_evidence_referral_and_outcome_numbers_masked(
    personas, signed_in_client, today
):
    officer = personas["township_officer"]
    case = services.case_open(
        actor=Actor(officer), source="inspection", subject=person(), opened_on=date(2027, 3, 1)
    )
    client = signed_in_client(officer)
    detail = reverse("cases:detail", args=[case.pk])
    client.post(
        reverse("cases:step_add", args=[case.pk]), {"done_on": "2027-03-02", "text": "询问"}
    )
    upload = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    client.post(
        reverse("cases:evidence_upload", args=[case.pk]), {"title": "聊天截图", "file": upload}
    )
    bad = SimpleUploadedFile("p.png", b"MZ\x90\x00", content_type="image/png")
    page = client.post(
        reverse("cases:evidence_upload", args=[case.pk]),
        {"title": "程序", "file": bad},
        follow=True,
    )
    assert "只接受 PDF、JPG、PNG" in page.content.decode()
    refer = {
        "referred_to": "police",
        "referral_body": "县公安局刑事侦查大队",
        "referred_on": "2027-03-06",
        "version": "1",
    }
    client.post(reverse("cases:refer", args=[case.pk]), refer)
    html = client.get(detail).content.decode()
    assert "询问" in html and "聊天截图" in html and "县公安局刑事侦查大队" in html
    assert "已移送，待处理结果" in html
    assert PERSON_ID not in html and SUBJECT_PHONE not in html
    assert PERSON_ID[:4] + "*" * 14 in html and SUBJECT_PHONE[:3] + "*" * 8 in html
    evidence = Evidence.objects.get()
    download = client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == b"\x89PNG\r\n\x1a\n0000"
    assert download["X-Content-Type-Options"] == "nosniff"
    close = {"outcome": "penalized", "decision": "移送后依法处理", "closed_on": "2027-03-09"}
    client.post(reverse("cases:close", args=[case.pk]), {**close, "version": "2"})
    assert Case.objects.get().status == "closed"
    reads = AuditEntry.objects.filter(action="cases.view", object_id=str(case.pk)).count()
    assert reads == 2  # two reads of a person's case
    assert AuditEntry.objects.filter(action="cases.evidence_download").count() == 1


def test_the_edit_never_puts_the_numbers_in_the_page_and_empty_keeps_them(
    personas, signed_in_client, today
):
    officer = personas["township_officer"]
    case = services.case_open(
        actor=Actor(officer), source="inspection", subject=person(), opened_on=date(2027, 3, 1)
    )
    client = signed_in_client(officer)
    url = reverse("cases:edit", args=[case.pk])
    html = client.get(url).content.decode()
    assert PERSON_ID not in html and SUBJECT_PHONE not in html and "不修改请留空" in html
    data = {k: v for k, v in FORM.items() if k not in ("source", "opened_on")}
    data |= {"subject_id_number": "", "subject_phone": "", "subject_name": "马某甲", "version": 1}
    assert client.post(url, data).status_code == 302
    row = Case.objects.get()
    assert (row.subject_name, row.subject_id_number, row.subject_phone) == (
        "马某甲",
        PERSON_ID,
        SUBJECT_PHONE,
    )
    stale = client.post(url, {**data, "subject_name": "又改"})
    assert stale.status_code == 409 and Case.objects.get().subject_name == "马某甲"


def test_a_case_outside_the_subtree_is_404_and_the_list_shows_the_own_township_only(
    personas, signed_in_client, today
):
    mine = open_case(personas["township_officer"])
    other = open_case(personas["county_officer"], unit_code=TOWNSHIP_B, subject_name="乙乡诊所")
    client = signed_in_client(personas["township_officer"])
    for name in ("cases:detail", "cases:edit"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    step = {"done_on": "2027-03-02", "text": "走访"}
    assert client.post(reverse("cases:step_add", args=[other.pk]), step).status_code == 404
    html = client.get(reverse("cases:list")).content.decode()
    assert mine.number in html and other.number not in html
    county = signed_in_client(personas["county_officer"])
    html = county.get(reverse("cases:list")).content.decode()
    assert mine.number in html and other.number in html
    leader = signed_in_client(personas["leader"])
    assert leader.get(reverse("cases:detail", args=[mine.pk])).status_code in (403, 404)
    assert leader.get(reverse("cases:list")).status_code == 403


def test_the_list_filters_and_pages(personas, signed_in_client, today):
    officer = personas["township_officer"]
    for i in range(12):
        open_case(officer, subject_name=f"诊所{i:02d}")
    open_case(officer, source="hospital", subject_name="医院报告的诊所")
    client = signed_in_client(officer)
    page = client.get(reverse("cases:list"))
    assert page.context["page"].paginator.count == 13 and len(page.context["page"]) == 10
    second = client.get(reverse("cases:list"), {"page": 2})
    assert len(second.context["page"]) == 3
    found = client.get(reverse("cases:list"), {"source": "hospital"}).context["page"]
    assert [c.subject_name for c in found] == ["医院报告的诊所"]
    found = client.get(reverse("cases:list"), {"q": "诊所0"}).context["page"]
    assert found.paginator.count == 10
    overdue = client.get(reverse("cases:list"), {"overdue": "1"}).context["page"]
    assert overdue.paginator.count == 0  # the deadline is 30 April


def test_the_export_masks_the_numbers_and_leaves_out_address_and_facts(
    personas, signed_in_client, today
):
    officer = personas["township_officer"]
    services.case_open(
        actor=Actor(officer), source="inspection", subject=person(), opened_on=date(2027, 3, 1)
    )
    response = signed_in_client(officer).get(reverse("cases:export"))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    text = " ".join(str(v) for row in rows for v in row)
    assert PERSON_ID not in text and SUBJECT_PHONE not in text
    assert "三社" not in text and "鉴定胎儿性别" not in text
    header, row = rows[0], rows[1]
    assert row[header.index("公民身份号码（遮蔽）")] == PERSON_ID[:4] + "*" * 14
    assert row[header.index("当事机构或人员名称")] == "马某"
    assert AuditEntry.objects.get(action="cases.export").row_count == 1


def test_the_handler_opens_a_case_from_the_tipoff_page_without_the_informant(
    handled, personas, signed_in_client, today
):
    handler = signed_in_client(personas["township_officer"])
    tipoff_page = handler.get(reverse("tipoffs:detail", args=[handled.pk])).content.decode()
    match = re.search(r'id="open-case" href="([^"]+)"', tipoff_page)
    assert match is not None
    url = match.group(1).replace("&amp;", "&")
    form = handler.get(url).content.decode()
    assert "某诊所" in form and NAME not in form and PHONE not in form
    data = {**FORM, "source": "tipoff", "subject_type": "institution", "subject_kind": "clinic"}
    data |= {"subject_id_number": "", "subject_name": "某诊所"}
    handler.post(url, data)
    case = Case.objects.get()
    assert list(case.tipoffs.all()) == [handled]
    page = handler.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert handled.number in page and NAME not in page and PHONE not in page
    handler.logout()
    county = signed_in_client(personas["county_officer"])  # not the handler: no button
    html = county.get(reverse("tipoffs:detail", args=[handled.pk])).content.decode()
    assert 'id="open-case"' not in html
    county.get(f"{reverse('cases:create')}?tipoff={handled.pk}")
    assert county.post(f"{reverse('cases:create')}?tipoff={handled.pk}", data).status_code == 200
    assert Case.objects.count() == 1  # the form without a tip-off of its own: refused


def test_the_list_and_the_figures_take_as_many_queries_for_many_cases_as_for_one(
    personas, signed_in_client, today
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = personas["county_officer"]
    client = signed_in_client(officer)

    def counted(name):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        return len(queries)

    open_case(officer)
    one = (counted("cases:list"), counted("cases:stats"))
    for i in range(8):
        open_case(officer, unit_code=TOWNSHIP_B if i % 2 else TOWNSHIP_A, source="hospital")
    assert (counted("cases:list"), counted("cases:stats")) == one
