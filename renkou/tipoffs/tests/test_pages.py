"""The tip-off pages as each role uses them: intake with its code, assignment, steps, result,
the reward decided and paid, the figures; a bad form says why in Chinese."""

import re
from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse

from conftest import TOWNSHIP_A
from renkou.tipoffs.models import TipOff


def test_the_window_takes_a_tipoff_and_a_bad_form_changes_nothing(
    units, personas, signed_in_client
):
    client = signed_in_client(personas["township_officer"])
    data = {
        "channel": "window",
        "received_on": "2027年13月1日",
        "unit_code": TOWNSHIP_A,
        "category": "two_non",
        "subject": "某诊所",
        "content": "",
    }
    html = client.post(reverse("tipoffs:create"), data).content.decode()
    assert "请输入有效的日期" in html and "此项为必填项" in html
    assert not TipOff.objects.exists()
    data.update(received_on="2026-12-01", content="鉴定胎儿性别")
    with time_machine.travel(date(2026, 12, 7), tick=False):
        html = client.post(reverse("tipoffs:create"), data).content.decode()
    assert re.search(r'id="ack-code">[0-9A-Z]{12}<', html)
    assert TipOff.objects.get().received_by == personas["township_officer"]


def test_a_tipoff_is_handled_rewarded_and_paid_through_the_pages(
    tipoff, personas, signed_in_client
):
    with time_machine.travel(datetime(2027, 3, 10, 1, 0, tzinfo=UTC), tick=False):
        _walk(tipoff, personas, signed_in_client)
    row = TipOff.objects.get()
    assert (row.status, row.finding, row.reward, row.reward_fen) == (
        "concluded",
        "true",
        "paid",
        80000,
    )


def _walk(tipoff, personas, signed_in_client):
    county = signed_in_client(personas["county_officer"])
    detail = reverse("tipoffs:detail", args=[tipoff.pk])
    assert "指定承办人" in county.get(detail).content.decode()
    handler = personas["township_officer"]
    county.post(reverse("tipoffs:assign", args=[tipoff.pk]), {"handler": handler.pk, "version": 1})
    county.logout()
    township = signed_in_client(handler)
    township.post(
        reverse("tipoffs:step_add", args=[tipoff.pk]), {"done_on": "2027-03-05", "text": "走访核实"}
    )
    township.post(
        reverse("tipoffs:conclude", args=[tipoff.pk]),
        {"finding": "true", "result": "移交卫生监督所", "version": 2},
    )
    township.logout()
    county = signed_in_client(personas["county_officer"])
    bad = county.post(
        reverse("tipoffs:reward_decide", args=[tipoff.pk]),
        {"grant": "1", "amount": "12.345", "version": 3},
        follow=True,
    )
    assert "金额最多保留到分" in bad.content.decode()
    county.post(
        reverse("tipoffs:reward_decide", args=[tipoff.pk]),
        {"grant": "1", "amount": "800", "note": "按办法", "version": 3},
    )
    county.logout()
    finance = signed_in_client(personas["finance"])
    page = finance.get(reverse("tipoffs:reward_list")).content.decode()
    assert "举〔2027〕1号" in page and "800.00" in page
    data = {"paid_on": "2027-03-10", "voucher": "财付007", "version": 4}
    finance.post(reverse("tipoffs:reward_pay", args=[tipoff.pk]), data)
    stale = finance.post(reverse("tipoffs:reward_pay", args=[tipoff.pk]), data)
    assert stale.status_code == 409
    finance.logout()
    leader = signed_in_client(personas["leader"])
    stats = leader.get(reverse("tipoffs:stats"), {"year": "2027"}).content.decode()
    assert "甲镇" in stats and "800" in stats
    assert leader.get(detail).status_code == 403


def test_the_list_reads_a_fixed_number_of_queries(
    units, personas, signed_in_client, django_assert_max_num_queries
):
    from renkou.common.actors import Actor
    from renkou.tipoffs import services

    def add(n: int) -> None:
        for _ in range(n):
            services.tipoff_receive(
                actor=Actor(personas["county_officer"]),
                unit_code=TOWNSHIP_A,
                channel="letter",
                category="other",
                subject="某单位",
                content="反映问题",
            )

    client = signed_in_client(personas["county_officer"])
    add(2)
    client.get(reverse("tipoffs:list"))  # warm the session and the code lists
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("tipoffs:list"), {"size": "50"})
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("tipoffs:list"), {"size": "50"})


def test_a_new_handler_takes_the_informant_with_the_tipoff(handled, personas, signed_in_client):
    from renkou.common.actors import Actor
    from renkou.tipoffs import services
    from renkou.tipoffs.tests.conftest import NAME

    services.tipoff_assign(
        actor=Actor(personas["county_officer"]),
        tipoff=handled,
        handler=personas["county_officer"],
        version=handled.version,
    )
    detail = reverse("tipoffs:detail", args=[handled.pk])
    before = signed_in_client(personas["township_officer"])
    assert NAME not in before.get(detail).content.decode()
    before.logout()
    now = signed_in_client(personas["county_officer"])
    assert NAME in now.get(detail).content.decode()
