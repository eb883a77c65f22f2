"""``{{ row.user_agent|browser }}``: a readable browser and system name (renkou.common.agents)."""

from django import template

from renkou.common.agents import describe

register = template.Library()


@register.filter
def browser(agent: str | None) -> str:
    return describe(agent)
