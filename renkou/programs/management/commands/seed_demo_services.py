"""manage.py seed_demo_services [--seed S] [--date D]: a year of the demo county's
reproductive-health services — RH checks, 蓝氧 and other treatments, contraception follow-up
visits and free supplies (``renkou.programs.rh_demo``). Runs only when no RH check exists and the
demo county has persons, so it is safe on every ``make run``; run it after ``seed_demo``."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.common.forms import DateField
from renkou.geo.scope import prefix_range
from renkou.people.models import Person
from renkou.programs import rh_demo
from renkou.programs.models import RHCheck

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = (
        "为演示县生成一年的生殖健康检查、妇科治疗（蓝氧）、避孕节育随访和药具发放"
        "（仅在没有检查记录时）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20_232, help="随机种子")
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, seed, date=None, **options):
        if RHCheck.objects.exists():
            self.stdout.write("已有生殖健康检查记录，未生成演示数据。")
            return
        if not Person.objects.filter(**prefix_range("unit_code", DEMO_COUNTY)).exists():
            self.stdout.write("演示县没有人员，未生成生殖健康服务演示数据。")
            return
        today = DateField().clean(date) if date else timezone.localdate()
        report = rh_demo.seed_services(county=DEMO_COUNTY, today=today, seed=seed)
        self.stdout.write(
            f"生殖健康演示数据：检查 {report.checks} 人次，治疗 {report.treatments} 人次，"
            f"随访 {report.visits} 人次，药具发放 {report.supplies} 人次。"
        )
