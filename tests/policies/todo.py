"""Policy of the to-do pages (renkou/todo/views.py).

我的待办 lists people, so it needs ``people.view_person`` (the five worker roles; the list is
empty for a role no rule names); its ID search is a POST. The reminder rules are county-wide
configuration edited by county officers (``todo.manage_rule``); a rule is not inside any unit,
so its pages are not scoped.
"""

from tests.authz_policy import GET_POST, WORKERS, C, Rule

COUNTY_OFFICERS = frozenset({C})

POLICY: dict[str, Rule] = {
    "todo:item_list": Rule(WORKERS, GET_POST),
    "todo:rule_list": Rule(COUNTY_OFFICERS),
    "todo:rule_edit": Rule(COUNTY_OFFICERS, GET_POST, obj="todorule", scoped=False),
}


def _rule(unit, user) -> int:
    from renkou.todo.models import ReminderRule

    return ReminderRule.objects.get(code="iud_followup").pk


PROVIDERS = {"todorule": _rule}
