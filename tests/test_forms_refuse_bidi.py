"""Bidirectional control characters are refused in every free-text input (issue 19 item 10).

The probe saved a household address holding U+202E (right-to-left override), which makes the
text read backwards wherever it is shown. One check, ``validators.no_bidi_controls``, is applied
by the base of every form (``renkou.common.forms.BaseForm``) and by the import row checks; the
first tests find every form of the project and each of its text fields by introspection, so a
new one cannot miss it.
"""

import copy
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse

import renkou
from conftest import VILLAGE_A1
from renkou.common.forms import TypedTextChecks
from renkou.common.validators import BIDI_CONTROLS, BIDI_MESSAGE

RLO = "\u202e"


def _form_classes() -> list[type]:
    found = {}
    for info in pkgutil.walk_packages(renkou.__path__, "renkou."):
        if any(part in info.name for part in (".tests", ".migrations", ".management")):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__.startswith("renkou."):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[k] for k in sorted(found)]


FORMS = _form_classes()
TEXT_FIELDS = [
    (cls, name, field)
    for cls in FORMS
    for name, field in cls.base_fields.items()
    if isinstance(field, forms.CharField)
]


def test_every_form_of_the_project_has_the_shared_checks():
    assert len(FORMS) > 50
    missing = [
        f"{c.__module__}.{c.__qualname__}" for c in FORMS if not issubclass(c, TypedTextChecks)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("cls", "name", "field"),
    TEXT_FIELDS,
    ids=[f"{c.__qualname__}.{n}" for c, n, _f in TEXT_FIELDS],
)
def test_every_text_field_refuses_a_bidi_control(cls, name, field):
    """Each text field of each form, alone in a form with the shared checks: a value holding
    any of the nine controls is refused with the message, whatever the field's own rules."""
    probe = type("Probe", (TypedTextChecks, forms.Form), {name: copy.deepcopy(field)})
    for control in sorted(BIDI_CONTROLS):
        form = probe(data={name: f"甲{control}乙"})
        assert not form.is_valid(), control
        assert BIDI_MESSAGE in form.errors[name], control
    if not field.required:  # the check itself refuses nothing else
        assert probe(data={name: ""}).is_valid()


def test_the_probes_address_is_refused_and_nothing_is_written(units, personas, signed_in_client):
    from renkou.people.models import Household

    client = signed_in_client(personas["village_admin"])
    data = {"village_code": VILLAGE_A1, "group_no": "01", "address": f"上卓村{RLO}号12"}
    response = client.post(reverse("people:household_create"), data)
    assert response.status_code == 200 and BIDI_MESSAGE in response.content.decode()
    assert not Household.objects.exists()
    data["address"] = "上卓村12号"
    assert client.post(reverse("people:household_create"), data).status_code == 302
    assert Household.objects.get().address == "上卓村12号"


def test_a_person_import_row_with_a_bidi_control_is_refused(tmp_path, units, settings):
    """The person import runs the entry form's rules: the row is reported, not written."""
    import random

    from renkou.people.importing.batches import import_file
    from renkou.people.importing.checking import Scope
    from renkou.people.models import Person
    from renkou.people.tests.import_files import TODAY, person, write_xlsx

    settings.MEDIA_ROOT = tmp_path
    rng = random.Random(4)
    rows = [
        person(rng, VILLAGE_A1, 1, 姓名="李四"),
        person(rng, VILLAGE_A1, 2, 姓名=f"王{RLO}秀英"),
    ]
    path = write_xlsx(tmp_path / "persons.xlsx", rows)
    result = import_file(path, scope=Scope.of(VILLAGE_A1), mode="rows", today=TODAY)
    assert result.outcome.bad == 1 and "bidi" in result.outcome.codes
    assert list(Person.objects.values_list("name", flat=True)) == ["李四"]


def test_an_event_import_row_with_a_bidi_control_is_refused(units):
    """The change-event import's row check, before the register is read."""
    from datetime import date

    from renkou.events.importing.checking import Context, check_row
    from renkou.people.importing.checking import Scope

    fields = [(0, "kind"), (1, "id_number"), (2, "note")]
    ctx = Context.build(date(2026, 6, 15), Scope.of(VILLAGE_A1))
    row = check_row(2, ["死亡", "62302219900501002X", f"备注{RLO}"], fields, ctx)
    assert [i.code for i in row.issues if i.code == "bidi"] == ["bidi"]
    assert row.bad


FREE_TEXT_KEYS = frozenset({"reason", "comment", "reviewer", "note", "remark", "content"})


def test_views_read_free_text_only_through_the_check():
    """A view that reads a reason or comment from a POST itself uses ``typed_text`` (the same
    check as the forms'), never ``request.POST.get``."""
    import re

    from tests.test_authz_matrix import endpoints

    reads = re.compile(r"request\.POST\.get\(\s*\"([^\"]+)\"")
    direct = []
    for endpoint in endpoints():
        source = inspect.getsource(inspect.unwrap(endpoint.callback))
        direct += [f"{endpoint.name}: {k}" for k in reads.findall(source) if k in FREE_TEXT_KEYS]
    assert direct == []


def test_a_reason_typed_into_the_unmask_is_checked_too(units, personas, signed_in_client):
    from renkou.common.models import AuditEntry
    from renkou.people.tests.page_helpers import make_person

    person = make_person(VILLAGE_A1)
    client = signed_in_client(personas["village_admin"])
    url = reverse("people:person_unmask", args=[person.pk])
    answer = client.post(url, {"field": "id_number", "reason": f"核对{RLO}户口"})
    assert (
        BIDI_MESSAGE in answer.content.decode() and person.id_number not in answer.content.decode()
    )
    assert not AuditEntry.objects.filter(action="person.unmask").exists()
