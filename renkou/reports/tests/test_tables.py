"""Statutory tables: cells counted by hand from a small county, 合计 = sum of the rows, every
cell's name list as long as the cell, the 国人口统1表 equal to the indicators, and tables
defined as data."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.benefits.models import Application, Program
from renkou.common.actors import Actor
from renkou.common.periods import fp_year, month, parse, quarter
from renkou.events import selectors, services
from renkou.events.constants import Kind, Scope
from renkou.geo.models import Unit
from renkou.people.models import Child, ContraceptionEpisode, Pregnancy, WomanCard
from renkou.people.services import person_register
from renkou.reports.indicators import evaluate, variant
from renkou.reports.selectors import part_rows, parts
from renkou.reports.tables import engine, queries
from renkou.reports.tables.queries import DefinitionError

TODAY = date(2026, 11, 29)
R = Scope.REGISTERED
FY2024 = fp_year(2024)  # 2023-10-01 .. 2024-09-30
VILLAGE_B2 = "620001101202"


def _add(name, sex, born, village, **extra):
    values = {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "registered_code": village,
        "residence_code": village,
        "marital_status": "10",
        "ethnicity": "01",
        "hukou_type": "2",
        "relationship": "02",
    }
    values.update(extra)
    return person_register(actor=Actor(None), household=None, values=values, today=TODAY)


def _married(name, born, village, since):
    return _add(name, "2", born, village, marital_status="21", first_marriage_date=since)


def _card(woman):
    card, _ = WomanCard.objects.get_or_create(
        person=woman, defaults={"unit_code": woman.unit_code, "opened_on": TODAY}
    )
    return card


def _child(woman, parity, sex, born):
    card = _card(woman)
    Child.objects.create(
        card=card,
        unit_code=card.unit_code,
        parity=parity,
        name=f"孩{parity}",
        sex=sex,
        birth_date=born,
    )


def _episode(woman, method, start, end=None):
    card = _card(woman)
    ContraceptionEpisode.objects.create(
        card=card, unit_code=card.unit_code, method=method, start=start, end=end
    )


def _birth(actor, mother, day, reported, sex, policy, parity=None, father=None):
    return services.record(
        actor=actor,
        kind=Kind.BIRTH,
        person=mother,
        effective_date=day,
        reported_date=reported,
        today=TODAY,
        details=services.Details(
            partner=father, child_name="婴儿", sex=sex, policy_attribute=policy, parity=parity
        ),
    )


def build_county(personas):
    """Ten persons in four villages and what happened to them in FP year 2024 (see each line).
    The expected figures in the tests are counted from this list by hand."""
    actor = Actor(personas["county_officer"])
    p = {
        # A1: a couple (birth of a girl, IUD inserted, an abortion), a woman with two girls
        # and an IUD, a young woman who marries at 23 in March 2024.
        "m1": _married("卓玛", date(1995, 3, 1), VILLAGE_A1, date(2018, 5, 1)),
        "f1": _add(
            "扎西",
            "1",
            date(1993, 7, 9),
            VILLAGE_A1,
            marital_status="21",
            first_marriage_date=date(2018, 5, 1),
            relationship="10",
        ),
        "w2": _married("德吉", date(1988, 1, 1), VILLAGE_A1, date(2010, 1, 1)),
        "y": _add("拉姆", "2", date(2001, 2, 2), VILLAGE_A1),
        # A2: an old man who dies in June 2024; a woman with one boy whose IUD comes out on
        # 1 March 2024, then condoms.
        "old": _add("才让", "1", date(1940, 1, 1), VILLAGE_A2),
        "w3": _married("央金", date(1985, 6, 1), VILLAGE_A2, date(2008, 1, 1)),
        # B1: a woman with three children who has a fourth (out of policy) in July 2024 and a
        # sterilisation in August; a woman whose girl born in September 2023 is reported in
        # October 2023 (往年出生未报 for FP 2024).
        "b1": _married("王芳", date(1990, 8, 8), VILLAGE_B1, date(2012, 1, 1)),
        "w5": _married("卓嘎", date(1992, 2, 2), VILLAGE_B1, date(2015, 1, 1)),
        # B2: a man; a childless married woman on the pill since 2023.
        "h": _add("贡布", "1", date(1970, 5, 5), VILLAGE_B2),
        "w6": _married("次仁", date(1996, 6, 6), VILLAGE_B2, date(2020, 1, 1)),
    }
    _birth(actor, p["m1"], date(2024, 1, 15), date(2024, 2, 3), "2", "1", father=p["f1"])
    _episode(p["m1"], "03", date(2024, 3, 10))
    card = _card(p["m1"])
    Pregnancy.objects.create(
        card=card,
        unit_code=card.unit_code,
        detected_on=date(2024, 8, 1),
        outcome="4",
        outcome_date=date(2024, 8, 20),
    )
    _child(p["w2"], 1, "2", date(2012, 5, 1))
    _child(p["w2"], 2, "2", date(2015, 6, 1))
    _episode(p["w2"], "03", date(2016, 1, 1))
    services.record(
        actor=actor,
        kind=Kind.FIRST_MARRIAGE,
        person=p["y"],
        effective_date=date(2024, 3, 15),
        today=TODAY,
    )
    services.record(
        actor=actor, kind=Kind.DEATH, person=p["old"], effective_date=date(2024, 6, 1), today=TODAY
    )
    _child(p["w3"], 1, "1", date(2009, 3, 1))
    _episode(p["w3"], "03", date(2010, 1, 1), date(2024, 3, 1))
    _episode(p["w3"], "07", date(2024, 3, 1))
    _child(p["b1"], 1, "1", date(2013, 1, 1))
    _child(p["b1"], 2, "2", date(2015, 1, 1))
    _child(p["b1"], 3, "2", date(2018, 1, 1))
    _birth(actor, p["b1"], date(2024, 7, 1), date(2024, 7, 10), "1", "2", parity=4)
    _episode(p["b1"], "02", date(2024, 8, 1))
    _birth(actor, p["w5"], date(2023, 9, 20), date(2023, 10, 15), "2", "1", parity=1)
    _episode(p["w6"], "05", date(2023, 1, 1))
    return p


@pytest.fixture
def county(units, personas):
    return build_county(personas)


def _table(code, unit=COUNTY, period=FY2024, scope=R):
    return engine.compute(
        engine.tables()[code], unit=Unit.objects.get(code=unit), period=period, scope=scope
    )


def _by_label(result):
    """{row label: {column id: value}} for the rows and 合计."""
    ids = [leaf.id for leaf in result.table.leaves]
    return {row.label: dict(zip(ids, row.values, strict=True)) for row in result.all_rows}


# --- hand-counted cells --------------------------------------------------------------------------


def test_gr1_by_township(county):
    got = _by_label(_table("gr1"))
    # Start of FP 2024: 11 persons (w5's girl was born 2023-09-20). Two births, one death.
    # A: m1, f1, w2, y, m1's girl (A1) and w3 (A2); B: b1, w5, her girl, b1's boy (B1), h, w6.
    assert got["甲镇"] == {
        "pop_end": 6,
        "mwcba_end": 4,
        "one_child_cert": 0,
        "births": 1,
        "p1": 1,
        "p1_ok": 1,
        "p2": 0,
        "p2_ok": 0,
        "p3": 0,
        "p3_ok": 0,
        "late": 0,
    }
    # Births by report date (统计口径 #4): w5's girl, born 2023-09-20 (FP 2023) and reported
    # 2023-10-15, is a birth of FP 2024 — a first child in plan — and also its one late birth.
    assert got["乙乡"] == {
        "pop_end": 6,
        "mwcba_end": 3,
        "one_child_cert": 0,
        "births": 2,
        "p1": 1,
        "p1_ok": 1,
        "p2": 0,
        "p2_ok": 0,
        "p3": 1,
        "p3_ok": 0,
        "late": 1,
    }
    assert got["合计"] == {
        "pop_end": 12,
        "mwcba_end": 7,
        "one_child_cert": 0,
        "births": 3,
        "p1": 2,
        "p1_ok": 2,
        "p2": 0,
        "p2_ok": 0,
        "p3": 1,
        "p3_ok": 0,
        "late": 1,
    }
    assert list(got) == ["甲镇", "乙乡", "合计"]


def test_gr1_by_village_of_a_township(county):
    got = _by_label(_table("gr1", unit=TOWNSHIP_A))
    assert (got["甲一村"]["pop_end"], got["甲二村"]["pop_end"], got["合计"]["pop_end"]) == (5, 1, 6)
    assert (got["甲一村"]["mwcba_end"], got["甲二村"]["mwcba_end"]) == (3, 1)  # m1, w2, y | w3


def test_gr2_contraception_and_operations(county):
    got = _by_label(_table("gr2"))
    # Users at 2024-09-30: m1 IUD, w2 IUD, w3 condoms (A); b1 female sterilisation, w6 pill (B).
    expected = {
        "users": 5,
        "users_01": 0,
        "users_02": 1,
        "users_03": 2,
        "users_04": 0,
        "users_05": 1,
        "users_07": 1,
        "users_08": 0,
        "users_09": 0,
    }
    assert {k: got["合计"][k] for k in expected} == expected
    assert (got["甲镇"]["users"], got["乙乡"]["users"]) == (3, 2)
    # Operations: m1's IUD (A), w3's IUD removal (A), m1's abortion (A), b1's sterilisation (B).
    expected = {"ops": 3, "ops_02": 0, "ops_03": 1, "ops_03_out": 1, "ops_abortion": 1}
    assert {k: got["甲镇"][k] for k in expected} == expected
    assert (got["乙乡"]["ops"], got["乙乡"]["ops_02"], got["合计"]["ops"]) == (1, 1, 4)


def test_married_women_by_parity_and_method(county):
    got = _by_label(_table("mwcba_parity"))["合计"]
    # Married 15–49 at 2024-09-30: m1 (1 girl, IUD), w2 (2 girls, IUD), y (none, no method),
    # w3 (1 boy, condoms), b1 (4 children, sterilised), w5 (1 girl, none), w6 (none, pill).
    assert got["wcba"] == 7  # the same women, all 15–49
    assert got["mwcba"] == 7
    assert (got["c0"], got["c1"], got["c2"], got["c3"]) == (2, 3, 1, 1)
    assert (got["c1_boy"], got["c1_iud"], got["c1_implant"], got["c1_pills"]) == (1, 1, 0, 1)
    assert (got["c2_girls"], got["c2_steril"], got["c2_iud"]) == (1, 0, 1)
    assert (got["c3_steril"], got["c3_iud"], got["c3_pills"]) == (1, 0, 0)
    assert got["c0"] + got["c1"] + got["c2"] + got["c3"] == got["mwcba"]


def test_month_and_quarter_tables(county):
    march = _by_label(_table("fp_month", period=month(2024, 3)))
    expected = {"births": 0, "ops_03": 1, "ops_03_out": 1, "fmar": 1, "fmar_late": 1}
    assert {k: march["甲镇"][k] for k in expected} == expected
    assert march["合计"]["certificates"] is None
    july = _by_label(_table("fp_month", period=month(2024, 7)))["合计"]
    assert (july["births"], july["p3_in"], july["p3_out"], july["p1_out"]) == (1, 0, 1, 0)
    q3 = _by_label(_table("birth_quarter", period=quarter(2024, 3)))
    assert (q3["合计"]["pop_start"], q3["合计"]["pop_end"]) == (11, 12)
    b = q3["乙乡"]
    assert (b["p3"], b["p3_m"], b["p3_f"], b["p3_ok_m"]) == (1, 1, 0, 0)
    q1 = _by_label(_table("birth_quarter", period=quarter(2024, 1)))["甲镇"]
    assert (q1["p1"], q1["p1_f"], q1["p1_ok"], q1["p1_ok_f"], q1["p1_ok_m"]) == (1, 1, 1, 1, 0)
    assert _by_label(_table("birth_quarter", period=quarter(2024, 2)))["甲镇"]["deaths"] == 1


# --- totals, name lists and agreement --------------------------------------------------------


CASES = [
    ("gr1", FY2024),
    ("gr2", FY2024),
    ("fp_month", month(2024, 3)),
    ("birth_quarter", quarter(2024, 3)),
    ("mwcba_parity", FY2024),
]


@pytest.mark.parametrize(("code", "period"), CASES)
def test_totals_add_up_and_every_list_is_as_long_as_its_cell(county, code, period):
    for unit in (COUNTY, TOWNSHIP_A, VILLAGE_B1):
        result = _table(code, unit=unit, period=period)
        table = result.table
        assert result.total is not None
        for i, leaf in enumerate(table.leaves):
            values = [row.values[i] for row in result.rows]
            if leaf.query["kind"] == "none":
                assert values + [result.total.values[i]] == [None] * (len(values) + 1)
                assert engine.members(table, leaf.id, prefix=unit, period=period, scope=R) is None
                continue
            assert result.total.values[i] == sum(values), leaf.id
            for row in result.all_rows:
                prefix = Unit.objects.get(code=row.unit_code).prefix
                found = engine.members(table, leaf.id, prefix=prefix, period=period, scope=R)
                assert len(found) == row.values[i], (unit, leaf.id, row.label)


def test_the_national_form_agrees_with_the_indicators(county):
    result = _by_label(_table("gr1"))
    figures = evaluate(
        ["births", "population_end", "married_wcba"], prefix=COUNTY[:6], period=FY2024, scope=R
    )[COUNTY[:6]]
    reported = evaluate(["births"], prefix=COUNTY[:6], period=FY2024, scope=R, births_by="report")[
        COUNTY[:6]
    ]
    # The form counts births by report date (w5's late girl included), the indicator by default
    # by birth date; both views are the one definition.
    assert result["合计"]["births"] == reported["births"].numerator == 3
    assert figures["births"].numerator == 2
    assert result["合计"]["pop_end"] == figures["population_end"].numerator == 12
    assert result["合计"]["mwcba_end"] == figures["married_wcba"].numerator == 7
    by_town = evaluate(
        ["births", "population_end"], prefix=COUNTY[:6], period=FY2024, scope=R, group_len=9
    )
    assert result["乙乡"]["pop_end"] == by_town[TOWNSHIP_B[:9]]["population_end"].numerator
    out = StringIO()
    call_command(
        "indicators", unit=COUNTY, period="2024", indicator=["births", "population_end"], stdout=out
    )
    command = {row["code"]: row["numerator"] for row in json.loads(out.getvalue())}
    assert command == {"births": 2, "population_end": 12}


def test_births_by_report_date_on_the_command_and_their_name_list(county):
    """Item 3: the occurrence view stays the default; ``--births-by report`` counts w5's girl
    (born 2023-09-20, reported 2023-10-15) in FP 2024 and lists her."""
    counts = {}
    for births_by in ("occurrence", "report"):
        out = StringIO()
        call_command(
            "indicators",
            unit=COUNTY,
            period="2024",
            indicator=["births", "births_parity1"],
            births_by=births_by,
            stdout=out,
        )
        rows = json.loads(out.getvalue())
        counts[births_by] = {row["code"]: row["numerator"] for row in rows}
        assert all(row.get("births_by", "occurrence") == births_by for row in rows)
    assert counts == {
        "occurrence": {"births": 2, "births_parity1": 1},
        "report": {"births": 3, "births_parity1": 2},
    }
    ind = variant("births", "report")
    (part,) = parts(ind, "numerator")
    listed = part_rows(part, scope=R, prefix=TOWNSHIP_B[:9], period=FY2024)
    assert county["w5"].pk in [e.person_id for e in listed]
    before = part_rows(part, scope=R, prefix=TOWNSHIP_B[:9], period=fp_year(2023))
    assert county["w5"].pk not in [e.person_id for e in before]


def test_married_women_are_the_stock_list_and_users_the_prevalence_numerator(county):
    day = FY2024.end
    women = {w.person_id for w in queries.women(prefix=COUNTY[:6], day=day, scope=R)}
    listed = set(
        selectors.stock_persons("mwcba", scope=R, prefix=COUNTY[:6], day=day).values_list(
            "pk", flat=True
        )
    )
    assert women == listed and len(women) == 7
    prevalence = evaluate(["contraceptive_prevalence"], prefix=COUNTY[:6], period=FY2024, scope=R)[
        COUNTY[:6]
    ]["contraceptive_prevalence"]
    assert _by_label(_table("gr2"))["合计"]["users"] == prevalence.numerator == 5


def test_counts_outside_every_current_sub_unit_form_their_own_row(county):
    """A person registered under a code no current township holds still counts in 合计."""
    _add("旧址", "1", date(1980, 1, 1), "620001102201")
    result = _table("gr1")
    got = _by_label(result)
    assert got["其他（不属于现有下级单位）"]["pop_end"] == 1
    assert got["合计"]["pop_end"] == 13 == sum(r.values[0] for r in result.rows)
    assert result.rows[-1].unit_code == ""  # no name list for it: it is no unit


def _certificate(person, approved, *, partner=None, closed=None, status="approved"):
    """A 独生子女父母光荣证 issued by the benefits app (an approved one-child application)."""
    return Application.objects.create(
        program=Program.objects.get(code="one_child"),
        person=person,
        partner=partner,
        unit_code=person.unit_code,
        year=approved.year,
        status=status,
        filed_on=approved,
        certificate_no=f"D{person.pk:05d}",
        approved_on=approved,
        closed_on=closed,
    )


def test_one_child_certificates_count_the_married_women_whose_couple_holds_one(county):
    # 期末领取独生子女证人数 (FP 2024, ends 2024-09-30): married women 15–49 at the end whose
    # couple holds the certificate that day. Counted by hand:
    _certificate(county["w3"], date(2012, 5, 1))  # A2, her own certificate: counted
    _certificate(county["f1"], date(2019, 3, 1), partner=county["m1"])  # A1, her husband's: counted
    # w2 (A1): cancelled 2024-06-01, before the end: not counted.
    _certificate(county["w2"], date(2016, 1, 1), closed=date(2024, 6, 1), status="cancelled")
    _certificate(county["b1"], date(2024, 10, 5))  # B1, issued after the end: not counted
    _certificate(county["h"], date(2000, 1, 1))  # B2, a man, not a married woman: not counted
    got = _by_label(_table("gr1"))
    assert (got["甲镇"]["one_child_cert"], got["乙乡"]["one_child_cert"]) == (2, 0)
    assert got["合计"]["one_child_cert"] == 2
    # The next FP year b1's certificate is held too; w2's stays cancelled.
    assert _by_label(_table("gr1", period=fp_year(2025)))["乙乡"]["one_child_cert"] == 1
    table = engine.tables()["gr1"]
    listed = engine.members(table, "one_child_cert", prefix=TOWNSHIP_A[:9], period=FY2024, scope=R)
    assert sorted(listed.ids) == sorted([county["w3"].pk, county["m1"].pk])


def test_late_births_list_the_reported_birth(county):
    table = engine.tables()["gr1"]
    found = engine.members(table, "late", prefix=VILLAGE_B1, period=FY2024, scope=R)
    assert [(e.person_id, e.effective_date) for e in found] == [
        (county["w5"].pk, date(2023, 9, 20))
    ]
    # The same birth is not a birth of FP 2023 in the form: it was reported in FP 2024.
    fy2023 = _by_label(_table("gr1", period=fp_year(2023)))["合计"]
    assert (fy2023["births"], fy2023["late"]) == (0, 0)


def test_a_table_reads_in_a_few_queries(county, django_assert_max_num_queries):
    """A few queries per kind of cell (the tallies read two or three), never one per cell or
    per unit: the largest table (19 columns, three kinds) stays within 12."""
    for code, period in CASES:
        table = engine.tables()[code]
        unit = Unit.objects.get(code=COUNTY)
        with django_assert_max_num_queries(12):
            engine.compute(table, unit=unit, period=period, scope=R)


# --- definitions as data -------------------------------------------------------------------------


def _definition(**extra):
    data = {
        "code": "province_x",
        "title": "某省新增报表",
        "periods": ["year"],
        "rows": [
            {"id": "boys", "label": "男婴", "where": {"sex": "m"}},
            {"id": "girls", "label": "女婴", "where": {"sex": "f"}},
        ],
        "columns": [
            {
                "label": "出生",
                "children": [
                    {"id": "p1", "label": "一孩", "query": {"kind": "births", "parity": 1}},
                    {"id": "p3", "label": "多孩", "query": {"kind": "births", "parity": 3}},
                ],
            },
            {"id": "all", "label": "合计", "query": {"kind": "sum", "of": ["p1", "p3"]}},
        ],
    }
    data.update(extra)
    return data


def test_a_new_table_is_a_new_definition(county):
    table = engine.parse(_definition())
    result = engine.compute(table, unit=Unit.objects.get(code=COUNTY), period=FY2024, scope=R)
    got = _by_label(result)
    # FP 2024 births: m1's girl (first child), b1's boy (fourth).
    assert got == {
        "男婴": {"p1": 0, "p3": 1, "all": 1},
        "女婴": {"p1": 1, "p3": 0, "all": 1},
        "合计": {"p1": 1, "p3": 1, "all": 2},
    }
    boys = engine.members(table, "all", prefix=COUNTY[:6], period=FY2024, scope=R, row_id="boys")
    assert [e.person_id for e in boys] == [county["b1"].pk]
    top = [(c.label, c.colspan, c.rowspan, c.col) for c in table.header()[0]]
    assert top == [("出生", 2, 1, 0), ("合计", 1, 2, 2)]


@pytest.mark.parametrize(
    "broken",
    [
        {"columns": [{"id": "x", "label": "x", "query": {"kind": "guess"}}]},
        {"columns": [{"id": "x", "label": "x", "query": {"kind": "births", "colour": "red"}}]},
        {"columns": [{"id": "x", "label": "x", "query": {"kind": "measure", "measure": "births"}}]},
        {"columns": [{"id": "x", "label": "x", "query": {"kind": "indicator", "code": "nope"}}]},
        {"columns": [{"id": "x", "label": "x", "query": {"kind": "sum", "of": ["y"]}}]},
        {
            "columns": [
                {"id": "x", "label": "a", "query": {"kind": "births"}},
                {"id": "x", "label": "b", "query": {"kind": "births"}},
            ]
        },
        {"periods": ["decade"]},
        {"rows": [{"id": "r", "label": "r", "where": {"children": 7}}]},
    ],
)
def test_a_broken_definition_is_refused(broken):
    with pytest.raises(DefinitionError):
        engine.parse(_definition(**broken))


def test_the_shipped_definitions_load_with_their_headers():
    tables = engine.tables()
    assert list(tables) == [
        "gr1",
        "gr2",
        "fp_month",
        "birth_quarter",
        "mwcba_parity",
        "rh_service",
        "prepreg_summary",
    ]
    gr1 = tables["gr1"]
    assert gr1.form_no == "国人口统1表"
    first = [c.label for c in gr1.header()[0]][:4]
    assert first == [
        "期末人口总数",
        "期末已婚育龄妇女人数",
        "期末领取独生子女证人数",
        "本期出生人数",
    ]
    assert not any("本系统未采集" in n for n in gr1.footnotes())  # every column is filled
    assert_official_headers(gr1, tables["gr2"])
    assert engine.read_period(gr1, "2024H1").code == "2024H1"
    with pytest.raises(Exception, match="月报"):
        engine.read_period(tables["fp_month"], "2024")
    assert engine.period_kind(parse("2024-03")) == "month"


# The heading of the national forms as printed in the annex of 人口厅函[2008]165号
# (https://www.qyfgj.cn/falv/426791.html), written out here from that text: the stub, the
# column headings left to right (a group with its sub-headings), the approval and validity.
OFFICIAL_GR1 = [
    "期末人口总数",
    "期末已婚育龄妇女人数",
    "期末领取独生子女证人数",
    "本期出生人数",
    "往年出生未报人数",
    ("一孩出生", "其中：计划内"),
    ("二孩出生", "其中：计划内"),
    ("多孩出生", "其中：计划内"),
]
OFFICIAL_GR2 = [
    (
        "选用各种避孕方法人数",
        "小计",
        "男性绝育",
        "女性绝育",
        "放置宫内节育器",
        "皮下埋植",
        "口服及注射避孕药",
        "避孕套",
        "外用药",
        "其它",
    ),
    (
        "本期实行计划生育手术例数",
        "小计",
        "男性绝育",
        "女性绝育",
        "放置宫内节育器",
        "取出宫内节育器",
        "人工流产",
        "皮下埋植",
    ),
]


def _heading_of(table):
    """The definition's heading in the shape of OFFICIAL_*: a leaf's label, or a group's label
    with the labels of its sub-columns that the form prints (its unlabelled first cell is the
    definition's 小计 in 1表's parity groups)."""
    out = []
    for column in table.columns:
        if not column.children:
            out.append(column.label)
            continue
        labels = [c.label for c in column.children]
        if table.code == "gr1":
            labels = [label for label in labels if label != "小计"]
        out.append((column.label, *labels))
    return out


def assert_official_headers(gr1, gr2):
    assert _heading_of(gr1) == OFFICIAL_GR1
    assert _heading_of(gr2) == OFFICIAL_GR2
    for table, approval in ((gr1, "国统制〔2008〕78号"), (gr2, "国统函〔2008〕78号")):
        assert table.stub == "地区"
        assert table.authority == "制表机关：国家人口和计划生育委员会"
        assert table.approval == f"批准机关：国家统计局　批准文号：{approval}"
        assert table.validity == "有效期：2011年8月"
        assert table.footer == "official"
    signature = engine.Signature("张三", "李四", date(2024, 10, 5))
    assert signature.lines(gr1) == ["报出日期：2024年10月05日", "统计负责人：李四", "填表人：张三"]
