"""One display row per item of a measure's name list, whatever the list holds (persons, couple
files, exams, follow-ups, RH checks, treatments, visits, supplies): the person, the day, what
was counted and the unit it counted in. Health details never appear: a row says a service took
place, not what it found (the RH list's "异常" column is the count's own criterion). A person
of a target population is given with the age, not the birth date (docs/masking.md)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from renkou.common import dicts
from renkou.people.models import Person
from renkou.programs.constants import TREATMENT_DICT

RELATED = {
    "couple": ("wife",),
    "exam": ("couple__wife", "couple__husband"),
    "followup": ("couple__wife",),
    "rhcheck": ("person",),
    "treatment": ("person",),
    "visit": ("person",),
    "supply": ("person",),
    "message": ("person",),
}


@dataclass
class Entry:
    person: Person | None  # None: a 协查 message not tied to a local person
    day: date | None
    what: str
    unit_code: str
    name: str = ""  # what stands for the person when there is none

    def __post_init__(self) -> None:
        if not self.name and self.person is not None:
            self.name = self.person.name


def _exam(exam: Any) -> Entry:
    couple = exam.couple
    if exam.spouse == "wife":
        return Entry(couple.wife, exam.examined_on, "孕前优生检查（妻子）", exam.unit_code)
    if couple.husband_id:
        return Entry(couple.husband, exam.examined_on, "孕前优生检查（丈夫）", exam.unit_code)
    # A husband outside the county's register: the file's wife stands for the row.
    return Entry(
        couple.wife, exam.examined_on, "孕前优生检查（丈夫，非本县登记；列妻子）", exam.unit_code
    )


def entry(obj: Any, kind: str, today: date) -> Entry:
    if kind == "person":
        # The age, not the birth date: beside the masked number a birth date would help to
        # rebuild it (docs/masking.md).
        place = getattr(obj, "residence_code", obj.unit_code)
        return Entry(obj, None, f"{obj.age_on(today)}岁", place)
    if kind == "couple":
        return Entry(obj.wife, obj.examined_on, f"档案 {obj.file_no}", obj.unit_code)
    if kind == "exam":
        return _exam(obj)
    if kind == "followup":
        what = f"{obj.get_kind_display()}，应随访 {obj.due_on:%Y-%m-%d}"
        return Entry(obj.couple.wife, obj.done_on or obj.due_on, what, obj.unit_code)
    if kind == "rhcheck":
        what = "生殖健康检查（有异常发现）" if obj.abnormal else "生殖健康检查"
        return Entry(obj.person, obj.checked_on, what, obj.unit_code)
    if kind == "treatment":
        return Entry(
            obj.person,
            obj.treated_on,
            dicts.label(TREATMENT_DICT, obj.kind) or "治疗",
            obj.unit_code,
        )
    if kind == "visit":
        return Entry(obj.person, obj.visited_on, "避孕节育随访", obj.unit_code)
    if kind == "message":
        # A 协查 message: the deadline is the day; the subject as described when not linked.
        what = f"{obj.get_kind_display()}（{obj.counterpart}），反馈时限"
        name = "" if obj.person is not None else obj.subject
        return Entry(obj.person, obj.due_on, what, obj.unit_code, name)
    return Entry(obj.person, obj.issued_on, "免费避孕药具发放", obj.unit_code)


def prepared(rows: Any, kind: str) -> Any:
    """The queryset with what ``entry`` reads joined in."""
    related = RELATED.get(kind, ())
    return rows.select_related(*related) if related else rows


def entries(objects: Iterable[Any], kind: str, today: date) -> list[Entry]:
    return [entry(obj, kind, today) for obj in objects]
