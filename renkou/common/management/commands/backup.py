"""manage.py backup [--output FILE]: an encrypted backup of the database (pg_dump custom format on
PostgreSQL, the SQLite backup API on SQLite) under the backup key (renkou.common.backup;
docs/operations.md). Written owner-only; one audit row records its size and key id."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from renkou.common import audit, backup

ACTION = "backup.create"


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"renkou-{stamp}.rkb"


class Command(BaseCommand):
    help = "备份数据库并用备份密钥加密（PostgreSQL 用 pg_dump，SQLite 用备份 API）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="备份文件路径（默认 var/backups/）")

    def handle(self, *args: Any, output: Path | None = None, **options: Any) -> None:
        target = output or default_output()
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            result = backup.create(target, connection=connection)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        audit.record(
            actor=None,
            action=ACTION,
            object_type=result.header.format,
            summary=f"{result.file_bytes} bytes {result.header.suite}:{result.header.key_id}",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{result.path}（{result.file_bytes:,} 字节，{result.seconds:.1f} 秒）"
            )
        )
