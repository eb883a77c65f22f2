"""``{{ fen|yuan }}``: integer fen shown as yuan with two decimals (never a float)."""

from django import template

from renkou.benefits.payments import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return "—" if fen is None else _yuan(int(fen))
