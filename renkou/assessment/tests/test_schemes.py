"""Assessment schemes, score sheets and frozen results (issue 14 items 1 and 3), with fake
source kinds whose values are set here, so every point can be worked out by hand."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.assessment import services, sheets, sources, template
from renkou.assessment.models import Deduction, Scheme, SchemeItem
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry

ON = date(2027, 3, 31)
TA, TB = TOWNSHIP_A[:9], TOWNSHIP_B[:9]


class FakeKind:
    """A source kind whose readings are a dict {(unit, code): value}; counts its reads."""

    code, label = "fake", "测试来源"

    def __init__(self, values):
        self.values, self.reads = values, 0

    def choices(self):
        return [("growth", "增长率"), ("rate", "某比例")]

    def read(self, codes, *, county, units, year, on):
        self.reads += 1
        return {
            (u, c): sources.Reading(self.values[(u, c)], f"{self.values[(u, c)]}")
            for u in units
            for c in codes
            if (u, c) in self.values
        }


@pytest.fixture
def fake():
    kind = FakeKind({(TA, "growth"): 8.5, (TB, "growth"): 9.8, (TA, "rate"): 95, (TB, "rate"): 99})
    sources.register(kind)
    yield kind
    sources.unregister(kind.code)


@pytest.fixture
def officer(personas):
    return Actor(personas["county_officer"])


def _scheme(units, officer, **kw):
    return services.scheme_create(
        actor=officer,
        county=units[COUNTY],
        year=2027,
        level=Scheme.Level.TOWNSHIP,
        name="测试方案",
        from_template=False,
        **kw,
    )


def _item(officer, scheme, number, **fields):
    base = {
        "group": "人口调控",
        "name": f"第{number}项",
        "points": D(10),
        "source": "fake",
        "code": "rate",
        "target": D(96),
        "direction": "ge",
        "rule": {"type": "threshold"},
    }
    return services.item_save(actor=officer, scheme=scheme, number=number, **{**base, **fields})


def test_the_template_ships_33_items_for_100_points_marked_for_checking(units, officer):
    scheme = services.scheme_create(
        actor=officer,
        county=units[COUNTY],
        year=2027,
        level=Scheme.Level.TOWNSHIP,
        name="",
        from_template=True,
    )
    items = list(scheme.items.order_by("number"))
    assert len(items) == 33
    assert sum(i.points for i in items) == 100
    assert scheme.notice == template.NOTICE == "重构模板，请对照省级文件核实"
    vetoes = {i.code for i in items if i.rule.get("veto")}
    assert {"natural_growth_rate", "sex_ratio_at_birth", "treatment", "prepreg_exam"} <= vetoes
    # Every template item passes the same checks a hand-made one does, so it publishes.
    published = services.scheme_publish(actor=officer, scheme=scheme)
    assert published.version == 1 and not published.is_draft


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"rule": {"type": "bands", "bands": [{"min": 90, "max": 80, "points": 5}]}},
            "下限（90）须小于上限（80）",
        ),
        (
            {
                "rule": {
                    "type": "level_progress",
                    "reference": "last_year",
                    "above": [6, 3],
                    "below": [3, 7],
                }
            },
            "之和须为10",
        ),
        ({"rule": {"type": "bonus", "step": 1, "per_step": 1, "cap": -2}}, "加分上限不能小于0"),
        ({"source": "indicator", "code": "births"}, "出生人数不能作为考核目标"),
        ({"code": "nonexistent"}, "没有该指标"),
        ({"rule": {"type": "points"}}, "直接评分只用于人工评分项"),
    ],
)
def test_a_bad_item_is_refused_in_chinese_and_nothing_is_saved(
    units, officer, fake, fields, message
):
    scheme = _scheme(units, officer)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        _item(officer, scheme, 1, **fields)
    assert message in " ".join(caught.value.messages)
    assert not SchemeItem.objects.filter(scheme=scheme).exists()
    assert AuditEntry.objects.count() == before


def test_publishing_locks_and_versions_copying_makes_a_new_draft(units, officer, fake):
    first = _scheme(units, officer)
    _item(officer, first, 1)
    with pytest.raises(ValidationError, match="没有考核指标"):
        services.scheme_publish(actor=officer, scheme=_scheme(units, officer))
    services.scheme_publish(actor=officer, scheme=first)
    with pytest.raises(ValidationError, match="方案已发布"):
        _item(officer, first, 2)
    with pytest.raises(ValidationError, match="方案已发布"):
        services.item_delete(actor=officer, item=first.items.get())
    copy = services.scheme_copy(actor=officer, scheme=first, year=2027)
    assert copy.is_draft and copy.based_on == first
    assert list(copy.items.values_list("number", "rule")) == [(1, {"type": "threshold"})]
    item = copy.items.get()
    services.item_save(
        actor=officer,
        scheme=copy,
        item=item,
        number=1,
        group="人口调控",
        name="第1项",
        points=D(12),
        source="fake",
        code="rate",
        target=D(97),
        direction="ge",
        rule={"type": "threshold"},
    )
    assert first.items.get().points == 10  # the published scheme is untouched
    assert services.scheme_publish(actor=officer, scheme=copy).version == 2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assessment.scheme_create", "assessment.scheme_publish", "assessment.scheme_copy"} <= (
        actions
    )
    assert item.history.count() >= 2


def _published(units, officer):
    scheme = _scheme(units, officer)
    _item(
        officer,
        scheme,
        1,
        name="人口自然增长率",
        code="growth",
        target=D("9.31"),
        direction="le",
        points=D(20),
        rule={"type": "threshold", "veto": {"effect": "zero"}},
    )
    _item(
        officer,
        scheme,
        2,
        name="某比例",
        rule={"type": "linear", "step": "1", "deduct": "2", "floor": "0"},
    )
    _item(
        officer,
        scheme,
        3,
        name="工作机制",
        source="manual",
        code="",
        target=None,
        points=D(5),
        rule={"type": "points"},
    )
    return services.scheme_publish(actor=officer, scheme=scheme)


def test_sheets_explain_every_point_and_the_veto_puts_its_township_last(units, officer, fake):
    scheme = _published(units, officer)
    services.manual_score_set(
        actor=officer,
        item=scheme.items.get(number=3),
        unit=units[TOWNSHIP_B],
        value=D(4),
        reason="文件齐全，会议记录缺一次",
    )
    found = {s.unit_code: s for s in sheets.compute(scheme, ON)}
    a, b = found[TA], found[TB]
    # A: growth 8.5 ≤ 9.31 → 20; rate 95 vs 96 → one step short → 10 − 2 = 8; manual none → 0.
    assert [ln.scored.points for ln in a.lines] == [D(20), D(8), D(0)]
    assert a.total == D(28) and not a.vetoed
    # B: growth 9.8 > 9.31 → 0 and vetoed; rate 99 → 10; manual 4 → total zeroed by the veto.
    assert [ln.scored.points for ln in b.lines] == [D(0), D(10), D(4)]
    assert b.base == D(14) and b.total == D(0)
    assert (
        b.vetoes[0].text
        == "第1项“人口自然增长率”：实际值9.8，未达到目标≤9.31，一票否决（总分记为0）"
    )
    assert (a.rank, b.rank) == (1, 2)
    assert b.lines[2].manual.reason == "文件齐全，会议记录缺一次"
    assert fake.reads == 1  # one read for both townships and both items


def test_a_vetoed_township_with_the_higher_score_still_ranks_after_the_others(units, officer, fake):
    scheme = _scheme(units, officer)
    _item(
        officer,
        scheme,
        1,
        code="growth",
        target=D("9.9"),
        direction="le",
        rule={"type": "threshold", "veto": {"effect": "cap", "cap": 60}},
    )
    _item(officer, scheme, 2, points=D(90), code="rate", target=D(99), rule={"type": "threshold"})
    scheme = services.scheme_publish(actor=officer, scheme=scheme)
    fake.values[(TA, "growth")] = 10.5  # A misses the growth target: capped at 60
    found = {s.unit_code: s for s in sheets.compute(scheme, ON)}
    # A: 0 + 0 (95 < 99) → 0, capped 60 → 0, vetoed; B: 10 + 90 = 100.
    assert found[TB].total == 100 and found[TB].rank == 1
    fake.values[(TB, "rate")] = 50  # B now scores 10, A still vetoed with 0 → A after B
    fake.values[(TA, "rate")] = 99  # A: 0 + 90 = 90, capped at 60
    found = {s.unit_code: s for s in sheets.compute(scheme, ON)}
    assert found[TA].total == 60 and found[TB].total == 10
    assert (found[TB].rank, found[TA].rank) == (1, 2)
    assert "总分不超过60分" in found[TA].vetoes[0].text


def test_deductions_and_supervision_sources_take_points_off(units, officer, fake):
    scheme = _published(units, officer)
    services.deduction_add(
        actor=officer, scheme=scheme, unit=units[TOWNSHIP_A], points=D(3), reason="台账不全"
    )

    class Supervision:
        def task_result(self, unit_code, year, task_id, on):
            return (1, 1, ["/supervision/tasks/1/"])

        def deductions(self, unit_code, year, on):
            return (
                [(D("1.5"), "督查发现漏登", "/supervision/findings/7/")]
                if unit_code == TOWNSHIP_A
                else []
            )

    real = sources.deduction_sources().get("supervision")
    sources.register_deductions(sources.SupervisionDeductions(Supervision()))
    try:
        sheet = sheets.compute(scheme, ON, only=[TA])[0]
    finally:  # the installed supervision app's source again, for the tests after this one
        sources.unregister("supervision")
        if real is not None:
            sources.register_deductions(real)
    assert sheet.deducted == D("4.5") and sheet.total == D("23.5")
    assert [d.reason for d in sheet.deductions] == ["台账不全", "督查发现漏登"]
    assert sheet.deductions[1].link == "/supervision/findings/7/"


def test_a_supervision_task_is_a_source_of_an_item(units, officer):
    calls = []

    class Supervision:
        def task_choices(self):
            return [("12", "服务站5月15日前完成改造")]

        def task_result(self, unit_code, year, task_id, on):
            calls.append((unit_code, year, task_id, on))
            return (0 if unit_code == TOWNSHIP_B else 1, 1, ["/evidence/1/"])

    real = sources.kinds().get("supervision_task")
    sources.register(sources.SupervisionTasks(Supervision()))
    try:
        scheme = _scheme(units, officer)
        services.item_save(
            actor=officer,
            scheme=scheme,
            number=1,
            group="重点工作",
            name="服务站改造",
            points=D(5),
            source="supervision_task",
            code="12",
            target=D(1),
            direction="ge",
            rule={"type": "threshold"},
        )
        scheme = services.scheme_publish(actor=officer, scheme=scheme)
        found = {s.unit_code: s for s in sheets.compute(scheme, ON)}
    finally:  # the installed supervision app's source again, for the tests after this one
        sources.unregister("supervision_task")
        if real is not None:
            sources.register(real)
    assert found[TA].total == 5 and found[TB].total == 0
    assert found[TA].lines[0].reading.evidence == (("佐证1", "/evidence/1/"),)
    assert (TOWNSHIP_A, 2027, "12", ON) in calls


def test_manual_scores_are_checked_and_only_for_manual_items(units, officer, fake):
    scheme = _published(units, officer)
    manual, automatic = scheme.items.get(number=3), scheme.items.get(number=1)
    with pytest.raises(ValidationError, match="须在0到5之间"):
        services.manual_score_set(
            actor=officer, item=manual, unit=units[TOWNSHIP_A], value=D(6), reason="x"
        )
    with pytest.raises(ValidationError, match="自动计算"):
        services.manual_score_set(
            actor=officer, item=automatic, unit=units[TOWNSHIP_A], value=D(1), reason="x"
        )
    with pytest.raises(ValidationError, match="不是本方案的考核对象"):
        services.manual_score_set(
            actor=officer, item=manual, unit=units["620002100000"], value=D(1), reason="x"
        )
    with pytest.raises(ValidationError, match="评分依据"):
        services.manual_score_set(
            actor=officer, item=manual, unit=units[TOWNSHIP_A], value=D(1), reason="  "
        )


def test_a_frozen_result_keeps_its_scores_when_the_figures_change(units, officer, fake):
    scheme = _published(units, officer)
    first = services.scores_freeze(actor=officer, scheme=scheme, on=ON, reason="年终考核定格")
    fake.values[(TA, "rate")] = 50
    services.deduction_add(
        actor=officer, scheme=scheme, unit=units[TOWNSHIP_A], points=D(1), reason="补充扣分"
    )
    first.refresh_from_db()
    stored = {row["unit"]: row for row in first.data}
    assert stored[TOWNSHIP_A]["total"] == "28.00"
    assert stored[TOWNSHIP_B]["vetoes"] and stored[TOWNSHIP_B]["total"] == "0.00"
    assert sheets.compute(scheme, ON, only=[TA])[0].total == D(19)  # 20 + 0 − 1
    second = services.scores_freeze(actor=officer, scheme=scheme, on=ON, reason="复核：补充扣分")
    assert second.version == 2
    assert {row["unit"]: row["total"] for row in second.data}[TOWNSHIP_A] == "19.00"
    with pytest.raises(ValidationError, match="定格说明"):
        services.scores_freeze(actor=officer, scheme=scheme, on=ON, reason="")


def test_a_withdrawn_deduction_no_longer_counts(units, officer, fake):
    scheme = _published(units, officer)
    row = services.deduction_add(
        actor=officer, scheme=scheme, unit=units[TOWNSHIP_A], points=D(5), reason="误扣"
    )
    services.deduction_withdraw(actor=officer, deduction=row, reason="核实后撤销")
    assert Deduction.objects.get(pk=row.pk).withdrawn_reason == "核实后撤销"
    assert sheets.compute(scheme, ON, only=[TA])[0].deducted == 0
