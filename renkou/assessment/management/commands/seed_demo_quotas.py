"""manage.py seed_demo_quotas [--date D]: the demo county's (卓尼县 623022) task quotas of the
current FP year: pre-pregnancy coverage 80 % (veto) and RH checks 30 % for the county and every
township, 蓝氧 1,500 for 柳林镇 together with the county service centre (veto) and 500 for every
other township (veto). Idempotent: a quota that exists is left as it is."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.assessment import measures as M
from renkou.assessment.models import TaskQuota
from renkou.assessment.services import quota_set
from renkou.common.actors import Actor
from renkou.common.forms import DateField
from renkou.common.periods import fp_year_of
from renkou.geo.constants import Level, full_code
from renkou.geo.models import ServicePoint, Unit

DEMO_COUNTY = "623022"
CENTRE_TOWNSHIP = "柳林镇"


class Command(BaseCommand):
    help = "为演示县下达本年度任务指标（孕前优生、生殖健康检查、蓝氧治疗；已有的不改动）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, date=None, **options):
        today = DateField().clean(date) if date else timezone.localdate()
        county = Unit.objects.current().filter(code=full_code(DEMO_COUNTY)).first()
        if county is None:
            self.stdout.write("没有演示县，未下达任务指标。")
            return
        year = fp_year_of(today)
        townships = list(
            Unit.objects.current().filter(level=Level.TOWNSHIP, code__startswith=DEMO_COUNTY)
        )
        centre = ServicePoint.objects.filter(unit=county, kind=ServicePoint.Kind.COUNTY_CENTRE)
        made = 0
        for unit in [county, *townships]:
            plan = [("prepreg_exam", 80, True, []), ("rh_check", 30, False, [])]
            if unit.level == Level.TOWNSHIP:
                main = unit.name == CENTRE_TOWNSHIP
                plan.append(
                    ("treatment", 1500 if main else 500, True, list(centre) if main else [])
                )
            for measure, target, veto, points in plan:
                if TaskQuota.objects.filter(
                    year=year, unit_code=unit.code, measure=measure
                ).exists():
                    continue
                quota_set(
                    actor=Actor(None),
                    unit=unit,
                    year=year,
                    measure=measure,
                    target=Decimal(target),
                    deadline=M.period(year).end,
                    veto=veto,
                    service_points=points,
                    note="演示数据",
                )
                made += 1
        self.stdout.write(f"{year}年度任务指标：新下达 {made} 项。")
