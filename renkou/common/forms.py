"""Form bases and fields shared by every app."""

import unicodedata
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from renkou.common.validators import BIDI_MESSAGE, no_bidi_controls

# Upper bounds for whole numbers typed into or carried by forms, so that nothing past the
# database's integer columns reaches a query (SQLite raises OverflowError past 2**63 − 1;
# PostgreSQL's integer columns stop at 2**31 − 1): a clear form error instead of a 500.
INT_MAX = 2**31 - 1
ID_MAX = 2**63 - 1


def parse_int(text: object, *, maximum: int = INT_MAX) -> int | None:
    """A whole number from a raw parameter: ASCII digits up to ``maximum``, else None."""
    value = str(text or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def parse_id(text: object) -> int | None:
    """A primary key from a raw parameter: ASCII digits within range, else None (``"²"`` and
    ``"５"`` pass ``str.isdigit``, and a 30-digit number overflows the database)."""
    number = parse_int(text, maximum=ID_MAX)
    return number if number else None


def styled(form: Any, *, small: bool = False) -> Any:
    """Give each widget its Bootstrap class, after any it has (the fields are per-instance
    copies); ``small`` for the inline search forms above lists. Hidden inputs and checkbox
    groups (styled by their template) are left alone. Returns the form."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.HiddenInput, forms.CheckboxSelectMultiple)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        classes = widget.attrs.get("class", "").split()
        classes += [c for c in css.split() if c not in classes]  # styling twice changes nothing
        widget.attrs["class"] = " ".join(classes)
    return form


def error_text(exc: Exception, *, fallback: str = "") -> str:
    """Why an action was refused, as one line for a message or a form: a ValidationError's
    messages joined with "；", any other exception's text, else ``fallback`` (a bare
    PermissionDenied has none)."""
    return "；".join(getattr(exc, "messages", [str(exc)])) or fallback


def form_error_text(form: forms.BaseForm) -> str:
    """A form's errors as one line for a message (every field's, joined with "；")."""
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), trimmed, inner spaces removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


class DateField(forms.DateField):
    """Accepts 2024-03-05, 2024/3/5, 2024.03.05, 20240305, 2024年3月5日, full-width too."""

    default_error_messages = {"invalid": "请输入有效的日期，如 2024-03-05 或 2024年3月5日"}

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, str):
            value = normalise(value)
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[Any]):
    """Django's, refusing a key that is not a primary key in range before it reaches the
    database (its ``pk__in`` query overflows on SQLite past 2**63 − 1: a 500)."""

    def _check_values(self, value: object) -> object:
        if self.to_field_name is None:
            for key in value:  # type: ignore[attr-defined]  # Django passes a list of keys
                if parse_id(key) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": key},
                    )
        return super()._check_values(value)  # type: ignore[misc]  # private in Django, not in the stub


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's choice field, typed as one (``form.fields`` holds plain ``Field``s to mypy), for
    setting its choices from a dictionary at run time."""
    return cast(forms.ChoiceField, form.fields[name])


class TypedTextChecks:
    """What every form of the project refuses in any value typed into any of its fields, after
    the fields' and the form's own checks: bidirectional control characters (issue 19 item 10).
    Applied here once, so a new field cannot forget it (tests/test_forms_refuse_bidi.py checks
    that every form of the project has this base)."""

    def full_clean(self: Any) -> None:
        super().full_clean()  # type: ignore[misc]  # a mixin: the form class comes after it
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if field.disabled:
                continue
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                for value in raw if isinstance(raw, list | tuple) else [raw]:
                    no_bidi_controls(value)
            except ValidationError as refused:
                if BIDI_MESSAGE not in self.errors.get(name, []):
                    self.add_error(name, refused)


class BaseForm(TypedTextChecks, forms.Form):
    """The base of every plain form of the project."""


class StyledForm(BaseForm):
    """A BaseForm whose widgets get their Bootstrap class when it is built (``styled``): for
    forms shown whole through _partials/form_fields.html."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class BaseModelForm(TypedTextChecks, forms.ModelForm[Any]):
    """The base of every model form of the project."""


def typed_text(request: Any, key: str, limit: int) -> str:
    """A free-text value a view reads from a POST itself (a reason, a comment), with the forms'
    check: ``ValidationError`` when it holds a bidirectional control character."""
    value: str = request.POST.get(key, "")[:limit]
    no_bidi_controls(value)
    return value
