"""Dictionary aliases in the change-event import (issue 13 item 6): a coded event column
written with an alias (婴儿性别 女性) and a newcomer's person columns (民族 藏, 婚姻状况 已婚有配偶)
map to their codes with a note; an unknown label is the row's error with the accepted labels."""

import random
from datetime import date

import pytest
from django.core.cache import cache

from renkou.events.models import Event
from renkou.events.tests.test_import import line, make_town, newcomer, run, xlsx
from renkou.people.models import Person


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_event_rows_written_with_aliases_are_recorded_with_notes(tmp_path, units):
    town = make_town()
    rng = random.Random(16)
    rows = [
        line("出生", town["mother"], date(2024, 1, 15), 婴儿姓名="小卓玛", 婴儿性别="女性"),
        newcomer(rng, 民族="藏", 婚姻状况="已婚有配偶"),
    ]
    result = run(xlsx(tmp_path, rows))
    assert (result.outcome.total, result.outcome.bad) == (2, 0)
    assert Person.objects.get(name="小卓玛").sex == "2"  # GB/T 2261.1: 2 女
    arrived = Person.objects.get(name="周杰")
    assert (arrived.ethnicity, arrived.marital_status) == ("04", "20")
    assert Event.objects.count() == 2
    assert {
        "婴儿性别“女性”按字典别名记为“女”（1 行）",
        "婚姻状况“已婚有配偶”按字典别名记为“已婚”（1 行）",
        "民族“藏”按字典别名记为“藏族”（1 行）",
    } <= set(result.batch.notes)


def test_an_unknown_event_label_lists_the_accepted_ones(tmp_path, units):
    town = make_town()
    rows = [line("出生", town["mother"], date(2024, 1, 15), 婴儿姓名="小卓玛", 婴儿性别="女孩")]
    result = run(xlsx(tmp_path, rows))
    assert result.outcome.bad == 1 and Event.objects.count() == 0
    messages = [i.message for i in result.outcome.errors[2]]
    assert "婴儿性别“女孩”不在字典中，可填：未知、男、女、未说明" in messages
