"""Dictionary look-ups (字典, ecosystem.md §1.4) for forms, templates, imports and exports.

Each type's items are cached as one tuple under ``renkou:dict:<code>`` in Django's default cache.
Every write of a type or item (``renkou.system.services``) calls ``invalidate(code)``, now and
again after commit, so a concurrent reader cannot re-cache the old rows. The default cache is
per process (locmem): other worker processes see a change at the latest after ``TIMEOUT``
seconds; a shared cache (database, Redis) makes the invalidation immediate everywhere.

A disabled item drops out of ``items()`` and ``choices()`` (pickers) but ``label()`` still
names it, so old records keep a readable label.

``book()`` is what imports read a typed cell with: an enabled item's value or label gives its
code, and so does one of its aliases (简称、旧称、常见写法), which the import notes.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from renkou.common.models import DictItem, DictType

CACHE_PREFIX = "renkou:dict:"
TIMEOUT = 60


@dataclass(frozen=True)
class Entry:
    value: str
    label: str
    tag: str
    is_active: bool
    is_default: bool
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Cached:
    type_active: bool
    entries: tuple[Entry, ...]


def _key(code: str) -> str:
    return CACHE_PREFIX + code


def _load(code: str) -> _Cached:
    cached: _Cached | None = cache.get(_key(code))
    if cached is not None:
        return cached
    dict_type = DictType.objects.filter(code=code).first()
    if dict_type is None:
        cached = _Cached(type_active=False, entries=())
    else:
        rows = DictItem.objects.filter(dict_type=dict_type).order_by("sort", "value")
        entries = tuple(
            Entry(r.value, r.label, r.tag, r.is_active, r.is_default, tuple(r.aliases))
            for r in rows
        )
        cached = _Cached(type_active=dict_type.is_active, entries=entries)
    cache.set(_key(code), cached, TIMEOUT)
    return cached


def items(code: str, include_inactive: bool = False) -> list[Entry]:
    """The items of a type in display order; by default only enabled items of an enabled type."""
    cached = _load(code)
    if include_inactive:
        return list(cached.entries)
    if not cached.type_active:
        return []
    return [e for e in cached.entries if e.is_active]


def choices(code: str) -> list[tuple[str, str]]:
    """``(value, label)`` pairs of the enabled items, for a form field's ``choices``."""
    return [(e.value, e.label) for e in items(code)]


def entry(code: str, value: object) -> Entry | None:
    """The item with this value, enabled or not; None when the value is not in the list."""
    if value is None or value == "":
        return None
    text = str(value)
    for candidate in _load(code).entries:
        if candidate.value == text:
            return candidate
    return None


def label(code: str, value: object) -> str:
    """The label of ``value`` (also for a disabled item); the raw value when it is unknown."""
    found = entry(code, value)
    if found is not None:
        return found.label
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Book:
    """How an import reads a typed value of one code list: the enabled items' values and
    labels, their aliases, and the labels to list when a value is none of them."""

    codes: dict[str, str]  # value or label → value
    aliases: dict[str, str]  # alias → value
    labels: tuple[str, ...]

    def find(self, text: str) -> tuple[str, bool] | None:
        """(code, whether it was found through an alias), or None for an unknown value."""
        if text in self.codes:
            return self.codes[text], False
        if text in self.aliases:
            return self.aliases[text], True
        return None

    def accepted(self) -> str:
        """The labels one may type, for the message of an unknown value."""
        return "、".join(self.labels)


def book(code: str) -> Book:
    """The look-up of the enabled items of a type (none when the type is disabled)."""
    entries = items(code)
    codes: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for e in entries:
        codes[e.value] = e.value
        codes[e.label] = e.value
        for alias in e.aliases:
            aliases.setdefault(alias, e.value)
    return Book(codes, aliases, tuple(e.label for e in entries))


def invalidate(code: str) -> None:
    """Drop the cached items of a type, now and once more when the transaction commits."""
    cache.delete(_key(code))
    transaction.on_commit(lambda: cache.delete(_key(code)))
