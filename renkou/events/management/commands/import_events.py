"""``manage.py import_events FILE [--mode all|rows] [--report REPORT.xlsx] [--unit CODE]
[--preview]``: import change events from .xlsx/.xls/.ods/.csv with the same checks and records
as the import page (docs/import-events.md), as the system (no user), into the whole county of
``--unit`` (default: the only county loaded).

Exit status: 0 every row imported (rows already recorded are skipped, not errors; or the file
was imported before), 1 some rows rejected (``all`` mode then records nothing), 2 the file
cannot be used (type, size, zip bomb, missing columns, …).

The person import's command (``import_persons``) gives the county, the refusals, the progress
bar and the error summary; this one names the event import and its counts.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from renkou.events.importing.importer import EVENTS, done_message
from renkou.people.importing.batches import FileResult, import_file
from renkou.people.importing.files import FileRefused
from renkou.people.management.commands import import_persons


class Command(import_persons.Command):
    help = (
        "从 Excel/CSV 文件批量导入人口变动（与导入页面同样的校验）；"
        "退出码 0 全部导入，1 有错误行，2 文件不可用"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mode",
            choices=["all", "rows"],
            default="all",
            help="all：全部正确才导入（默认）；rows：只导入正确的行",
        )
        parser.add_argument("--report", type=Path, help="有错误时把错误报告写到这个 .xlsx 文件")
        parser.add_argument("--unit", help="导入到哪个县（县或其下任一单位的代码）")
        parser.add_argument("--preview", action="store_true", help="只校验，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        scope = self._scope(options["unit"])
        if not path.is_file():
            self._refuse(f"找不到文件：{path}")
        bar = import_persons._Progress(getattr(self.stderr, "_out", self.stderr))
        choices = {
            "scope": scope,
            "mode": options["mode"],
            "today": timezone.localdate(),
            "preview": options["preview"],
            "report": options["report"],
        }
        try:
            result = import_file(path, start_progress=bar.start, importer=EVENTS, **choices)
        except FileRefused as refused:
            self._refuse(f"文件不能导入：{refused}")
        bar.finish()
        self._print(result, options)
        raise SystemExit(1 if result.outcome.bad else 0)

    def _print(self, result: FileResult, options: dict[str, Any]) -> None:
        outcome, write = result.outcome, self.stdout.write
        if result.duplicate:
            write(result.batch.message)
            write("登记变动 0 条")
            return
        write(f"共 {outcome.total} 行：正确 {outcome.good} 行，错误 {outcome.bad} 行")
        for note in outcome.notes:
            write(f"提示：{note}")
        if options["preview"]:
            counts = (outcome.to_create, outcome.to_update, outcome.unchanged)
            write("（只校验）将登记变动 {} 条，将新建人员 {} 人，已登记跳过 {} 条".format(*counts))
        elif result.batch.status == EVENTS.model.Status.REJECTED:
            write("有错误行，按“全部正确才导入”没有导入任何数据")
        else:
            write(done_message(outcome))
        self._print_errors(outcome, options["report"])
