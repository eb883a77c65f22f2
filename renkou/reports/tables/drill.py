"""Rows of a cell's name list as the drill-down page shows them: whatever the list holds
(persons, events, contraception episodes, pregnancies), one row per counted item with the
person, the day, what was counted and the unit it counted in. ID numbers are masked here;
templates never print the stored number, and a person's row gives the age, not the birth date
(docs/masking.md)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from renkou.common import crypto, dicts
from renkou.events.constants import SCOPE_FIELD, Kind
from renkou.events.models import Event
from renkou.people.models import ContraceptionEpisode, Person, Pregnancy

SEX = {"1": "男", "2": "女"}


@dataclass
class DrillRow:
    person: Person
    day: date | None
    what: str
    unit_code: str
    id_masked: str = ""
    unit_name: str = ""
    linked: bool = False  # the person is in the viewer's scope: link to the person page


def _event(event: Event, scope: str) -> DrillRow:
    what = event.get_kind_display()
    if event.kind == Kind.BIRTH:
        child = event.child.name if event.child_id else ""
        policy = dicts.label("policy_attribute", event.policy_attribute) or "未填政策属性"
        what = (
            f"出生：{child}（{SEX.get(event.sex, '未说明')}），第{event.parity or 1}孩，"
            f"{policy}，{event.reported_date:%Y-%m-%d}报告"
        )
    return DrillRow(event.person, event.effective_date, what, event.place_of(scope))


def _episode(episode: ContraceptionEpisode, spec: dict[str, Any]) -> DrillRow:
    method = dicts.label("contraception_method", episode.method)
    ended = spec.get("event") == "end"
    what = f"{method}（{'取出/停用' if ended else '开始'}）"
    day = episode.end if ended else episode.start
    return DrillRow(episode.card.person, day, what, getattr(episode, "place", ""))


def _pregnancy(pregnancy: Pregnancy) -> DrillRow:
    what = dicts.label("pregnancy_outcome", pregnancy.outcome)
    return DrillRow(
        pregnancy.card.person, pregnancy.outcome_date, what, getattr(pregnancy, "place", "")
    )


def describe(
    objects: list[Any], *, scope: str, spec: dict[str, Any], today: date
) -> list[DrillRow]:
    rows = []
    for obj in objects:
        if isinstance(obj, DrillRow):  # already described (the "service" kind's rows)
            row = obj
        elif isinstance(obj, Person):
            # The age, not the birth date: beside the masked number a birth date would help
            # to rebuild it (docs/masking.md).
            place = getattr(obj, SCOPE_FIELD[scope])
            what = f"{SEX.get(obj.sex, '')}，{obj.age_on(today)}岁"
            row = DrillRow(obj, None, what, place)
        elif isinstance(obj, Event):
            row = _event(obj, scope)
        elif isinstance(obj, ContraceptionEpisode):
            row = _episode(obj, getattr(obj, "counted_as", spec))
        else:
            row = _pregnancy(obj)
        row.id_masked = crypto.mask(row.person.id_number)
        rows.append(row)
    return rows
