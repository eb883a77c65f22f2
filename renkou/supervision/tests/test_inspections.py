"""Inspections (督查, issue 14 item 6): reproducible samples, verification during the visit,
findings with proposed deductions the assessment reads, rectification with a photo, re-check."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, make_user
from renkou.accounts.constants import Role
from renkou.common.actors import Actor
from renkou.supervision import inspections, selectors
from renkou.supervision.constants import InspectionKind, RectStatus
from renkou.supervision.models import Finding, Inspection, Rectification, Sample
from renkou.supervision.tests.conftest import photo
from renkou.todo.models import ReminderRule, TodoItem
from renkou.todo.tests.factories import woman

DAY = date(2027, 6, 10)


@pytest.fixture
def done_items(units):
    """12 to-do items closed in May 2027 in township A, 3 in township B."""
    rule = ReminderRule.objects.get(code="gyn_check")
    made = []
    for n, village in enumerate(["620001100201"] * 12 + ["620001101201"] * 3):
        person = woman(village)
        made.append(
            TodoItem.objects.create(
                rule=rule,
                rule_version=1,
                person=person,
                unit_code=village,
                anchor_type="card",
                anchor_id=person.pk,
                due_on=date(2027, 5, 1),
                overdue_on=date(2027, 5, 1),
                ends_on=date(2027, 12, 31),
                status="done",
                done_on=date(2027, 5, 2 + n),
            )
        )
    return made


def _visit(personas, unit=TOWNSHIP_A, title="上半年轮流督查") -> Inspection:
    return inspections.plan(
        actor=Actor(personas["inspector"]),
        county_code=COUNTY,
        kind=InspectionKind.ROTATION,
        title=title,
        units=[unit],
        first_day=DAY,
        days=3,
        every=7,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 5, 31),
        team=[personas["inspector"]],
    )[0]


def _ids(visit) -> list[int]:
    return list(Sample.objects.filter(inspection=visit).values_list("record_id", flat=True))


def test_a_rotation_visits_the_townships_in_turn(units, personas):
    visits = inspections.plan(
        actor=Actor(personas["inspector"]),
        county_code=COUNTY,
        kind=InspectionKind.ROTATION,
        title="轮流督查",
        units=[TOWNSHIP_B, TOWNSHIP_A],
        first_day=DAY,
        days=2,
        every=7,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 5, 31),
        team=[personas["inspector"]],
    )
    assert [(v.unit_code, v.starts_on, v.ends_on) for v in visits] == [
        (TOWNSHIP_A, DAY, DAY + timedelta(days=1)),
        (TOWNSHIP_B, DAY + timedelta(days=7), DAY + timedelta(days=8)),
    ]


def test_a_team_of_non_inspectors_or_a_reversed_period_is_refused(units, personas):
    with pytest.raises(ValidationError) as caught:
        inspections.plan(
            actor=Actor(personas["inspector"]),
            county_code=COUNTY,
            kind=InspectionKind.TOPIC,
            title="专项督查",
            units=[TOWNSHIP_A],
            first_day=DAY,
            days=2,
            every=0,
            period_start=date(2027, 5, 31),
            period_end=date(2027, 1, 1),
            team=[personas["township_officer"]],
        )
    assert set(caught.value.message_dict) == {"period_end", "team"}
    assert not Inspection.objects.exists()


def test_the_same_seed_draws_the_same_records_from_the_township_only(done_items, personas):
    first, second = _visit(personas), _visit(personas, title="复核")
    actor = Actor(personas["inspector"])
    drawn = inspections.sample(actor=actor, inspection=first, sizes={"todo_done": 5})
    first.refresh_from_db()
    assert len(drawn) == 5 and first.seed is not None
    inspections.sample(actor=actor, inspection=second, sizes={"todo_done": 5}, seed=first.seed)
    assert _ids(second) == _ids(first)
    in_a = {i.pk for i in done_items if i.unit_code.startswith(TOWNSHIP_A[:9])}
    assert set(_ids(first)) <= in_a
    with pytest.raises(ValidationError):  # once per visit
        inspections.sample(actor=actor, inspection=first, sizes={"todo_done": 5})


def test_a_sample_size_of_zero_is_refused_and_nothing_is_drawn(done_items, personas):
    visit = _visit(personas)
    with pytest.raises(ValidationError) as caught:
        inspections.sample(
            actor=Actor(personas["inspector"]), inspection=visit, sizes={"todo_done": 0}
        )
    assert "应大于0" in caught.value.messages[0]
    visit.refresh_from_db()
    assert visit.seed is None and not Sample.objects.exists()


def test_records_are_verified_by_the_team_during_the_visit_only(done_items, units, personas):
    visit = _visit(personas)
    inspector = Actor(personas["inspector"])
    other = Actor(make_user("insp2", Role.INSPECTOR, units[COUNTY]))
    inspections.sample(actor=inspector, inspection=visit, sizes={"todo_done": 2})
    row = Sample.objects.filter(inspection=visit).first()
    with time_machine.travel(DAY - timedelta(days=1), tick=False):
        inspections.start(actor=inspector, inspection=visit)
        with pytest.raises(ValidationError):  # before the visit
            inspections.verify(actor=inspector, sample=row, outcome="found")
    with time_machine.travel(DAY, tick=False):
        with pytest.raises(PermissionDenied):
            inspections.verify(actor=other, sample=row, outcome="found")
        with pytest.raises(ValidationError) as caught:
            inspections.verify(actor=inspector, sample=row, outcome="differs")
        assert caught.value.message_dict["differs_field"] == ["信息不符时请写明哪一项不符"]
        inspections.verify(actor=inspector, sample=row, outcome="differs", differs_field="办理日期")
    row.refresh_from_db()
    assert (row.outcome, row.differs_field) == ("differs", "办理日期")


def test_a_finding_feeds_the_deductions_and_its_notice_is_closed_after_a_photo(units, personas):
    visit = _visit(personas)
    inspector = Actor(personas["inspector"])
    township = Actor(personas["township_officer"])
    with time_machine.travel(DAY, tick=False):
        inspections.start(actor=inspector, inspection=visit)
        finding = inspections.finding_add(
            actor=inspector,
            inspection=visit,
            topic="todo_done",
            severity="major",
            text="2例随访记录与入户核实不符",
            deduction=Decimal("1.5"),
        )
        with pytest.raises(ValidationError) as caught:
            inspections.notice_issue(
                actor=inspector, finding=finding, requirement="补正", deadline=DAY - timedelta(1)
            )
        assert caught.value.message_dict["deadline"] == ["整改时限不能早于下发日期"]
        notice = inspections.notice_issue(
            actor=inspector,
            finding=finding,
            requirement="核对并补正随访记录",
            deadline=date(2027, 6, 30),
        )
    points, reason, link = selectors.deductions(TOWNSHIP_A, 2027, on=date(2027, 12, 31))[0]
    assert (
        points == Decimal("1.5")
        and "不符" in reason
        and link == f"/supervision/inspections/{visit.pk}/"
    )
    assert len(selectors.deductions(COUNTY, 2027, on=date(2027, 12, 31))) == 1
    assert selectors.deductions(TOWNSHIP_B, 2027, on=date(2027, 12, 31)) == []
    assert selectors.deductions(TOWNSHIP_A, 2027, on=date(2027, 6, 1)) == []
    with pytest.raises(ValidationError) as caught:
        inspections.respond(actor=township, notice=notice, response="已补正")
    assert caught.value.message_dict["photo"] == ["请上传整改照片作为佐证"]
    notice.refresh_from_db()
    assert notice.status == RectStatus.ISSUED
    on = date(2027, 7, 1)
    assert list(selectors.overdue_rectifications(personas["county_officer"], on)) == [notice]
    inspections.respond(actor=township, notice=notice, response="已补正", photo=photo())
    with pytest.raises(ValidationError):
        inspections.recheck(actor=inspector, notice=notice, passed=False, note="")
    inspections.recheck(actor=inspector, notice=notice, passed=True, note="现场复查属实")
    notice = Rectification.objects.get()
    assert notice.status == RectStatus.CLOSED
    assert list(selectors.overdue_rectifications(personas["county_officer"], on)) == []


def test_a_finding_counts_in_the_fp_year_of_the_assessment(units, personas):
    """The scheme's year is the FP year (October to September): a finding of 9 October 2026
    takes points off the 2027 assessment, one of 30 September 2026 off the 2026 one."""
    visit = _visit(personas)
    inspector = Actor(personas["inspector"])
    with time_machine.travel(DAY, tick=False):
        inspections.start(actor=inspector, inspection=visit)
        rows = [
            inspections.finding_add(
                actor=inspector,
                inspection=visit,
                topic="todo_done",
                severity="major",
                text=text,
                deduction=Decimal(points),
            )
            for text, points in (("九月底发现", "0.5"), ("十月初发现", "1.5"))
        ]
    Finding.objects.filter(pk=rows[0].pk).update(found_on=date(2026, 9, 30))
    Finding.objects.filter(pk=rows[1].pk).update(found_on=date(2026, 10, 9))
    end = date(2027, 12, 31)
    assert [p for p, _r, _l in selectors.deductions(TOWNSHIP_A, 2027, on=end)] == [Decimal("1.5")]
    assert [p for p, _r, _l in selectors.deductions(TOWNSHIP_A, 2026, on=end)] == [Decimal("0.5")]
    assert selectors.deductions(TOWNSHIP_A, 2027, on=date(2026, 10, 8)) == []
