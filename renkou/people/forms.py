"""Forms of the register pages. They validate only; ``people.services`` does the writes.

The person form runs the shared rules (``people.rules.check_person``, the same as the Excel
import) and maps each issue to its field: errors refuse, warnings are shown. A wrong check
character or an ID that disagrees with the typed birth date or sex can be kept with a reason
(domain.md §0.10), so the reason field appears when one of those errors occurs.

Full ID numbers and phones are never put into a GET page: on editing, both inputs start empty
("leave empty to keep") and the stored values are used for the checks.
"""

from dataclasses import asdict
from dataclasses import fields as dataclass_fields
from datetime import date
from typing import Any

from django import forms
from django.urls import reverse

from renkou.common import crypto, dicts, idnumber, validators
from renkou.common.forms import INT_MAX, BaseForm, DateField, choice_field, normalise, styled
from renkou.geo.constants import Level, county_of, township_of
from renkou.geo.models import Unit
from renkou.people import rules, selectors
from renkou.people.constants import HEAD, PERSON_DICTS
from renkou.people.models import Household, Person
from renkou.people.services import id_index

EMPTY = [("", "全部")]
PICK = [("", "请选择")]
AGE_BAND_LABELS = {
    "0-14": "0–14岁",
    "15-49": "15–49岁",
    "50-59": "50–59岁",
    "60-": "60岁及以上",
    "0-2": "0–2岁",
    "3-6": "3–6岁",
    "7-17": "7–17岁",
    "18-59": "18–59岁",
}
# A search term made only of digits (and X) looks like an ID number or phone: those go by
# POST, never in a URL (security.md CR5), so the name box refuses them.
NAME_PATTERN = r"[^0-9０-９]*"


def looks_like_number(text: str) -> bool:
    """True for what should never travel in a URL: six or more digits (ID, phone)."""
    digits = [c for c in normalise(text) if c.isdigit()]
    return len(digits) >= 6


# --- search forms ---------------------------------------------------------------------------


class PersonFilterForm(BaseForm):
    """The person list's search form (GET) and the export of the same filter (POST)."""

    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label="姓名/拼音",
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "placeholder": "姓名或拼音首字母，如 wxy",
                "pattern": NAME_PATTERN,
                "title": "身份证号请在“按身份证号查询”中输入",
            }
        ),
    )
    sex = forms.ChoiceField(label="性别", required=False)
    age_band = forms.ChoiceField(
        label="年龄段", required=False, choices=EMPTY + list(AGE_BAND_LABELS.items())
    )
    residence_status = forms.ChoiceField(label="居住状况", required=False)
    marital_status = forms.ChoiceField(label="婚姻状况", required=False)
    wcba = forms.ChoiceField(
        label="育龄妇女", required=False, choices=EMPTY + [("1", "已婚育龄妇女（在册卡）")]
    )
    flow = forms.ChoiceField(
        label="流动人口", required=False, choices=EMPTY + [("in", "流入"), ("out", "流出")]
    )
    exited = forms.ChoiceField(
        label="人员状态", required=False, choices=[("", "在册"), ("1", "已退出")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "sex").choices = EMPTY + dicts.choices("sex")
        choice_field(self, "residence_status").choices = EMPTY + dicts.choices("residence_status")
        choice_field(self, "marital_status").choices = EMPTY + dicts.choices("marital_status")
        styled(self, small=True)
        self.number_refused = False

    def clean_unit(self) -> str:
        unit = self.cleaned_data.get("unit", "")
        return unit if unit.isdigit() and len(unit) <= 12 else ""

    def clean_name(self) -> str:
        name: str = self.cleaned_data.get("name", "").strip()
        if looks_like_number(name):
            self.number_refused = True
            return ""
        return name

    def filter(self) -> selectors.PersonFilter:
        """The valid part of the input as the selector's filter (invalid values are dropped)."""
        if not self.is_bound:
            return selectors.PersonFilter()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        names = {f.name for f in dataclass_fields(selectors.PersonFilter)}
        return selectors.PersonFilter(**{k: v for k, v in data.items() if k in names and v})

    def params(self) -> dict[str, str]:
        """The current filter as plain strings (hidden inputs of the export form)."""
        return {k: v for k, v in asdict(self.filter()).items() if v}


class IdSearchForm(BaseForm):
    """Exact search by document number: a POST, so the number never sits in a URL."""

    id_number = forms.CharField(
        label="身份证号",
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "placeholder": "请输入身份证号（15或18位）",
                "inputmode": "text",
                "autocomplete": "off",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def clean_id_number(self) -> str:
        value = normalise(self.cleaned_data["id_number"])
        if len(value) < 6:
            raise forms.ValidationError("请输入完整的身份证号")
        return value


class HouseholdFilterForm(BaseForm):
    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(
        label="户编号",
        required=False,
        max_length=18,
        widget=forms.TextInput(
            attrs={"placeholder": "户编号（可输入前几位）", "inputmode": "numeric"}
        ),
    )
    name = forms.CharField(
        label="户主/成员姓名",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "姓名或拼音首字母", "pattern": NAME_PATTERN}),
    )
    address = forms.CharField(
        label="住址",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "请输入住址"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def params(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = {k: str(v).strip() for k, v in self.cleaned_data.items() if v}
        if not data.get("unit", "").isdigit():
            data.pop("unit", None)
        if not data.get("code", "").isdigit():
            data.pop("code", None)
        if looks_like_number(data.get("name", "")):
            data.pop("name")
        return data


# --- unit picker ----------------------------------------------------------------------------


def known_unit_check(user: Any) -> Any:
    """``known_unit`` for the rules: a code inside the user's county must be a current unit;
    codes elsewhere (a registration in another county) are not checked here."""
    county = county_of(user.scope_prefix or "")

    def known(code: str) -> bool:
        return not code.startswith(county) or Unit.objects.current().filter(code=code).exists()

    return known


def visible_village(user: Any, code: str) -> Unit | None:
    """A current village inside the user's subtree, or None."""
    if not code.isdigit() or len(code) != 12:
        return None
    units = Unit.objects.current().visible_to(user)
    return units.filter(code=code, level=Level.VILLAGE).first()


def unit_picker(
    user: Any, name: str, selected: str = "", label: str = "村（居）"
) -> dict[str, Any]:
    """Context of the county → township → village picker, locked to the user's unit: a village
    account sees its village fixed, a township account picks among its villages, a county
    account picks a township first (the villages then come from ``people:unit_options``)."""
    scope = user.scope_prefix or ""
    units = Unit.objects.current().visible_to(user).order_by("code")
    picker: dict[str, Any] = {
        "name": name,
        "selected": selected,
        "label": label,
        "options_url": reverse("people:unit_options"),
    }
    if len(scope) == 12:
        picker["locked"] = units.filter(level=Level.VILLAGE).first()
        picker["keep"] = selected if selected and selected != scope else ""
        return picker
    township = township_of(selected) if selected.startswith(scope) and len(selected) == 12 else ""
    if len(scope) == 9:
        township = scope
    else:
        picker["townships"] = list(units.filter(level=Level.TOWNSHIP))
    picker["township"] = township
    picker["villages"] = (
        list(units.filter(level=Level.VILLAGE, prefix__startswith=township)) if township else []
    )
    codes = {v.code for v in picker["villages"]}
    picker["keep"] = selected if selected and selected not in codes else ""
    return picker


# --- person entry -----------------------------------------------------------------------------

# Fields the rules read, in form order (ID first: 身份证号优先录入, ecosystem.md §4).
ENTRY_FIELDS = (
    "id_number",
    "id_type",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "marital_status",
    "first_marriage_date",
    "education",
    "hukou_type",
    "household_code",
    "relationship",
    "registered_code",
    "residence_code",
    "residence_status",
    "phone",
    "id_override_reason",
)
MARKED = frozenset(
    {
        "id_number",
        "name",
        "sex",
        "birth_date",
        "household_code",
        "relationship",
        "registered_code",
        "residence_code",
    }
)
EXISTS_MESSAGE = "该人员已存在，是否查看？"
ELSEWHERE_MESSAGE = (
    "该身份证号已在本单位范围以外登记（在册），不能重复登记；如已迁入，请联系上级单位办理迁户"
)
SHORT_TEXT = {"maxlength": 50}


class PersonForm(BaseForm):
    """登记 (``person=None``) or 修改 one person; ``values`` and ``household`` after is_valid()."""

    id_number = forms.CharField(label="公民身份号码", required=False, max_length=40)
    id_type = forms.ChoiceField(label="证件类型", required=False)
    name = forms.CharField(label="姓名", required=False, max_length=50)
    sex = forms.ChoiceField(label="性别", required=False)
    birth_date = forms.CharField(
        label="出生日期",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "如 19900101"}),
    )
    ethnicity = forms.ChoiceField(label="民族", required=False)
    marital_status = forms.ChoiceField(label="婚姻状况", required=False)
    first_marriage_date = forms.CharField(
        label="初婚日期",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "已婚者填写"}),
    )
    education = forms.ChoiceField(label="文化程度", required=False)
    hukou_type = forms.ChoiceField(label="户口性质", required=False)
    household_code = forms.CharField(
        label="户编号",
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    relationship = forms.ChoiceField(label="与户主关系", required=False)
    registered_code = forms.CharField(
        label="户籍地代码",
        required=False,
        max_length=12,
        help_text="本县以外的户籍地填写其6–12位区划代码",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    residence_code = forms.CharField(label="现居住地", required=False, max_length=12)
    residence_status = forms.ChoiceField(label="居住状况", required=False)
    phone = forms.CharField(
        label="联系电话",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    id_override_reason = forms.CharField(
        label="校验例外原因",
        required=False,
        max_length=200,
        help_text="号码确实如此（如户口簿原号）时填写，将记录在案",
    )
    version = forms.IntegerField(required=False, max_value=INT_MAX, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        user: Any,
        today: date,
        person: Person | None = None,
        household: Household | None = None,
    ) -> None:
        self.user, self.today, self.person = user, today, person
        self.household = household or (person.household if person else None)
        super().__init__(data, initial=self._initial())
        for name, code in PERSON_DICTS.items():
            if name in self.fields:
                choice_field(self, name).choices = PICK + dicts.choices(code)
        self.warnings: list[rules.Issue] = []
        self.show_override = bool(person and person.id_override_reason)
        self.existing: Person | None = None
        self.values: dict[str, Any] = {}
        self._widgets()
        styled(self)

    def _initial(self) -> dict[str, Any]:
        return self._initial_new() if self.person is None else self._initial_edit(self.person)

    def _initial_new(self) -> dict[str, Any]:
        """Defaults of a new person: the household's village (or the village account's own),
        户主 when the household has no head yet."""
        household = self.household
        village = household.unit_code if household else ""
        if not village and len(self.user.scope_prefix or "") == 12:
            village = self.user.scope_prefix
        has_head = (
            household is not None
            and household.members.filter(is_head=True, exited_at__isnull=True).exists()
        )
        return {
            "id_type": "01",
            "ethnicity": "01",
            "marital_status": "10",
            "residence_status": "1",
            "relationship": "" if has_head else HEAD,
            "household_code": household.code if household else "",
            "registered_code": village,
            "residence_code": village,
        }

    def _initial_edit(self, p: Person) -> dict[str, Any]:
        """The stored values, except the ID number and phone (never put into a GET page)."""
        skip = ("id_number", "phone", "household_code")
        initial = {name: getattr(p, name) for name in ENTRY_FIELDS if name not in skip}
        initial["birth_date"] = p.birth_date.isoformat() if p.birth_date else ""
        first = p.first_marriage_date
        initial["first_marriage_date"] = first.isoformat() if first else ""
        initial["household_code"] = self.household.code if self.household else ""
        initial["version"] = p.version
        return initial

    def _widgets(self) -> None:
        attrs = self.fields["id_number"].widget.attrs
        attrs.update(
            {
                "inputmode": "text",
                "autocomplete": "off",
                "autofocus": True,
                "hx-post": reverse("people:person_check_id"),
                "hx-target": "#id-check",
                "hx-trigger": "input changed delay:400ms, change",
                "placeholder": "18位或15位，末位 X 大小写均可",
            }
        )
        self.fields["name"].widget.attrs.update(SHORT_TEXT)
        if self.person is not None:
            self.fields["household_code"].disabled = True
            self.fields["household_code"].help_text = "更换家庭户请使用“迁户”"
            # No part of the number beside the birth date this form shows (docs/masking.md).
            recorded = "已登记" if self.person.id_number else "无"
            attrs["placeholder"] = f"不修改请留空（当前 {recorded}）"
            masked_phone = crypto.mask(self.person.phone, crypto.PHONE) or "无"
            self.fields["phone"].widget.attrs["placeholder"] = (
                f"不修改请留空（当前 {masked_phone}）"
            )

    @property
    def marked(self) -> frozenset[str]:
        return MARKED

    @property
    def residence_picker(self) -> dict[str, Any]:
        selected = self["residence_code"].value() or ""
        return unit_picker(self.user, "residence_code", selected, label="现居住地")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = {name: data.get(name, "") for name in ENTRY_FIELDS}
        if self.person is not None:
            raw["id_number"] = raw["id_number"] or self.person.id_number
            raw["phone"] = raw["phone"] or self.person.phone
        if raw["id_override_reason"]:
            self.show_override = True  # a reason typed stays in sight, kept or refused
        ctx = rules.CheckContext.build(self.today, known_unit=known_unit_check(self.user))
        values, issues = rules.check_person(raw, ctx)
        if self.person is not None and self.person.household_id is None:
            issues = [i for i in issues if i.field != "household_code"]
        for issue in issues:
            self._issue(issue)
        self._check_place(values)
        self._check_duplicate(values)
        self.values = values
        return data

    def _issue(self, issue: rules.Issue) -> None:
        if issue.code in rules.OVERRIDABLE:
            self.show_override = True
        if issue.severity != "error":
            self.warnings.append(issue)
            return
        self.add_error(issue.field if issue.field in self.fields else None, issue.message)

    def _check_place(self, values: dict[str, Any]) -> None:
        """The household and the residence must lie inside the user's subtree (no writing
        into another unit, security.md AZ5)."""
        if self.person is None and "household_code" not in self.errors:
            code = values.get("household_code", "")
            self.household = selectors.households_visible(self.user).filter(code=code).first()
            if self.household is None:
                self.add_error("household_code", "户编号不存在或不在本单位范围内，请先新增家庭户")
        residence = values.get("residence_code", "")
        unchanged = self.person is not None and residence == self.person.residence_code
        if residence and not unchanged and "residence_code" not in self.errors:
            if visible_village(self.user, residence) is None:
                self.add_error("residence_code", "现居住地须为本单位范围内的村（居）")

    def _check_duplicate(self, values: dict[str, Any]) -> None:
        number = values.get("id_number", "")
        if not number or "id_number" in self.errors:
            return
        same = Person.objects.filter(id_index=id_index(number))
        if self.person is not None:
            same = same.exclude(pk=self.person.pk)
        self.existing = same.visible_to(self.user).first()
        if self.existing is not None:
            self.add_error("id_number", EXISTS_MESSAGE)
        elif same.filter(exited_at__isnull=True).exists():
            self.add_error("id_number", ELSEWHERE_MESSAGE)


def check_id(user: Any, raw: str, today: date, exclude: str = "") -> dict[str, Any]:
    """What the ID-first entry shows while typing: derived birth date and sex, problems, and an
    existing person in the user's subtree (``people:person_check_id``)."""
    value = idnumber.normalise(raw)
    if len(value) not in (15, 18):
        return {}
    result = idnumber.validate(value, today=today)
    found: dict[str, Any] = {
        "problems": result.problems,
        "info": result.info,
        "override": any(p.code in rules.OVERRIDABLE for p in result.problems),
    }
    if result.info is not None:
        same = selectors.person_by_id_number(user, result.info.number)
        if exclude.isdigit():
            same = same.exclude(pk=int(exclude))
        found["existing"] = same.first()
    return found


# --- households, moves, exits ---------------------------------------------------------------


class HouseholdForm(BaseForm):
    village_code = forms.CharField(
        label="所属村（居）", max_length=12, error_messages={"required": "请选择所属村（居）"}
    )
    group_no = forms.RegexField(
        label="村民小组（组号）",
        regex=r"^\d{1,2}$",
        initial="01",
        error_messages={"invalid": "组号为1–2位数字，如 01"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    address = forms.CharField(label="住址", max_length=200, required=False)
    hukou_type = forms.ChoiceField(label="户口性质", required=False)
    household_type = forms.ChoiceField(label="户别", required=False)
    phone = forms.CharField(
        label="联系电话",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, data: Any = None, *, user: Any) -> None:
        self.user = user
        scope = user.scope_prefix or ""
        super().__init__(
            data, initial={"village_code": scope if len(scope) == 12 else "", "household_type": "1"}
        )
        choice_field(self, "hukou_type").choices = PICK + dicts.choices("hukou_type")
        choice_field(self, "household_type").choices = dicts.choices("household_type")
        styled(self)

    @property
    def village_picker(self) -> dict[str, Any]:
        return unit_picker(self.user, "village_code", self["village_code"].value() or "")

    def clean_village_code(self) -> str:
        code = normalise(self.cleaned_data["village_code"])
        if visible_village(self.user, code) is None:
            raise forms.ValidationError("请选择本单位范围内的村（居）")
        return code

    def clean_group_no(self) -> str:
        group: str = self.cleaned_data["group_no"]
        return group.zfill(2)

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "")
        return validators.phone(phone) if phone else ""


class MoveForm(BaseForm):
    """迁户: into another household of the user's subtree, with the new relationship."""

    household_code = forms.CharField(
        label="迁入户编号",
        max_length=18,
        error_messages={"required": "请输入迁入户的户编号"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autofocus": True}),
    )
    relationship = forms.ChoiceField(
        label="与新户主关系", error_messages={"required": "请选择与新户主关系"}
    )
    version = forms.IntegerField(required=False, max_value=INT_MAX, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, user: Any, person: Person) -> None:
        self.user, self.person = user, person
        super().__init__(data, initial={"version": person.version})
        choice_field(self, "relationship").choices = PICK + dicts.choices("relationship")
        self.household: Household | None = None
        styled(self)

    def clean_household_code(self) -> str:
        code = normalise(self.cleaned_data["household_code"])
        self.household = selectors.households_visible(self.user).filter(code=code).first()
        if self.household is None:
            raise forms.ValidationError("户编号不存在或不在本单位范围内")
        if self.household.pk == self.person.household_id:
            raise forms.ValidationError("该人员已在此户，无需迁户")
        return code


class ExitForm(BaseForm):
    reason = forms.ChoiceField(label="退出原因", error_messages={"required": "请选择退出原因"})
    version = forms.IntegerField(required=False, max_value=INT_MAX, widget=forms.HiddenInput)
    on = DateField(
        label="退出日期",
        widget=forms.TextInput(attrs={"placeholder": "如 2026-11-29"}),
        error_messages={"required": "请填写退出日期"},
    )

    def __init__(self, data: Any = None, *, today: date, version: int) -> None:
        self.today = today
        super().__init__(data, initial={"on": today.isoformat(), "version": version})
        choices = [(v, label) for v, label in dicts.choices("exit_reason") if v != "5"]
        choice_field(self, "reason").choices = PICK + choices
        styled(self)

    def clean_on(self) -> date:
        on: date = self.cleaned_data["on"]
        if on > self.today:
            raise forms.ValidationError("退出日期不能晚于今天")
        return on
