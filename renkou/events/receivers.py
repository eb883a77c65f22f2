"""Keep spells and tallies in step with register writes made outside the event services:
person saves (forms, merges, moves, exits), contraception episodes, and bulk loads; in the
writing transaction, so a failure rolls the write back (docs/adr/0005-receivers.md)."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from renkou.events import tally
from renkou.people.models import ContraceptionEpisode, Person
from renkou.people.signals import persons_written


def _person_saved(sender: Any, instance: Person, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        tally.touch([instance.pk])


def _episode_changed(
    sender: Any, instance: ContraceptionEpisode, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    person_id = (
        type(instance.card)
        .objects.filter(pk=instance.card_id)
        .values_list("person_id", flat=True)
        .first()
    )
    tally.touch([person_id])


def _bulk_written(sender: Any, ids: list[int], created: bool = False, **kwargs: Any) -> None:
    if created:
        tally.load_new(ids)
    else:
        tally.touch(ids)


def connect() -> None:
    post_save.connect(_person_saved, sender=Person, dispatch_uid="events.person_saved")
    post_save.connect(
        _episode_changed, sender=ContraceptionEpisode, dispatch_uid="events.episode_saved"
    )
    post_delete.connect(
        _episode_changed, sender=ContraceptionEpisode, dispatch_uid="events.episode_deleted"
    )
    persons_written.connect(_bulk_written, dispatch_uid="events.persons_written")
