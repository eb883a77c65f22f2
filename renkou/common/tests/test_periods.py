"""The period codes the API accepts: from the first year every period of which the statistics
cover (``RENKOU_STATS_START``) to 2099, in the forms the API documents."""

import re

import pytest

from renkou.common import periods


@pytest.mark.parametrize(
    ("start", "fp_month", "first"),
    [
        ("2010-01", 10, 2011),  # FP 2010 ran from October 2009
        ("2015-11", 10, 2017),  # FP 2016 from October 2015, before November
        ("2015-10", 10, 2016),
        ("2010-01", 1, 2010),  # FP year = calendar year
    ],
)
def test_the_first_year(settings, start, fp_month, first):
    settings.RENKOU_STATS_START = start
    settings.RENKOU_FP_YEAR_START_MONTH = fp_month
    assert periods.first_year() == first


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("2011", True),
        ("2024H2", True),
        ("2024Q4", True),
        ("2024-12", True),
        ("2099-01", True),
        ("2010", False),
        ("2100", False),
        ("2024H3", False),
        ("2024-13", False),
        ("2024-3", False),
        ("2024h1", False),
        ("2024\n", False),
        ("", False),
    ],
)
def test_the_code_pattern(code, valid):
    assert bool(re.fullmatch(periods.code_pattern(), code)) is valid
    if valid:
        assert periods.parse(code).start >= periods.stats_start()
