"""The demo tip-offs: four per township at different steps, seeded once."""

from datetime import date

import time_machine

from conftest import COUNTY
from renkou.tipoffs.demo import seed_tipoffs
from renkou.tipoffs.models import TipOff


def test_the_demo_seeds_every_step_once(units, personas):
    with time_machine.travel(date(2027, 6, 1), tick=False):
        made = seed_tipoffs(county=COUNTY[:6], today=date(2027, 6, 1))
    assert len(made) == 8  # two townships × four
    rewards = sorted(TipOff.objects.values_list("reward", flat=True))
    assert rewards.count("paid") == 2 and rewards.count("decided") == 2
    assert TipOff.objects.filter(status="assigned", deadline__lt=date(2027, 6, 1)).count() == 2
    assert seed_tipoffs(county=COUNTY[:6], today=date(2027, 6, 1)) == []
