"""Model fields for sensitive values (architecture.md "Sensitive fields"; security.md CR1, CR2).

``EncryptedTextField`` holds the plain text in Python and a ``crypto.encrypt`` ciphertext in the
database, bound to ``"<app_label>.<Model>.<field>"`` so that it cannot be copied into another
column. Ciphertexts are randomised, so the column can only be tested for "no value" (``""`` and
``None`` are stored as they are); exact search and duplicate checks go through a
``BlindIndexField`` filled with ``crypto.blind_index`` of the normalised value.

Renaming the model, its app or the field changes the context and makes existing rows
unreadable: pass the old ``context=`` explicitly when renaming, or re-encrypt in a migration.
Copies of the field on django-simple-history's historical models get their own context
(``people.HistoricalPerson.id_number``), which is fine: history rows are written from the
plain values.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, Lookup

from renkou.common import crypto

SEARCH_HINT = "ciphertexts are randomised: search its blind index instead"


def _label(field: Any) -> str:
    return getattr(field, "context", "") or getattr(field, "name", "?")


class RefusedLookup(Lookup):
    """Any lookup but ``isnull`` and ``exact ""`` on an encrypted column: fail loudly rather than
    silently compare ciphertexts."""

    lookup_name = "refused"

    def __init__(self, lhs: Any, rhs: Any) -> None:
        field = getattr(lhs, "output_field", None)
        message = f"{_label(field)} is encrypted: only isnull and ='' lookups work; {SEARCH_HINT}."
        raise FieldError(message)


class EmptyExact(Exact):
    """``field=""`` (no value) or ``field=None`` (becomes isnull); nothing else."""

    def get_prep_lookup(self) -> Any:
        if self.rhs is not None and not (isinstance(self.rhs, str) and self.rhs == ""):
            field = _label(self.lhs.output_field)
            raise FieldError(f"{field} is encrypted: it compares only with ''; {SEARCH_HINT}.")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField[str, str]):
    """Text encrypted at rest with the current field key and suite (AES-256-GCM or SM4-GCM)."""

    description = "Encrypted text"

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        self.explicit_context = context
        self.context = context or ""
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if not self.explicit_context:
            self.context = f"{cls._meta.label}.{self.name}"

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.explicit_context:
            kwargs["context"] = self.explicit_context
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or self.db_index or self.primary_key:  # type: ignore[attr-defined]  # set by Field.__init__, missing from the stub
            errors.append(
                checks.Error(
                    "EncryptedTextField cannot be unique, indexed or a primary key.",
                    hint=f"{SEARCH_HINT}; put unique/db_index on a BlindIndexField.",
                    obj=self,
                    id="renkou.E001",
                )
            )
        return errors

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        plain: str = crypto.decrypt(value, self.context)
        return plain

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        if value == "":
            return ""
        return crypto.encrypt(value, self.context)

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return EmptyExact
        return RefusedLookup

    def get_transform(self, lookup_name: str) -> None:
        return None


class BlindIndexField(models.CharField[str, str]):
    """HMAC-SHA256 hex digest of a normalised sensitive value (``crypto.blind_index``), for exact
    search and duplicate blocking. Filled by services, never by forms."""

    DEFAULTS = {"max_length": 64, "db_index": True, "editable": False}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**self.DEFAULTS, **kwargs})

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        for option, default in self.DEFAULTS.items():
            value = getattr(self, option)
            if value == default:
                kwargs.pop(option, None)
            else:  # the parent omits values equal to its own defaults (db_index=False)
                kwargs[option] = value
        return name, path, args, kwargs


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    """The model's own encrypted columns (a multi-table parent's are the parent's)."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]


def encrypted_models() -> list[type[models.Model]]:
    """Every installed concrete model holding an encrypted column, historical models included."""
    return [
        model for model in apps.get_models() if not model._meta.proxy and encrypted_fields(model)
    ]
