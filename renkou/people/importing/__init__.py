"""Bulk import of households and persons from .xlsx, .xls, .ods and .csv (docs/import.md;
security.md IN2–IN5 and §2 "Import: all-or-nothing vs per-row"; house style rule 10).

- ``files``: refusing hostile or unusable files (size, type, zip bombs, XML entities);
- ``columns`` and ``reading``: the template's Chinese columns and reading a sheet into rows;
- ``checking``: each row with the entry form's rules, then against the file and the register;
- ``writing``: bulk writes with history, to the same final state as the form's services;
- ``pipeline``: one pass over a file (preview or commit);
- ``report`` and ``template``: the error report and the template workbooks;
- ``batches`` and ``tasks``: ImportBatch life cycle for the pages, the worker and the command.

Reading, the error report, the template, the batch life cycle and the tasks take the columns
(``columns.Sheet``) and the import (``batches.Importer``) as parameters, defaulting to the
person import's, so the change-event import (``renkou.events.importing``) reuses them.
"""
