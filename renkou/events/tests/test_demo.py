"""The demo events: recorded for the demo register, counted incrementally exactly as a full
rebuild counts them, with monthly reports for the villages."""

from datetime import date

import pytest
from django.core.management import call_command

from renkou.events import demo, tally
from renkou.events.constants import Kind
from renkou.events.models import Checkpoint, Event, MonthlyReport, Spell, Tally
from renkou.people.demo import demo_seed

TODAY = date(2026, 11, 29)


def _state() -> tuple:
    def rows(model, key):
        return sorted(
            model.objects.exclude(value=0).values_list(
                "measure", "scope", "unit_code", key, "value"
            )
        )

    spells = sorted(
        Spell.objects.values_list("person_id", "measure", "scope", "unit_code", "start", "end")
    )
    return rows(Tally, "month"), rows(Checkpoint, "year"), spells


@pytest.mark.django_db
def test_demo_events_are_counted_as_a_rebuild_counts_them(personas, monkeypatch):
    monkeypatch.setattr(tally.timezone, "localdate", lambda: TODAY)
    call_command("load_divisions", county="623022", verbosity=0)
    demo_seed(persons=1500, seed=7, today=TODAY, county="623022")
    report = demo.seed_events(
        county="623022", today=TODAY, seed=7, reporter=personas["township_officer"]
    )
    births = Event.objects.filter(kind=Kind.BIRTH)
    assert report.births == births.count() > 0
    assert report.deaths == Event.objects.filter(kind=Kind.DEATH).count() > 0
    assert all(e.child.mother_id == e.person_id for e in births.select_related("child"))
    assert MonthlyReport.objects.exists()
    incremental = _state()
    tally.rebuild()
    assert _state() == incremental
