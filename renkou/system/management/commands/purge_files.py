"""manage.py purge_files [--days N] [--schedule]: delete uploaded import files, error reports
and exports older than the retention period (``RENKOU_FILE_RETENTION_DAYS``, default 30) and
make everything under the var directory owner-only; ``--schedule`` also queues the daily job
(02:00) on the worker, which then keeps itself going."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from renkou.common.models import PurgeRun
from renkou.system import retention, tasks


class Command(BaseCommand):
    help = "按保留期限删除导入文件、错误报告和导出文件，并把 var 目录设为仅本账号可读写。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="保留天数（默认 RENKOU_FILE_RETENTION_DAYS）")
        parser.add_argument("--schedule", action="store_true", help="同时安排每日自动清理")

    def handle(self, *args, days=None, schedule=False, **options):
        if days is not None and days < 1:
            raise CommandError("--days 至少为 1")
        report = retention.purge(days=days)
        PurgeRun.objects.create(
            day=timezone.localdate(),
            trigger=PurgeRun.Trigger.COMMAND,
            removed=report.removed,
            tightened=report.tightened,
        )
        self.stdout.write(
            f"删除过期文件 {report.removed} 个，保留 {report.kept} 个；"
            f"收紧权限 {report.tightened} 处。"
        )
        if schedule:
            queued = tasks.schedule_purge(timezone.localdate())
            done = "已安排每日 02:00 自动清理。" if queued else "当前任务后端不支持定时。"
            self.stdout.write(done)
