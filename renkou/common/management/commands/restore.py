"""manage.py restore FILE [--target-url URL] [--replace] [--check]: restore an encrypted backup
into an empty database (the configured one, or ``--target-url``). The whole file is checked
first; a wrong key, a changed byte or a cut-off file restores nothing (renkou.common.backup)."""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.common import backup


class Command(BaseCommand):
    help = "把加密备份恢复到空数据库（先整体校验；密钥不符、被篡改或截断时不恢复任何数据）。"
    # The target may be empty: no check may touch it before the restore.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="备份文件")
        parser.add_argument("--target-url", help="目标数据库 URL（默认为当前配置的数据库）")
        parser.add_argument("--replace", action="store_true", help="允许覆盖非空的目标数据库")
        parser.add_argument("--check", action="store_true", help="只校验备份文件，不恢复")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"备份文件不存在：{path}")
        try:
            if options["check"]:
                header = backup.verify_file(path)
                self.stdout.write(self.style.SUCCESS(f"备份文件完整（{header.format}）。"))
                return
            url = options["target_url"]
            target = dict(dj_database_url.parse(url)) if url else backup.default_settings()
            seconds = backup.restore(path, target=target, replace=options["replace"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"恢复完成，用时 {seconds:.1f} 秒。"))
