"""The tip-off's workflow through its services (issue 18 item 1): intake, assignment, the
handler's steps and result, the reward in fen decided by the county and paid by finance."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import OTHER_TOWNSHIP, TOWNSHIP_A, TOWNSHIP_B
from renkou.common.actors import Actor, ConflictError
from renkou.common.models import AuditEntry
from renkou.tipoffs import services
from renkou.tipoffs.models import Informant, Step, TipOff
from renkou.tipoffs.tests.conftest import NAME, PHONE


def _receive(user, **changes):
    values = {
        "unit_code": TOWNSHIP_A,
        "channel": "window",
        "category": "unlicensed",
        "subject": "流动药摊",
        "content": "无证上环",
        "received_on": date(2026, 11, 1),
    }
    values.update(changes)
    return services.tipoff_receive(actor=Actor(user), **values)


def test_intake_numbers_the_tipoff_sets_its_deadline_and_hashes_the_code(received, settings):
    tipoff, code = received
    assert tipoff.number == "举〔2027〕1号"
    assert tipoff.deadline == date(2027, 3, 31)  # RENKOU_TIPOFF_DAYS = 30
    assert len(code) == 12 and code not in tipoff.ack_index
    assert services.ack_index(code.lower()[:4] + " - " + code[4:]) == tipoff.ack_index
    informant = Informant.objects.get(tipoff=tipoff)
    assert (informant.name, informant.contact) == (NAME, PHONE)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"unit_code": "620001100201"}, "unit_code", "请选择举报事项所在的乡镇"),
        ({"subject": "  "}, "subject", "请填写被举报的机构或人员"),
        ({"content": ""}, "content", "请填写举报内容"),
        ({"category": "births"}, "category", "请选择举报类别"),
        ({"received_on": date(2099, 1, 1)}, "received_on", "受理日期不能晚于今天"),
        ({"informant_contact": "1" * 51}, "informant_contact", "不能超过50个字"),
    ],
)
def test_bad_intake_says_why_in_chinese_and_writes_nothing(personas, changes, field, message):
    with pytest.raises(ValidationError) as caught:
        _receive(personas["township_officer"], **changes)
    assert caught.value.message_dict[field] == [message]
    assert not TipOff.objects.exists() and not Informant.objects.exists()
    assert not AuditEntry.objects.filter(action="tipoffs.receive").exists()


def test_intake_outside_the_subtree_or_by_the_web_channel_is_refused(personas):
    with pytest.raises(PermissionDenied):
        _receive(personas["township_officer"], unit_code=TOWNSHIP_B)
    with pytest.raises(ValidationError):
        _receive(personas["township_officer"], channel="web")
    with pytest.raises(PermissionDenied):
        _receive(personas["leader"])
    assert not TipOff.objects.exists()


def test_only_an_officer_above_the_unit_can_be_the_handler(tipoff, personas, units):
    from conftest import make_user

    county = Actor(personas["county_officer"])
    elsewhere = make_user("t_b", "township_officer", units[TOWNSHIP_B])
    for wrong in (elsewhere, personas["village_admin"], personas["leader"], None):
        with pytest.raises(ValidationError):
            services.tipoff_assign(actor=county, tipoff=tipoff, handler=wrong, version=1)
    other = make_user("t_other", "township_officer", units[OTHER_TOWNSHIP])
    with pytest.raises(PermissionDenied):
        services.tipoff_assign(
            actor=Actor(other), tipoff=tipoff, handler=personas["county_officer"], version=1
        )
    assert TipOff.objects.get().status == "received"


def test_a_stale_version_is_refused(tipoff, personas):
    with pytest.raises(ConflictError):
        services.tipoff_assign(
            actor=Actor(personas["county_officer"]),
            tipoff=tipoff,
            handler=personas["township_officer"],
            version=tipoff.version - 1,
        )


def test_steps_and_result_are_the_handlers_and_the_reward_is_paid_in_fen(handled, personas):
    handler, county = Actor(personas["township_officer"]), Actor(personas["county_officer"])
    with time_machine.travel(date(2027, 3, 10), tick=False):
        with pytest.raises(PermissionDenied):
            services.step_add(actor=county, tipoff=handled, done_on=date(2027, 3, 5), text="走访")
        with pytest.raises(ValidationError):
            services.step_add(actor=handler, tipoff=handled, done_on=date(2027, 2, 1), text="早")
        services.step_add(actor=handler, tipoff=handled, done_on=date(2027, 3, 5), text="走访")
        with pytest.raises(PermissionDenied):
            services.tipoff_conclude(
                actor=county, tipoff=handled, finding="true", result="属实", version=2
            )
        done = services.tipoff_conclude(
            actor=handler, tipoff=handled, finding="true", result="已移交卫生监督所", version=2
        )
        with pytest.raises(PermissionDenied):  # the township does not decide rewards
            services.reward_decide(
                actor=handler, tipoff=done, grant=True, amount_fen=50000, note="", version=3
            )
        with pytest.raises(ValidationError):
            services.reward_decide(
                actor=county, tipoff=done, grant=True, amount_fen=0, note="", version=3
            )
        decided = services.reward_decide(
            actor=county, tipoff=done, grant=True, amount_fen=50050, note="按办法", version=3
        )
        with pytest.raises(PermissionDenied):  # the county does not record payments
            services.reward_pay(
                actor=county, tipoff=decided, paid_on=date(2027, 3, 10), voucher="1", version=4
            )
        paid = services.reward_pay(
            actor=Actor(personas["finance"]),
            tipoff=decided,
            paid_on=date(2027, 3, 10),
            voucher="财付001",
            version=4,
        )
    assert (paid.reward, paid.reward_fen, paid.reward_yuan) == ("paid", 50050, "500.50")
    assert Step.objects.filter(tipoff=paid).count() == 1
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"tipoffs.step", "tipoffs.conclude", "tipoffs.reward_decide"} <= actions
    assert "tipoffs.reward_pay" in actions
    assert paid.history.count() >= 5  # every change kept with who and when


def test_an_unfounded_tipoff_gets_no_reward(handled, personas):
    handler, county = Actor(personas["township_officer"]), Actor(personas["county_officer"])
    done = services.tipoff_conclude(
        actor=handler, tipoff=handled, finding="unfounded", result="查无此事", version=2
    )
    with pytest.raises(ValidationError, match="不属实"):
        services.reward_decide(
            actor=county, tipoff=done, grant=True, amount_fen=100, note="", version=3
        )
    refused = services.reward_decide(
        actor=county, tipoff=done, grant=False, amount_fen=None, note="", version=3
    )
    assert (refused.reward, refused.reward_fen) == ("refused", None)
