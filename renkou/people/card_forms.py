"""Forms of the card pages: a child, a contraception episode, a pregnancy (domain.md §2.5).

They check one row on its own (dates in order and not in the future, a reason when no method
is used, a readable child ID); the rules that need the rest of the card (parity unique,
sterilised + pregnant, the mother's age) run in ``people.card_services`` under the card's lock.
Coded fields are selects over the dictionary. No quota, permit, fine or compulsory-check field
exists here (product.md).

A child's ID number is never put into a GET page: on editing, the input starts empty ("leave
empty to keep") and its placeholder shows the masked number, as on the person form.
"""

from datetime import date
from typing import Any

from django import forms

from renkou.common import dicts, idnumber
from renkou.common.forms import INT_MAX, BaseForm, DateField, choice_field, styled
from renkou.people.constants import NO_CONTRACEPTION, Survival
from renkou.people.forms import PICK
from renkou.people.models import Child, ContraceptionEpisode, Pregnancy, WomanCard

DATE_HINT = {"placeholder": "如 2024-03-05"}
# A birth medical certificate number (出生医学证明编号): a letter, then letters and digits.
CERTIFICATE_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
CERTIFICATE_CHARS = CERTIFICATE_LETTERS | frozenset("0123456789")


def _date(label: str, *, required: bool = True) -> DateField:
    return DateField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs=DATE_HINT),
        error_messages={"required": f"请填写{label}"},
    )


def _select(label: str, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=required, error_messages={"required": f"请选择{label}"}
    )


class CardRowForm(BaseForm):
    """Common to the three forms: dictionary choices, initial values from the row being edited
    (secret fields left out), the card's version for the optimistic lock, and ``values``."""

    model: type[Child | ContraceptionEpisode | Pregnancy]
    coded: dict[str, str] = {}  # field → dictionary type code
    secret: frozenset[str] = frozenset()  # never shown; left empty on editing = keep
    version = forms.IntegerField(required=False, max_value=INT_MAX, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        card: WomanCard,
        today: date,
        row: Any = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        self.card, self.today, self.row = card, today, row
        values = self._initial(row) if row is not None else dict(initial or {})
        values["version"] = card.version
        super().__init__(data, initial=values)
        for name, code in self.coded.items():
            choice_field(self, name).choices = PICK + dicts.choices(code)
        styled(self)

    def _initial(self, row: Any) -> dict[str, Any]:
        names = [n for n in self.base_fields if n != "version" and n not in self.secret]
        return {n: getattr(row, n) for n in names}

    @property
    def marked(self) -> frozenset[str]:
        """Required fields, starred by ``people/_field.html``."""
        return frozenset(n for n, f in self.fields.items() if f.required)

    @property
    def values(self) -> dict[str, Any]:
        """The cleaned row values; an empty secret field on editing is left out (kept)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for name in self.secret:
            if self.row is not None and not data.get(name):
                data.pop(name, None)
        return data

    def _not_future(self, name: str, label: str) -> None:
        day = self.cleaned_data.get(name)
        if day is not None and day > self.today:
            self.add_error(name, f"{label}不能晚于今天")


class ChildForm(CardRowForm):
    model = Child
    coded = {
        "sex": "sex",
        "kinship": "child_kinship",
        "health": "child_health",
        "policy_attribute": "policy_attribute",
    }
    secret = frozenset({"id_number"})

    parity = forms.IntegerField(
        label="孩次",
        min_value=1,
        max_value=20,
        error_messages={
            "required": "请填写孩次",
            "min_value": "孩次应为1–20",
            "max_value": "孩次应为1–20",
            "invalid": "孩次应为数字",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autofocus": True}),
    )
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    sex = _select("性别")
    birth_date = _date("出生日期")
    id_number = forms.CharField(
        label="身份证号或出生医学证明编号",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    kinship = _select("亲缘关系")
    health = _select("健康状况")
    policy_attribute = _select("政策属性（统计用）", required=False)
    survival = forms.ChoiceField(label="存活状况", choices=Survival.choices)
    death_date = _date("死亡日期", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.row is not None:
            # No part of the number beside the birth date this form shows (docs/masking.md).
            recorded = "已登记" if self.row.id_number else "无"
            attrs = self.fields["id_number"].widget.attrs
            attrs["placeholder"] = f"不修改请留空（当前 {recorded}）"

    def clean_id_number(self) -> str:
        value = idnumber.normalise(self.cleaned_data.get("id_number", ""))
        if not value:
            return ""
        if value[0] in CERTIFICATE_LETTERS:  # a certificate number starts with a letter
            if not 5 <= len(value) <= 20 or not set(value) <= CERTIFICATE_CHARS:
                raise forms.ValidationError("出生医学证明编号应为字母开头的5–20位字母和数字")
            return value
        result = idnumber.validate(value, today=self.today)
        if result.errors:
            raise forms.ValidationError(result.errors[0].message)
        return result.value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._not_future("birth_date", "出生日期")
        self._check_death(data)
        self._check_id(data)
        return data

    def _check_death(self, data: dict[str, Any]) -> None:
        born, died = data.get("birth_date"), data.get("death_date")
        if data.get("survival") == Survival.DEAD and died is None:
            if "death_date" not in self.errors:
                self.add_error("death_date", "子女已死亡时请填写死亡日期")
        elif data.get("survival") == Survival.ALIVE and died is not None:
            self.add_error("death_date", "存活的子女不填写死亡日期")
        elif born and died and died < born:
            self.add_error("death_date", "死亡日期不能早于出生日期")
        else:
            self._not_future("death_date", "死亡日期")

    def _check_id(self, data: dict[str, Any]) -> None:
        number = data.get("id_number", "")
        if len(number) != 18 or not number[:-1].isdigit():
            return
        info = idnumber.validate(number, today=self.today).info
        if info is None:
            return
        for found in idnumber.compare(info, birth_date=data.get("birth_date"), sex=data.get("sex")):
            self.add_error("id_number", found.message)


class EpisodeForm(CardRowForm):
    model = ContraceptionEpisode
    coded = {
        "method": "contraception_method",
        "institution_type": "institution_type",
        "no_method_reason": "no_contraception_reason",
    }

    method = _select("避孕方法")
    start = _date("开始日期")
    end = _date("结束日期", required=False)
    no_method_reason = _select("未避孕原因", required=False)
    institution = forms.CharField(label="施术/服务机构", required=False, max_length=100)
    institution_type = _select("机构类型", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].widget.attrs["autofocus"] = True
        self.fields["end"].help_text = "取环、复通或停用时填写"
        self.fields["no_method_reason"].help_text = "避孕方法为“未避孕”时必填"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._not_future("start", "开始日期")
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "结束日期不能早于开始日期")
        else:
            self._not_future("end", "结束日期")
        method, reason = data.get("method"), data.get("no_method_reason")
        if method == NO_CONTRACEPTION and not reason:
            self.add_error("no_method_reason", "避孕方法为“未避孕”时，请选择未避孕原因")
        elif method and method != NO_CONTRACEPTION and reason:
            self.add_error("no_method_reason", "只有避孕方法为“未避孕”时才填写未避孕原因")
        return data


class PregnancyForm(CardRowForm):
    model = Pregnancy
    coded = {"outcome": "pregnancy_outcome"}

    detected_on = _date("发现日期")
    weeks = forms.IntegerField(
        label="孕周",
        required=False,
        min_value=1,
        max_value=45,
        error_messages={
            "min_value": "孕周应为1–45",
            "max_value": "孕周应为1–45",
            "invalid": "孕周应为数字",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    fetuses = forms.IntegerField(
        label="胎儿数",
        min_value=1,
        max_value=9,
        initial=1,
        error_messages={
            "required": "请填写胎儿数",
            "min_value": "胎儿数应为1–9",
            "max_value": "胎儿数应为1–9",
            "invalid": "胎儿数应为数字",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    outcome = _select("妊娠结局", required=False)
    outcome_date = _date("结局日期", required=False)
    notes = forms.CharField(label="备注", required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["detected_on"].widget.attrs["autofocus"] = True
        self.fields["outcome"].help_text = "尚在妊娠中（现孕）时不选"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._not_future("detected_on", "发现日期")
        detected, outcome = data.get("detected_on"), data.get("outcome")
        when = data.get("outcome_date")
        if outcome and when is None and "outcome_date" not in self.errors:
            self.add_error("outcome_date", "已选择妊娠结局时，请填写结局日期")
        elif when is not None and not outcome:
            self.add_error("outcome", "填写了结局日期时，请选择妊娠结局")
        elif detected and when and when < detected:
            self.add_error("outcome_date", "结局日期不能早于发现日期")
        else:
            self._not_future("outcome_date", "结局日期")
        return data
