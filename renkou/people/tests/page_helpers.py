"""Helpers of the register-page tests (views, forms, export): persons and households made
through the services, as a clerk would register them."""

import random
from datetime import date

from conftest import VILLAGE_A1
from renkou.common import idnumber
from renkou.common.actors import Actor
from renkou.people import rules, services
from renkou.people.models import Household, Person
from renkou.people.tests.conftest import TODAY, person_row

ACTOR = Actor(None, "10.0.0.1")
RNG = random.Random(20261129)


def new_id(
    rng: random.Random = RNG, *, birth: date = date(1990, 5, 1), sex: str = "2", ending: str = ""
) -> str:
    """A valid resident ID; ``ending="X"`` draws until the check character is X."""
    while True:
        number = idnumber.generate(rng, birth=birth, sex=sex)
        if not ending or number.endswith(ending):
            return number


def make_household(village: str = VILLAGE_A1, group: str = "01") -> Household:
    return services.household_register(actor=ACTOR, village_code=village, group_no=group)


def make_person(
    village: str = VILLAGE_A1,
    *,
    household: Household | None = None,
    name: str = "王秀英",
    **overrides: str,
) -> Person:
    """Register one person (a new household's head unless ``household`` is given)."""
    household = household or make_household(village)
    row = person_row(RNG, village, name=name, household_code=household.code, **overrides)
    if household.members.filter(is_head=True).exists():
        row.setdefault("relationship", "子")
        if row["relationship"] == "户主":
            row["relationship"] = "子"
    ctx = rules.CheckContext.build(TODAY)
    values, issues = rules.check_person(row, ctx)
    assert rules.errors(issues) == [], issues
    return services.person_register(actor=ACTOR, household=household, values=values, today=TODAY)
