"""Dictionary template helpers: ``{{ value|dict_label:"sex" }}`` and ``{% dict_tag "sex" value %}``.

``{% load dicts %}`` first. The badge is coloured by the item's tag (RuoYi ``list_class``); a
disabled item is shown greyed with the note 已停用, an unknown value as the plain value.
"""

from django import template
from django.utils.html import format_html

from renkou.common import dicts
from renkou.common.models import DictItem

register = template.Library()

_TAGS = frozenset(DictItem.Tag.values)


@register.filter
def dict_label(value: object, code: str) -> str:
    return dicts.label(code, value)


@register.simple_tag
def dict_tag(code: str, value: object) -> str:
    found = dicts.entry(code, value)
    if found is None:
        return "" if value is None else str(value)  # auto-escaped by simple_tag
    if not found.is_active:
        return format_html(
            '<span class="badge badge-tag dict-disabled" title="已停用">{}</span>', found.label
        )
    tag = found.tag if found.tag in _TAGS else DictItem.Tag.DEFAULT
    return format_html('<span class="badge badge-tag text-bg-{}">{}</span>', tag, found.label)
