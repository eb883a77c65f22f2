"""One map from a person's coded fields to their dictionaries (``constants.PERSON_DICTS``):
the form's pickers, the checks, the export's labels and the history's values read it, so a
field cannot be labelled from one dictionary on one screen and another elsewhere."""

import pytest

from renkou.common import dicts
from renkou.people import rules
from renkou.people.constants import PERSON_DICTS
from renkou.people.exports import Labels
from renkou.people.forms import PICK, PersonForm
from renkou.people.tests.conftest import TODAY
from renkou.people.views import _shown

pytestmark = pytest.mark.django_db


def test_every_screen_reads_the_one_map(personas):
    form = PersonForm(None, user=personas["village_admin"], today=TODAY)
    pickers = {name: code for name, code in PERSON_DICTS.items() if name in form.fields}
    assert set(pickers) == set(PERSON_DICTS) - {"exit_reason"}  # 注销 has its own form
    for name, code in pickers.items():
        assert form.fields[name].choices == PICK + dicts.choices(code), name
    assert {name: spec[0] for name, spec in rules.CODED.items()} == pickers
    labels = Labels("")
    for name, code in PERSON_DICTS.items():
        item = dicts.items(code)[0]
        assert labels.code(name, item.value) == item.label, name
        assert _shown(name, item.value, {}, {}) == dicts.label(code, item.value), name
