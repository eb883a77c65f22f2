"""The public pages (issue 18 item 1): the web form outside the sign-in, with its proof of work
and per-address limit, the acknowledgement code, and the progress page that shows the stage
only."""

import re

import pytest
from django.urls import reverse

from conftest import TOWNSHIP_A
from renkou.common.models import AuditEntry
from renkou.tipoffs import guard
from renkou.tipoffs.models import Attempt, TipOff

NAME, PHONE = "柏雪松", "13800001111"


def _form(client, address="10.9.9.9"):
    page = client.get(reverse("tipoffs:public_new"), REMOTE_ADDR=address)
    html = page.content.decode()
    return page, re.search(r'name="puzzle" value="([^"]+)"', html).group(1)


def _data(puzzle, answer=None, **changes):
    data = {
        "unit_code": TOWNSHIP_A,
        "category": "two_non",
        "subject": "某B超室",
        "content": "为孕妇做胎儿性别鉴定",
        "informant_name": NAME,
        "informant_contact": PHONE,
        "puzzle": puzzle,
        "answer": guard.solve(puzzle) if answer is None else answer,
    }
    data.update(changes)
    return data


def _submit(client, address="10.9.9.9", **changes):
    _page, puzzle = _form(client, address)
    return client.post(reverse("tipoffs:public_new"), _data(puzzle, **changes), REMOTE_ADDR=address)


@pytest.fixture(autouse=True)
def _light_work(settings):
    settings.RENKOU_TIPOFF_POW_BITS = 12  # fast tests; the rule is the same at 16


def test_the_form_is_public_and_its_script_is_a_same_origin_static_file(client, units):
    page, puzzle = _form(client)
    html = page.content.decode()
    assert page.status_code == 200 and puzzle
    assert '<script src="/static/js/tipoff-pow.js" defer></script>' in html
    assert "<script>" not in html  # no inline script (CSP: same-origin files only)
    assert "'unsafe-inline'" not in page["Content-Security-Policy"].split("script-src")[1]


def test_a_worked_submission_is_received_and_answers_the_code_once(client, units):
    response = _submit(client)
    html = response.content.decode()
    code = re.search(r'id="ack-code">([0-9A-Z]{12})<', html).group(1)
    tipoff = TipOff.objects.get()
    assert (tipoff.channel, tipoff.unit_code, tipoff.status) == ("web", TOWNSHIP_A, "received")
    assert tipoff.informant.name == NAME
    entry = AuditEntry.objects.get(action="tipoffs.receive")
    assert entry.ip == "" and NAME not in entry.summary  # no address tied to the tip-off
    assert code not in html.replace(f'id="ack-code">{code}<', "")  # shown once, nowhere else
    status = client.post(reverse("tipoffs:public_status"), {"code": code.lower()})
    body = status.content.decode()
    assert "办理进度：已受理" in body
    for secret in (NAME, PHONE, "某B超室", "胎儿性别鉴定", "甲镇", tipoff.number):
        assert secret not in body


@pytest.mark.parametrize("answer", ["", "1x", "wrong"])
def test_an_unsolved_puzzle_is_refused_and_writes_nothing(client, units, answer):
    _page, puzzle = _form(client)
    wrong = answer
    if answer == "wrong":  # a number that does not solve this puzzle
        wrong = next(str(n) for n in range(100) if not guard.solves(puzzle, str(n)))
    response = client.post(reverse("tipoffs:public_new"), _data(puzzle, answer=wrong))
    assert "安全校验未通过" in response.content.decode()
    assert not TipOff.objects.exists()


def test_a_forged_or_reused_puzzle_is_refused(client, units):
    forged = "x" * 40
    response = client.post(reverse("tipoffs:public_new"), _data(forged, answer="0"))
    assert "安全校验未通过" in response.content.decode()
    _page, puzzle = _form(client)
    data = _data(puzzle)
    assert client.post(reverse("tipoffs:public_new"), data).status_code == 200
    again = client.post(reverse("tipoffs:public_new"), data)
    assert "安全校验未通过" in again.content.decode()
    assert TipOff.objects.count() == 1


def test_bad_input_says_why_in_chinese_and_writes_nothing(client, units):
    response = _submit(client, content="", unit_code="")
    html = response.content.decode()
    assert "此项为必填项" in html
    assert not TipOff.objects.exists()
    assert PHONE in html or "informant_contact" in html  # the informant's own typing kept


def test_submissions_per_address_are_limited(client, units, settings):
    settings.RENKOU_TIPOFF_SUBMITS_PER_HOUR = 2
    assert _submit(client).status_code == 200
    assert _submit(client).status_code == 200
    refused = _submit(client)
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "提交过于频繁" in refused.content.decode()
    assert _submit(client, address="10.9.9.8").status_code == 200  # another address
    assert TipOff.objects.count() == 3
    # Only keyed hashes of the addresses are kept.
    assert not Attempt.objects.filter(address__contains="10.9.9").exists()


def test_progress_lookups_per_address_are_limited(client, units, settings):
    settings.RENKOU_TIPOFF_LOOKUPS_PER_HOUR = 3
    url = reverse("tipoffs:public_status")
    for _ in range(3):
        page = client.post(url, {"code": "ABCDEFGHJKMN"}, REMOTE_ADDR="10.7.7.7")
        assert "未查到该回执码" in page.content.decode()
    assert client.post(url, {"code": "ABCDEFGHJKMN"}, REMOTE_ADDR="10.7.7.7").status_code == 429
    assert client.post(url, {"code": "ABCDEFGHJKMN"}, REMOTE_ADDR="10.7.7.6").status_code == 200


def test_the_progress_page_shows_the_reward_stage_only(client, received, handled, personas):
    from datetime import date

    import time_machine

    from renkou.common.actors import Actor
    from renkou.tipoffs import services

    _tipoff, code = received
    with time_machine.travel(date(2027, 3, 20), tick=False):
        done = services.tipoff_conclude(
            actor=Actor(personas["township_officer"]),
            tipoff=handled,
            finding="true",
            result="已移交",
            version=handled.version,
        )
        services.reward_decide(
            actor=Actor(personas["county_officer"]),
            tipoff=done,
            grant=True,
            amount_fen=50000,
            note="",
            version=done.version,
        )
    body = client.post(reverse("tipoffs:public_status"), {"code": code}).content.decode()
    assert "已办结" in body and "请持回执码与承办单位联系领取" in body
    assert "500" not in body and "已移交" not in body
