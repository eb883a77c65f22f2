"""Change-event import pages (renkou/events/import_views.py): township and county officers only
(``events.import_event``); a batch belongs to the uploader's unit and is out of scope (404)
anywhere else."""

from pathlib import Path

from django.conf import settings

from tests.authz_policy import GET_POST, POST, C, Rule, T

IMPORTERS = frozenset({T, C})

POLICY: dict[str, Rule] = {
    "events:import_list": Rule(IMPORTERS),
    "events:import_upload": Rule(IMPORTERS, GET_POST),
    "events:import_template": Rule(IMPORTERS),
    "events:import_detail": Rule(IMPORTERS, obj="eventimportbatch"),
    "events:import_confirm": Rule(IMPORTERS, POST, obj="eventimportbatch"),
    "events:import_report": Rule(IMPORTERS, obj="eventimportbatch"),
}


def _batch_in(unit, user) -> int:
    """A checked event-import batch of ``unit`` with an error report on disk."""
    from renkou.events.models import EventImportBatch

    batch = EventImportBatch.objects.create(
        file_hash="e" * 64,
        file_name="matrix.xlsx",
        unit_code=unit.code,
        status=EventImportBatch.Status.VALIDATED,
        error_report=f"imports/reports/event-m-{unit.code}.xlsx",
    )
    path = Path(settings.MEDIA_ROOT) / batch.error_report
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 test")
    # and its masked copy, which everyone but the uploader downloads
    path.with_name(path.stem + "-masked.xlsx").write_bytes(b"PK\x03\x04 test")
    return batch.pk


PROVIDERS = {"eventimportbatch": _batch_in}
