"""The indicator page, the name lists (花名册) and the indicator API, on the hand-built county of
``test_indicators`` (expected values counted by hand there: 9 persons at the start of FP 2024,
10 at the end, 2 births, 1 death; township A 5 → 6, B 4 → 4)."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import COUNTY, OTHER_COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, make_user
from renkou.accounts.constants import Role
from renkou.common.periods import fp_year, parse
from renkou.reports.indicators import INDICATORS, evaluate
from renkou.reports.models import Target
from renkou.reports.tests.test_indicators import build_county

FP2024 = {"year": "2024", "part": "fp", "scope": "registered"}


@pytest.fixture
def county(units, personas):
    return build_county(personas)


@pytest.fixture
def as_role(personas, signed_in_client, client):
    def sign_in(role):
        signed_in_client(personas[role])
        return client

    return sign_in


def page(client, **params):
    response = client.get(reverse("reports:indicators"), {**FP2024, **params})
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, code: str) -> str:
    """The text of the table row of one indicator (tags removed)."""
    found = re.search(rf'<tr data-indicator="{code}">(?:(?!</tr>).)*</tr>', html, re.S)
    assert found, code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip()


def ranking_rows(html: str) -> list[list[str]]:
    table = html.split("ranking-table", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells])
    return rows


def drill(client, unit=COUNTY, **params):
    url = reverse("reports:indicator_list", args=[unit])
    return client.get(url, {**FP2024, **params})


# --- the indicator page -----------------------------------------------------------------------


def test_the_page_lists_every_indicator_with_its_parts(county, as_role):
    html = page(as_role("county_officer"))
    for ind in INDICATORS:
        assert ind.name in html
    assert "2 9.5 210.53‰" in row_of(html, "crude_birth_rate")
    assert "1 9.5 105.26‰" in row_of(html, "natural_growth_rate")
    # The parts as computed; the value in whole persons, half up (issue 11 item 16).
    assert "9.5 — 10" in row_of(html, "average_population")
    # Workers get links to the name lists of numerators and denominators.
    link = reverse("reports:indicator_list", args=[COUNTY])
    assert f"{link}?year=2024&amp;part=fp&amp;scope=registered&amp;indicator=births" in html


def test_leaders_see_the_figures_without_name_lists(county, as_role):
    html = page(as_role("leader"))
    assert "2 9.5 210.53‰" in row_of(html, "crude_birth_rate")
    assert "/list/" not in html


def test_a_unit_outside_the_callers_scope_is_404(county, as_role):
    client = as_role("village_admin")
    assert client.get(reverse("reports:indicators"), {"unit": TOWNSHIP_B}).status_code == 404
    client = as_role("township_officer")
    assert client.get(reverse("reports:indicators"), {"unit": OTHER_COUNTY}).status_code == 404
    assert client.get(reverse("reports:indicators"), {"unit": VILLAGE_A1}).status_code == 200


def test_the_unit_picker_offers_only_the_callers_subtree(county, as_role):
    html = page(as_role("township_officer"))
    picker = html.split('id="id_unit"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'value="(\d+)"', picker) == [TOWNSHIP_A, "620001100201", "620001100202"]


def test_other_scopes_and_periods(county, as_role):
    client = as_role("county_officer")
    # 扎西 flowed out: 9 resident at the end.
    assert "10 — 10" in row_of(page(client), "population_end")
    assert "9 — 9" in row_of(page(client, scope="resident"), "population_end")
    # Calendar 2024 holds 李强's death of 2024-10-03 too.
    assert "2 — 2" in row_of(page(client, part="cal"), "deaths")
    # May 2024: 小强's birth only.
    assert "1 — 1" in row_of(page(client, part="M05"), "births")
    assert "统计期只有31天，未年化" in page(client, part="M05")


def test_a_bad_period_is_explained_not_computed(county, as_role):
    html = page(as_role("county_officer"), year="1990")
    assert "alert-danger" in html and "indicator-table" not in html


def test_targets_show_verdict_and_gap(county, as_role, personas):
    for code, direction, value in (
        ("natural_growth_rate", "le", "9.31"),
        ("policy_compliant_birth_rate", "ge", "96.5"),
        ("sex_ratio_at_birth", "le", "107"),
    ):
        Target.objects.create(
            unit_code=COUNTY, year=2024, indicator=code, direction=direction, value=value
        )
    html = page(as_role("county_officer"))
    # 105.26‰ against ≤ 9.31‰: not met, 105.26 − 9.31 = +95.95.
    assert "105.26‰ ≤9.31‰ 未达标 +95.95‰" in row_of(html, "natural_growth_rate")
    # 50.00% against ≥ 96.5%: not met, 50.00 − 96.50 = −46.50.
    assert "50.00% ≥96.5% 未达标 -46.50%" in row_of(html, "policy_compliant_birth_rate")
    # 100.0 against ≤ 107: met, 100.0 − 107 = −7.0.
    assert "100.0 ≤107 达标 -7.0" in row_of(html, "sex_ratio_at_birth")
    # FP 2025 has no targets.
    assert "未达标" not in page(as_role("county_officer"), year="2025")


def test_townships_are_ranked_for_the_chosen_indicator(county, as_role):
    client = as_role("county_officer")
    # Natural growth: 乙乡 1 / 4 × 1000 = 250‰, 甲镇 (1 − 1) / 5.5 = 0‰; higher first.
    rows = ranking_rows(page(client))
    assert [(r[0], r[1], r[4]) for r in rows] == [("1", "乙乡", "250.00‰"), ("2", "甲镇", "0.00‰")]
    # With a "≤" target lower ranks first.
    Target.objects.create(
        unit_code=COUNTY, year=2024, indicator="natural_growth_rate", direction="le", value="9.31"
    )
    rows = ranking_rows(page(client))
    assert [(r[0], r[1]) for r in rows] == [("1", "甲镇"), ("2", "乙乡")]
    # Equal values share a rank: one birth in each township.
    rows = ranking_rows(page(client, rank="births"))
    assert [(r[0], r[4]) for r in rows] == [("1", "1"), ("1", "1")]


def test_a_township_compares_its_villages(county, as_role):
    rows = ranking_rows(page(as_role("township_officer"), rank="births"))
    # 甲一村: 小卓玛; 甲二村: none.
    assert [(r[0], r[1], r[4]) for r in rows] == [("1", "甲一村", "1"), ("2", "甲二村", "0")]


def test_the_page_reads_a_bounded_number_of_queries(county, as_role, django_assert_max_num_queries):
    client = as_role("county_officer")
    with django_assert_max_num_queries(
        22
    ):  # 18 measured: session, user, units, 2 × tallies, targets
        page(client)


# --- name lists ---------------------------------------------------------------------------------


def test_births_list_the_two_birth_events(county, as_role):
    response = drill(as_role("county_officer"), indicator="births")
    html = response.content.decode()
    assert response.status_code == 200
    assert "小卓玛" in html and "小强" in html and "共 2 条" in html
    assert "赵敏" not in html  # her voided death is in no list


def test_a_figure_links_to_the_lists_of_its_numerator_and_denominator(county, as_role):
    """The one Figure carries its name lists: each link opens a list as long as its side."""
    county_prefix = COUNTY[:6]
    found = evaluate(
        ["births", "id_entry_rate"], prefix=county_prefix, period=fp_year(2024), scope="R"
    )[county_prefix]
    client = as_role("county_officer")
    births, ids = found["births"], found["id_entry_rate"]
    assert (births.numerator, births.denominator_list) == (2, None)
    assert "共 2 条" in client.get(births.numerator_list.url).content.decode()
    assert (ids.numerator, ids.denominator) == (3, 10)
    assert "共 3 条" in client.get(ids.numerator_list.url).content.decode()
    assert "共 10 条" in client.get(ids.denominator_list.url).content.decode()
    # A period the indicator pages cannot name has no lists to link to.
    odd = parse("2023-10-01..2024-03-31")
    found = evaluate(["births"], prefix=county_prefix, period=odd, scope="R")[county_prefix]
    assert found["births"].numerator_list is None


def test_natural_growth_lists_each_term(county, as_role):
    client = as_role("county_officer")
    html = drill(client, indicator="natural_growth_rate").content.decode()
    assert "分子 = 2 − 1 = 1" in html and "分母 = （9 + 10）÷ 2 = 9.5" in html
    deaths = drill(client, indicator="natural_growth_rate", term="1").content.decode()
    assert "才让" in deaths and "共 1 条" in deaths and "减：死亡" in deaths


def test_an_average_lists_start_and_end(county, as_role):
    client = as_role("county_officer")
    start = drill(client, indicator="average_population", day="start").content.decode()
    end = drill(client, indicator="average_population", day="end").content.decode()
    assert "共 9 条" in start and "小卓玛" not in start and "才让" in start
    assert "共 10 条" in end and "小卓玛" in end and "才让" not in end


def test_name_lists_mask_id_numbers(county, as_role):
    zhuoma = county["persons"]["zhuoma"]
    html = drill(as_role("county_officer"), indicator="id_entry_rate").content.decode()
    assert "共 3 条" in html and zhuoma.id_number not in html
    assert f"{zhuoma.id_number[:4]}**************" in html


def test_name_lists_are_scoped_and_need_person_access(county, as_role):
    assert drill(as_role("leader"), indicator="births").status_code == 403
    client = as_role("township_officer")
    assert drill(client, indicator="births").status_code == 404  # the county
    assert drill(client, unit=TOWNSHIP_B, indicator="births").status_code == 404
    response = drill(client, unit=TOWNSHIP_A, indicator="births")
    assert "小卓玛" in response.content.decode() and "小强" not in response.content.decode()


def test_a_person_counted_here_but_managed_elsewhere_is_listed_without_a_link(
    county, units, signed_in_client, client
):
    officer_b = make_user("officer_b", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_B])
    signed_in_client(officer_b)
    maming = county["persons"]["maming"]  # in B at the start, moved to A2 in April
    html = drill(client, unit=TOWNSHIP_B, indicator="population_start").content.decode()
    assert "马明" in html and "共 4 条" in html
    assert reverse("people:person_detail", args=[maming.pk]) not in html
    wangfang = county["persons"]["wangfang"]
    assert reverse("people:person_detail", args=[wangfang.pk]) in html


def test_without_an_indicator_the_list_goes_back_to_the_page(county, as_role):
    response = as_role("county_officer").get(reverse("reports:indicator_list", args=[COUNTY]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:indicators"))


def test_htmx_pages_get_only_the_list(county, as_role):
    client = as_role("county_officer")
    url = reverse("reports:indicator_list", args=[COUNTY])
    response = client.get(
        url,
        {**FP2024, "indicator": "population_end", "size": "10", "page": "1"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "drill-persons" in html and "<html" not in html and "nav-tabs" not in html


# --- the API ------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    out = StringIO()
    call_command("api_token", user=user.username, stdout=out)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    return api


def _url(code=COUNTY):
    return reverse("unit-indicators", args=[code])


def test_the_api_gives_the_same_objects_as_the_command(county, personas):
    Target.objects.create(
        unit_code=COUNTY, year=2024, indicator="births", direction="ge", value="3"
    )
    response = _api(personas["leader"]).get(_url(), {"period": "2024", "scope": "registered"})
    assert response.status_code == 200
    out = StringIO()
    call_command("indicators", unit=COUNTY, period="2024", format="json", stdout=out)
    assert response.json() == json.loads(out.getvalue())
    births = next(r for r in response.json() if r["code"] == "births")
    # 2 births against ≥ 3: not met, gap 2 − 3 = −1.
    assert (births["value"], births["target"], births["met"], births["gap"]) == (
        2,
        3.0,
        False,
        -1.0,
    )


def test_the_api_filters_indicators_and_adds_sub_units(county, personas):
    api = _api(personas["county_officer"])
    response = api.get(
        _url(), {"period": "2024", "indicator": ["births", "deaths"], "sub_units": "true"}
    )
    rows = response.json()
    assert [(r["unit"], r["code"], r["value"]) for r in rows] == [
        (COUNTY, "births", 2),
        (COUNTY, "deaths", 1),
        (TOWNSHIP_A, "births", 1),
        (TOWNSHIP_A, "deaths", 1),
        (TOWNSHIP_B, "births", 1),
        (TOWNSHIP_B, "deaths", 0),
    ]


def test_the_api_scopes_and_checks_its_input(county, personas):
    api = _api(personas["township_officer"])
    assert api.get(_url(TOWNSHIP_A), {"period": "2024"}).status_code == 200
    assert api.get(_url(TOWNSHIP_B), {"period": "2024"}).status_code == 404
    assert api.get(_url(OTHER_COUNTY)).status_code == 404
    bad = api.get(_url(TOWNSHIP_A), {"period": "2024Q5"})
    assert bad.status_code == 400 and "应为 2024、2024H1、2024Q1 或 2024-03" in bad.json()["detail"]
    assert api.get(_url(TOWNSHIP_A), {"scope": "everyone"}).status_code == 400
    assert api.get(_url(TOWNSHIP_A), {"indicator": "nonsense"}).status_code == 400
    assert _api(personas["sys_admin"]).get(_url()).status_code == 403


def test_the_schema_documents_the_indicator_endpoint(personas):
    schema = _api(personas["county_officer"]).get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    paths = json.loads(schema.content)["paths"]
    operation = paths["/api/v1/units/{code}/indicators/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "code",
        "period",
        "scope",
        "indicator",
        "calendar",
    }
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    period = next(p for p in operation["parameters"] if p["name"] == "period")
    # RENKOU_STATS_START 2010-01: FP year 2010 began in October 2009, so 2011 is the first year.
    assert period["schema"]["pattern"].startswith("^(?:201[1-9]|202[0-9]|")
    assert period["schema"]["pattern"].endswith("|209[0-9])(?:H[12]|Q[1-4]|-(?:0[1-9]|1[0-2]))?$")
