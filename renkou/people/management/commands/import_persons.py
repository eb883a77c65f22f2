"""``manage.py import_persons FILE [--mode all|rows] [--report REPORT.xlsx] [--unit CODE]
[--preview] [--workers N]``: import households and persons from .xlsx/.xls/.ods/.csv with the
same checks and writes as the import page (docs/import.md), as the system (no user), into the
whole county of ``--unit`` (default: the only county loaded).

Exit status: 0 every row imported (or the file was imported before), 1 some rows rejected
(``all`` mode then writes nothing), 2 the file cannot be used (type, size, zip bomb, missing
columns, …).
"""

import os
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from renkou.common.progress import ProgressBar
from renkou.geo.constants import Level, county_of, full_code
from renkou.geo.models import Unit
from renkou.people.importing.batches import FileResult, import_file
from renkou.people.importing.checking import Scope
from renkou.people.importing.files import FileRefused
from renkou.people.importing.pipeline import Outcome
from renkou.people.models import ImportBatch


class Command(BaseCommand):
    help = (
        "从 Excel/CSV 文件批量导入户和人员（与导入页面同样的校验）；"
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
        parser.add_argument(
            "--workers", type=int, default=1, help="校验用的进程数（默认 1；大文件可设为 CPU 核数）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        scope = self._scope(options["unit"])
        if not path.is_file():
            self._refuse(f"找不到文件：{path}")
        progress = _Progress(getattr(self.stderr, "_out", self.stderr))  # raw: the bar uses \r
        workers = max(1, min(options["workers"], os.cpu_count() or 1))
        try:
            result = import_file(
                path,
                scope=scope,
                mode=options["mode"],
                today=timezone.localdate(),
                preview=options["preview"],
                report=options["report"],
                workers=workers,
                start_progress=progress.start,
            )
        except FileRefused as refused:
            self._refuse(f"文件不能导入：{refused}")
        progress.finish()
        self._print(result, options)
        raise SystemExit(1 if result.outcome.bad else 0)

    def _scope(self, code: str | None) -> Scope:
        counties = Unit.objects.current().filter(level=Level.COUNTY)
        if code:
            county = counties.filter(code=full_code(county_of(code))).first()
            if county is None:
                self._refuse(f"没有代码为 {county_of(code)} 的县")
        else:
            found = list(counties[:2])
            if len(found) != 1:
                self._refuse("系统中有多个县（或没有县），请用 --unit 指定导入到哪个县")
            county = found[0]
        return Scope.of(county_of(county.code))

    def _refuse(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(2)

    def _print(self, result: FileResult, options: dict[str, Any]) -> None:
        outcome, batch = result.outcome, result.batch
        write = self.stdout.write
        if result.duplicate:
            write(batch.message)
            write("新增 0 人，更新 0 人")
            return
        write(f"共 {outcome.total} 行：正确 {outcome.good} 行，错误 {outcome.bad} 行")
        for note in outcome.notes:
            write(f"提示：{note}")
        if options["preview"]:
            write(f"（只校验）将新增 {outcome.to_create} 人，将更新 {outcome.to_update} 人")
        elif batch.status == ImportBatch.Status.REJECTED:
            write("有错误行，按“全部正确才导入”没有导入任何数据")
        else:
            write(
                f"新增 {outcome.created} 人，更新 {outcome.updated} 人，"
                f"无变化 {outcome.unchanged} 人"
            )
        self._print_errors(outcome, options["report"])

    def _print_errors(self, outcome: Outcome, report: Path | None) -> None:
        if not outcome.bad:
            return
        common = "；".join(f"{code} {count} 处" for code, count in outcome.codes.most_common(10))
        self.stdout.write(f"错误类型：{common}")
        if report is not None:
            self.stdout.write(f"错误报告：{report}")
        else:
            self.stdout.write("可用 --report 错误报告.xlsx 输出每一行的错误")


class _Progress:
    """The command's progress bar over the table's estimated number of data rows."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.bar: ProgressBar | None = None

    def start(self, total: int) -> "_Progress":
        self.bar = ProgressBar(total, label="导入", stream=self.stream)
        return self

    def __call__(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(done)

    def finish(self) -> None:
        if self.bar is not None and getattr(self.stream, "isatty", lambda: False)():
            self.stream.write("\n")
