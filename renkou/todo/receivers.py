"""Refresh one woman's items as soon as a record that opens or closes one is saved or deleted
(a visit, an RH check, a card episode or pregnancy, the card itself, a pre-pregnancy follow-up
or its file), after the commit, so the list the worker goes back to already shows it done.

These are the "decoupled concern" kind of signal (house style §5): ``people`` and ``programs``
must not import ``todo`` (it sits above them), and the daily job would catch up anyway. A failed
refresh is logged and left to the daily job rather than turning a saved record into an error
(why, and why only here: docs/adr/0005-receivers.md).
"""

import logging
from functools import partial
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)


def _refresh(model: str, key: int) -> None:
    from renkou.todo.services import refresh

    try:
        person_id = _person_of(model, key)
        if person_id is not None:
            refresh(person_ids=[person_id])
    except Exception:
        logger.exception("to-do refresh of one person failed; the daily job will redo it")


def _person_of(model: str, key: int) -> int | None:
    if model == "card":
        card = apps.get_model("people", "WomanCard")
        return card.objects.filter(pk=key).values_list("person_id", flat=True).first()
    if model == "couple":
        couple = apps.get_model("programs", "CoupleFile")
        return couple.objects.filter(pk=key).values_list("wife_id", flat=True).first()
    return key


def _key(instance: Any) -> tuple[str, int | None]:
    """What identifies the woman without a query now (the lookup runs after the commit, so a
    save costs its caller no extra query)."""
    if hasattr(instance, "card_id"):
        return "card", instance.card_id
    if hasattr(instance, "couple_id"):
        return "couple", instance.couple_id
    if hasattr(instance, "wife_id"):
        return "person", instance.wife_id
    return "person", getattr(instance, "person_id", None)


def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures
        return
    model, key = _key(instance)
    if key is not None:
        transaction.on_commit(partial(_refresh, model, key))


WATCHED = (
    ("people", "WomanCard"),
    ("people", "ContraceptionEpisode"),
    ("people", "Pregnancy"),
    ("programs", "CoupleFile"),
    ("programs", "FollowUp"),
    ("programs", "ContraceptionVisit"),
    ("programs", "RHCheck"),
)


def connect() -> None:
    """Connect to every watched model that exists (the RH service models may come later)."""
    for app_label, name in WATCHED:
        try:
            model = apps.get_model(app_label, name)
        except LookupError:
            continue
        post_save.connect(changed, sender=model, dispatch_uid=f"todo.{name}.save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"todo.{name}.delete")
