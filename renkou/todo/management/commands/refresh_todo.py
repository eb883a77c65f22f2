"""manage.py refresh_todo [--unit CODE] [--date YYYY-MM-DD] [--schedule]: refresh the to-do lists
(服务信息引导) now; ``--schedule`` also queues the self-scheduling daily job for 01:00 tomorrow
(run once after set-up; the worker keeps it going)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from renkou.common.forms import DateField
from renkou.geo.models import Unit
from renkou.todo import tasks
from renkou.todo.models import RefreshRun
from renkou.todo.services import refresh_logged


class Command(BaseCommand):
    help = "刷新服务待办（按提醒规则生成到期随访、取出、检查等待办事项）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", default="", help="只刷新该单位（12位代码）及下级")
        parser.add_argument("--date", help="按该日期计算（默认今天）")
        parser.add_argument("--schedule", action="store_true", help="同时安排每日自动刷新")

    def handle(self, *args, unit="", date=None, schedule=False, **options):
        day = DateField().clean(date) if date else timezone.localdate()
        prefix = ""
        if unit:
            found = Unit.objects.current().filter(code=unit).first()
            if found is None:
                raise CommandError(f"单位代码 {unit} 不存在")
            prefix = found.prefix
        run = refresh_logged(trigger=RefreshRun.Trigger.COMMAND, prefix=prefix, today=day)
        self.stdout.write(
            f"{day:%Y-%m-%d}：新增待办 {run.created} 条，更新 {run.changed} 条，"
            f"耗时 {run.seconds:.1f} 秒。"
        )
        if schedule:
            queued = tasks.schedule(timezone.localdate())
            done = "已安排每日 01:00 自动刷新。" if queued else "当前任务后端不支持定时。"
            self.stdout.write(done)
