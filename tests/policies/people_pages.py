"""Policy of the register pages (renkou/people/views.py): households and persons.

Reading persons needs ``people.view_person`` (the five worker roles); entry, moves, exit,
restore, unmasking and export need the registrar permissions, which only the village,
township and county staff hold. Leaders and the three administrators reach no person page.
"""

from tests.authz_policy import GET_POST, POST, WORKERS, C, Rule, T, V

REGISTRARS = frozenset({V, T, C})

POLICY: dict[str, Rule] = {
    "people:person_list": Rule(WORKERS),
    "people:person_search_id": Rule(WORKERS, POST, notes="ID search by POST (CR5)"),
    "people:person_check_id": Rule(REGISTRARS, POST),
    "people:person_export": Rule(REGISTRARS, POST),
    "people:person_create": Rule(REGISTRARS, GET_POST),
    "people:person_detail": Rule(WORKERS, obj="person"),
    "people:person_edit": Rule(REGISTRARS, GET_POST, obj="person"),
    "people:person_unmask": Rule(REGISTRARS, POST, obj="person"),
    "people:person_move": Rule(REGISTRARS, GET_POST, obj="person"),
    "people:person_exit": Rule(REGISTRARS, GET_POST, obj="person"),
    "people:person_restore": Rule(REGISTRARS, POST, obj="person"),
    "people:household_list": Rule(WORKERS),
    "people:household_create": Rule(REGISTRARS, GET_POST),
    "people:household_detail": Rule(WORKERS, obj="household"),
    "people:unit_options": Rule(WORKERS),
}
