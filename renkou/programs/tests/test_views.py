"""The pre-pregnancy exam pages: a couple served from file to outcome through the forms, health
details shown in full only to technicians and the woman's township office, every view audited,
counts only for leaders with small cells suppressed below township level, 404 out of scope."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import VILLAGE_A1
from renkou.common.models import AuditEntry
from renkou.programs.models import CoupleFile, Exam, ExamItem, FollowUp, RiskAssessment
from renkou.programs.tests.conftest import YEAR, add, wed

SECRET_RESULT = "HBsAg 阳性，建议复查"


@pytest.fixture(autouse=True)
def _on_the_test_day(settings):
    """The pages count with today's date: hold it at the tests' day, 2026-11-29."""
    moment = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(moment, tick=True):
        yield


def client_for(signed_in_client, personas, role):
    from django.test import Client

    return signed_in_client(personas[role], Client())


def test_a_couple_is_served_from_file_to_outcome_through_the_pages(
    units, personas, signed_in_client, point, settings
):
    wife = add("卓玛", "2", date(1996, 4, 2), VILLAGE_A1)
    husband = add("扎西", "1", date(1994, 8, 9), VILLAGE_A1, relationship="10")
    wed(wife, husband)
    township = client_for(signed_in_client, personas, "township_officer")
    url = reverse("programs:couple_create") + f"?wife={wife.pk}"
    response = township.post(url, {"sequence": "1", "consent_on": "2026-11-20"})
    couple = CoupleFile.objects.get(wife=wife)
    assert response.status_code == 302 and couple.husband_id == husband.pk
    # A second file for the same couple and planned pregnancy is refused on the form.
    again = township.post(url, {"sequence": "1", "consent_on": "2026-11-20"})
    assert again.status_code == 200 and "只享受一次免费检查" in again.content.decode()
    assert CoupleFile.objects.filter(wife=wife).count() == 1
    confirm = reverse("programs:couple_confirm", args=[couple.pk])
    assert township.post(confirm, {"on": "2026-11-21", "notice_no": "TZ-9"}).status_code == 302
    tech = client_for(signed_in_client, personas, "technician")
    exam_data = {
        "examined_on": "2026-11-23",
        "service_point": point.pk,
        "examiner": "李医生",
        "s1": "0",
        "r1": "已宣教",
        "s10": "1",
        "r10": SECRET_RESULT,
        "n10": "转诊复查",
    }
    response = tech.post(reverse("programs:exam_wife", args=[couple.pk]), exam_data)
    assert response.status_code == 302
    exam = Exam.objects.get(couple=couple, spouse="wife")
    assert exam.items.count() == 2 and exam.items.get(item=10).abnormal
    assessment = {
        "assessed_on": "2026-11-25",
        "category": "high",
        "factors": ["3"],
        "counselled_on": "2026-11-25",
        "counselling": "face",
        "counsellor": "王医生",
        "referred": "on",
        "referral_to": "县人民医院感染科",
    }
    response = tech.post(reverse("programs:assessment_record", args=[exam.pk]), assessment)
    assert response.status_code == 302
    assert RiskAssessment.objects.get(exam=exam).referral_to == "县人民医院感染科"
    village = client_for(signed_in_client, personas, "village_admin")
    response = village.post(
        reverse("programs:pregnancy_record", args=[couple.pk]),
        {"lmp_on": "2026-10-01", "recorded_on": "2026-11-28"},
    )
    assert response.status_code == 302
    early = FollowUp.objects.get(couple=couple, kind="early")
    assert early.due_on == date(2026, 12, 24)  # 1 October + 84 days
    response = village.post(
        reverse("programs:followup_record", args=[early.pk]),
        {"done_on": "2026-11-29", "method": "phone"},
    )
    assert response.status_code == 302
    early.refresh_from_db()
    assert early.done_on == date(2026, 11, 29) and early.weeks == 8  # 59 days
    # The follow-up is done: the village officer, who may not see its details, cannot reopen it.
    response = village.get(reverse("programs:followup_record", args=[early.pk]))
    assert response.status_code == 302
    couple.refresh_from_db()
    assert couple.status == "pregnant"


@pytest.fixture
def examined(scenario):
    """c1 of the scenario, whose wife has an abnormal item 10, with a known result text."""
    couple = scenario["c1"]
    row = ExamItem.objects.get(exam__couple=couple, exam__spouse="wife", item=10)
    row.result = SECRET_RESULT
    row.save()
    return couple


@pytest.mark.parametrize(
    ("role", "full"),
    [
        ("technician", True),
        ("township_officer", True),
        ("county_officer", False),
        ("village_admin", False),
    ],
)
def test_health_details_in_full_only_for_technicians_and_the_township(
    examined, personas, signed_in_client, role, full
):
    client = client_for(signed_in_client, personas, role)
    before = AuditEntry.objects.filter(action="programs.view").count()
    response = client.get(reverse("programs:couple_detail", args=[examined.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert (SECRET_RESULT in body) is full
    assert ("高风险人群" in body) is full  # the risk category is a finding
    assert ("感染性疾病" in body) is full  # and so is the factor
    if not full:
        assert "已记录" in body and "已评估" in body
    entry = AuditEntry.objects.filter(action="programs.view").order_by("-seq").first()
    assert AuditEntry.objects.filter(action="programs.view").count() == before + 1
    assert entry.object_id == str(examined.pk) and entry.username == f"p_{role}"
    assert examined.wife.name not in entry.summary


def test_an_inspector_outside_a_visit_gets_404(examined, personas, signed_in_client):
    """The inspector reads people's data only under a visit's grant (issue 14 item 6), and a
    couple file names no one sampled person, so it stays closed to it (fail closed; the visit
    itself: renkou/supervision/tests/test_inspector_access.py)."""
    client = client_for(signed_in_client, personas, "inspector")
    assert client.get(reverse("programs:couple_detail", args=[examined.pk])).status_code == 404


def test_out_of_scope_is_404(scenario, personas, signed_in_client):
    township_a = client_for(signed_in_client, personas, "township_officer")
    b_couple = scenario["c3"]  # township B
    assert township_a.get(reverse("programs:couple_detail", args=[b_couple.pk])).status_code == 404
    village = client_for(signed_in_client, personas, "village_admin")  # village A1
    a2_couple = scenario["c5"]
    assert village.get(reverse("programs:couple_detail", args=[a2_couple.pk])).status_code == 404
    followup = FollowUp.objects.filter(couple=a2_couple).first()
    assert village.get(reverse("programs:followup_record", args=[followup.pk])).status_code == 404
    names = reverse("programs:names", args=["620001101000"])
    assert township_a.get(names).status_code == 404
    coverage = reverse("programs:coverage") + "?unit=620001101"
    assert township_a.get(coverage).status_code == 404


def test_the_couple_list_is_scoped_and_searchable(scenario, personas, signed_in_client):
    village = client_for(signed_in_client, personas, "village_admin")
    body = village.get(reverse("programs:couple_list")).content.decode()
    assert scenario["c1"].file_no in body and scenario["c5"].file_no not in body
    county = client_for(signed_in_client, personas, "county_officer")
    found = county.get(reverse("programs:couple_list"), {"name": "六号"}).content.decode()
    assert scenario["c3"].file_no in found and scenario["c1"].file_no not in found
    spaced = county.get(reverse("programs:couple_list"), {"name": "六 号"}).content.decode()
    assert scenario["c3"].file_no in spaced and scenario["c1"].file_no not in spaced


def test_leaders_see_counts_only_with_small_cells_suppressed(scenario, personas, signed_in_client):
    leader = client_for(signed_in_client, personas, "leader")
    county_page = leader.get(reverse("programs:coverage"), {"year": YEAR})
    assert county_page.status_code == 200
    body = county_page.content.decode()
    # Township rows are shown as they are (township level): A examined 3 of 5.
    assert "甲镇" in body and "60.0%" in body and "&lt;5" not in body
    assert reverse("programs:names", args=["620001100000"]) not in body  # no name lists
    township_page = leader.get(reverse("programs:coverage"), {"unit": "620001100", "year": YEAR})
    body = township_page.content.decode()
    assert "甲一村" in body and "&lt;5" in body
    assert "乙一村" not in body
    assert leader.get(reverse("programs:couple_list")).status_code == 403
    assert leader.get(reverse("programs:names", args=["620001100000"])).status_code == 403
    assert leader.get(reverse("programs:followup_due")).status_code == 403
    # Staff see the village counts and the links to their name lists.
    county = client_for(signed_in_client, personas, "county_officer")
    body = county.get(reverse("programs:coverage"), {"unit": "620001100", "year": YEAR}).content
    assert "&lt;5" not in body.decode()
    assert reverse("programs:names", args=["620001100201"]) in body.decode()


def test_the_leader_village_page_suppresses_the_total_too(scenario, personas, signed_in_client):
    leader = client_for(signed_in_client, personas, "leader")
    body = leader.get(reverse("programs:coverage"), {"unit": VILLAGE_A1, "year": YEAR}).content
    text = body.decode()
    assert "&lt;5" in text and "50.0%" not in text


def test_name_lists(scenario, personas, signed_in_client):
    county = client_for(signed_in_client, personas, "county_officer")
    url = reverse("programs:names", args=["620001100000"])
    page = county.get(url, {"figure": "coverage", "side": "d", "year": YEAR})
    body = page.content.decode()
    assert page.status_code == 200 and "共 5 条" in body
    for name in ("一号", "九号", "十二号", "十三号", "八号"):
        assert name in body
    entry = AuditEntry.objects.filter(action="programs.names").order_by("-seq").first()
    assert entry.row_count == 5 and "一号" not in entry.summary
    # Who is high risk is a finding: the county officer gets the count, not the names.
    high = county.get(url, {"figure": "high_risk", "side": "n", "year": YEAR}).content.decode()
    assert "仅服务技术人员和所在乡镇计生办可查看" in high and "共 0 条" in high
    tech = client_for(signed_in_client, personas, "technician")
    high = tech.get(url, {"figure": "high_risk", "side": "n", "year": YEAR}).content.decode()
    assert "共 2 条" in high and scenario["c5"].file_no in high


def test_the_due_list_page_highlights_overdue_items(scenario, personas, signed_in_client):
    township = client_for(signed_in_client, personas, "township_officer")
    response = township.get(reverse("programs:followup_due"))
    body = response.content.decode()
    outcome = FollowUp.objects.get(couple=scenario["c4"], kind="outcome")
    assert reverse("programs:followup_record", args=[outcome.pk]) in body
    # Due 2026-04-19: 224 days overdue on 2026-11-29.
    assert body.count('class="table-danger"') == 1 and "逾期 224 天" in body
    assert AuditEntry.objects.filter(action="programs.due_list", row_count=1).exists()


def test_the_county_adjusts_a_township_target(scenario, personas, signed_in_client):
    county = client_for(signed_in_client, personas, "county_officer")
    url = reverse("programs:target_edit", args=["620001100000"]) + f"?year={YEAR}"
    refused = county.post(url, {"adjustment": "3", "reason": ""})
    assert refused.status_code == 200 and "须填写原因" in refused.content.decode()
    done = county.post(url, {"adjustment": "3", "reason": "流入夫妇摸底"})
    assert done.status_code == 302
    body = county.get(reverse("programs:target_list"), {"year": YEAR}).content.decode()
    assert "流入夫妇摸底" in body and "+3" in body
    # 3 examined of 5 + 3 = 8: 37.5 %.
    coverage = county.get(reverse("programs:coverage"), {"unit": "620001100", "year": YEAR})
    assert "37.5%" in coverage.content.decode()
    township = client_for(signed_in_client, personas, "township_officer")
    assert township.post(url, {"adjustment": "9", "reason": "x"}).status_code == 403


def test_the_exam_form_shows_recorded_results_to_the_technician_and_audits(
    examined, personas, signed_in_client
):
    tech = client_for(signed_in_client, personas, "technician")
    response = tech.get(reverse("programs:exam_wife", args=[examined.pk]))
    assert response.status_code == 200 and SECRET_RESULT in response.content.decode()
    entry = AuditEntry.objects.filter(action="programs.view").order_by("-seq").first()
    assert entry.summary == "form=exam" and entry.object_type == "programs.exam"


def test_query_budgets(scenario, personas, signed_in_client, django_assert_max_num_queries):
    """List and report pages: a fixed number of queries, whatever the number of rows (one
    grouped query per list for the per-unit table)."""
    county = client_for(signed_in_client, personas, "county_officer")
    with django_assert_max_num_queries(27):
        assert county.get(reverse("programs:coverage"), {"unit": "620001100"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert county.get(reverse("programs:couple_list")).status_code == 200
    with django_assert_max_num_queries(13):
        assert county.get(reverse("programs:followup_due")).status_code == 200
    with django_assert_max_num_queries(9):
        assert county.get(reverse("programs:target_list")).status_code == 200
    with django_assert_max_num_queries(30):
        couple = scenario["c5"]
        assert county.get(reverse("programs:couple_detail", args=[couple.pk])).status_code == 200
