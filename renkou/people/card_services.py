"""Writes to the married woman's card: children, contraception episodes and pregnancies
(domain.md §2.5), for the card pages (``people.card_views``).

Each write locks the card, refuses a closed card (its rows are read-only), compares the card's
``version`` with the one the form was opened with (optimistic lock, security.md RL1), checks
the rules that need the other rows of the card, saves the row (django-simple-history keeps every
version and who made it), bumps the card's ``version`` and writes one audit row with ids and
field names only, never values, all in one transaction.

Rules that need the card (domain.md §3 "Logic checks"):
- a child's parity (孩次) is unique on the card;
- the mother aged under 15 or over 49 at a birth is a warning (the quality page counts it too);
- a sterilisation (男扎/女扎) in force together with a current pregnancy is refused; an IUD in
  force with a current pregnancy (带器妊娠) is kept with a warning. "In force" is an episode
  without an end date, "current" a pregnancy without an outcome.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from renkou.common import audit
from renkou.common.actors import Actor, check_version
from renkou.people.constants import CardStatus
from renkou.people.models import Child, ContraceptionEpisode, Pregnancy, WomanCard
from renkou.people.rules import age_on

CardRow = Child | ContraceptionEpisode | Pregnancy
# Fields a card form may set on each kind of row; ``card`` and ``unit_code`` are derived.
ROW_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Child: (
        "parity",
        "name",
        "sex",
        "birth_date",
        "id_number",
        "kinship",
        "survival",
        "death_date",
        "health",
        "policy_attribute",
    ),
    ContraceptionEpisode: (
        "method",
        "start",
        "end",
        "institution",
        "institution_type",
        "no_method_reason",
    ),
    Pregnancy: ("detected_on", "weeks", "outcome", "outcome_date", "fetuses", "notes"),
}
ACTION_NAMES = {Child: "child", ContraceptionEpisode: "episode", Pregnancy: "pregnancy"}
# Contraception methods (dictionary ``contraception_method``) the status rules name.
STERILISATION = frozenset({"01", "02"})  # 男性绝育, 女性绝育
IUD = "03"  # 放置宫内节育器
CLOSED_MESSAGE = "该育龄妇女信息卡已注销，卡上信息只能查看，不能新增、修改或删除"
CARD = "该育龄妇女信息卡"  # what a stale card form names (``check_version``)
MOTHER_AGES = (15, 49)
STERILISED_PREGNANT = (
    "该妇女处于绝育状态（男扎或女扎，未填结束日期），不能同时登记为现孕；"
    "如绝育失败或已复通，请先在该避孕节育情况中填写结束日期"
)
IUD_PREGNANT = "该妇女放置的宫内节育器尚未取出，现孕为带器妊娠，请核实并及时随访"


class Checked:
    """The outcome of the card-level rules for one row: errors by field, and warnings."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.warnings: list[str] = []

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)


# --- rules -----------------------------------------------------------------------------------


def _others(card: WomanCard, model: type[models.Model], row: CardRow | None) -> Any:
    rows = model._default_manager.filter(card=card)
    return rows.exclude(pk=row.pk) if row is not None else rows


def _check_child(card: WomanCard, values: dict[str, Any], row: Any, found: Checked) -> None:
    parity = values.get("parity")
    taken = _others(card, Child, row).filter(parity=parity).first()
    if taken is not None:
        found.error("parity", f"孩次 {parity} 已登记（{taken.name}），同一信息卡上孩次不能重复")
    birth, mother = values.get("birth_date"), card.person.birth_date
    if birth is None or mother is None:
        return
    age = age_on(mother, birth)
    low, high = MOTHER_AGES
    if not low <= age <= high:
        found.warnings.append(f"母亲生育时 {age} 岁，不在{low}–{high}岁之间，请核实出生日期")


def _check_episode(card: WomanCard, values: dict[str, Any], row: Any, found: Checked) -> None:
    if values.get("end") is not None:
        return
    pregnant = _others(card, Pregnancy, None).filter(outcome="").exists()
    if not pregnant:
        return
    if values.get("method") in STERILISATION:
        found.error("method", STERILISED_PREGNANT)
    elif values.get("method") == IUD:
        found.warnings.append(IUD_PREGNANT)


def _check_pregnancy(card: WomanCard, values: dict[str, Any], row: Any, found: Checked) -> None:
    if values.get("outcome"):
        return
    in_force = set(
        _others(card, ContraceptionEpisode, None)
        .filter(end__isnull=True)
        .values_list("method", flat=True)
    )
    if in_force & STERILISATION:
        found.error("outcome", STERILISED_PREGNANT)
    elif IUD in in_force:
        found.warnings.append(IUD_PREGNANT)


_CHECKS = {Child: _check_child, ContraceptionEpisode: _check_episode, Pregnancy: _check_pregnancy}


def card_row_check(
    card: WomanCard, model: type[models.Model], values: dict[str, Any], row: CardRow | None = None
) -> Checked:
    """The card-level rules for ``values`` of a new row (``row=None``) or of ``row``."""
    found = Checked()
    _CHECKS[model](card, values, row, found)
    return found


# --- writes ----------------------------------------------------------------------------------


def _lock(card_id: int, version: int | None) -> WomanCard:
    locked = WomanCard.objects.select_for_update(of=("self",)).select_related("person")
    card = locked.get(pk=card_id)
    if card.status != CardStatus.OPEN:
        raise ValidationError(CLOSED_MESSAGE)
    check_version(card.version, version, CARD)
    return card


def _checked(
    card: WomanCard, model: type[models.Model], values: dict[str, Any], row: CardRow | None
) -> list[str]:
    found = card_row_check(card, model, values, row)
    if found.errors:
        raise ValidationError(found.errors)
    return found.warnings


def _bump(card: WomanCard, actor: Actor) -> None:
    card.version += 1
    _by(card, actor)
    card.save(update_fields=["version"])


def _record(actor: Actor, verb: str, row: CardRow, card: WomanCard, changed: list[str]) -> None:
    summary = f"card={card.pk}"
    if changed:
        summary += " changed=" + ",".join(changed)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action=f"card.{ACTION_NAMES[type(row)]}.{verb}",
        object_type=f"people.{type(row)._meta.model_name}",
        object_id=row.pk,
        summary=summary,
        reason="录入错误" if verb == "delete" else "",
    )


def _by(obj: models.Model, actor: Actor) -> None:
    """The history row's user, also outside a request (the middleware sets it inside one)."""
    if getattr(actor.user, "is_authenticated", False):
        obj._history_user = actor.user  # type: ignore[attr-defined]  # read by simple_history


@transaction.atomic
def card_row_create(
    *,
    actor: Actor,
    card: WomanCard,
    model: type[CardRow],
    values: dict[str, Any],
    version: int | None,
) -> tuple[CardRow, list[str]]:
    """Add a child, episode or pregnancy to an open card; returns the row and the warnings."""
    locked = _lock(card.pk, version)
    fields = ROW_FIELDS[model]
    clean = {k: v for k, v in values.items() if k in fields}
    warnings = _checked(locked, model, clean, None)
    row = model(card=locked, unit_code=locked.unit_code, **clean)
    _by(row, actor)
    row.save()
    _bump(locked, actor)
    _record(actor, "create", row, locked, [])
    return row, warnings


@transaction.atomic
def card_row_update(
    *, actor: Actor, row: CardRow, values: dict[str, Any], version: int | None
) -> tuple[CardRow, list[str]]:
    """Change the fields of ``values`` that differ (a field left out keeps its value)."""
    locked = _lock(row.card_id, version)
    model = type(row)
    current = model._default_manager.select_for_update().get(pk=row.pk)
    fields = ROW_FIELDS[model]
    merged = {k: values.get(k, getattr(current, k)) for k in fields}
    changed = [k for k in fields if k in values and getattr(current, k) != values[k]]
    if not changed:
        return current, []
    warnings = _checked(locked, model, merged, current)
    for name in changed:
        setattr(current, name, values[name])
    current.unit_code = locked.unit_code
    _by(current, actor)
    current.save()
    _bump(locked, actor)
    _record(actor, "update", current, locked, changed)
    return current, warnings


@transaction.atomic
def card_row_delete(*, actor: Actor, row: CardRow, version: int | None) -> None:
    """Delete a row entered by mistake; the history keeps it (a "-" row) and the audit says
    who did it."""
    locked = _lock(row.card_id, version)
    current = type(row)._default_manager.select_for_update().get(pk=row.pk)
    pk = current.pk
    _by(current, actor)
    current.delete()
    current.pk = pk
    _bump(locked, actor)
    _record(actor, "delete", current, locked, [])


def next_parity(card: WomanCard) -> int:
    """The parity a new child on ``card`` most likely has."""
    last = card.children.aggregate(m=models.Max("parity"))["m"]
    return (last or 0) + 1
