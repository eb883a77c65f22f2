"""Dictionary aliases in the person import (issue 13 item 6): a sheet written as county sheets
are — 证件类型 身份证, 民族 藏, 户口性质 农业户口, 婚姻状况 已婚有配偶 — imports, each alias
mapped to its code with a note; an unknown label is still the row's error, listing the labels
one may type. Through the import service and through the pages."""

import random

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import COUNTY, VILLAGE_A1
from renkou.people.importing.batches import import_file
from renkou.people.importing.checking import Scope
from renkou.people.models import ImportBatch, Person
from renkou.people.tests.import_files import TODAY, person, write_xlsx

WHOLE_COUNTY = Scope.of(COUNTY[:6])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the dictionary cache is per process


def as_counties_write(rng, serial):
    """A head of household as the county sheets write her: the common short labels."""
    return person(
        rng,
        VILLAGE_A1,
        serial,
        证件类型="身份证",
        民族="藏",
        户口性质="农业户口",
        婚姻状况="已婚有配偶",
    )


def test_an_import_written_with_aliases_imports_with_a_note_per_alias(tmp_path, units):
    rng = random.Random(13)
    path = write_xlsx(
        tmp_path / "aliases.xlsx", [as_counties_write(rng, 1), as_counties_write(rng, 2)]
    )
    result = import_file(path, scope=WHOLE_COUNTY, mode="all", today=TODAY)
    assert (result.outcome.total, result.outcome.bad, result.outcome.created) == (2, 0, 2)
    # The national codes: 居民身份证 01, 藏族 04 (GB 3304), 农业 2, 已婚 20 (GB/T 2261.2).
    assert set(
        Person.objects.values_list("id_type", "ethnicity", "hukou_type", "marital_status")
    ) == {("01", "04", "2", "20")}
    assert set(result.batch.notes) >= {
        "证件类型“身份证”按字典别名记为“居民身份证”（2 行）",
        "民族“藏”按字典别名记为“藏族”（2 行）",
        "户口性质“农业户口”按字典别名记为“农业”（2 行）",
        "婚姻状况“已婚有配偶”按字典别名记为“已婚”（2 行）",
    }


def test_an_unknown_label_is_still_the_rows_error_with_the_accepted_labels(tmp_path, units):
    rng = random.Random(14)
    rows = [as_counties_write(rng, 1), person(rng, VILLAGE_A1, 2, 民族="藏人")]
    result = import_file(
        write_xlsx(tmp_path / "bad.xlsx", rows), scope=WHOLE_COUNTY, mode="all", today=TODAY
    )
    assert (result.outcome.bad, Person.objects.count()) == (1, 0)
    [error] = result.outcome.errors[3]
    assert error.code == "bad_code" and error.field == "ethnicity"
    assert error.message.startswith("民族“藏人”不在字典中，可填：汉族、蒙古族、回族、藏族、")
    assert "基诺族" in error.message


def test_the_import_pages_show_the_mapping_and_import(
    personas, signed_in_client, tmp_path, django_capture_on_commit_callbacks
):
    officer = signed_in_client(personas["township_officer"])
    rng = random.Random(15)
    content = write_xlsx(tmp_path / "u.xlsx", [as_counties_write(rng, 1)]).read_bytes()
    data = {"file": SimpleUploadedFile("名单.xlsx", content), "mode": "all"}
    officer.post(reverse("people:import_upload"), data)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.good, batch.bad) == (ImportBatch.Status.VALIDATED, 1, 0)
    page = officer.get(reverse("people:import_detail", args=[batch.pk])).content.decode()
    assert "证件类型“身份证”按字典别名记为“居民身份证”（1 行）" in page
    assert "民族“藏”按字典别名记为“藏族”（1 行）" in page
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("people:import_confirm", args=[batch.pk]), {"mode": "all"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.created == 1
    assert Person.objects.get().ethnicity == "04"
