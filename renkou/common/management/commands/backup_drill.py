"""manage.py backup_drill: the restore drill of security.md RL3, monthly (docs/operations.md).

Backs the database up (encrypted, as ``backup`` does), restores the file into a fresh database
(a temporary SQLite file, or a new database on the same PostgreSQL server, dropped afterwards),
compares per-table row counts and SHA-256 of ordered canonical dumps, and verifies the restored
audit chain. Prints the figures (tables, names, counts and hashes only, never row values) and
exits 1 on any difference. One audit row records the outcome.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from renkou.common import audit, backup, drill
from renkou.common.models import AuditEntry

ACTION = "backup.drill"


class Command(BaseCommand):
    help = (
        "备份恢复演练：备份 → 恢复到新库 → 逐表比对行数和校验和 → 校验审计链；不一致时退出码为 1。"
    )

    def handle(self, *args: Any, verbosity: int = 1, **options: Any) -> None:
        try:
            report = drill.run(connection)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self._tables(report, verbosity)
        self._summary(report)
        audit.record(
            actor=None,
            action=ACTION,
            object_type=report.archive.header.format if report.archive else "",
            row_count=sum(figure.rows for figure in report.source.values()),
            summary=f"mismatched={len(report.mismatched)} audit_problems={report.audit_problems}",
            result=AuditEntry.Result.OK if report.ok else AuditEntry.Result.FAILED,
        )
        if not report.ok:
            self.stderr.write(self.style.ERROR("演练失败：恢复后的数据库与源库不一致。"))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("演练通过：所有表的行数和校验和一致，审计链完整。"))

    def _tables(self, report: drill.DrillReport, verbosity: int) -> None:
        self.stdout.write(f"{'表':<40} {'源库行数':>10} {'恢复后行数':>10}  校验和")
        for name in report.tables:
            source, restored = report.source.get(name), report.restored.get(name)
            same = source == restored
            if verbosity < 2 and same and source is not None and source.rows == 0:
                continue  # empty tables only with -v 2
            rows = [str(figure.rows) if figure else "缺表" for figure in (source, restored)]
            mark = "一致" if same else self.style.ERROR("不一致")
            self.stdout.write(f"{name:<40} {rows[0]:>10} {rows[1]:>10}  {mark}")

    def _summary(self, report: drill.DrillReport) -> None:
        result = report.archive
        assert result is not None  # noqa: S101 set by drill.run
        total = sum(figure.rows for figure in report.source.values())
        tables, bad = len(report.tables), len(report.mismatched)
        lines = [
            f"表：{tables} 张，校验和一致 {tables - bad} 张，不一致 {bad} 张",
            f"行数：源库 {total:,} 行，恢复后 {sum(f.rows for f in report.restored.values()):,} 行",
            f"备份：{result.header.format}，{result.header.suite}，密钥 {result.header.key_id}，"
            f"明文 {result.plain_bytes:,} 字节，加密文件 {result.file_bytes:,} 字节，"
            f"用时 {report.backup_seconds:.2f} 秒",
            f"恢复用时（RTO）：{report.restore_seconds:.2f} 秒",
            f"审计链：{report.audit_rows} 条，问题 {report.audit_problems} 处",
        ]
        for line in lines:
            self.stdout.write(line)
