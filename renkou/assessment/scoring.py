"""Scoring rules of the assessment schemes (考核评分规则, domain.md §8), as structured data
(architecture.md "Rules"): each scheme item holds one rule, a JSON object checked by
``check_rule`` before it is saved and applied by ``score``. No domain data is read here: the
caller passes the item's value (as displayed, so a verdict never disagrees with the page), its
target and direction, and the reference value a level-and-progress rule needs.

Rule types (``type``):

- ``threshold`` 达标得分: full points when the target is met, else 0.
- ``linear`` 按差距扣分: full points when met; otherwise ``deduct`` points per ``step`` (or part
  of one) short of the target, never below ``floor`` (e.g. −0.3 per 0.1 point below).
- ``bands`` 分段计分: ``bands`` = [{"min": a, "max": b, "points": p}, …], the value in
  [min, max) scores p (an open end is null); bands may not overlap.
- ``level_progress`` 水平与进度: the level (value against the target) and the progress (value
  against a ``reference``: last year's value or the county's own) weighted ``above`` (e.g. 7:3)
  when the value is at or better than the reference, ``below`` (e.g. 3:7) when worse; each pair
  sums to 10. Level share = 1 when met, else value ÷ target (≥) or target ÷ value (≤); progress
  share = 1 when at or better than the reference, else value ÷ reference (≥) or reference ÷
  value (≤).
- ``points`` 直接评分: the value is the points (manual items judged by assessors).
- ``bonus`` 加分: ``per_step`` points for every whole ``step`` beyond the target, at most
  ``cap`` (the item's points are its cap and are not part of the base total).

Options for every type: ``population_weight`` (按人口规模加权: points × the unit's population ÷
the mean population of the units assessed, never above the item's points) and ``veto``
(一票否决): ``{"effect": "zero" | "cap", "cap": 60, "when": <condition>}``; ``when`` is a
condition of ``renkou.common.rules`` over the facts ``value``, ``target`` and ``met``
(default: the target is missed). A veto sets the unit's total to 0 or caps it at ``cap``.
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from renkou.common import rules
from renkou.common.figures import AT_LEAST, AT_MOST

THRESHOLD, LINEAR, BANDS, LEVEL_PROGRESS, POINTS, BONUS = (
    "threshold",
    "linear",
    "bands",
    "level_progress",
    "points",
    "bonus",
)
RULE_TYPES = {
    THRESHOLD: "达标得分",
    LINEAR: "按差距扣分",
    BANDS: "分段计分",
    LEVEL_PROGRESS: "水平与进度加权",
    POINTS: "直接评分",
    BONUS: "加分项",
}
REFERENCES = {"last_year": "上年水平", "county": "全县水平"}
ZERO, CAP = "zero", "cap"
VETO_EFFECTS = {ZERO: "总分记为0", CAP: "总分封顶"}
VETO_FACTS = {"value": "实际值", "target": "目标值", "met": "是否达标"}
DEFAULT_VETO_WHEN: dict[str, Any] = {"fact": "met", "op": "is_false"}
WEIGHT_SUM = Decimal(10)
CENT = Decimal("0.01")
KEYS = {
    THRESHOLD: set(),
    LINEAR: {"step", "deduct", "floor"},
    BANDS: {"bands"},
    LEVEL_PROGRESS: {"reference", "above", "below"},
    POINTS: set(),
    BONUS: {"step", "per_step", "cap"},
}
COMMON_KEYS = {"type", "population_weight", "veto"}


def num(value: Any) -> str:
    """A number without trailing zeros (5.00 → 5, 0.30 → 0.3)."""
    return f"{Decimal(str(value)).normalize():f}"


def _number(value: Any, label: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValidationError(f"{label}须为数字")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError(f"{label}须为数字") from exc
    if not number.is_finite():
        raise ValidationError(f"{label}须为数字")
    return number


def _optional(value: Any, label: str) -> Decimal | None:
    return None if value is None else _number(value, label)


# --- checking a rule ----------------------------------------------------------------------------


def check_rule(rule: Any, *, points: Decimal, target: Decimal | None) -> None:
    """Raise ``ValidationError`` (Chinese) unless ``rule`` is a well-formed rule for an item of
    ``points`` with ``target``."""
    if not isinstance(rule, dict) or rule.get("type") not in RULE_TYPES:
        raise ValidationError(f"评分规则类型无效（可用：{'、'.join(RULE_TYPES.values())}）")
    kind = rule["type"]
    unknown = set(rule) - KEYS[kind] - COMMON_KEYS
    if unknown:
        raise ValidationError(f"评分规则含有未知的项：{'、'.join(sorted(unknown))}")
    if kind not in (POINTS,) and target is None:
        raise ValidationError("该评分规则需要目标值")
    {
        THRESHOLD: lambda: None,
        LINEAR: lambda: _check_linear(rule, points),
        BANDS: lambda: _check_bands(rule, points),
        LEVEL_PROGRESS: lambda: _check_level_progress(rule),
        POINTS: lambda: None,
        BONUS: lambda: _check_bonus(rule, points),
    }[kind]()
    if points < 0:
        raise ValidationError("分值不能小于0")
    if "population_weight" in rule and not isinstance(rule["population_weight"], bool):
        raise ValidationError("按人口加权须为是或否")
    if rule.get("veto") is not None:
        _check_veto(rule["veto"])


def _check_linear(rule: dict[str, Any], points: Decimal) -> None:
    step = _number(rule.get("step"), "扣分步长")
    deduct = _number(rule.get("deduct"), "每步扣分")
    floor = _number(rule.get("floor", 0), "最低得分")
    if step <= 0:
        raise ValidationError("扣分步长须大于0")
    if deduct <= 0:
        raise ValidationError("每步扣分须大于0")
    if not 0 <= floor <= points:
        raise ValidationError(f"最低得分须在0到分值{num(points)}之间")


def _check_bands(rule: dict[str, Any], points: Decimal) -> None:
    bands = rule.get("bands")
    if not isinstance(bands, list) or not bands:
        raise ValidationError("分段计分须至少有一档")
    spans = []
    for n, band in enumerate(bands, 1):
        if not isinstance(band, dict) or set(band) - {"min", "max", "points"}:
            raise ValidationError(f"第{n}档须写明下限 min、上限 max 和得分 points")
        low = _optional(band.get("min"), f"第{n}档下限")
        high = _optional(band.get("max"), f"第{n}档上限")
        got = _number(band.get("points"), f"第{n}档得分")
        if low is not None and high is not None and low >= high:
            raise ValidationError(f"第{n}档的下限（{num(low)}）须小于上限（{num(high)}）")
        if not 0 <= got <= points:
            raise ValidationError(f"第{n}档得分须在0到分值{num(points)}之间")
        spans.append((low, high, n))
    spans.sort(key=lambda s: (s[0] is not None, s[0] or 0))
    for (_low1, high1, n1), (low2, _high2, n2) in zip(spans, spans[1:], strict=False):
        if high1 is None or low2 is None or low2 < high1:
            raise ValidationError(f"第{n1}档与第{n2}档的区间重叠")


def _weights(value: Any, label: str) -> tuple[Decimal, Decimal]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValidationError(f"{label}须为两个数（水平:进度，如 7:3）")
    level, progress = (_number(v, label) for v in value)
    if level < 0 or progress < 0:
        raise ValidationError(f"{label}不能为负数")
    if level + progress != WEIGHT_SUM:
        raise ValidationError(f"{label}之和须为10（如 7:3），现为{num(level + progress)}")
    return level, progress


def _check_level_progress(rule: dict[str, Any]) -> None:
    if rule.get("reference") not in REFERENCES:
        raise ValidationError(f"参照值须为：{'、'.join(REFERENCES.values())}")
    _weights(rule.get("above"), "高于参照时的权重")
    _weights(rule.get("below"), "低于参照时的权重")


def _check_bonus(rule: dict[str, Any], points: Decimal) -> None:
    cap = _number(rule.get("cap"), "加分上限")
    if cap < 0:
        raise ValidationError("加分上限不能小于0")
    if cap != points:
        raise ValidationError(f"加分项的分值即加分上限，应为{num(cap)}")
    if _number(rule.get("step"), "加分步长") <= 0:
        raise ValidationError("加分步长须大于0")
    if _number(rule.get("per_step"), "每步加分") <= 0:
        raise ValidationError("每步加分须大于0")


def _check_veto(veto: Any) -> None:
    if not isinstance(veto, dict) or veto.get("effect") not in VETO_EFFECTS:
        raise ValidationError("一票否决须写明效果：总分记为0（zero）或封顶（cap）")
    if set(veto) - {"effect", "cap", "when"}:
        raise ValidationError("一票否决含有未知的项")
    if veto["effect"] == CAP:
        cap = _number(veto.get("cap"), "否决封顶分")
        if cap < 0:
            raise ValidationError("否决封顶分不能小于0")
    if "when" in veto:
        try:
            rules.check(veto["when"], VETO_FACTS)
        except rules.RuleError as exc:
            raise ValidationError(f"否决条件有误：{exc}") from exc


# --- applying a rule ----------------------------------------------------------------------------


@dataclass
class Scored:
    points: Decimal  # after population weighting and the item's cap
    met: bool | None
    explanation: str
    veto: dict[str, Any] | None = None  # the veto hit: effect, cap, the trace of its condition
    details: dict[str, Any] = field(default_factory=dict)


def met(value: float | None, target: Decimal | None, direction: str) -> bool | None:
    if value is None or target is None:
        return None
    v = Decimal(str(value))
    return v <= target if direction == AT_MOST else v >= target


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _shortfall(value: Decimal, target: Decimal, direction: str) -> Decimal:
    return value - target if direction == AT_MOST else target - value


def _linear(rule: dict, points: Decimal, value: Decimal, target: Decimal, direction: str) -> tuple:
    short = _shortfall(value, target, direction)
    if short <= 0:
        return points, "达到目标，得满分"
    step, deduct = Decimal(str(rule["step"])), Decimal(str(rule["deduct"]))
    floor = Decimal(str(rule.get("floor", 0)))
    steps = math.ceil(short / step)
    got = max(floor, points - deduct * steps)
    return (
        got,
        f"差{num(short)}，每{num(step)}扣{num(deduct)}分，"
        f"扣{num(min(points - floor, deduct * steps))}分",
    )


def _bands(rule: dict, value: Decimal) -> tuple:
    for band in rule["bands"]:
        low, high = band.get("min"), band.get("max")
        if (low is None or value >= Decimal(str(low))) and (
            high is None or value < Decimal(str(high))
        ):
            got = Decimal(str(band["points"]))
            return got, f"落在[{_bound(low)}, {_bound(high)})档，得{num(got)}分"
    return Decimal(0), "不在任何一档，得0分"


def _bound(value: Any) -> str:
    return "—" if value is None else f"{num(Decimal(str(value)))}"


def _share(value: Decimal, goal: Decimal, direction: str) -> Decimal:
    """How far ``value`` reaches ``goal`` (1 at or beyond it)."""
    better = value <= goal if direction == AT_MOST else value >= goal
    if better:
        return Decimal(1)
    if direction == AT_MOST:
        return goal / value if value > 0 else Decimal(0)
    return max(Decimal(0), value / goal) if goal > 0 else Decimal(0)


def _level_progress(
    rule: dict, points: Decimal, value: Decimal, target: Decimal, direction: str, ref: Any
) -> tuple:
    level = _share(value, target, direction)
    if ref is None:
        return points * level, "无参照值，仅按水平计分"
    reference = Decimal(str(ref))
    progress = _share(value, reference, direction)
    side = "above" if progress == 1 else "below"
    wl, wp = (Decimal(str(w)) for w in rule[side])
    got = points * (wl * level + wp * progress) / WEIGHT_SUM
    where = "不差于" if side == "above" else "差于"
    return got, (
        f"{where}{REFERENCES[rule['reference']]}（{num(reference)}），"
        f"水平:进度 = {num(wl)}:{num(wp)}；"
        f"水平完成{level * 100:.0f}%，进度完成{progress * 100:.0f}%"
    )


def _bonus(rule: dict, value: Decimal, target: Decimal, direction: str) -> tuple:
    excess = -_shortfall(value, target, direction)
    step, per = Decimal(str(rule["step"])), Decimal(str(rule["per_step"]))
    cap = Decimal(str(rule["cap"]))
    steps = math.floor(excess / step) if excess > 0 else 0
    got = min(cap, per * steps)
    beyond = num(max(excess, Decimal(0)))
    return got, f"超出目标{beyond}，每{num(step)}加{num(per)}分（上限{num(cap)}）"


def _base(rule: dict, points: Decimal, value: Decimal, target: Any, direction: str, ref: Any):
    kind = rule["type"]
    if kind == POINTS:
        got = min(max(value, Decimal(0)), points)
        return got, "评定得分"
    if kind == THRESHOLD:
        ok = met(float(value), target, direction)
        return (points, "达到目标，得满分") if ok else (Decimal(0), "未达到目标，不得分")
    if kind == LINEAR:
        return _linear(rule, points, value, target, direction)
    if kind == BANDS:
        return _bands(rule, value)
    if kind == LEVEL_PROGRESS:
        return _level_progress(rule, points, value, target, direction, ref)
    return _bonus(rule, value, target, direction)


def veto_of(rule: dict[str, Any], value: float | None, target: Any, ok: bool | None) -> Any:
    """The veto hit (effect, cap, condition trace), or None."""
    veto = rule.get("veto")
    if not veto:
        return None
    facts = {
        "value": None if value is None else float(value),
        "target": None if target is None else float(target),
        "met": ok,
    }
    result = rules.evaluate(veto.get("when", DEFAULT_VETO_WHEN), facts)
    if not result.passed:
        return None
    return {"effect": veto["effect"], "cap": veto.get("cap"), "trace": result.as_dict()}


def score(
    rule: dict[str, Any],
    *,
    points: Decimal,
    value: float | None,
    target: Decimal | None,
    direction: str = AT_LEAST,
    reference: float | None = None,
    weight: float | None = None,
) -> Scored:
    """The points of one item for one unit. No value (no data yet, nothing entered): 0 points,
    no veto (a page says 无数据 rather than failing the unit on a missing figure)."""
    ok = met(value, target, direction) if rule["type"] != POINTS else None
    if value is None:
        return Scored(Decimal(0), None, "无数据，暂不计分")
    got, why = _base(rule, points, Decimal(str(value)), target, direction, reference)
    if rule.get("population_weight") and weight is not None:
        weighted = min(points, got * Decimal(str(weight)))
        why += f"；按人口规模系数{weight:.2f}加权"
        got = weighted
    return Scored(_cents(got), ok, why, veto_of(rule, value, target, ok))


def describe(rule: dict[str, Any], direction: str = AT_LEAST) -> str:
    """The rule in words, for the scheme page and the score sheet."""
    kind = rule.get("type")
    text = RULE_TYPES.get(kind, "")
    if kind == LINEAR:
        text += f"：每差{rule['step']}扣{rule['deduct']}分，最低{rule.get('floor', 0)}分"
    elif kind == BANDS:
        parts = [
            f"[{_bound(b.get('min'))}, {_bound(b.get('max'))}) {b['points']}分"
            for b in rule["bands"]
        ]
        text += "：" + "；".join(parts)
    elif kind == LEVEL_PROGRESS:
        above, below = rule["above"], rule["below"]
        text += (
            f"：参照{REFERENCES[rule['reference']]}，不差于参照时水平:进度 {above[0]}:{above[1]}，"
            f"差于参照时 {below[0]}:{below[1]}"
        )
    elif kind == BONUS:
        text += f"：每超{rule['step']}加{rule['per_step']}分，上限{rule['cap']}分"
    if rule.get("population_weight"):
        text += "；按人口规模加权"
    veto = rule.get("veto")
    if veto:
        effect = "总分记为0" if veto["effect"] == ZERO else f"总分不超过{veto.get('cap')}分"
        when = "未达到目标" if "when" not in veto else "满足否决条件"
        text += f"；一票否决（{when}时{effect}）"
    return text
