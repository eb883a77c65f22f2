"""The change-event import's place in the shared import life cycle
(``renkou.people.importing.batches``): its batch model, columns, pass and tasks."""

from renkou.accounts.constants import Perm
from renkou.events.importing import pipeline
from renkou.events.importing.columns import SHEET
from renkou.events.models import EventImportBatch
from renkou.people.importing.batches import Importer
from renkou.people.importing.pipeline import Outcome

# The check records every row through the event services and rolls back (about 40 ms a row on
# SQLite), so files of more than about 200 rows are checked by the worker, not in the request.
INLINE_ROWS = 200


def done_message(outcome: Outcome) -> str:
    message = f"导入完成：登记变动 {outcome.created} 条"
    if outcome.updated:
        message += f"（其中新建人员 {outcome.updated} 人）"
    if outcome.unchanged:
        message += f"，已登记跳过 {outcome.unchanged} 条"
    return message


EVENTS = Importer(
    name="event",
    title="变动导入",
    model=EventImportBatch,
    sheet=SHEET,
    run=pipeline.run,
    tasks="renkou.events.importing.tasks",
    permission=Perm.IMPORT_EVENT,
    done_message=done_message,
    inline_rows=INLINE_ROWS,
)
