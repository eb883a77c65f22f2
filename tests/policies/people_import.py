"""Person import pages (renkou/people/import_views.py): township and county officers only
(``people.import_person``); a batch belongs to the uploader's unit and is out of scope (404)
anywhere else."""

from tests.authz_policy import GET_POST, POST, C, Rule, T

IMPORTERS = frozenset({T, C})

POLICY: dict[str, Rule] = {
    "people:import_list": Rule(IMPORTERS),
    "people:import_upload": Rule(IMPORTERS, GET_POST),
    "people:import_template": Rule(IMPORTERS),
    "people:import_detail": Rule(IMPORTERS, obj="importbatch"),
    "people:import_confirm": Rule(IMPORTERS, POST, obj="importbatch"),
    "people:import_report": Rule(IMPORTERS, obj="importbatch"),
}
