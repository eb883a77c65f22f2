"""Every lookup by ID number goes through the scoping chokepoint (issue 19 item 3).

The probe typed the number of a man registered in another township into the couple-file form as
a village administrator: the form linked him and showed his name. Here every form field that
takes an ID number, and every view that reads one from a POST, is found by introspection (the
forms of the project and the views behind the URL resolver), so a new one without a probe fails
the first tests; each probe then types the numbers of persons registered outside the caller's
scope (another township, another county) and finds neither name in the answer and nothing
linked to them.
"""

import importlib
import inspect
import pkgutil
import re
from datetime import date

import pytest
from django import forms
from django.urls import reverse

import renkou
from conftest import OTHER_VILLAGE, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1
from renkou.common.models import AuditEntry
from renkou.people.tests.page_helpers import make_person, new_id
from tests.test_authz_matrix import endpoints

ID_NAME = re.compile(r"(^|_)id_number$|_q$")
ID_LABEL = re.compile(r"身份证|身份号码|证件号")
POST_KEY = re.compile(r"request\.POST\.get\(\s*f?\"([^\"]+)\"")


def _modules():
    for info in pkgutil.walk_packages(renkou.__path__, "renkou."):
        if any(part in info.name for part in (".tests", ".migrations", ".management")):
            continue
        yield importlib.import_module(info.name)


def _id_fields(cls) -> list[str]:
    return [
        name
        for name, field in cls.base_fields.items()
        if ID_NAME.search(name) or ID_LABEL.search(str(field.label or ""))
    ]


def id_form_fields() -> set[str]:
    """``module.Form.field`` of every form field of the project that takes an ID number."""
    found = set()
    for module in _modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__.startswith("renkou."):
                found |= {f"{cls.__module__}.{cls.__qualname__}.{f}" for f in _id_fields(cls)}
    return found


def id_post_reads() -> set[str]:
    """``url name:key`` of every view that reads an ID-number-like key from a POST itself."""
    found = set()
    for endpoint in endpoints():
        source = inspect.getsource(inspect.unwrap(endpoint.callback))
        for key in POST_KEY.findall(source):
            if ID_NAME.search(key.replace("{field}", "subject")):
                found.add(f"{endpoint.name}:{key}")
    return found


# What each probe covers: the form fields and the views reading a number themselves.
COVERED_FIELDS = {
    "renkou.people.forms.IdSearchForm.id_number",
    "renkou.people.forms.PersonForm.id_number",
    "renkou.people.card_forms.ChildForm.id_number",
    "renkou.events.forms.EventForm.subject_q",
    "renkou.events.forms.EventForm.partner_q",
    "renkou.events.forms.EventForm.child_id_number",
    "renkou.programs.forms.CoupleOpenForm.wife_id_number",
    "renkou.programs.forms.CoupleOpenForm.husband_id_number",
    "renkou.benefits.forms.IdSearchForm.id_number",
    "renkou.benefits.forms.RuleTestForm.id_number",
    "renkou.floating.forms.MessageForm.subject_id_number",
    "renkou.cases.forms.CaseForm.subject_id_number",
}
COVERED_READS = {"events:person_lookup:{field}_q", "people:person_check_id:id_number"}


def test_every_form_field_taking_an_id_number_has_a_probe():
    assert id_form_fields() == COVERED_FIELDS


def test_every_view_reading_an_id_number_itself_has_a_probe():
    assert id_post_reads() == COVERED_READS


# --- the probes -------------------------------------------------------------------------------

TODAY = date(2026, 6, 15)
ELSEWHERE_MAN, ELSEWHERE_WOMAN, OTHER_COUNTY_MAN = "阿木去乎才让", "阿木去乎卓玛", "临县多杰"


@pytest.fixture
def people(units, personas):
    """In the village administrator's village 甲一村: a married woman with a card. In 乙一村
    (the other township) a man and a married woman; in the neighbouring county a man."""
    wife = make_person(
        VILLAGE_A1,
        name="本村央金",
        id_number=new_id(birth=date(1996, 3, 3), sex="2"),
        marital_status="初婚",
    )
    outsiders = {
        "man": make_person(
            VILLAGE_B1, name=ELSEWHERE_MAN, id_number=new_id(birth=date(1993, 1, 8), sex="1")
        ),
        "woman": make_person(
            VILLAGE_B1,
            name=ELSEWHERE_WOMAN,
            id_number=new_id(birth=date(1994, 2, 9), sex="2"),
            marital_status="初婚",
        ),
        "other_county": make_person(
            OTHER_VILLAGE,
            name=OTHER_COUNTY_MAN,
            id_number=new_id(birth=date(1990, 4, 5), sex="1"),
        ),
    }
    return wife, outsiders


def _linked_to(outsiders) -> list[str]:
    from renkou.events.models import Event
    from renkou.people.models import Child
    from renkou.programs.models import CoupleFile

    ids = [p.pk for p in outsiders.values()]
    links = []
    if CoupleFile.objects.filter(husband_id__in=ids).exists():
        links.append("couple file")
    if Event.objects.filter(person_id__in=ids).exists():
        links.append("event subject")
    if Event.objects.filter(partner_id__in=ids).exists():
        links.append("event partner")
    if Child.objects.filter(person_id__in=ids).exists():
        links.append("card child")
    from renkou.floating.models import Message

    if Message.objects.filter(person_id__in=ids).exists():
        links.append("协查 message subject")
    return links


def _probes(wife, number):
    """(role, URL, POST data, what the answer must say: one text or any of several) per
    probe; ``number`` is typed."""
    from renkou.benefits.models import RuleVersion

    version = RuleVersion.objects.order_by("pk").first()
    not_found = "本单位范围内未找到"
    return {
        "people:person_search_id": (
            "village_admin",
            reverse("people:person_search_id"),
            {"id_number": number},
            "找到 0 人",
        ),
        "people:person_create": (
            "village_admin",
            reverse("people:person_create"),
            {"id_type": "01", "id_number": number, "name": "新人"},
            "本单位范围以外",
        ),
        "people:person_check_id": (
            "village_admin",
            reverse("people:person_check_id"),
            {"id_type": "01", "id_number": number},
            "",
        ),
        "people:card_child_create": (
            "village_admin",
            reverse("people:card_child_create", args=[wife.pk]),
            {"parity": "1", "name": "孩子", "id_number": number},
            "",
        ),
        "events:person_lookup": (
            "village_admin",
            reverse("events:person_lookup"),
            {"field": "subject", "subject_q": number, "kind": "death"},
            "",
        ),
        "events:event_create subject": (
            "village_admin",
            reverse("events:event_create") + "?kind=death",
            {"subject_q": number},
            "本单位范围内没有该身份证号的人员",
        ),
        "events:event_create partner": (
            "village_admin",
            reverse("events:event_create") + f"?kind=birth&person={wife.pk}",
            {"partner_q": number},
            "本单位范围内没有该身份证号的人员",
        ),
        "events:event_create child": (
            "village_admin",
            reverse("events:event_create") + f"?kind=birth&person={wife.pk}",
            {"child_id_number": number},
            "",
        ),
        "programs:couple_create wife": (
            "village_admin",
            reverse("programs:couple_create"),
            {
                "wife_id_number": number,
                "husband_id_number": number,
                "sequence": "1",
                "consent_on": "2026-06-01",
            },
            not_found,
        ),
        "programs:couple_create husband": (
            "village_admin",
            reverse("programs:couple_create") + f"?wife={wife.pk}",
            {"husband_id_number": number, "sequence": "1", "consent_on": "2026-06-01"},
            ("本辖区未找到", "不是男性的号码"),
        ),
        "programs:rh_find": ("technician", reverse("programs:rh_find"), {"id_number": number}, ""),
        "todo:item_list": ("village_admin", reverse("todo:item_list"), {"id_number": number}, ""),
        "benefits:eligibility_search": (
            "village_admin",
            reverse("benefits:eligibility_search"),
            {"id_number": number},
            not_found,
        ),
        # A 协查 request's subject is matched by the number within the officer's own area only.
        "floating:message_create": (
            "township_officer",
            reverse("floating:message_create"),
            {
                "way": "in",
                "kind": "request",
                "counterpart": "四川省成都市武侯区某街道",
                "subject": "外出育龄妇女",
                "question": "核实是否已生育",
                "dated_on": "2026-06-01",
                "subject_id_number": number,
            },
            "协查函件",
        ),
        # A case stores its subject's number (encrypted) and looks nobody up in the register.
        "cases:create": (
            "township_officer",
            reverse("cases:create"),
            {
                "source": "hospital",
                "opened_on": "2026-06-01",
                "unit_code": TOWNSHIP_A,
                "subject_type": "person",
                "subject_kind": "practitioner",
                "subject_name": "刘某",
                "subject_id_number": number,
                "facts": "为孕妇做B超时暗示胎儿性别",
            },
            "“两非”案件详情",
        ),
        "benefits:version_test": (
            "county_officer",
            reverse("benefits:version_test", args=[version.pk]),
            {"id_number": number, "day": "2026-06-01"},
            not_found,
        ),
    }


@pytest.mark.parametrize("who", ["man", "woman", "other_county"])
def test_a_number_registered_outside_the_scope_is_not_found_and_not_named(
    who, people, personas, signed_in_client, client
):
    """Issue 19 item 3: typed into any of these, the number of a person registered in another
    township (or county) answers "not found in your area" (where the form says so), shows no
    name of them and links nothing to them."""
    wife, outsiders = people
    number = outsiders[who].id_number
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    from renkou.people.models import Person

    for probe, (role, url, data, says) in _probes(wife, number).items():
        visible = Person.objects.visible_to(personas[role])
        if visible.filter(pk=outsiders[who].pk).exists():
            continue  # in this role's scope (the county officer sees the whole county)
        names = [p.name for p in outsiders.values() if not visible.filter(pk=p.pk).exists()]
        signed_in_client(personas[role])
        answer = client.post(url, data, HTTP_HX_REQUEST="true", follow=True)
        body = answer.content.decode()
        assert not [n for n in names if n in body], probe
        expected = (says,) if isinstance(says, str) else says
        assert any(text in body for text in expected), probe
    assert _linked_to(outsiders) == []
    read = AuditEntry.objects.filter(pk__gt=before, object_type="people.person")
    assert not read.filter(object_id=str(outsiders[who].pk)).exists()
