"""The certificate check rate, computed by hand on a small fixture, and read the same way
through the assessment's measures (one definition)."""

from datetime import date

import pytest

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1
from renkou.common.actors import Actor
from renkou.floating import figures, selectors, services
from renkou.floating.tests.conftest import CERT, TODAY, VALUES, person

YEAR = 2027


@pytest.fixture
def scenario(personas, woman_a, woman_a2, woman_b):
    """Township A: woman_a verified, woman_a2 shown but not verified, 流入丁 none → 1 of 3;
    not counted: a man, a woman of 52, a woman who went home, an outflow woman.
    Township B: woman_b verified → 1 of 1."""
    who = Actor(personas["county_officer"])

    def record(p, **change):
        return services.record_register(
            actor=who, person=p, values={**VALUES, **change}, today=TODAY
        )

    services.certificate_add(actor=who, record=record(woman_a), values=CERT, today=TODAY)
    unverified = {**CERT, "result": "", "checked_on": None}
    services.certificate_add(actor=who, record=record(woman_a2), values=unverified, today=TODAY)
    record(person("流入丁", "2", date(2000, 5, 5)))
    record(person("流入男", "1", date(1990, 5, 5)))
    older = record(person("流入年长", "2", date(1975, 1, 1)))
    services.certificate_add(actor=who, record=older, values=CERT, today=TODAY)
    record(person("已返回", "2", date(1996, 1, 1)), returned_on=date(2027, 5, 1))
    record(person("流出者", "2", date(1996, 1, 1), flow="out"), direction="out")
    services.certificate_add(actor=who, record=record(woman_b), values=CERT, today=TODAY)


def test_the_rate_by_hand(scenario):
    fig_a = figures.MEASURE.figure(
        figures.certificate_checked(TOWNSHIP_A[:9], YEAR, TODAY).count(),
        figures.inflow_wcba(TOWNSHIP_A[:9], YEAR, TODAY).count(),
    )
    assert (fig_a.numerator, fig_a.denominator, fig_a.display) == (1, 3, "33.3%")
    names = {p.name for p in figures.inflow_wcba(TOWNSHIP_A[:9], YEAR, TODAY)}
    assert names == {"流入甲", "流入丙", "流入丁"}
    assert [p.name for p in figures.certificate_checked(TOWNSHIP_B[:9], YEAR, TODAY)] == ["流入乙"]


def test_the_table_counts_each_township(scenario, personas):
    rows, total = selectors.check_rate_table(personas["county_officer"], YEAR, TODAY)
    assert [(f.extra["unit_name"], f.numerator, f.denominator, f.display) for f in rows] == [
        (rows[0].extra["unit_name"], 1, 3, "33.3%"),
        (rows[1].extra["unit_name"], 1, 1, "100.0%"),
    ]
    assert (total.numerator, total.denominator, total.display) == (2, 4, "50.0%")


def test_before_arrival_and_before_verification_nobody_counts(scenario):
    assert figures.inflow_wcba(VILLAGE_A1, 2026, date(2026, 9, 1)).count() == 0
    # On 15 January woman_a had arrived, her certificate was verified only on 1 February.
    early = date(2027, 1, 15)
    assert figures.certificate_checked(TOWNSHIP_A[:9], YEAR, early).count() == 0
    # and the woman who went home on 1 May was still here then.
    assert figures.inflow_wcba(TOWNSHIP_A[:9], YEAR, early).count() == 4
