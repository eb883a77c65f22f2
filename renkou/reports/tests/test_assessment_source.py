"""The statistics indicators as a source of assessment items (renkou/reports/assessment_source.py):
the figures of the one indicator definition, for every township in one evaluation, scored by a
scheme. The county of ``test_indicators.build_county`` in FP year 2024: township A 1 birth and
1 death (growth 0‰), township B 1 birth on 4 persons on average (growth 250‰)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import COUNTY as COUNTY_CODE
from renkou.assessment import services, sheets, sources
from renkou.assessment.models import Scheme
from renkou.common.actors import Actor
from renkou.reports.indicators import evaluate
from renkou.reports.tests.test_indicators import FP2024, TA, TB, R, build_county

ON = date(2024, 9, 30)


@pytest.fixture
def county(units, personas):
    return build_county(personas)


def _scheme(units, personas, items):
    actor = Actor(personas["county_officer"])
    scheme = services.scheme_create(
        actor=actor,
        county=units[COUNTY_CODE],
        year=2024,
        level=Scheme.Level.TOWNSHIP,
        name="增长率考核",
        from_template=False,
    )
    for number, (code, target, direction, rule) in enumerate(items, 1):
        services.item_save(
            actor=actor,
            scheme=scheme,
            number=number,
            group="人口调控",
            name=code,
            points=D(10),
            source="indicator",
            code=code,
            target=D(target),
            direction=direction,
            rule=rule,
        )
    return services.scheme_publish(actor=actor, scheme=scheme)


def test_the_indicator_kind_is_registered_by_reports():
    kind = sources.kinds()["indicator"]
    assert ("natural_growth_rate", "人口自然增长率") in kind.choices()


def test_the_growth_rate_target_vetoes_the_township_that_missed_it(county, units, personas):
    veto = {"type": "threshold", "veto": {"effect": "zero"}}
    scheme = _scheme(units, personas, [("natural_growth_rate", "9.31", "le", veto)])
    found = {s.unit_code: s for s in sheets.compute(scheme, ON)}
    direct = evaluate(["natural_growth_rate"], prefix="620001", period=FP2024, scope=R, group_len=9)
    # The reading is the indicator's own figure, not a second formula.
    line_b = found[TB].lines[0]
    assert line_b.reading.figure.value == direct[TB]["natural_growth_rate"].value
    assert line_b.reading.value == 250.0 and line_b.reading.display == "250.00‰"
    assert found[TA].lines[0].scored.points == 10 and not found[TA].vetoed
    assert found[TB].total == 0
    assert found[TB].vetoes[0].fact == "实际值250.00‰，未达到目标≤9.31"
    assert (found[TA].rank, found[TB].rank) == (1, 2)
    # The drill-down of the line is the indicator page's name list.
    assert "indicator=natural_growth_rate" in line_b.reading.figure.numerator_list.url


def test_all_townships_and_items_come_from_one_evaluation(county, units, personas):
    one = _scheme(units, personas, [("natural_growth_rate", "9.31", "le", {"type": "threshold"})])
    many = _scheme(
        units,
        personas,
        [
            ("natural_growth_rate", "9.31", "le", {"type": "threshold"}),
            ("crude_birth_rate", "20", "le", {"type": "threshold"}),
            ("crude_death_rate", "20", "le", {"type": "threshold"}),
            ("policy_compliant_birth_rate", "90", "ge", {"type": "threshold"}),
        ],
    )
    with CaptureQueriesContext(connection) as few:
        sheets.compute(one, ON)
    with CaptureQueriesContext(connection) as more:
        sheets.compute(many, ON)
    assert len(more) == len(few)  # items of one kind share the read: no query per item
