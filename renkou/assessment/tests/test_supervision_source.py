"""The assessment reads the supervision app through its source kinds (issue 14 items 5–6):
a dated task's result as a scheme item's value, the findings' proposed deductions."""

from datetime import date
from decimal import Decimal

import time_machine

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.assessment import sources
from renkou.common import dates
from renkou.common.actors import Actor
from renkou.supervision import inspections, services
from renkou.supervision.constants import InspectionKind
from renkou.supervision.models import Assignment


def test_a_task_result_and_a_finding_reach_the_scheme(units, personas):
    county = Actor(personas["county_officer"])
    task = services.task_create(
        actor=county,
        county_code=COUNTY,
        units=[TOWNSHIP_A, TOWNSHIP_B],
        title="文化大院建设",
        issued_on=date(2027, 3, 1),
        deadline=date(2027, 5, 30),
        count_required=2,
        count_label="建成文化大院（个）",
    )
    part = Assignment.objects.get(task=task, unit_code=TOWNSHIP_A)
    township = Actor(personas["township_officer"])
    services.count_record(actor=township, assignment=part, count=2)
    services.submit(actor=township, assignment=part)
    services.confirm(actor=county, assignment=part)
    kind = sources.kinds()["supervision_task"]
    assert (str(task.pk), "2027年 文化大院建设（05月30日前）") in kind.choices()
    read = kind.read(
        [str(task.pk)],
        county=COUNTY[:6],
        units=[TOWNSHIP_A[:9], TOWNSHIP_B[:9]],
        year=2027,
        on=dates.today(),
    )
    assert read[(TOWNSHIP_A[:9], str(task.pk))].value == 100.0
    assert read[(TOWNSHIP_B[:9], str(task.pk))].value == 0.0
    assert read[(TOWNSHIP_A[:9], str(task.pk))].target == Decimal(100)

    inspector = Actor(personas["inspector"])
    visit = inspections.plan(
        actor=inspector,
        county_code=COUNTY,
        kind=InspectionKind.TOPIC,
        title="专项督查",
        units=[TOWNSHIP_B],
        first_day=date(2027, 6, 10),
        days=2,
        every=0,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 5, 31),
        team=[personas["inspector"]],
    )[0]
    with time_machine.travel(date(2027, 6, 10), tick=False):
        inspections.start(actor=inspector, inspection=visit)
        inspections.finding_add(
            actor=inspector,
            inspection=visit,
            topic="",
            severity="major",
            text="文化大院未建成",
            deduction=Decimal(2),
        )
    found = sources.deduction_sources()["supervision"].read(
        county=COUNTY[:6], units=[TOWNSHIP_A[:9], TOWNSHIP_B[:9]], year=2027, on=date(2027, 12, 31)
    )
    assert found[TOWNSHIP_A[:9]] == []
    (deducted,) = found[TOWNSHIP_B[:9]]
    assert deducted.points == Decimal(2) and "文化大院未建成" in deducted.reason
    assert deducted.link == f"/supervision/inspections/{visit.pk}/"
