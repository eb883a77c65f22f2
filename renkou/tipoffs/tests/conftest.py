from datetime import date

import pytest
import time_machine

from conftest import TOWNSHIP_A
from renkou.common.actors import Actor
from renkou.tipoffs import services

NAME, PHONE = "檀香梅", "13912345678"  # the informant: must appear to the handler alone
RECEIVED = date(2027, 3, 1)


@pytest.fixture
def received(units, personas):
    """A tip-off taken by phone at township A's office on 1 March 2027, with its code."""
    with time_machine.travel(RECEIVED, tick=False):
        return services.tipoff_receive(
            actor=Actor(personas["township_officer"]),
            unit_code=TOWNSHIP_A,
            channel="phone",
            category="two_non",
            subject="某诊所",
            content="夜间为孕妇鉴定胎儿性别",
            received_on=RECEIVED,
            informant_name=NAME,
            informant_contact=PHONE,
        )


@pytest.fixture
def tipoff(received):
    return received[0]


@pytest.fixture
def handled(tipoff, personas):
    """The tip-off assigned to township A's officer (its handler)."""
    with time_machine.travel(date(2027, 3, 2), tick=False):
        return services.tipoff_assign(
            actor=Actor(personas["county_officer"]),
            tipoff=tipoff,
            handler=personas["township_officer"],
            version=tipoff.version,
        )
