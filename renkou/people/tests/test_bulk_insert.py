"""The set-based insert of the demo load (``renkou.common.bulk``, issue 15 §1) writes what
``bulk_create`` and ``bulk_history_create`` wrote: the same values read back through the
models (encrypted fields decrypt, the blind index matches), and one "+" history row per row
with the load's date and reason, on SQLite and on PostgreSQL."""

import random
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from renkou.common import bulk
from renkou.people import demo
from renkou.people.models import Household, Person, WomanCard
from renkou.people.services import id_index
from renkou.people.tests.conftest import TODAY
from renkou.people.tests.test_demo import demo_county  # noqa: F401  (fixture)

COLUMNS = ("household_id", "unit_code", "name", "sex", "birth_date", "id_number", "phone")


def test_rows_read_back_as_built_with_their_creation_history(demo_county):  # noqa: F811
    builder = demo.DemoBuilder(random.Random(3), TODAY, demo.demo_villages(), 300)
    batch = next(builder.batches())
    when = datetime(2026, 12, 7, 9, tzinfo=timezone.get_default_timezone())
    with transaction.atomic():
        for model, rows in ((Household, batch.households), (Person, batch.persons)):
            bulk.insert(model, rows, history_date=when, history_reason="演示数据")
        bulk.insert(WomanCard, batch.cards)  # no history date: no history rows
    assert Person.objects.count() == len(batch.persons) >= 300
    for built in batch.persons[:50]:
        stored = Person.objects.get(pk=built.pk)
        assert [getattr(stored, c) for c in COLUMNS] == [getattr(built, c) for c in COLUMNS]
        if built.id_number:
            assert stored.id_index == id_index(built.id_number)
        past = list(stored.history.all())
        assert [(h.history_type, h.history_change_reason, h.history_date) for h in past] == [
            ("+", "演示数据", when)
        ]
        assert past[0].id_number == built.id_number and past[0].name == built.name
    assert Household.history.count() == Household.objects.count() == len(batch.households)
    assert WomanCard.objects.count() == len(batch.cards) and WomanCard.history.count() == 0
