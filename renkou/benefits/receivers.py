"""Keep the 全覆盖 table (``renkou.benefits.screening``) in step with the register writes that
change a fact of the benefit rules, in the writing transaction: a person saved (forms, events,
merges), a woman's card or its children saved or deleted, and the bulk loads (``people.signals``).
The register must not import ``benefits`` (it sits above it), hence signals: house style §5's
"decoupled concern" kind."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from renkou.benefits import screening
from renkou.people.models import Child, Person, WomanCard
from renkou.people.signals import cards_written, persons_written


def _person_saved(sender: Any, instance: Person, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        screening.persons_changed([instance.pk, instance.spouse_id])


def _card_saved(sender: Any, instance: WomanCard, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        screening.persons_changed([instance.person_id])


def _child_changed(sender: Any, instance: Child, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        screening.cards_changed([instance.card_id])


def _bulk_persons(sender: Any, ids: list[int], **kwargs: Any) -> None:
    screening.persons_changed(ids)


def _bulk_cards(sender: Any, ids: list[int], **kwargs: Any) -> None:
    screening.cards_changed(ids)


def connect() -> None:
    post_save.connect(_person_saved, sender=Person, dispatch_uid="benefits.person_saved")
    post_save.connect(_card_saved, sender=WomanCard, dispatch_uid="benefits.card_saved")
    post_delete.connect(_card_saved, sender=WomanCard, dispatch_uid="benefits.card_deleted")
    post_save.connect(_child_changed, sender=Child, dispatch_uid="benefits.child_saved")
    post_delete.connect(_child_changed, sender=Child, dispatch_uid="benefits.child_deleted")
    persons_written.connect(_bulk_persons, dispatch_uid="benefits.persons_written")
    cards_written.connect(_bulk_cards, dispatch_uid="benefits.cards_written")
