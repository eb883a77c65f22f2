"""manage.py verify_audit [--anchor FILE]: walk the audit hash chain and report every broken
link. With ``--anchor``, also check the (seq, hash) saved there by the previous run, then save
the current head: keep that file outside the database server (another machine, WORM storage)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from renkou.common import audit

KINDS = {
    "edited": "被修改",
    "inserted": "被插入",
    "deleted": "被删除",
    "head": "链头不符",
    "anchor": "锚点不符",
}


class Command(BaseCommand):
    help = "校验审计日志哈希链：报告被修改、插入或删除的记录。发现问题时退出码为 1。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchor", type=Path, help="外部锚点文件（上次校验时的链头）")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="数据库别名（默认 default）"
        )

    def handle(
        self, *args: Any, anchor: Any = None, database: str = DEFAULT_DB_ALIAS, **options: Any
    ) -> None:
        saved = None
        if anchor is not None and anchor.exists():
            data = json.loads(anchor.read_text(encoding="utf-8"))
            saved = (int(data["seq"]), str(data["hash"]))
        count, problems = audit.verify(anchor=saved, using=database)
        if problems:
            for problem in problems:
                self.stdout.write(f"第 {problem.seq} 条 {KINDS[problem.kind]}：{problem.detail}")
            summary = f"审计日志校验失败：{len(problems)} 处问题（共 {count} 条）。"
            self.stderr.write(self.style.ERROR(summary))
            raise SystemExit(1)
        if anchor is not None:
            seq, digest = audit.head(database)
            anchor.write_text(json.dumps({"seq": seq, "hash": digest}), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"审计日志完整：共 {count} 条，哈希链无断点。"))
