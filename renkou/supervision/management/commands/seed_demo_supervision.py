"""manage.py seed_demo_supervision [--date D]: the demo county's (卓尼县 623022) dated tasks of
the year: stations renovated by 15 May, publicity and culture yards by 30 May, for every
township at different steps (some overdue); and two inspections with samples, findings and
notices (one closed, one overdue). Idempotent."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.common.forms import DateField
from renkou.supervision import selectors
from renkou.supervision.demo import seed_inspections, seed_tasks
from renkou.supervision.models import Assignment

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = (
        "为演示县下达本年度两项重点工作（站所改造、宣传品与文化大院），各乡镇进度不同，部分逾期。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, date=None, **options):
        today = DateField().clean(date) if date else timezone.localdate()
        tasks = seed_tasks(county=DEMO_COUNTY, today=today)
        if not tasks:
            self.stdout.write("没有演示县，未下达重点工作。")
            return
        for task in tasks:
            rows = selectors.rows_of(Assignment.objects.filter(task=task), today)
            late = sum(1 for r in rows if r.progress == "overdue")
            self.stdout.write(
                f"{task.title}（{task.deadline}）：{len(rows)} 个乡镇，{late} 个逾期。"
            )
        visits = seed_inspections(county=DEMO_COUNTY, today=today)
        self.stdout.write(f"督查：{len(visits)} 次（含抽样、问题和整改通知）。")
