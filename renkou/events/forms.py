"""Forms of the change-event pages (人口变动登记, domain.md §2.4). They validate the input and
find the persons it names inside the caller's subtree; ``renkou.events.services`` writes.

The entry form has only the fields its kind uses (``KIND_FIELDS``, the fields of
``services.Details``). The subject (for a birth, the mother) comes fixed from the person page,
or is chosen from a name search, or is found by ID number; the number travels only in POST
bodies, never in a URL (security.md CR5). A move-in or inflow may name somebody not registered
yet: the form then checks the new person with the register rules (``people.rules``), and the
view registers them and records the event in one transaction.
"""

import json
import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.urls import reverse

from renkou.common import crypto, dicts, idnumber, periods
from renkou.common.forms import ID_MAX, BaseForm, DateField, normalise, parse_id, styled
from renkou.events import services
from renkou.events.constants import Kind, Status
from renkou.events.models import Event
from renkou.geo.constants import Level, county_of, township_of
from renkou.geo.models import Unit
from renkou.people import rules, selectors
from renkou.people.constants import FEMALE, ID_CARD, NO_DOCUMENT
from renkou.people.forms import (
    NAME_PATTERN,
    PICK,
    known_unit_check,
    looks_like_number,
    unit_picker,
    visible_village,
)
from renkou.people.models import Person
from renkou.people.selectors import name_q
from renkou.people.services import id_index

EMPTY = [("", "全部")]
ENTRY_KINDS = tuple(k for k in Kind if k != Kind.VOID)
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
DATE_HINT = {"placeholder": "如 2024-03-05"}
CERTIFICATE_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
CERTIFICATE_CHARS = CERTIFICATE_LETTERS | frozenset("0123456789")

# Fields each kind uses beyond the subject, the dates and the note.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.BIRTH: (
        "partner",
        "partner_q",
        "child_name",
        "child_sex",
        "child_id_number",
        "parity",
        "parity_reason",
        "policy_attribute",
        "health",
        "birth_place",
        "certificate_no",
    ),
    Kind.DEATH: ("cause",),
    Kind.FIRST_MARRIAGE: ("partner", "partner_q"),
    Kind.REMARRIAGE: ("partner", "partner_q"),
    Kind.DIVORCE: (),
    Kind.WIDOWHOOD: (),
    Kind.MOVE_IN: ("to_code", "place"),
    Kind.MOVE_OUT: ("place",),
    Kind.MOVE_WITHIN: ("to_code",),
    Kind.FLOW_IN: ("to_code", "place", "reason"),
    Kind.FLOW_OUT: ("place", "reason"),
}
# A move-in or inflow may bring somebody not registered yet (新登记人员).
NEW_PERSON_KINDS = frozenset({Kind.MOVE_IN, Kind.FLOW_IN})
NEW_PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "marital_status",
    "registered_code",
    "id_override_reason",
)
REQUIRED = {
    Kind.BIRTH: {"child_name", "child_sex"},
    Kind.MOVE_IN: {"to_code"},
    Kind.MOVE_WITHIN: {"to_code"},
    Kind.FLOW_IN: {"to_code"},
    Kind.MOVE_OUT: {"place"},
    Kind.FLOW_OUT: {"place"},
}
LABELS = {
    "subject_q": {Kind.BIRTH: "母亲"},
    "partner_q": {Kind.BIRTH: "父亲"},
    "to_code": {Kind.FLOW_IN: "现居住村（居）"},
    "place": {
        Kind.MOVE_IN: "迁出地（从何处迁来）",
        Kind.MOVE_OUT: "迁往地",
        Kind.FLOW_IN: "流入来源（原居住地）",
        Kind.FLOW_OUT: "流出去向",
    },
}
# The service's name of a field → this form's name.
SERVICE_FIELDS = {"sex": "child_sex"}
# The rules' name of a new person's field → this form's name.
RULE_FIELDS = {"id_number": "subject_q", "residence_code": "to_code"}
NOT_FOUND = "本单位范围内没有该身份证号的人员"
ELSEWHERE = "该身份证号已在本单位范围以外登记，不能重复登记；请联系上级单位办理"


def add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError as form errors: on the field it names when the form has
    it, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        name = SERVICE_FIELDS.get(field, field)
        form.add_error(name if name in form.fields else None, messages)


def month_of(text: str) -> periods.Period | None:
    """The month a ``YYYY-MM`` value names, or None."""
    match = MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2999:
        return None
    return periods.month(int(match[1]), int(match[2]))


def _date(label: str, *, required: bool = True) -> DateField:
    return DateField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs=DATE_HINT),
        error_messages={"required": f"请填写{label}"},
    )


# --- the register's search form ---------------------------------------------------------------


class EventFilterForm(BaseForm):
    """The search form of the register (变动登记簿), a GET; invalid values are dropped."""

    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    person = forms.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput
    )
    name = forms.CharField(
        label="姓名/拼音",
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": "当事人姓名或拼音首字母", "pattern": NAME_PATTERN}
        ),
    )
    kind = forms.ChoiceField(label="变动类型", required=False, choices=EMPTY + Kind.choices)
    status = forms.ChoiceField(label="审核状态", required=False, choices=EMPTY + Status.choices)
    month = forms.CharField(
        label="月份", required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    date_from = _date("发生日期从", required=False)
    date_to = _date("至", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def values(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
        if not str(data.get("unit", "")).isdigit():
            data.pop("unit", None)
        if looks_like_number(data.get("name", "")):
            data.pop("name")
        return data

    def apply(self, rows: QuerySet[Event]) -> QuerySet[Event]:
        data = self.values()
        if data.get("unit"):
            rows = rows.filter(unit_code__startswith=data["unit"])
        if data.get("person"):  # from the person page: as subject, or as the child born
            rows = rows.filter(Q(person_id=data["person"]) | Q(child_id=data["person"]))
        if data.get("name"):
            rows = rows.filter(name_q(data["name"], "person__"))
        for field in ("kind", "status"):
            if data.get(field):
                rows = rows.filter(**{field: data[field]})
        month = month_of(data.get("month", ""))
        if month is not None:
            rows = rows.filter(effective_date__range=(month.start, month.end))
        if data.get("date_from"):
            rows = rows.filter(effective_date__gte=data["date_from"])
        if data.get("date_to"):
            rows = rows.filter(effective_date__lte=data["date_to"])
        return rows


# --- entry and correction -----------------------------------------------------------------------


def county_villages(user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every current village of the user's county grouped by township (县内迁移 may go to a
    village outside the user's own subtree)."""
    county = county_of(user.scope_prefix or "")
    units = Unit.objects.current().filter(prefix__startswith=county, level__gte=Level.TOWNSHIP)
    towns: dict[str, str] = {}
    groups: dict[str, list[tuple[str, str]]] = {}
    for unit in units.order_by("code"):
        if unit.level == Level.TOWNSHIP:
            towns[unit.prefix] = unit.name
        else:
            groups.setdefault(township_of(unit.prefix), []).append((unit.code, unit.name))
    return [(towns.get(p, p), villages) for p, villages in groups.items()]


class EventForm(BaseForm):
    """登记 one change event of ``kind``; with ``event``, 更正 that event (prefilled with its
    values, the subject fixed). After ``is_valid()``: ``person`` (None when a new person is to
    be registered from ``new_values``), ``partner_person`` and ``details()``."""

    subject = forms.CharField(required=False, widget=forms.HiddenInput)
    subject_q = forms.CharField(label="当事人", required=False, max_length=50)
    partner = forms.CharField(required=False, widget=forms.HiddenInput)
    partner_q = forms.CharField(label="配偶", required=False, max_length=50)
    effective_date = _date("发生日期")
    reported_date = _date("报告日期")
    child_name = forms.CharField(label="婴儿姓名", required=False, max_length=50)
    child_sex = forms.ChoiceField(label="婴儿性别", required=False)
    child_id_number = forms.CharField(label="婴儿身份证号", required=False, max_length=40)
    parity = forms.IntegerField(
        label="孩次",
        required=False,
        min_value=1,
        max_value=20,
        help_text="留空则按统计口径推算：夫妇双方现有子女（含前婚、收养、已迁出子女，不含已死亡子女）加一",
        error_messages={
            "min_value": "孩次应为1–20",
            "max_value": "孩次应为1–20",
            "invalid": "孩次应为数字",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    parity_reason = forms.CharField(
        label="孩次不同的原因",
        required=False,
        max_length=200,
        help_text="填写的孩次与推算不同时必填（如子女未在本系统登记）",
    )
    policy_attribute = forms.ChoiceField(label="政策属性", required=False)
    health = forms.ChoiceField(label="健康状况", required=False)
    birth_place = forms.CharField(label="出生地点", required=False, max_length=100)
    certificate_no = forms.CharField(label="出生医学证明编号", required=False, max_length=20)
    cause = forms.CharField(label="死亡原因", required=False, max_length=200)
    to_code = forms.CharField(label="迁入村（居）", required=False, max_length=12)
    place = forms.CharField(label="地点", required=False, max_length=100)
    reason = forms.ChoiceField(label="流动原因", required=False)
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
    registered_code = forms.CharField(
        label="户籍地代码",
        required=False,
        max_length=12,
        help_text="流入人员户籍所在地的6–12位区划代码",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    id_override_reason = forms.CharField(
        label="校验例外原因",
        required=False,
        max_length=200,
        help_text="身份证号确实如此（如户口簿原号）时填写，将记录在案",
    )
    note = forms.CharField(label="说明", required=False, max_length=200)
    correction_reason = forms.CharField(
        label="更正原因", max_length=200, error_messages={"required": "请填写更正原因"}
    )

    def __init__(
        self,
        data: Any = None,
        *,
        user: Any,
        kind: str,
        today: date,
        person: Person | None = None,
        event: Event | None = None,
    ) -> None:
        self.user, self.kind, self.today, self.event = user, kind, today, event
        self.fixed = event.person if event is not None else person
        super().__init__(data, initial=self._initial())
        self._keep_fields()
        self._set_choices()
        self._widgets()
        styled(self)
        self.person: Person | None = self.fixed
        self.partner_person: Person | None = event.partner if event is not None else None
        self.new_values: dict[str, Any] = {}
        self.warnings: list[rules.Issue] = []
        self.found_nobody = False

    # set-up

    def _initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "reported_date": self.today.isoformat(),
            "ethnicity": "01",
            "marital_status": "10",
        }
        scope = self.user.scope_prefix or ""
        if self.kind in NEW_PERSON_KINDS and len(scope) == 12:
            initial["to_code"] = scope
        old = self.event
        if old is None:
            return initial
        initial.update(
            {
                "effective_date": old.effective_date.isoformat(),
                "reported_date": old.reported_date.isoformat(),
                "partner": old.partner_id or "",
                "child_name": old.child.name if old.child else "",
                "child_sex": old.sex,
                "parity": old.parity,
                "policy_attribute": old.policy_attribute,
                "health": old.health,
                "birth_place": old.birth_place,
                "cause": old.cause,
                "to_code": old.to_code,
                "place": old.place,
                "reason": old.reason,
                "note": old.note,
            }
        )
        return initial

    def _keep_fields(self) -> None:
        keep = {"effective_date", "reported_date", "note", *KIND_FIELDS[self.kind]}
        if self.fixed is None:
            keep |= {"subject", "subject_q"}
        if self.fixed is None and self.kind in NEW_PERSON_KINDS:
            keep |= set(NEW_PERSON_FIELDS) - (
                set() if self.kind == Kind.FLOW_IN else {"registered_code"}
            )
        if self.event is not None:
            keep.add("correction_reason")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in REQUIRED.get(self.kind, ()):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"请填写{self._label(name)}"
        for name, by_kind in LABELS.items():
            if name in self.fields and self.kind in by_kind:
                self.fields[name].label = by_kind[self.kind]

    def _label(self, name: str) -> str:
        return str(LABELS.get(name, {}).get(self.kind) or self.fields[name].label)

    def _set_choices(self) -> None:
        coded = {
            "child_sex": "sex",
            "sex": "sex",
            "policy_attribute": "policy_attribute",
            "health": "child_health",
            "reason": "flow_reason",
            "ethnicity": "ethnicity",
            "marital_status": "marital_status",
        }
        for name, code in coded.items():
            if name in self.fields:
                self.fields[name].choices = PICK + dicts.choices(code)  # type: ignore[attr-defined]  # a ChoiceField
        if self.kind == Kind.MOVE_WITHIN:
            old = self.fields["to_code"]
            self.fields["to_code"] = forms.ChoiceField(
                label=old.label,
                choices=PICK + county_villages(self.user),
                error_messages={
                    "required": "请选择迁入村（居）",
                    "invalid_choice": "请选择本县的村（居）",
                },
            )

    def _widgets(self) -> None:
        for name, target in (("subject", "#id-check"), ("partner", "#partner-results")):
            if f"{name}_q" in self.fields:
                self.fields[f"{name}_q"].widget.attrs.update(
                    {
                        "autocomplete": "off",
                        "inputmode": "text",
                        "type": "search",
                        "placeholder": "输入身份证号，或姓名/拼音首字母查找",
                        "hx-post": reverse("events:person_lookup"),
                        "hx-target": target,
                        "hx-trigger": "input changed delay:500ms, search",
                        "hx-vals": json.dumps({"field": name, "kind": self.kind}),
                    }
                )
        if "child_id_number" in self.fields:
            self.fields["child_id_number"].widget.attrs.update({"autocomplete": "off"})
        old = self.event
        if old is None:
            return
        if "certificate_no" in self.fields:
            masked = crypto.mask(old.certificate_no) or "无"
            attrs = self.fields["certificate_no"].widget.attrs
            attrs["placeholder"] = f"不修改请留空（当前 {masked}）"
        if "child_id_number" in self.fields and old.child is not None:
            # No part of the number beside the birth date this form shows (docs/masking.md).
            recorded = "已登记" if old.child.id_number else "无"
            attrs = self.fields["child_id_number"].widget.attrs
            attrs["placeholder"] = f"不修改请留空（当前 {recorded}）"

    # display helpers

    @property
    def marked(self) -> frozenset[str]:
        """Starred fields (``people/_field.html``)."""
        return frozenset(n for n, f in self.fields.items() if f.required)

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        """The kind's own fields, in order (the subject, partner and new person are apart)."""
        apart = {
            "subject",
            "subject_q",
            "partner",
            "partner_q",
            "to_code",
            "effective_date",
            "reported_date",
            "note",
            "correction_reason",
            *NEW_PERSON_FIELDS,
        }
        return [self[n] for n in self.fields if n not in apart]

    @property
    def new_person_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in NEW_PERSON_FIELDS if n in self.fields]

    @property
    def to_picker(self) -> dict | None:
        """The scoped county → township → village picker for a move-in's or inflow's village."""
        if self.kind not in NEW_PERSON_KINDS:
            return None
        selected = self["to_code"].value() or ""
        return unit_picker(self.user, "to_code", selected, label=self._label("to_code"))

    # validation

    def clean_to_code(self) -> str:
        code = normalise(self.cleaned_data.get("to_code") or "")
        if code and self.kind in NEW_PERSON_KINDS and visible_village(self.user, code) is None:
            raise forms.ValidationError("请选择本单位范围内的村（居）")
        return code

    def clean_child_id_number(self) -> str:
        value = idnumber.normalise(self.cleaned_data.get("child_id_number", ""))
        if not value:
            return ""
        result = idnumber.validate(value, today=self.today)
        if result.errors:
            raise forms.ValidationError(result.errors[0].message)
        return result.value

    def clean_certificate_no(self) -> str:
        value = idnumber.normalise(self.cleaned_data.get("certificate_no", ""))
        if value and (
            value[0] not in CERTIFICATE_LETTERS
            or not 5 <= len(value) <= 20
            or not set(value) <= CERTIFICATE_CHARS
        ):
            raise forms.ValidationError("出生医学证明编号应为字母开头的5–20位字母和数字")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.fixed is None:
            self._clean_subject(data)
        if "partner" in self.fields:
            self.partner_person = self._resolve("partner", data)
            if self.partner_person is not None and self.partner_person == self.person:
                self.add_error("partner_q", "配偶或父亲不能是当事人本人")
        self._check_child_id(data)
        return data

    def _resolve(self, field: str, data: dict[str, Any]) -> Person | None:
        """The person a lookup names: the row chosen from the search, else the typed ID."""
        box = f"{field}_q"
        chosen = str(data.get(field) or "").strip()
        visible = Person.objects.visible_to(self.user)
        if chosen:
            pk = parse_id(chosen)
            found = visible.filter(pk=pk).first() if pk else None
            if found is None:
                self.add_error(box, "请从查找结果中选择本单位范围内的人员")
            return found
        typed = data.get(box, "")
        if not typed:
            return None
        number = self._typed_number(box, typed)
        if not number:
            return None
        found = (
            selectors.person_by_id_number(self.user, number)
            .order_by(F("exited_at").asc(nulls_first=True), "pk")
            .first()
        )
        if found is None and not (field == "subject" and self.kind in NEW_PERSON_KINDS):
            self.add_error(box, NOT_FOUND)
        return found

    def _typed_number(self, box: str, typed: str) -> str:
        """The ID number typed into a lookup box, or '' with an error for anything else."""
        if not looks_like_number(typed):
            self.add_error(box, "请从查找结果中选择人员，或输入完整的身份证号")
            return ""
        number = idnumber.normalise(typed)
        if len(number) not in (15, 18):
            self.add_error(box, "请输入完整的身份证号（18位或15位）")
            return ""
        return idnumber.upgrade15(number) if len(number) == 15 and number.isdigit() else number

    def _clean_subject(self, data: dict[str, Any]) -> None:
        self.person = self._resolve("subject", data)
        if self.person is not None or "subject_q" in self.errors:
            return
        if self.kind not in NEW_PERSON_KINDS:
            self.add_error("subject_q", "请输入当事人的身份证号，或按姓名查找后选择")
            return
        typed = data.get("subject_q", "")
        if not typed and not data.get("name"):
            message = "请输入身份证号查找当事人；查无此人时在“新登记人员”中填写其信息"
            self.add_error("subject_q", message)
            return
        self.found_nobody = True
        self._check_new_person(data, idnumber.normalise(typed) if typed else "")

    def _check_new_person(self, data: dict[str, Any], number: str) -> None:
        """A person not yet in the register: the register rules, as on the person form."""
        if number and Person.objects.filter(id_index=id_index(number)).exists():
            self.add_error("subject_q", ELSEWHERE)
            return
        to_code = data.get("to_code", "")
        raw = {name: data.get(name, "") for name in NEW_PERSON_FIELDS}
        raw.update(
            {
                "id_number": number,
                "id_type": ID_CARD if number else NO_DOCUMENT,
                "residence_code": to_code,
                "residence_status": "1",
                "registered_code": to_code if self.kind == Kind.MOVE_IN else raw["registered_code"],
            }
        )
        if self.kind == Kind.FLOW_IN:
            raw["residence_status"] = "4"
        ctx = rules.CheckContext.build(self.today, known_unit=known_unit_check(self.user))
        values, issues = rules.check_person(raw, ctx)
        rule_fields = {
            **RULE_FIELDS,
            "registered_code": "to_code" if self.kind == Kind.MOVE_IN else "registered_code",
        }
        for issue in issues:
            if issue.field in ("household_code", "relationship"):
                continue  # registered without a household; the household comes later (迁户)
            name = rule_fields.get(issue.field, issue.field)
            if issue.severity != "error":
                self.warnings.append(issue)
            elif name not in self.errors:
                self.add_error(name if name in self.fields else None, issue.message)
        self.new_values = values

    def _check_child_id(self, data: dict[str, Any]) -> None:
        number, born = data.get("child_id_number", ""), data.get("effective_date")
        if len(number) != 18 or born is None:
            return
        info = idnumber.validate(number, today=self.today).info
        if info is None:
            return
        for found in idnumber.compare(info, birth_date=born, sex=data.get("child_sex")):
            self.add_error("child_id_number", found.message)

    # output

    def details(self) -> services.Details:
        d, old = self.cleaned_data, self.event
        certificate, child_id = d.get("certificate_no", ""), d.get("child_id_number", "")
        if old is not None:  # left empty on a correction: keep
            certificate = certificate or old.certificate_no
            child_id = child_id or (old.child.id_number if old.child else "")
        return services.Details(
            partner=self.partner_person,
            child_name=d.get("child_name", ""),
            sex=d.get("child_sex", ""),
            child_id_number=child_id,
            parity=d.get("parity"),
            parity_reason=d.get("parity_reason", ""),
            policy_attribute=d.get("policy_attribute", ""),
            birth_place=d.get("birth_place", ""),
            certificate_no=certificate,
            health=d.get("health", ""),
            cause=d.get("cause", ""),
            to_code=d.get("to_code", ""),
            place=d.get("place", ""),
            reason=d.get("reason", ""),
            note=d.get("note", ""),
        )

    @property
    def is_new_person(self) -> bool:
        return self.person is None and bool(self.new_values)


def kind_allowed(kind: str, person: Person | None) -> bool:
    """A birth is recorded on the mother."""
    return not (kind == Kind.BIRTH and person is not None and person.sex != FEMALE)
