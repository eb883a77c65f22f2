"""manage.py seed_demo_cases [--date D]: the demo county's (卓尼县 623022) “两非” cases: one
opened from a demo tip-off and closed with the inspectorate's penalty, one referred to the
police, one not substantiated, one overdue. Idempotent; after ``seed_demo_tipoffs``."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.cases.demo import seed_cases
from renkou.common.forms import DateField

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = (
        "为演示县登记“两非”案件：据举报立案并经卫生监督处罚、移送公安、查无实据、逾期未结各一件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, date=None, **options):
        today = DateField().clean(date) if date else timezone.localdate()
        made = seed_cases(county=DEMO_COUNTY, today=today)
        self.stdout.write(f"“两非”案件：新立案 {len(made)} 件。")
