from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.common.actors import Actor
from renkou.supervision import services

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def photo(name: str = "站所.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def task(units, personas):
    """Stations renovated by 15 May 2027: one photo and a count of 1 station, both townships."""
    return services.task_create(
        actor=Actor(personas["county_officer"]),
        county_code=COUNTY,
        units=[TOWNSHIP_A, TOWNSHIP_B],
        title="乡镇服务站所改造",
        issued_on=date(2027, 3, 1),
        deadline=date(2027, 5, 15),
        photos_required=1,
        count_required=1,
        count_label="改造站所（个）",
    )
