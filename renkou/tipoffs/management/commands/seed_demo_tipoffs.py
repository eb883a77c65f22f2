"""manage.py seed_demo_tipoffs [--date D]: the demo county's (卓尼县 623022) tip-offs: four per
township at different steps (reward paid, reward waiting for finance, overdue under
investigation, just received). Idempotent."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.common.forms import DateField
from renkou.tipoffs.demo import seed_tipoffs

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = "为演示县登记举报：每个乡镇四件，分别处于已发放奖励、待发放、调查中（逾期）、待分派。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, date=None, **options):
        today = DateField().clean(date) if date else timezone.localdate()
        made = seed_tipoffs(county=DEMO_COUNTY, today=today)
        self.stdout.write(f"举报：新登记 {len(made)} 件。")
