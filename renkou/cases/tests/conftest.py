from datetime import date

import pytest
import time_machine

from conftest import TOWNSHIP_A
from renkou.cases import services
from renkou.common.actors import Actor
from renkou.tipoffs.tests.conftest import (  # noqa: F401  # fixtures shared with the tip-offs
    NAME,
    PHONE,
    handled,
    received,
    tipoff,
)

TODAY = date(2027, 3, 10)
PERSON_ID = "620001199307090016"  # a valid synthetic resident ID of the test county
SUBJECT_PHONE = "13993012345"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Evidence files under a temporary media root."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


def subject(unit_code=TOWNSHIP_A, **values):
    fields = {
        "unit_code": unit_code,
        "subject_type": "institution",
        "subject_kind": "clinic",
        "subject_name": "仁和诊所",
        "facts": "夜间为孕妇做B超鉴定胎儿性别",
    }
    fields.update(values)
    return services.Subject(**fields)


def person(**values):
    fields = {
        "subject_type": "person",
        "subject_kind": "broker",
        "subject_name": "马某",
        "subject_id_number": PERSON_ID,
        "subject_phone": SUBJECT_PHONE,
        "subject_address": "甲镇某村三社",
    }
    fields.update(values)
    return subject(**fields)


def open_case(user, source="inspection", opened_on=date(2027, 3, 1), **values):
    return services.case_open(
        actor=Actor(user), source=source, subject=subject(**values), opened_on=opened_on
    )


@pytest.fixture
def case(personas, today):
    """An inspection's case about a clinic of township A, opened by its officer on 1 March."""
    return open_case(personas["township_officer"])
