"""manage.py seed_demo_floating [--date D]: the demo county's (卓尼县 623022) floating-population
registers: a record for each inflow and outflow person of the register, and 婚育证明 for the
inflow women of childbearing age (verified, expired, not verified yet, none). Idempotent."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.common.forms import DateField
from renkou.floating.demo import seed_floating

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = "为演示县登记流入、流出人口及流入育龄妇女的婚育证明（部分已核验、过期或未核验）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, date=None, **options):
        today = DateField().clean(date) if date else timezone.localdate()
        found = seed_floating(county=DEMO_COUNTY, today=today)
        self.stdout.write(
            f"流动人口登记 {found['records']} 条；流入育龄妇女 {found['women']} 人，"
            f"婚育证明 {found['certificates']} 份；协查函件 {found['messages']} 件（部分逾期）。"
        )
