"""manage.py seed_demo_assessment [--date D]: the demo county's (卓尼县 623022) assessment
scheme of the current FP year from the 国优 template, published, with manual scores; the board
then scores every township live; each township's 包乡领导 and 包乡干部, some villages' 包村技术员,
and a few entries of the leaders' responsibility records. Idempotent."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.assessment.demo import seed_assessment, seed_staff
from renkou.assessment.sheets import compute
from renkou.common.forms import DateField

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = "为演示县建立并发布本年度目标管理责任制考核方案（国优模板），录入演示人工评分。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, date=None, **options):
        today = DateField().clean(date) if date else timezone.localdate()
        scheme = seed_assessment(county=DEMO_COUNTY, today=today)
        if scheme is None:
            self.stdout.write("没有演示县，未建立考核方案。")
            return
        found = compute(scheme, today)
        vetoed = [s for s in found if s.vetoed]
        self.stdout.write(
            f"{scheme.label}：{len(found)} 个乡镇实时计分，{len(vetoed)} 个被一票否决。"
        )
        for sheet in vetoed:
            self.stdout.write(f"  {sheet.unit_name}：{'；'.join(v.text for v in sheet.vetoes)}")
        added = seed_staff(county=DEMO_COUNTY, today=today)
        self.stdout.write(
            f"包乡包村：新增 {added} 条包联（各乡镇包乡领导、包乡干部，部分村包村技术员）。"
        )
