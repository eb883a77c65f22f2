"""Policy of the card pages (renkou/people/card_views.py): the children, contraception episodes
and pregnancies of a married woman's card.

Adding, changing and deleting card rows needs the registrar permissions of ``person_edit``, which
only the village, township and county staff hold; technicians and inspectors read the card on
the person page only. A row (or the woman, for "new") outside the caller's subtree is 404.
Deleting is a POST.
"""

from tests.authz_policy import GET_POST, POST, C, Rule, T, V

REGISTRARS = frozenset({V, T, C})

POLICY: dict[str, Rule] = {
    "people:card_child_create": Rule(REGISTRARS, GET_POST, obj="woman"),
    "people:card_child_edit": Rule(REGISTRARS, GET_POST, obj="child"),
    "people:card_child_delete": Rule(REGISTRARS, POST, obj="child"),
    "people:card_episode_create": Rule(REGISTRARS, GET_POST, obj="woman"),
    "people:card_episode_edit": Rule(REGISTRARS, GET_POST, obj="episode"),
    "people:card_episode_delete": Rule(REGISTRARS, POST, obj="episode"),
    "people:card_pregnancy_create": Rule(REGISTRARS, GET_POST, obj="woman"),
    "people:card_pregnancy_edit": Rule(REGISTRARS, GET_POST, obj="pregnancy"),
    "people:card_pregnancy_delete": Rule(REGISTRARS, POST, obj="pregnancy"),
}
