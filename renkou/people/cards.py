"""The married woman of childbearing age card: who should have an open card, and keeping the
cards in step with the register (domain.md §2.5: opens for every married woman aged 15–49,
closes at 50, at death or move-out, and when she is no longer married)."""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from renkou.common import audit
from renkou.people.constants import FEMALE, MARRIED_CODES, WCBA_AGES, CardCloseReason, CardStatus
from renkou.people.models import Person, WomanCard


def _years_ago(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def wcba_birth_range(day: date) -> tuple[date, date]:
    """Birth dates of women aged 15–49 on ``day``: (earliest, latest), inclusive."""
    low, high = WCBA_AGES
    earliest = _years_ago(day, high + 1)
    latest = _years_ago(day, low)
    return date.fromordinal(earliest.toordinal() + 1), latest


def should_have_card(person: Person, day: date) -> CardCloseReason | None:
    """None when the woman should have an open card on ``day``, else the reason she should not."""
    if person.exited_at is not None:
        return CardCloseReason.DEAD if person.exit_reason == "3" else CardCloseReason.EXITED
    if person.sex != FEMALE or person.marital_status not in MARRIED_CODES:
        return CardCloseReason.NOT_MARRIED
    earliest, latest = wcba_birth_range(day)
    if person.birth_date < earliest:
        return CardCloseReason.AGE
    if person.birth_date > latest:
        return CardCloseReason.NOT_MARRIED
    return None


def card_sync(person: Person, *, day: date, actor: Any = None) -> WomanCard | None:
    """Open, reopen or close the card of one person to match the register."""
    reason = should_have_card(person, day)
    card = WomanCard.objects.filter(person=person).first()
    if reason is None:
        if card is None:
            return WomanCard.objects.create(
                person=person, unit_code=person.unit_code, opened_on=day
            )
        if card.status != CardStatus.OPEN or card.unit_code != person.unit_code:
            card.status, card.closed_on, card.close_reason = CardStatus.OPEN, None, ""
            card.unit_code = person.unit_code
            card.version += 1
            card.save()
            _rows_follow(card)
        return card
    if card is not None and card.status == CardStatus.OPEN:
        card.status, card.closed_on, card.close_reason = CardStatus.CLOSED, day, reason
        card.version += 1
        card.save()
    return card


def _rows_follow(card: WomanCard) -> None:
    """The card's children, episodes and pregnancies carry the card's unit (their scoping
    column), so that after a move the new unit's staff see and edit them and the old unit's no
    longer do. A derived column: updated in place, without history rows."""
    for rows in (card.children, card.episodes, card.pregnancies):
        rows.exclude(unit_code=card.unit_code).update(unit_code=card.unit_code)


@transaction.atomic
def cards_refresh(*, day: date, actor: Any = None) -> tuple[int, int]:
    """The daily job: open cards for women who became eligible, close those who turned 50 or
    otherwise left the criteria. Returns (opened, closed)."""
    earliest, latest = wcba_birth_range(day)
    eligible = Person.objects.filter(
        sex=FEMALE,
        marital_status__in=MARRIED_CODES,
        exited_at__isnull=True,
        birth_date__gte=earliest,
        birth_date__lte=latest,
    )
    opened = 0
    for person in eligible.filter(
        Q(card__isnull=True) | ~Q(card__status=CardStatus.OPEN)
    ).iterator():
        card_sync(person, day=day)
        opened += 1
    stale = WomanCard.objects.filter(status=CardStatus.OPEN).exclude(person__in=eligible)
    closed = 0
    for card in stale.select_related("person").iterator():
        card_sync(card.person, day=day)
        closed += 1
    audit.record(
        actor=actor,
        action="card.refresh",
        object_type="people.womancard",
        row_count=opened + closed,
        summary=f"opened={opened} closed={closed}",
    )
    return opened, closed
