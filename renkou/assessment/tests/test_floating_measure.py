"""The certificate check rate of renkou.floating is one of the assessment's measures: the
same definition, read by the service source of the schemes (issue 16 item 2)."""

from datetime import date

from conftest import TOWNSHIP_A
from renkou.assessment import measures as M
from renkou.assessment.sources import ServiceSource
from renkou.common.actors import Actor
from renkou.floating import figures, services
from renkou.floating.tests.conftest import CERT, TODAY, VALUES, person


def test_the_check_rate_is_read_through_the_service_source(personas):
    who = Actor(personas["county_officer"])
    for n, verified in enumerate((True, False, False)):
        woman = person(f"流入{n}", "2", date(1995, 1, 1))
        record = services.record_register(actor=who, person=woman, values=VALUES, today=TODAY)
        if verified:
            services.certificate_add(actor=who, record=record, values=CERT, today=TODAY)
    assert M.MEASURES[figures.CODE] is figures.MEASURE
    township = TOWNSHIP_A[:9]
    read = ServiceSource().read(
        [figures.CODE], county="620001", units=[township], year=2027, on=TODAY
    )
    assert read[(township, figures.CODE)].display == "33.3%"
    assert (figures.CODE, figures.MEASURE.name) in ServiceSource().choices()
