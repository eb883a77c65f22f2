"""Bulk import of change events from .xlsx, .xls, .ods and .csv (docs/import-events.md), on the
person import's building blocks (``renkou.people.importing``: file checks, reading, error
report, template, batch life cycle and tasks):

- ``columns``: the event file's Chinese columns and its template;
- ``checking``: each row on its own, with the entry form's rules;
- ``pipeline``: the register look-ups and the records through ``events.services.record``;
- ``importer``: ``EVENTS``, this import's ``batches.Importer``;
- ``tasks``: its background check and commit.
"""
