"""The score sheets' cache (issue 14, speed): a read after an assessment or supervision write
shows it; a read after none (other audited actions included) reuses the ranked sheets instead of
counting again; the pages say how current they are."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import TOWNSHIP_A
from renkou.assessment import sheets
from renkou.assessment.tests.test_scheme_views import scheme  # noqa: F401  (fixture)
from renkou.common import audit


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.RENKOU_SHEET_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as seen:
        call()
    return len(seen.captured_queries)


def test_a_second_read_reuses_the_sheets_and_fresh_counts_again(scheme):  # noqa: F811
    today = timezone.localdate()
    first = _queries(lambda: sheets.compute(scheme, today))
    again = _queries(lambda: sheets.compute(scheme, today))
    anew = _queries(lambda: sheets.compute(scheme, today, fresh=True))
    assert again == 1  # the audit chain's head, nothing counted
    assert first > 5 and anew == first - 1  # computing reads every source (no head to read)
    own = sheets.compute(scheme, today, only=[TOWNSHIP_A[:9]])
    assert [s.full_code for s in own] == [TOWNSHIP_A]


def test_other_audited_actions_keep_the_sheets_and_an_assessment_write_drops_them(
    personas,
    scheme,  # noqa: F811
):
    today = timezone.localdate()
    officer = personas["county_officer"]
    sheets.compute(scheme, today)
    audit.record(actor=officer, action="people.view")  # a register read: not the assessment's
    audit.record(actor=officer, action="assessment.names")  # a name list: a read
    assert _queries(lambda: sheets.compute(scheme, today)) == 2  # the head, the audit rows since
    audit.record(actor=officer, action="supervision.notice_recheck")
    assert _queries(lambda: sheets.compute(scheme, today)) > 5  # counted again


def test_a_manual_score_shows_on_the_next_read_of_the_cached_sheet(
    units,
    personas,
    signed_in_client,
    client,
    scheme,  # noqa: F811
):
    signed_in_client(personas["inspector"])
    page = reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A])
    before = client.get(page).content.decode()
    assert "0.00 / 5" in before and "制度健全" not in before
    assert client.get(page).content.decode().count("0.00 / 5") == before.count("0.00 / 5")
    item = scheme.items.get(number=1)
    url = reverse("assessment:manual_score", args=[scheme.pk, TOWNSHIP_A, item.pk])
    assert client.post(url, {"value": "4", "reason": "制度健全"}).status_code == 302
    after = client.get(page).content.decode()
    assert "制度健全" in after and "4.00 / 5" in after
    assert "考核、督查的录入即时计入；登记、服务等其他数据的变化在5分钟内计入" in after
    board = client.get(reverse("assessment:board", args=[scheme.pk])).content.decode()
    assert "甲镇" in board
