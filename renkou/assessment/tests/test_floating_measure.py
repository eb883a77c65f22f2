"""The certificate check rate and the reply timeliness of renkou.floating are assessment
measures: the same definitions, read by the service source of the schemes (issue 16 items 2
and 6)."""

import re
from datetime import date

import time_machine
from django.urls import reverse

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


def test_the_reply_timeliness_is_a_measure_with_its_name_lists(personas, signed_in_client):
    """协查反馈及时率 is registered beside the check rate; its name lists open on the
    assessment's 花名册 page (a message not tied to a local person shows its subject)."""
    who = Actor(personas["township_officer"])
    base = {
        "way": "in",
        "kind": "request",
        "urgent": True,
        "counterpart": "外县某乡",
        "question": "核实现孕情况",
    }
    on_time = services.message_register(
        actor=who,
        unit_code=TOWNSHIP_A,
        values={**base, "subject": "按时一件", "dated_on": date(2027, 4, 1)},
        today=TODAY,
    )
    services.message_reply(
        actor=who,
        message=on_time,
        reply="已核实",
        replied_on=date(2027, 4, 5),
        version=1,
        today=TODAY,
    )
    services.message_register(
        actor=who,
        unit_code=TOWNSHIP_A,
        values={**base, "subject": "逾期一件", "dated_on": date(2027, 5, 1)},
        today=TODAY,
    )
    assert M.MEASURES[figures.TIMELY_CODE] is figures.TIMELY
    township = TOWNSHIP_A[:9]
    read = ServiceSource().read(
        [figures.TIMELY_CODE], county="620001", units=[township], year=2027, on=TODAY
    )
    assert read[(township, figures.TIMELY_CODE)].display == "50.0%"
    with time_machine.travel(date(2027, 6, 1)):
        client = signed_in_client(personas["county_officer"])
        url = reverse("assessment:names", args=[TOWNSHIP_A])
        base_list = client.get(url, {"measure": figures.TIMELY_CODE, "side": "base"})
        text = base_list.content.decode()
    assert base_list.status_code == 200
    assert "按时一件" in text and "逾期一件" in text
    assert len(re.findall("协查请求（外县某乡）", text)) == 2
