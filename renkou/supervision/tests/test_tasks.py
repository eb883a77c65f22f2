"""Dated tasks (重点工作, issue 14 item 5): the workflow, the computed status, the refusals, the
scope, and the result the assessment reads."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, make_user
from renkou.accounts.constants import Role
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.supervision import selectors, services
from renkou.supervision.constants import Progress, Status
from renkou.supervision.models import Assignment, StepLog, Task
from renkou.supervision.tests.conftest import photo


def _part(task, code=TOWNSHIP_A) -> Assignment:
    return Assignment.objects.get(task=task, unit_code=code)


def _progress(part, on) -> str:
    return selectors.rows_of(Assignment.objects.filter(pk=part.pk), on)[0].progress


def test_a_deadline_before_the_issue_date_is_refused_and_nothing_is_made(units, personas):
    with pytest.raises(ValidationError) as caught:
        services.task_create(
            actor=Actor(personas["county_officer"]),
            county_code=COUNTY,
            units=[TOWNSHIP_A],
            title="宣传品更新",
            issued_on=date(2027, 5, 1),
            deadline=date(2027, 4, 30),
        )
    assert caught.value.message_dict["deadline"] == ["完成时限不能早于下达日期"]
    assert not Task.objects.exists() and not Assignment.objects.exists()


def test_a_count_without_its_name_and_a_unit_of_another_county_are_refused(units, personas):
    actor = Actor(personas["county_officer"])
    base = {"title": "文化大院", "issued_on": date(2027, 3, 1), "deadline": date(2027, 5, 30)}
    with pytest.raises(ValidationError) as caught:
        services.task_create(
            actor=actor, county_code=COUNTY, units=[TOWNSHIP_A], count_required=3, **base
        )
    assert "count_label" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.task_create(actor=actor, county_code=COUNTY, units=["620002100000"], **base)
    assert caught.value.message_dict["units"] == ["责任单位应为本县的乡镇"]
    assert not Task.objects.exists()


def test_the_status_follows_the_evidence_the_dates_and_the_confirmation(task, personas):
    part = _part(task)
    township, county = Actor(personas["township_officer"]), Actor(personas["county_officer"])
    assert _progress(part, date(2027, 4, 1)) == Progress.NOT_STARTED
    services.evidence_add(actor=township, assignment=part, kind="photo", upload=photo())
    assert _progress(part, date(2027, 4, 1)) == Progress.IN_PROGRESS
    assert _progress(part, date(2027, 5, 16)) == Progress.OVERDUE
    services.count_record(actor=township, assignment=part, count=1)
    with time_machine.travel(date(2027, 5, 10), tick=False):
        services.submit(actor=township, assignment=part)
        services.confirm(actor=county, assignment=part, comment="现场核实")
    part.refresh_from_db()
    assert part.status == Status.CONFIRMED and part.confirmed_on == date(2027, 5, 10)
    assert _progress(part, date(2027, 5, 20)) == Progress.DONE
    assert [s.action for s in StepLog.objects.filter(assignment=part)] == ["submit", "confirm"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"supervision.evidence_add", "supervision.assignment_confirm"} <= actions


def test_a_report_without_the_required_evidence_is_refused_and_changes_nothing(task, personas):
    part = _part(task)
    township = Actor(personas["township_officer"])
    services.count_record(actor=township, assignment=part, count=1)
    with pytest.raises(ValidationError) as caught:
        services.submit(actor=township, assignment=part)
    assert "照片还差1张" in caught.value.messages[0]
    part.refresh_from_db()
    assert part.status == Status.OPEN and part.submitted_on is None
    assert not StepLog.objects.exists()


def test_a_return_needs_a_reason_and_reopens_the_part(task, personas):
    part = _part(task)
    township, county = Actor(personas["township_officer"]), Actor(personas["county_officer"])
    services.evidence_add(actor=township, assignment=part, kind="photo", upload=photo())
    services.count_record(actor=township, assignment=part, count=1)
    services.submit(actor=township, assignment=part)
    with pytest.raises(ValidationError):
        services.return_(actor=county, assignment=part, comment=" ")
    part.refresh_from_db()
    assert part.status == Status.SUBMITTED
    services.return_(actor=county, assignment=part, comment="照片看不清站牌")
    part.refresh_from_db()
    assert part.status == Status.OPEN and part.submitted_on is None
    with pytest.raises(ValidationError):  # confirm only what is reported
        services.confirm(actor=county, assignment=part)


def test_a_township_cannot_report_for_another_or_confirm_its_own(task, units, personas):
    other = make_user("t_b", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_B])
    part = _part(task)
    with pytest.raises(PermissionDenied):
        services.count_record(actor=Actor(other), assignment=part, count=1)
    with pytest.raises(PermissionDenied):
        services.confirm(actor=Actor(personas["township_officer"]), assignment=part)
    part.refresh_from_db()
    assert part.count_done == 0


def test_the_result_the_assessment_reads(task, personas):
    part = _part(task)
    township = Actor(personas["township_officer"])
    value, target, links = selectors.task_result(TOWNSHIP_A, 2027, task.pk, on=date(2027, 4, 1))
    assert (value, target) == (Decimal(0), Decimal(100))
    services.evidence_add(actor=township, assignment=part, kind="photo", upload=photo())
    result = selectors.task_result(TOWNSHIP_A, 2027, str(task.pk), on=date(2027, 4, 1))
    assert (result.value, result.done, result.required) == (Decimal(50), 1, 2)
    assert result.progress == Progress.IN_PROGRESS
    assert result.link == f"/supervision/parts/{part.pk}/"
    services.count_record(actor=township, assignment=part, count=1)
    result = selectors.task_result(TOWNSHIP_A, 2027, task.pk, on=date(2027, 4, 1))
    assert result.value == Decimal(99)  # all evidence in, not yet confirmed: not 100
    assert selectors.task_result(TOWNSHIP_A, 2026, task.pk, on=date(2027, 4, 1)).value is None
    assert selectors.task_result("620001102000", 2027, task.pk, on=date(2027, 4, 1)).value is None
    assert (str(task.pk), "2027年 乡镇服务站所改造（05月15日前）") in selectors.task_choices()


def test_a_task_belongs_to_the_fp_year_of_its_deadline(units, personas):
    """A task due in November 2026 is work of FP year 2027 (October 2026 to September 2027),
    the year of the assessment scheme it can be an item of."""
    task = services.task_create(
        actor=Actor(personas["county_officer"]),
        county_code=COUNTY,
        units=[TOWNSHIP_A],
        title="冬季宣传",
        issued_on=date(2026, 10, 8),
        deadline=date(2026, 11, 30),
        count_required=1,
        count_label="场次",
    )
    assert task.year == 2027
    assert selectors.task_result(TOWNSHIP_A, 2027, task.pk, on=date(2026, 12, 1)).value == 0
    assert selectors.task_result(TOWNSHIP_A, 2026, task.pk, on=date(2026, 12, 1)).value is None
