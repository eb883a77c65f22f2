"""综合节育率 by its two denominators (issue 13 item 5; docs/indicators.md 节育): all married
women 15–49 (Huzhou yearbook), and those with the possibility of childbearing — without the
women who use no method because of 不孕 or 绝经 (已婚有生育条件, enc.newdu.com). Five hand-made
married women of one village at the end of FP year 2024 (30 Sep 2024)."""

from datetime import date

import pytest

from conftest import COUNTY, VILLAGE_A1
from renkou.events.constants import Scope
from renkou.people.models import ContraceptionEpisode
from renkou.reports.indicators import BY_CODE, evaluate
from renkou.reports.selectors import part_rows, parts
from renkou.reports.tests.test_tables import FY2024, _card, _married

R = Scope.REGISTERED


def _episode(woman, method, start, end=None, reason=""):
    card = _card(woman)
    ContraceptionEpisode.objects.create(
        card=card,
        unit_code=card.unit_code,
        method=method,
        start=start,
        end=end,
        no_method_reason=reason,
    )


@pytest.fixture
def women(units):
    w = {
        name: _married(name, date(1985 + i, 1, 1), VILLAGE_A1, date(2008, 1, 1))
        for i, name in enumerate(("上环", "服药", "不孕", "待孕", "曾绝经", "改上环"))
    }
    _episode(w["上环"], "03", date(2020, 1, 1))  # IUD: a user
    _episode(w["服药"], "05", date(2023, 5, 1))  # pills: a user
    _episode(w["不孕"], "00", date(2022, 1, 1), reason="4")  # 不孕: no possibility
    _episode(w["待孕"], "00", date(2024, 2, 1), reason="1")  # 待孕: counted in both
    # 绝经 recorded, ended before the period's end: at the end she is a married WCBA with no
    # record, so counted in both denominators.
    _episode(w["曾绝经"], "00", date(2021, 1, 1), date(2024, 6, 1), reason="5")
    # 绝经 recorded while an IUD is in use: she is a user, never taken out of the denominator.
    _episode(w["改上环"], "00", date(2023, 1, 1), reason="5")
    _episode(w["改上环"], "03", date(2023, 6, 1))
    return w


def test_both_denominators_by_hand(women):
    found = evaluate(
        ["contraceptive_prevalence", "contraceptive_prevalence_fertile"],
        prefix=COUNTY[:6],
        period=FY2024,
        scope=R,
    )[COUNTY[:6]]
    # Users: 上环, 服药, 改上环 = 3. All married WCBA = 6; without 不孕 = 5.
    everyone = found["contraceptive_prevalence"]
    fertile = found["contraceptive_prevalence_fertile"]
    assert (everyone.numerator, everyone.denominator, everyone.rounded) == (3, 6, 50.0)
    assert (fertile.numerator, fertile.denominator) == (3, 5)
    assert fertile.rounded == 60.0


def test_the_second_denominators_name_list_names_who_is_taken_out(women):
    [married, barred] = parts(BY_CODE["contraceptive_prevalence_fertile"], "denominator")
    assert (married.measure, married.sign, barred.measure, barred.sign) == (
        "mwcba",
        1,
        "nofert",
        -1,
    )
    out = part_rows(barred, scope=R, prefix=COUNTY[:6], period=FY2024)
    assert [p.name for p in out] == ["不孕"]
    assert part_rows(married, scope=R, prefix=COUNTY[:6], period=FY2024).count() == 6
