"""Policy of the change-event pages (renkou/events/views.py): the register, entry, the event
page with confirm / void / correct, the review queue and the monthly change report.

Reading events needs ``people.view_person`` (the five worker roles); recording, voiding and
correcting need ``events.record_event`` (village, township and county staff); confirming needs
``events.confirm_event`` (township and county). The month's reporting state of the villages is
aggregate data, which leaders see too; the village's report lists names and is for workers.
Monthly pages name a unit by code: out of the caller's subtree is 404.
"""

from datetime import date

from tests.authz_policy import GET_POST, LEAD, POST, WORKERS, C, Rule, T, V

REGISTRARS = frozenset({V, T, C})
REVIEWERS = frozenset({T, C})

POLICY: dict[str, Rule] = {
    "events:event_list": Rule(WORKERS),
    "events:event_create": Rule(REGISTRARS, GET_POST),
    "events:person_lookup": Rule(REGISTRARS, POST, notes="ID lookup by POST (CR5)"),
    "events:review_queue": Rule(REVIEWERS, GET_POST),
    "events:event_detail": Rule(WORKERS, obj="event"),
    "events:event_confirm": Rule(REVIEWERS, POST, obj="event"),
    "events:event_void": Rule(REGISTRARS, POST, obj="event"),
    "events:event_correct": Rule(REGISTRARS, GET_POST, obj="event"),
    "events:monthly_overview": Rule(WORKERS | {LEAD}),
    "events:monthly_report": Rule(WORKERS, obj="unit"),
    "events:monthly_submit": Rule(REGISTRARS, POST, obj="unit"),
}


def _event_in(unit, user) -> int:
    """A village-submitted death of a fresh person managed by ``unit`` (a fresh one each call:
    a POST that voided the previous one leaves it voided)."""
    from renkou.common.actors import Actor
    from renkou.events import services
    from renkou.events.constants import Kind, Status
    from renkou.people.services import person_register

    values = {
        "name": "测试变动",
        "sex": "1",
        "birth_date": date(1950, 1, 1),
        "registered_code": unit.code,
        "residence_code": unit.code,
        "ethnicity": "01",
        "marital_status": "10",
    }
    person = person_register(actor=Actor(None), household=None, values=values)
    event = services.record(
        actor=Actor(None), kind=Kind.DEATH, person=person, effective_date=date(2024, 6, 1)
    )
    event.status, event.confirmed_by, event.confirmed_at = Status.SUBMITTED, None, None
    event.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return event.pk


PROVIDERS = {"event": _event_in}
