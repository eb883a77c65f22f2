"""One pass over an import file: read → check each row → check each chunk against the file and
the register → (when writing) write the chunk. The preview and the commit run the same pass;
the commit re-checks because the register may have changed since the preview.

Phase 1 and phase 2 of security.md §2 are one pass here so that a million rows never sit in
memory: in ``all`` mode writing stops at the first bad row, checking goes on so the report is
complete, and the caller rolls the transaction back. Only the issues are kept (every error;
warnings up to ``WARNING_ROWS`` rows).
"""

import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from renkou.people import rules
from renkou.people.importing.checking import Checked, Planner, Scope, UnitBook, check_row
from renkou.people.importing.columns import EXAMPLE_NAME
from renkou.people.importing.reading import Row, Table
from renkou.people.importing.writing import Writer
from renkou.people.models import ImportBatch
from renkou.people.rules import Issue

CHUNK = 1000
WARNING_ROWS = 10_000
SAMPLES = 50
Progress = Callable[[int], None]


@dataclass
class Outcome:
    """Counts and issues of one pass (row numbers as in the sheet)."""

    total: int = 0
    good: int = 0
    bad: int = 0
    to_create: int = 0
    to_update: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[int, list[Issue]] = field(default_factory=dict)
    warnings: dict[int, list[Issue]] = field(default_factory=dict)
    warning_count: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)  # the first errors, masked
    mapped: Counter[str] = field(default_factory=Counter)  # alias note → rows

    def note_mapped(self) -> None:
        """One note per alias the file used (身份证 → 居民身份证) with its row count: the
        mapping is reported, not refused (issue 13 item 6)."""
        for message, rows in sorted(self.mapped.items()):
            self.notes.append(f"{message}（{rows} 行）")


@dataclass(frozen=True)
class Options:
    mode: str = ImportBatch.Mode.ALL
    write: bool = False
    workers: int = 1
    user: Any = None  # history_user of the written rows (None: a command)
    reason: str = ""


def run(
    table: Table, *, scope: Scope, options: Options, today: date, progress: Progress | None = None
) -> Outcome:
    """Check (and, with ``options.write``, write) every row of ``table``."""
    units = UnitBook.load(scope.county)
    ctx = rules.CheckContext.build(today, known_unit=units)
    fields = sorted(table.fields.items())
    outcome = Outcome(notes=list(table.notes))
    planner = Planner(scope)
    writer = Writer(user=options.user, today=today, reason=options.reason)
    rows = without_example(table, outcome)
    chunks = _checked(rows, (fields, ctx, scope, units), options.workers)
    for rows_in, chunk in chunks:
        good = planner.plan(chunk)
        _count(outcome, chunk, good)
        _sample(outcome, table, rows_in, chunk)
        if options.write and not (options.mode == ImportBatch.Mode.ALL and outcome.bad):
            written = writer.write(good, planner.households)
            outcome.created += written.created
            outcome.updated += written.updated
            outcome.unchanged += written.unchanged
        if progress is not None:
            progress(outcome.total)
    outcome.note_mapped()
    return outcome


def without_example(table: Table, outcome: Outcome) -> Iterator[Row]:
    """The data rows but the template's example row (示例 in the sheet's example field),
    which is skipped with a note."""
    marker = table.sheet.example_field
    at = next((index for index, name in table.fields.items() if name == marker), None)
    for number, cells in table.rows():
        if at is not None and at < len(cells) and rules.text(cells[at]) == EXAMPLE_NAME:
            outcome.notes.append(f"第 {number} 行是模板中的示例行，已跳过")
            continue
        yield number, cells


def _sample(outcome: Outcome, table: Table, rows: list[Row], chunk: list[Checked]) -> None:
    """Keep the first ``SAMPLES`` errors with their (masked) values for the preview page."""
    if len(outcome.samples) >= SAMPLES or not any(c.bad for c in chunk):
        return
    for (_number, cells), checked in zip(rows, chunk, strict=True):
        sample(outcome, table, checked.row, cells, rules.errors(checked.issues))


def sample(outcome: Outcome, table: Table, row: int, cells: list[Any], found: list[Issue]) -> None:
    """Add one row's errors to the preview's first ``SAMPLES``, values masked."""
    columns = {name: index for index, name in table.fields.items()}
    for item in found:
        if len(outcome.samples) >= SAMPLES:
            return
        index = columns.get(item.field)
        value = cells[index] if index is not None and index < len(cells) else ""
        outcome.samples.append(
            {
                "row": row,
                "column": table.header_of(item.field),
                "code": item.code,
                "value": table.sheet.mask(item.field, value),
                "message": item.message,
            }
        )


def _count(outcome: Outcome, chunk: list[Checked], good: list[Checked]) -> None:
    outcome.total += len(chunk)
    outcome.good += len(good)
    outcome.to_update += sum(1 for c in good if c.existing is not None)
    outcome.to_create += sum(1 for c in good if c.existing is None)
    for checked in chunk:
        if keep_issues(outcome, checked.row, checked.issues):
            outcome.bad += 1


def keep_issues(outcome: Outcome, row: int, issues: list[Issue]) -> bool:
    """Keep one row's errors and (up to ``WARNING_ROWS`` rows) warnings; True if it has
    errors. Counting rows as total, good or bad is the caller's."""
    found = rules.errors(issues)
    if found:
        outcome.errors[row] = found
        outcome.codes.update(i.code for i in found)
    outcome.mapped.update(i.message for i in issues if i.severity == rules.NOTE)
    warned = [i for i in issues if i.severity == "warning"]
    if warned:
        outcome.warning_count += 1
        if len(outcome.warnings) < WARNING_ROWS:
            outcome.warnings[row] = warned
    return bool(found)


# --- row checks, in this process or in worker processes -------------------------------------

_STATE: tuple[Any, ...] = ()


def _init(state: tuple[Any, ...]) -> None:
    global _STATE  # the worker's read-only copy of the check context
    _STATE = state


def _check_chunk(rows: list[Row]) -> list[Checked]:
    fields, ctx, scope, units = _STATE
    return [check_row(number, cells, fields, ctx, scope, units) for number, cells in rows]


def _chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


Checks = Iterator[tuple[list[Row], list[Checked]]]


def _checked(rows: Iterable[Row], state: tuple[Any, ...], workers: int) -> Checks:
    """(rows, checked rows) per chunk in file order. With ``workers`` > 1 the row checks run in
    forked processes (they need no database), at most ``2 × workers`` chunks ahead."""
    _init(state)
    if workers <= 1:
        for chunk in _chunks(rows):
            yield chunk, _check_chunk(chunk)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init, initargs=(state,)) as pool:
        pending: deque[tuple[list[Row], Any]] = deque()
        for chunk in _chunks(rows):
            pending.append((chunk, pool.apply_async(_check_chunk, (chunk,))))
            if len(pending) >= 2 * workers:
                chunk_rows, result = pending.popleft()
                yield chunk_rows, result.get()
        while pending:
            chunk_rows, result = pending.popleft()
            yield chunk_rows, result.get()
