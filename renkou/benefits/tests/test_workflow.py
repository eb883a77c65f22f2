"""The application state machine: each transition allowed or refused by role, level and scope;
the notice blocks finalisation; an objection reopens review; history and audit rows."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, make_user
from renkou.accounts.constants import Role
from renkou.benefits import services
from renkou.benefits.constants import Status
from renkou.benefits.models import Application, Decision, NoticeEntry, StepLog
from renkou.benefits.tests.conftest import actor, child, couple
from renkou.common.models import AuditEntry

TODAY = date(2026, 3, 2)


@pytest.fixture
def eligible(programs, units):
    """A rural man who turned 60 in February 2026 with one living child, in village A1."""
    husband, wife = couple(husband_born=date(1966, 2, 1), wife_born=date(1968, 1, 1))
    child(wife, 1, "1", date(1990, 1, 1))
    return husband


def _file(personas, programs, who, role="village_admin", code="jiangfu"):
    return services.application_file(
        actor=actor(personas, role),
        program=programs[code],
        person=who,
        village_opinion="村民代表会议评议通过",
        today=TODAY,
    )


def _notice(personas, programs, role, unit, start=TODAY):
    return services.notice_publish(
        actor=actor(personas, role),
        program=programs["jiangfu"],
        unit_code=unit,
        starts_on=start,
        today=TODAY,
    )


def test_the_whole_way_to_a_certificate(personas, programs, eligible, units):
    app = _file(personas, programs, eligible)
    assert app.status == Status.SUBMITTED and app.level == "township"
    assert app.decision.verdict == "pass" and app.decision.rule_version.number == 1
    town = actor(personas, "township_officer")
    services.application_approve(actor=town, application=app, comment="材料齐全", today=TODAY)
    notice = _notice(personas, programs, "township_officer", "620001100000")
    assert notice.ends_on == TODAY + timedelta(days=6)  # 7 days including the first
    app.refresh_from_db()
    assert app.status == Status.NOTICE
    # The township cannot move it on while the notice runs.
    with pytest.raises(ValidationError, match="公示期满后"):
        services.notice_close(actor=town, notice=notice, today=notice.ends_on)
    services.notice_close(actor=town, notice=notice, today=notice.ends_on + timedelta(days=1))
    app.refresh_from_db()
    assert (app.status, app.level) == (Status.SUBMITTED, "county")
    county = actor(personas, "county_officer")
    later = notice.ends_on + timedelta(days=2)
    services.application_approve(actor=county, application=app, today=later)
    county_notice = services.notice_publish(
        actor=county,
        program=programs["jiangfu"],
        unit_code="620001000000",
        starts_on=later,
        today=later,
    )
    app.refresh_from_db()
    with pytest.raises(ValidationError, match="公示期满后才能审批确认"):
        services.application_finalise(actor=county, application=app, today=county_notice.ends_on)
    done = services.application_finalise(
        actor=county, application=app, today=county_notice.ends_on + timedelta(days=1)
    )
    year = (county_notice.ends_on + timedelta(days=1)).year
    # J + township (9) + year + last digit of business code 0103 + serial 0001.
    assert done.certificate_no == f"J620001100{year}30001"
    assert done.status == Status.APPROVED
    actions = list(StepLog.objects.filter(application=app).values_list("action", flat=True))
    assert actions == ["file", "approve", "notice", "advance", "approve", "notice", "finalise"]
    assert Decision.objects.filter(application=app).count() == 3  # filed + two approvals
    audited = AuditEntry.objects.filter(object_type="benefits.application", object_id=str(app.pk))
    assert audited.count() == 7


def test_filing_refuses_an_ineligible_person_with_the_reason(personas, programs, units):
    husband, wife = couple(husband_born=date(1970, 1, 1))
    child(wife, 1, "1", date(1990, 1, 1))
    with pytest.raises(ValidationError, match="本人年满60周岁"):
        _file(personas, programs, husband)
    assert not Application.objects.exists()


def test_filing_needs_scope_and_the_apply_permission(personas, programs, eligible, units):
    with pytest.raises(PermissionDenied):
        _file(personas, programs, eligible, role="county_officer")  # county does not file
    outsider = make_user("v_b1", Role.VILLAGE_ADMIN, units[VILLAGE_B1])
    from renkou.common.actors import Actor

    with pytest.raises(PermissionDenied):
        services.application_file(
            actor=Actor(outsider), program=programs["jiangfu"], person=eligible, today=TODAY
        )
    _file(personas, programs, eligible, role="township_officer")  # the township may file
    with pytest.raises(ValidationError, match="已有"):
        _file(personas, programs, eligible)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("village_admin", False),
        ("county_officer", False),
        ("township_officer", True),
        ("technician", False),
    ],
)
def test_only_the_level_now_reviewing_approves(personas, programs, eligible, role, allowed):
    app = _file(personas, programs, eligible)
    call = lambda: services.application_approve(  # noqa: E731
        actor=actor(personas, role), application=app, today=TODAY
    )
    if allowed:
        assert call().status == Status.PASSED
    else:
        with pytest.raises(PermissionDenied):
            call()
        app.refresh_from_db()
        assert app.status == Status.SUBMITTED


def test_another_township_cannot_review(personas, programs, eligible, units):
    app = _file(personas, programs, eligible)
    other = make_user("t_b", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_B])
    from renkou.common.actors import Actor

    with pytest.raises(PermissionDenied):
        services.application_approve(actor=Actor(other), application=app, today=TODAY)


def test_return_correct_reject_withdraw(personas, programs, eligible):
    town = actor(personas, "township_officer")
    app = _file(personas, programs, eligible)
    with pytest.raises(ValidationError):
        services.application_return(actor=town, application=app, comment=" ")
    services.application_return(actor=town, application=app, comment="缺户口簿复印件")
    app.refresh_from_db()
    assert app.status == Status.RETURNED
    with pytest.raises(ValidationError, match="不能"):
        services.application_approve(actor=town, application=app, today=TODAY)
    with pytest.raises(PermissionDenied):  # the township reviewer is not the filer's side...
        services.application_correct(
            actor=actor(personas, "county_officer"), application=app, today=TODAY
        )
    services.application_correct(
        actor=actor(personas, "village_admin"), application=app, comment="已补户口簿", today=TODAY
    )
    app.refresh_from_db()
    assert (app.status, app.level) == (Status.SUBMITTED, "township")
    services.application_reject(actor=town, application=app, comment="经核实不符合")
    app.refresh_from_db()
    assert app.status == Status.REJECTED
    with pytest.raises(ValidationError):
        services.application_withdraw(actor=actor(personas, "village_admin"), application=app)
    services.application_archive(actor=town, application=app, today=TODAY)
    app.refresh_from_db()
    assert app.status == Status.ARCHIVED


def test_withdraw_before_notice(personas, programs, eligible):
    app = _file(personas, programs, eligible)
    services.application_withdraw(
        actor=actor(personas, "village_admin"), application=app, comment="本人放弃"
    )
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    # Withdrawn frees the programme for a new application.
    assert _file(personas, programs, eligible).status == Status.SUBMITTED


def test_an_objection_reopens_the_review(personas, programs, eligible):
    town = actor(personas, "township_officer")
    app = _file(personas, programs, eligible)
    services.application_approve(actor=town, application=app, today=TODAY)
    notice = _notice(personas, programs, "township_officer", VILLAGE_A1)
    assert notice.level == "township" and notice.unit_code == VILLAGE_A1
    with pytest.raises(ValidationError, match="公示期内"):
        services.objection_record(
            actor=town,
            notice=notice,
            application=app,
            received_on=TODAY - timedelta(days=1),
            content="有第二个孩子",
            today=TODAY,
        )
    services.objection_record(
        actor=town,
        notice=notice,
        application=app,
        received_on=TODAY,
        content="群众反映有第二个孩子",
        channel="电话",
        today=TODAY,
    )
    app.refresh_from_db()
    assert (app.status, app.level) == (Status.SUBMITTED, "township")
    assert NoticeEntry.objects.get(application=app).outcome == "objected"
    # Closing the notice afterwards moves nobody.
    moved = services.notice_close(actor=town, notice=notice, today=notice.ends_on + timedelta(1))
    assert moved == 0
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_notice_needs_an_approved_list_and_a_reviewer(personas, programs, eligible):
    with pytest.raises(ValidationError, match="没有"):
        _notice(personas, programs, "township_officer", "620001100000")
    app = _file(personas, programs, eligible)
    services.application_approve(
        actor=actor(personas, "township_officer"), application=app, today=TODAY
    )
    with pytest.raises(PermissionDenied):
        _notice(personas, programs, "village_admin", VILLAGE_A1)
    with pytest.raises(ValidationError, match="没有"):  # the county has nothing at its level
        _notice(personas, programs, "county_officer", "620001000000")


def test_cancel_only_approved_by_the_last_level(personas, programs, eligible):
    app = _file(personas, programs, eligible, code="one_child")
    town = actor(personas, "township_officer")
    services.application_approve(actor=town, application=app, today=TODAY)
    notice = services.notice_publish(
        actor=town,
        program=programs["one_child"],
        unit_code="620001100000",
        starts_on=TODAY,
        today=TODAY,
    )
    services.notice_close(actor=town, notice=notice, today=notice.ends_on + timedelta(days=1))
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    year = (notice.ends_on + timedelta(days=1)).year
    assert app.certificate_no == f"D620001100{year}80001"
    with pytest.raises(PermissionDenied):
        services.application_cancel(
            actor=actor(personas, "county_officer"), application=app, comment="再生育", today=TODAY
        )
    services.application_cancel(actor=town, application=app, comment="再生育", today=TODAY)
    app.refresh_from_db()
    assert app.status == Status.CANCELLED


# --- issue 11 item 12: unverified approvals, the notice period, the notice's reviewer -----------


@pytest.fixture
def unverified(programs, units):
    """A rural man of 60 whose wife has no card: the register cannot say how many children
    the couple has, so the 奖扶 rule answers 待核实."""
    husband, _wife = couple(husband_born=date(1966, 2, 1), wife_born=date(1968, 1, 1))
    return husband


def test_approving_an_unverified_case_without_documents_needs_a_reason(
    personas, programs, unverified
):
    app = _file(personas, programs, unverified)
    assert app.decision.verdict == "unknown"
    town = actor(personas, "township_officer")
    with pytest.raises(ValidationError, match="待核实.*现存活子女数"):
        services.application_approve(actor=town, application=app, comment="同意", today=TODAY)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert not StepLog.objects.filter(application=app, action="approve").exists()
    services.application_approve(
        actor=town, application=app, comment="同意", confirm_reason="已核验户口簿原件", today=TODAY
    )
    app.refresh_from_db()
    assert app.status == Status.PASSED
    step = StepLog.objects.get(application=app, action="approve")
    assert "已核验户口簿原件" in step.comment
    row = AuditEntry.objects.filter(action="benefits.application_approve").get()
    assert "unverified_confirmed" in row.summary and "户口簿" not in row.summary


def test_an_uploaded_document_lets_an_unverified_case_through(personas, programs, unverified):
    from renkou.benefits.models import Document

    app = _file(personas, programs, unverified)
    Document.objects.create(
        application=app,
        unit_code=app.unit_code,
        kind="hukou",
        ext="pdf",
        size=10,
        stored="x",
        sha256="0" * 64,
    )
    town = actor(personas, "township_officer")
    services.application_approve(actor=town, application=app, today=TODAY)
    app.refresh_from_db()
    assert app.status == Status.PASSED


def test_a_village_notice_names_the_township_that_reviewed(personas, programs, eligible):
    app = _file(personas, programs, eligible)
    town = actor(personas, "township_officer")
    services.application_approve(actor=town, application=app, today=TODAY)
    notice = _notice(personas, programs, "township_officer", VILLAGE_A1)
    assert "甲镇审核结果公示" in notice.title
    assert "乡镇（街道）" not in notice.title and "甲一村" not in notice.title
