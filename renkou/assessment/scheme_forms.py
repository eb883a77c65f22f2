"""Forms of the assessment scheme pages. The item form builds the scoring rule (structured
data) from plain fields a county officer can fill in — rule type, steps, bands one per line,
weights as "7:3", the veto — and leaves every rule of the rule to ``services.check_item``, so
the form and an import cannot disagree."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from renkou.assessment import scoring, sources
from renkou.assessment.models import Scheme
from renkou.common.forms import DateField, StyledForm, choice_field

DECIMAL = {"max_digits": 10, "decimal_places": 2, "required": False}
VETO_CHOICES = [("", "无"), ("zero", "总分记为0"), ("cap", "总分封顶")]
VETO_OPS = [("", "未达到目标时"), ("<", "实际值低于"), (">", "实际值高于"), (">=", "实际值达到")]


class SchemeCreateForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    level = forms.ChoiceField(label="考核对象", choices=Scheme.Level.choices)
    name = forms.CharField(label="方案名称", max_length=100, required=False)
    from_template = forms.BooleanField(
        label="从国优33项指标模板开始（重构模板，请对照省级文件核实）",
        required=False,
        initial=True,
    )


class CopyForm(StyledForm):
    year = forms.IntegerField(label="复制为年度", min_value=2000, max_value=2100)


class SchemeRenameForm(StyledForm):
    name = forms.CharField(label="方案名称", max_length=100)
    notice = forms.CharField(
        label="提示",
        max_length=200,
        required=False,
        help_text="模板方案的“重构模板，请对照省级文件核实”：核实后可删去",
    )


def _source_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("manual:", "人工评分（考核组录入）")]
    for code, kind in sources.kinds().items():
        choices.append((kind.label, [(f"{code}:{c}", f"{name}") for c, name in kind.choices()]))
    return choices


class ItemForm(StyledForm):
    number = forms.IntegerField(label="序号", min_value=1, max_value=999)
    group = forms.CharField(label="类别", max_length=40)
    name = forms.CharField(label="考核内容", max_length=200)
    points = forms.DecimalField(label="分值", max_digits=6, decimal_places=2, min_value=0)
    source = forms.ChoiceField(label="数据来源")
    target = forms.DecimalField(label="目标值", **DECIMAL)
    direction = forms.ChoiceField(
        label="方向", choices=[("ge", "不低于（≥）"), ("le", "不高于（≤）")]
    )
    rule_type = forms.ChoiceField(label="评分方法", choices=list(scoring.RULE_TYPES.items()))
    step = forms.DecimalField(label="步长（按差距扣分、加分项）", **DECIMAL)
    deduct = forms.DecimalField(label="每步扣分", **DECIMAL)
    floor = forms.DecimalField(label="最低得分", **DECIMAL)
    per_step = forms.DecimalField(label="每步加分（加分项）", **DECIMAL)
    bands = forms.CharField(
        label="分段（每行：下限,上限,得分；空表示不限）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "85,,4\n80,85,2\n,80,0"}),
    )
    reference = forms.ChoiceField(
        label="进度参照", choices=[("", "—"), *scoring.REFERENCES.items()], required=False
    )
    above = forms.CharField(label="不差于参照时 水平:进度", max_length=10, required=False)
    below = forms.CharField(label="差于参照时 水平:进度", max_length=10, required=False)
    population_weight = forms.BooleanField(label="按人口规模加权", required=False)
    veto = forms.ChoiceField(label="一票否决", choices=VETO_CHOICES, required=False)
    veto_cap = forms.DecimalField(label="否决封顶分", **DECIMAL)
    veto_op = forms.ChoiceField(label="否决条件", choices=VETO_OPS, required=False)
    veto_value = forms.DecimalField(label="否决条件的值", **DECIMAL)
    standard = forms.CharField(label="评分标准说明", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _source_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        data["rule"] = self._rule(data)
        return data

    def _rule(self, data: dict[str, Any]) -> dict[str, Any]:
        kind = data["rule_type"]
        rule: dict[str, Any] = {"type": kind}
        fields = {
            scoring.LINEAR: ("step", "deduct", "floor"),
            scoring.BONUS: ("step", "per_step"),
        }.get(kind, ())
        for name in fields:
            if data.get(name) is not None:
                rule[name] = str(data[name])
        if kind == scoring.BONUS:
            rule["cap"] = str(data["points"])
        if kind == scoring.BANDS:
            rule["bands"] = _bands(data.get("bands", ""))
        if kind == scoring.LEVEL_PROGRESS:
            rule["reference"] = data.get("reference")
            rule["above"] = _pair(data.get("above", ""), "不差于参照时的权重")
            rule["below"] = _pair(data.get("below", ""), "差于参照时的权重")
        if data.get("population_weight"):
            rule["population_weight"] = True
        if data.get("veto"):
            rule["veto"] = _veto(data)
        return rule

    @staticmethod
    def initial_of(item: Any) -> dict[str, Any]:
        rule = item.rule
        veto = rule.get("veto") or {}
        when = veto.get("when") or {}
        bands = "\n".join(
            ",".join("" if b.get(k) is None else str(b[k]) for k in ("min", "max", "points"))
            for b in rule.get("bands", [])
        )
        return {
            "number": item.number,
            "group": item.group,
            "name": item.name,
            "points": item.points,
            "source": f"{item.source}:{item.code}",
            "target": item.target,
            "direction": item.direction,
            "rule_type": rule.get("type"),
            "step": rule.get("step"),
            "deduct": rule.get("deduct"),
            "floor": rule.get("floor"),
            "per_step": rule.get("per_step"),
            "bands": bands,
            "reference": rule.get("reference", ""),
            "above": ":".join(str(w) for w in rule.get("above", [])),
            "below": ":".join(str(w) for w in rule.get("below", [])),
            "population_weight": bool(rule.get("population_weight")),
            "veto": veto.get("effect", ""),
            "veto_cap": veto.get("cap"),
            "veto_op": when.get("op", ""),
            "veto_value": when.get("value"),
            "standard": item.standard,
        }


def _bands(text: str) -> list[dict[str, Any]]:
    bands = []
    for n, line in enumerate(text.strip().splitlines(), 1):
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 3 or not parts[2]:
            raise ValidationError(f"分段第{n}行须为“下限,上限,得分”")
        try:
            low, high, points = (None if p == "" else float(p) for p in parts)
        except ValueError as exc:
            raise ValidationError(f"分段第{n}行须为数字") from exc
        bands.append({"min": low, "max": high, "points": points})
    return bands


def _pair(text: str, label: str) -> list[Any]:
    parts = [p.strip() for p in text.replace("：", ":").split(":")]
    if len(parts) != 2:
        raise ValidationError(f"{label}须写成“7:3”的形式")
    try:
        return [float(p) for p in parts]
    except ValueError as exc:
        raise ValidationError(f"{label}须为数字") from exc


def _veto(data: dict[str, Any]) -> dict[str, Any]:
    veto: dict[str, Any] = {"effect": data["veto"]}
    if data["veto"] == scoring.CAP:
        if data.get("veto_cap") is None:
            raise ValidationError("否决封顶须填写封顶分")
        veto["cap"] = float(data["veto_cap"])
    if data.get("veto_op"):
        if data.get("veto_value") is None:
            raise ValidationError("否决条件须填写比较的值")
        veto["when"] = {"fact": "value", "op": data["veto_op"], "value": float(data["veto_value"])}
    return veto


class ManualForm(StyledForm):
    value = forms.DecimalField(label="评定值", max_digits=10, decimal_places=2)
    reason = forms.CharField(
        label="评分依据", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(label="佐证材料（PDF、JPG、PNG）", required=False)


class DeductionForm(StyledForm):
    points = forms.DecimalField(label="扣分", max_digits=6, decimal_places=2, min_value=0)
    reason = forms.CharField(
        label="扣分原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    item = forms.TypedChoiceField(label="相关指标", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—（不针对具体指标）")] + [
            (i.pk, f"{i.number}. {i.name}") for i in scheme.items.order_by("number")
        ]


class ReasonForm(StyledForm):
    reason = forms.CharField(label="说明", max_length=300)


class OnForm(StyledForm):
    on = DateField(label="计分日期", required=False)


def _n(value: Any) -> str:
    return f"{value.normalize():f}"


class TownshipTargetForm(StyledForm):
    """A township's own target for one item of a draft township scheme, with the reason."""

    unit = forms.ChoiceField(
        label="乡镇",
        error_messages={"required": "请选择乡镇", "invalid_choice": "请选择本县的乡镇"},
    )
    item = forms.TypedChoiceField(
        label="考核指标",
        coerce=int,
        error_messages={"required": "请选择考核指标", "invalid_choice": "请选择有目标值的指标"},
    )
    target = forms.DecimalField(
        label="该乡镇目标值",
        max_digits=10,
        decimal_places=2,
        error_messages={"required": "请填写目标值", "invalid": "目标值应为数字"},
    )
    reason = forms.CharField(
        label="调整理由", max_length=300, error_messages={"required": "请填写调整理由"}
    )

    def __init__(self, *args: Any, scheme: Scheme, townships: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = [(u.code, u.name) for u in townships]
        choice_field(self, "item").choices = [
            (i.pk, f"{i.number}. {i.name}（{'≤' if i.direction == 'le' else '≥'}{_n(i.target)}）")
            for i in scheme.items.exclude(target=None).order_by("number")
        ]


class LettersIssueForm(StyledForm):
    county_signatory = forms.CharField(
        label="甲方（县人民政府）签字人",
        max_length=40,
        error_messages={"required": "请填写甲方（县）签字人"},
    )
    issued_on = DateField(label="签订日期", error_messages={"required": "请填写签订日期"})
    wording = forms.CharField(
        label="责任书正文（各乡镇相同；指标与目标按方案和乡镇调整自动列出）",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=4000,
        error_messages={"required": "请填写责任书正文"},
    )


class AcknowledgeForm(StyledForm):
    township_signatory = forms.CharField(
        label="乙方（乡镇人民政府）签字人",
        max_length=40,
        error_messages={"required": "请填写乙方（乡镇）签字人"},
    )


class CountyFigureForm(StyledForm):
    """One figure of another county of the prefecture (地区各县市对比)."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    county_name = forms.CharField(
        label="县（市）", max_length=40, error_messages={"required": "请填写县（市）名称"}
    )
    measure = forms.ChoiceField(label="指标")
    value = forms.DecimalField(
        label="数值",
        max_digits=10,
        decimal_places=2,
        error_messages={"required": "请填写数值", "invalid": "数值应为数字"},
    )
    note = forms.CharField(label="说明（如：地区通报文号）", max_length=200, required=False)

    def __init__(self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "measure").choices = measures


class CountyImportForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    file = forms.FileField(label="文件（.xlsx、.xls、.csv）")


class CompareForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    measure = forms.ChoiceField(label="指标", required=False)

    def __init__(self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "measure").choices = measures
