"""manage.py seed_demo_programs [--seed S] [--date D]: a year of the demo county's free
pre-pregnancy exam records (``renkou.programs.demo``). Runs only when no couple file exists and
the demo county has persons, so it is safe on every ``make run``."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.common.forms import DateField
from renkou.geo.scope import prefix_range
from renkou.people.models import Person
from renkou.programs import demo
from renkou.programs.models import CoupleFile

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = "为演示县生成孕前优生健康检查的夫妇档案、检查、风险评估和随访（仅在没有任何档案时）。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20_231, help="随机种子")
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, seed, date=None, **options):
        if CoupleFile.objects.exists():
            self.stdout.write("已有孕前优生档案，未生成演示数据。")
            return
        if not Person.objects.filter(**prefix_range("unit_code", DEMO_COUNTY)).exists():
            self.stdout.write("演示县没有人员，未生成孕前优生演示数据。")
            return
        today = DateField().clean(date) if date else timezone.localdate()
        report = demo.seed_prepregnancy(county=DEMO_COUNTY, today=today, seed=seed)
        self.stdout.write(
            f"孕前优生演示数据：夫妇档案 {report.couples} 份，检查 {report.exams} 人次，"
            f"随访 {report.followups} 条。"
        )
