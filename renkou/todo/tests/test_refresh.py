"""The refresh against the register: each rule's items by hand, closing, expiry, rule edits,
idempotence, the receivers."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from renkou.common.actors import Actor
from renkou.people.constants import CardStatus
from renkou.todo import services
from renkou.todo.constants import Status
from renkou.todo.models import ReminderRule, TodoItem
from renkou.todo.tests.factories import episode, pregnancy, visit, woman

pytestmark = pytest.mark.django_db


def _items(code: str, person=None):
    rows = TodoItem.objects.filter(rule__code=code).order_by("due_on")
    return list(rows.filter(person=person) if person else rows)


def _state(code: str, person=None) -> list[tuple[date, str]]:
    return [(i.due_on, i.status) for i in _items(code, person)]


def test_iud_follow_ups_appear_one_at_a_time_on_the_clinical_schedule(units):
    her = woman()
    iud = episode(her, "03", date(2026, 1, 10))
    services.refresh(today=date(2026, 1, 26))
    assert _items("iud_followup") == []  # 2026-02-10 appears 14 days before, on 01-27
    services.refresh(today=date(2026, 1, 27))
    (item,) = _items("iud_followup")
    assert (item.due_on, item.status, item.anchor_id) == (date(2026, 2, 10), "open", iud.pk)
    assert item.overdue_on == date(2026, 2, 24) and item.unit_code == her.unit_code
    # No visit: on 03-27 the 3-month item appears and the 1-month one expires.
    services.refresh(today=date(2026, 3, 27))
    assert _state("iud_followup") == [(date(2026, 2, 10), "expired"), (date(2026, 4, 10), "open")]
    for today, due in (
        (date(2026, 6, 26), date(2026, 7, 10)),
        (date(2026, 12, 27), date(2027, 1, 10)),
        (date(2027, 12, 27), date(2028, 1, 10)),
    ):
        services.refresh(today=today)
        assert _items("iud_followup")[-1].due_on == due


def test_a_visit_in_the_window_closes_the_item_and_only_that_one(units):
    her = woman()
    iud = episode(her, "03", date(2026, 1, 10))
    visit(her, "iud_in", date(2026, 2, 12), episode=iud)
    services.refresh(today=date(2026, 3, 27))
    first, second = _items("iud_followup")
    assert (first.status, first.done_on, first.closed_type) == (
        "done",
        date(2026, 2, 12),
        "programs.contraceptionvisit",
    )
    assert second.status == "open"  # the same visit does not close the 3-month follow-up
    # A visit for another reason or another episode closes nothing.
    visit(her, "iud_out", date(2026, 4, 1), episode=iud)
    other = episode(woman(), "03", date(2026, 1, 10))
    visit(other.card.person, "iud_in", date(2026, 4, 2), episode=other)
    services.refresh(today=date(2026, 4, 5))
    assert _items("iud_followup", her)[1].status == "open"


def test_removal_stops_the_iud_series_and_opens_the_removal_follow_up(units):
    her = woman()
    iud = episode(her, "03", date(2025, 1, 10))
    services.refresh(today=date(2026, 1, 1))
    assert _state("iud_followup", her) == [(date(2026, 1, 10), "open")]
    iud.end = date(2026, 1, 5)
    iud.save()
    services.refresh(today=date(2026, 2, 1))
    # The open yearly item's window is cut at the removal; the 30-day follow-up (due 02-04,
    # shown 7 days before) appears.
    assert _state("iud_followup", her) == [(date(2026, 1, 10), "expired")]
    assert _state("iud_removed", her) == [(date(2026, 2, 4), "open")]


def test_sterilisation_days_3_to_7_then_months_3_and_6(units):
    her = woman()
    episode(her, "02", date(2026, 5, 4))
    services.refresh(today=date(2026, 5, 4))
    (item,) = _items("sterilisation")
    assert item.due_on == date(2026, 5, 7) and item.overdue_on == date(2026, 5, 11)
    for today in (date(2026, 8, 1), date(2026, 11, 4)):  # the daily job, on some of its days
        services.refresh(today=today)
    assert [d for d, _ in _state("sterilisation")] == [
        date(2026, 5, 7),
        date(2026, 8, 4),
        date(2026, 11, 4),
    ]


def test_implant_insertion_removal_and_removal_due(units):
    her = woman()
    implant = episode(her, "04", date(2022, 3, 1))
    services.refresh(today=date(2026, 2, 1))  # 4 years on 2026-03-01, shown 30 days before
    assert _state("implant_due", her) == [(date(2026, 3, 1), "open")]
    assert _items("implant_inserted", her) == []  # that follow-up window closed long ago
    implant.end = date(2026, 3, 20)
    implant.save()
    services.refresh(today=date(2026, 6, 20))
    (due,) = _items("implant_due", her)
    assert (due.status, due.done_on, due.closed_type) == (
        "done",
        date(2026, 3, 20),
        "people.contraceptionepisode",
    )
    # Removal follow-up: 90 days after (2026-06-18), overdue after 180 days.
    (after,) = _items("implant_removed", her)
    assert (after.due_on, after.overdue_on) == (date(2026, 6, 18), date(2026, 9, 16))


def test_abortion_follow_up_within_a_month_closed_by_a_visit(units):
    her = woman()
    ended = pregnancy(her, "4", date(2026, 3, 1))
    pregnancy(woman(), "1", date(2026, 3, 1))  # a live birth: no abortion follow-up
    services.refresh(today=date(2026, 3, 25))
    assert _state("abortion") == [(date(2026, 3, 31), "open")]
    visit(her, "abortion", date(2026, 3, 28), pregnancy=ended)
    services.refresh(today=date(2026, 3, 29))
    assert _state("abortion") == [(date(2026, 3, 31), "done")]


def test_yearly_gynaecological_check_offer_closed_by_an_rh_check_that_year(units):
    from renkou.geo.models import ServicePoint
    from renkou.programs.models import RHCheck

    her, other = woman(), woman()
    services.refresh(today=date(2026, 3, 1))
    assert _state("gyn_check", her) == [(date(2026, 7, 1), "open")]
    point = ServicePoint.objects.create(
        unit=units["620001100000"], kind="township_station", name="测试站"
    )
    fields = {"service_point": point, "examiner": "医生", "consent_on": date(2026, 4, 1)}
    RHCheck.objects.create(
        person=her, unit_code=her.unit_code, checked_on=date(2025, 11, 1), **fields
    )  # last year's check does not count
    services.refresh(today=date(2026, 4, 2))
    assert _state("gyn_check", her) == [(date(2026, 7, 1), "open")]
    RHCheck.objects.create(
        person=her, unit_code=her.unit_code, checked_on=date(2026, 4, 1), **fields
    )
    services.refresh(today=date(2026, 10, 2))
    assert _state("gyn_check", her) == [(date(2026, 7, 1), "done")]
    (item,) = _items("gyn_check", other)
    assert item.status == "open" and item.overdue_on < date(2026, 10, 2)  # overdue from 10-02


def test_closed_card_expires_open_items(units):
    her = woman()
    episode(her, "03", date(2026, 1, 10))
    services.refresh(today=date(2026, 2, 1))
    her.card.status, her.card.closed_on = CardStatus.CLOSED, date(2026, 2, 2)
    her.card.save()
    services.refresh(today=date(2026, 2, 3))
    assert {i.status for i in TodoItem.objects.filter(person=her)} == {"expired"}


def test_refresh_is_idempotent_and_scoped_by_unit(units):
    her, far = woman(), woman("620001101201")
    for person in (her, far):
        episode(person, "03", date(2026, 1, 10))
    stats = services.refresh("620001100", today=date(2026, 2, 1))
    assert TodoItem.objects.filter(person=far).count() == 0
    assert stats.created == TodoItem.objects.count() == 2  # IUD follow-up + yearly check offer
    again = services.refresh("620001100", today=date(2026, 2, 1))
    assert (again.created, again.changed) == (0, 0)
    services.refresh(today=date(2026, 2, 1))
    assert TodoItem.objects.filter(person=far).count() == 2
    assert (services.refresh(today=date(2026, 2, 1)).changed) == 0


def test_editing_a_rule_cancels_open_items_and_keeps_done_ones(units, personas):
    her = woman()
    iud = episode(her, "03", date(2026, 1, 10))
    visit(her, "iud_in", date(2026, 2, 12), episode=iud)
    services.refresh(today=date(2026, 3, 27))
    rule = ReminderRule.objects.get(code="iud_followup")
    actor = Actor(personas["county_officer"], "10.0.0.1")
    services.rule_save(actor=actor, rule=rule, values={"offsets": "1m,2m,6m,12m"})
    rule.refresh_from_db()
    assert rule.version == 2
    done, cancelled = _items("iud_followup")
    assert (done.status, done.rule_version) == ("done", 1)
    assert cancelled.status == Status.CANCELLED and cancelled.due_on == date(2026, 4, 10)
    services.refresh(today=date(2026, 3, 27))  # the 2-month item (due 03-10) is overdue now
    rows = _items("iud_followup")
    assert [(i.due_on, i.status, i.rule_version) for i in rows] == [
        (date(2026, 2, 10), "done", 2),
        (date(2026, 3, 10), "open", 2),
        (date(2026, 4, 10), "cancelled", 1),
    ]
    from renkou.common.models import AuditEntry

    assert AuditEntry.objects.filter(action="todo.rule_change", object_id=str(rule.pk)).exists()
    # Renaming is not a new version and cancels nothing.
    services.rule_save(actor=actor, rule=rule, values={"name": "放环后随访"})
    rule.refresh_from_db()
    assert rule.version == 2 and _items("iud_followup")[1].status == "open"


def test_switching_a_rule_off_cancels_its_open_items(units, personas):
    her = woman()
    episode(her, "03", date(2026, 1, 10))
    services.refresh(today=date(2026, 2, 1))
    rule = ReminderRule.objects.get(code="iud_followup")
    services.rule_save(actor=Actor(personas["county_officer"]), rule=rule, values={"active": False})
    services.refresh(today=date(2026, 2, 2))
    assert _state("iud_followup") == [(date(2026, 2, 10), "cancelled")]


def test_invalid_rule_is_refused(units, personas):
    from django.core.exceptions import ValidationError

    rule = ReminderRule.objects.get(code="abortion")
    with pytest.raises(ValidationError) as caught:
        services.rule_save(
            actor=Actor(personas["county_officer"]),
            rule=rule,
            values={"visit_reason": "", "offsets": "2m,1m"},
        )
    assert set(caught.value.message_dict) == {"visit_reason", "offsets"}
    rule.refresh_from_db()
    assert rule.visit_reason == "abortion" and rule.version == 1


def test_preview_counts_without_saving(units):
    her = woman()
    episode(her, "03", date(2026, 1, 10))
    episode(woman("620001101201"), "03", date(2026, 1, 10))
    rule = ReminderRule.objects.get(code="iud_followup")
    rule.grace_days = 0
    counts = services.preview(rule, "620001", date(2026, 2, 20))
    assert (counts["open"], counts["overdue"], counts["persons"]) == (2, 2, 2)
    assert services.preview(rule, "620001100", date(2026, 2, 20))["open"] == 1
    assert TodoItem.objects.count() == 0
    assert ReminderRule.objects.get(code="iud_followup").grace_days == 14


def test_saving_a_closing_record_refreshes_her_items_after_commit(
    units, django_capture_on_commit_callbacks
):
    her = woman()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        iud = episode(her, "03", today - timedelta(days=25))
    (item,) = _items("iud_followup", her)
    assert item.status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        record = visit(her, "iud_in", today, episode=iud)
    assert _items("iud_followup", her)[0].status == "done"
    with django_capture_on_commit_callbacks(execute=True):
        record.delete()
    assert _items("iud_followup", her)[0].status == "open"  # a deleted record reopens it


def test_an_implant_left_in_place_is_offered_each_year_and_old_offers_lapse(units):
    """Issue 11 item 9: an implant of 2012 with no end date on the card was "逾期 3,560 天".
    The removal is offered at 4 years and again each year while it stays in place; an offer
    nobody took up closes as 未办理 when the next one comes."""
    her = woman()
    episode(her, "04", date(2012, 3, 1))
    services.refresh(today=date(2026, 12, 7))
    (offer,) = _items("implant_due", her)
    assert (offer.due_on, offer.status) == (date(2026, 3, 1), Status.OPEN)
    assert offer.ends_on < date(2027, 3, 1)  # open for this cycle only
    assert (date(2026, 12, 7) - offer.overdue_on).days < 365
    services.refresh(today=date(2027, 2, 15))
    assert _state("implant_due", her) == [
        (date(2026, 3, 1), Status.EXPIRED),
        (date(2027, 3, 1), Status.OPEN),
    ]
    assert Status.EXPIRED.label == "未办理"


def test_a_failed_refresh_after_the_commit_keeps_the_saved_record_and_is_logged(
    units, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """What the broad ``except`` in todo/receivers.py protects (docs/adr/0005-receivers.md):
    the record is committed before the refresh runs, so a refresh that fails must neither
    surface as an error for the worker who saved it (she would enter it again) nor stop the
    other after-commit work; it is logged, without her name, and the next refresh catches up."""
    her = woman(name="王秀英")
    today = timezone.localdate()

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "refresh", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        iud = episode(her, "03", today - timedelta(days=25))
    assert len(callbacks) >= 1
    assert type(iud).objects.filter(pk=iud.pk).exists()
    assert _items("iud_followup", her) == []
    (record,) = [r for r in caplog.records if r.name == "renkou.todo.receivers"]
    assert "daily job will redo it" in record.getMessage() and record.exc_info
    assert "王秀英" not in caplog.text
    monkeypatch.undo()
    services.refresh(today=today)  # the daily job
    assert [i.status for i in _items("iud_followup", her)] == ["open"]
