"""The case services: validation in Chinese with nothing written, scope, the workflow and its
refusals, audit rows and history in the same transaction, the subject's numbers encrypted at
rest, the evidence under the benefit documents' upload rules, and tip-offs linked by their
handler without their informant."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from conftest import TOWNSHIP_A, TOWNSHIP_B
from renkou.cases import services
from renkou.cases.models import Case, Evidence, Step
from renkou.cases.tests.conftest import PERSON_ID, SUBJECT_PHONE, open_case, person, subject
from renkou.common.actors import Actor, ConflictError
from renkou.common.models import AuditEntry

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


def _refer(user, case, **values):
    fields = {
        "referred_to": "inspectorate",
        "referral_body": "县卫生健康综合监督执法局",
        "referred_on": date(2027, 3, 5),
        "version": case.version,
    }
    fields.update(values)
    return services.case_refer(actor=Actor(user), case=case, **fields)


def _close(user, case, **values):
    fields = {
        "outcome": "penalized",
        "decision": "没收B超机，罚款",
        "closed_on": date(2027, 3, 9),
        "version": case.version,
    }
    fields.update(values)
    return services.case_close(actor=Actor(user), case=case, **fields)


def test_bad_input_is_refused_in_chinese_and_writes_nothing(personas, today):
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.case_open(
            actor=Actor(personas["township_officer"]),
            source="",
            subject=subject(subject_kind="broker", subject_name=" ", facts=""),
            opened_on=date(2027, 3, 11),
        )
    errors = refused.value.message_dict
    assert errors["source"] == ["请选择案件来源"]
    assert errors["subject_kind"] == ["当事方类别与机构或个人不符，请重新选择"]
    assert errors["subject_name"] == ["请填写当事机构或人员名称"]
    assert errors["facts"] == ["请填写案情"]
    assert errors["opened_on"] == ["立案日期不能晚于今天"]
    assert not Case.objects.exists() and AuditEntry.objects.count() == audits


def test_a_wrong_id_number_or_phone_is_refused(personas, today):
    with pytest.raises(ValidationError) as refused:
        services.case_open(
            actor=Actor(personas["township_officer"]),
            source="inspection",
            subject=person(subject_id_number="620001199307090017", subject_phone="12345"),
            opened_on=today,
        )
    assert set(refused.value.message_dict) == {"subject_id_number", "subject_phone"}
    with pytest.raises(ValidationError) as institution:
        open_case(personas["township_officer"], subject_id_number=PERSON_ID)
    assert institution.value.message_dict == {"subject_id_number": ["机构不填公民身份号码"]}
    assert not Case.objects.exists()


def test_opening_numbers_audits_and_keeps_history_without_the_subject(personas, today):
    first = open_case(personas["township_officer"])
    second = services.case_open(
        actor=Actor(personas["county_officer"]),
        source="department",
        subject=person(unit_code=TOWNSHIP_B),
        opened_on=today,
    )
    assert (first.number, second.number) == ("两非案〔2027〕1号", "两非案〔2027〕2号")
    assert first.deadline == date(2027, 4, 30)  # 1 March + 60 days
    row = AuditEntry.objects.get(action="cases.open", object_id=str(second.pk))
    assert row.summary == f"source=department unit={TOWNSHIP_B}"
    assert second.history.count() == 1 and second.history.get().history_type == "+"


def test_the_subjects_numbers_are_encrypted_at_rest(personas, today):
    case = services.case_open(
        actor=Actor(personas["township_officer"]),
        source="inspection",
        subject=person(),
        opened_on=today,
    )
    assert Case.objects.get().subject_id_number == PERSON_ID
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject_id_number, subject_phone, subject_address FROM cases_case"
            " UNION ALL SELECT subject_id_number, subject_phone, subject_address"
            " FROM cases_historicalcase"
        )
        raw = " ".join(v for r in cursor.fetchall() for v in r)
    assert PERSON_ID not in raw and SUBJECT_PHONE not in raw and "三社" not in raw
    assert raw.count("v1:") == 6
    audit_text = " ".join(AuditEntry.objects.values_list("summary", flat=True))
    assert "马某" not in audit_text and PERSON_ID not in audit_text
    assert case.subject_phone == SUBJECT_PHONE


def test_a_township_officer_acts_in_its_own_township_only(personas, today):
    with pytest.raises(PermissionDenied):
        open_case(personas["township_officer"], unit_code=TOWNSHIP_B)
    other = open_case(personas["county_officer"], unit_code=TOWNSHIP_B)
    with pytest.raises(PermissionDenied):
        services.step_add(
            actor=Actor(personas["township_officer"]), case=other, done_on=today, text="走访"
        )
    with pytest.raises(PermissionDenied):
        _refer(personas["township_officer"], other)
    with pytest.raises(PermissionDenied):  # a leader reads figures only
        open_case(personas["leader"], unit_code=TOWNSHIP_A)
    assert Case.objects.count() == 1 and not Step.objects.exists()


def test_refer_then_close_with_the_penalty(case, personas, today):
    officer = personas["township_officer"]
    step = services.step_add(actor=Actor(officer), case=case, done_on=today, text="现场检查")
    assert step.unit_code == TOWNSHIP_A
    case = _refer(officer, case)
    assert (case.status, case.referred_to, case.version) == ("referred", "inspectorate", 2)
    case = _close(officer, case)
    assert (case.status, case.outcome, case.substantiated) == ("closed", "penalized", True)
    actions = list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["cases.open", "cases.step", "cases.refer", "cases.close"]
    assert [h.status for h in case.history.order_by("history_id")] == ["open", "referred", "closed"]


def test_the_workflow_refuses_what_it_does_not_allow(case, personas, today):
    officer = personas["township_officer"]
    with pytest.raises(ValidationError) as penalty:
        _close(officer, case)
    assert penalty.value.message_dict["outcome"] == ["处罚由卫生监督或公安机关作出：请先登记移送"]
    with pytest.raises(ValidationError) as early:
        _refer(officer, case, referred_on=date(2027, 2, 28), referral_body="")
    assert set(early.value.message_dict) == {"referred_on", "referral_body"}
    case = _close(officer, case, outcome="unsubstantiated")
    for act in (
        lambda: _refer(officer, case),
        lambda: _close(officer, case, outcome="corrected"),
        lambda: services.step_add(actor=Actor(officer), case=case, done_on=today, text="补记"),
    ):
        with pytest.raises(ValidationError, match="已结案"):
            act()
    row = Case.objects.get()
    assert (row.status, row.outcome, row.version) == ("closed", "unsubstantiated", 2)


def test_a_lost_update_is_refused(case, personas, today):
    officer = personas["township_officer"]
    _refer(officer, case)
    with pytest.raises(ConflictError):
        _close(officer, case, version=1)
    assert Case.objects.get().status == "referred"


def test_an_edit_keeps_the_numbers_left_empty_and_audits_the_fields(personas, today):
    officer = personas["township_officer"]
    case = services.case_open(
        actor=Actor(officer), source="inspection", subject=person(), opened_on=today
    )
    changed = services.case_update(
        actor=Actor(officer),
        case=case,
        subject=person(subject_id_number="", subject_phone="", subject_name="马某某"),
        version=case.version,
    )
    assert (changed.subject_name, changed.subject_id_number) == ("马某某", PERSON_ID)
    assert changed.subject_phone == SUBJECT_PHONE
    row = AuditEntry.objects.get(action="cases.update")
    assert row.summary == "fields=subject_name"
    with pytest.raises(PermissionDenied):  # moved out of the officer's township: refused
        services.case_update(
            actor=Actor(officer),
            case=changed,
            subject=person(unit_code=TOWNSHIP_B),
            version=changed.version,
        )
    assert Case.objects.get().unit_code == TOWNSHIP_A


def _upload(content, name="photo.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_evidence_follows_the_benefit_documents_upload_rules(case, personas, settings):
    officer = Actor(personas["township_officer"])
    stored = services.evidence_add(
        actor=officer, case=case, title="登记本照片", upload=_upload(PDF)
    )
    assert (stored.ext, stored.size, stored.unit_code) == ("pdf", len(PDF), TOWNSHIP_A)
    on_disk = (settings.MEDIA_ROOT / stored.stored).read_bytes()
    assert PDF not in on_disk  # encrypted at rest
    # Kind by the first bytes, never the name or the browser's type.
    with pytest.raises(ValidationError, match="只接受 PDF、JPG、PNG"):
        services.evidence_add(
            actor=officer, case=case, title="伪装", upload=_upload(b"<html>", "x.pdf")
        )
    settings.RENKOU_BENEFIT_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="文件过大"):
        services.evidence_add(actor=officer, case=case, title="大文件", upload=_upload(PDF))
    assert Evidence.objects.count() == 1
    assert AuditEntry.objects.filter(action="cases.evidence_add").count() == 1


def test_evidence_goes_through_the_one_upload_validator(case, personas, monkeypatch):
    seen = []

    def refuse(upload):
        seen.append(upload)
        raise ValidationError({"file": "拒绝"})

    monkeypatch.setattr("renkou.benefits.documents.store", refuse)
    with pytest.raises(ValidationError):
        services.evidence_add(
            actor=Actor(personas["township_officer"]), case=case, title="照片", upload=_upload(PDF)
        )
    assert len(seen) == 1 and not Evidence.objects.exists()


def test_the_handler_opens_a_case_from_a_tipoff_and_nothing_of_the_informant_crosses(
    handled, personas, today
):
    from renkou.cases.tests.conftest import NAME, PHONE

    officer = personas["township_officer"]  # the tip-off's handler
    case = services.case_open(
        actor=Actor(officer),
        source="tipoff",
        subject=subject(),
        opened_on=today,
        tipoff_ids=[handled.pk],
    )
    assert list(case.tipoffs.all()) == [handled]
    assert AuditEntry.objects.get(action="cases.open").summary.endswith(f"tipoffs={handled.pk}")
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_historicalcase", "cases_case_tipoffs"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  # fixed table names
            text = " ".join(str(v) for r in cursor.fetchall() for v in r)
            assert NAME not in text and PHONE not in text
    # Another case from the same tip-off is refused, as is one from another's tip-off.
    with pytest.raises(ValidationError, match="已立案"):
        services.case_open(
            actor=Actor(officer),
            source="tipoff",
            subject=subject(),
            opened_on=today,
            tipoff_ids=[handled.pk],
        )
    with pytest.raises(PermissionDenied, match="承办人"):
        services.case_open(
            actor=Actor(personas["county_officer"]),
            source="tipoff",
            subject=subject(),
            opened_on=today,
            tipoff_ids=[handled.pk],
        )


def test_tipoff_links_need_the_tipoff_source_and_a_tipoff(handled, personas, today):
    officer = Actor(personas["township_officer"])
    with pytest.raises(ValidationError) as wrong_source:
        services.case_open(
            actor=officer,
            source="inspection",
            subject=subject(),
            opened_on=today,
            tipoff_ids=[handled.pk],
        )
    assert wrong_source.value.message_dict == {"source": ["只有来源为群众举报的案件才能关联举报"]}
    with pytest.raises(ValidationError) as none:
        services.case_open(actor=officer, source="tipoff", subject=subject(), opened_on=today)
    assert none.value.message_dict == {"source": ["来源为群众举报的案件须从举报详情页立案"]}
    handled.category = "benefit_fraud"
    handled.save(update_fields=["category"])
    with pytest.raises(ValidationError, match="两非"):
        services.case_open(
            actor=officer,
            source="tipoff",
            subject=subject(),
            opened_on=today,
            tipoff_ids=[handled.pk],
        )
    assert not Case.objects.exists()
