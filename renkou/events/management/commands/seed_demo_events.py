"""manage.py seed_demo_events [--seed S] [--date D]: the demo county's change events of the last
three FP years, the villages' monthly reports and the tallies (``renkou.events.demo``). Runs
only when no event exists, so it is safe on every ``make run``."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.accounts.models import User
from renkou.common.forms import DateField
from renkou.events import demo
from renkou.events.models import Event
from renkou.geo.scope import prefix_range
from renkou.people.models import Person

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = "为演示县生成近三个统计年度的人口变动、村级月报和统计汇总（仅在没有任何变动时）。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20_231, help="随机种子")
        parser.add_argument("--date", help="参照日期（默认今天）")
        parser.add_argument("--years", type=int, default=3, help="生成最近几个统计年度（默认 3）")

    def handle(self, *args, seed, years, date=None, **options):
        if Event.objects.exists():
            self.stdout.write("已有人口变动记录，未生成演示变动。")
            return
        if not Person.objects.filter(**prefix_range("unit_code", DEMO_COUNTY)).exists():
            self.stdout.write("演示县没有人员，未生成演示变动。")
            return
        today = DateField().clean(date) if date else timezone.localdate()
        reporter = User.objects.filter(username="xiang_liulin").first()
        report = demo.seed_events(
            county=DEMO_COUNTY, today=today, seed=seed, reporter=reporter, years=years
        )
        self.stdout.write(
            f"演示变动：出生 {report.births}，死亡 {report.deaths}，初婚 {report.marriages}，"
            f"流动 {report.flows}；村级月报 {report.reports} 份。"
        )
