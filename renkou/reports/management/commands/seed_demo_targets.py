"""manage.py seed_demo_targets [--date D]: the demo county's (卓尼县 623022) indicator targets of
the current FP year, as the county's speech sets them (domain.md §0.4, §7 items 5–7): natural
growth rate ≤ 9.31‰, policy-compliant birth rate (计划生育率) ≥ 96.5 %, sex ratio at birth
≤ 107, set for the county and copied to every township through the target services (audited),
so the dashboard shows targets out of the box. Idempotent: a target that exists is left as it
is (a county officer may have changed it)."""

from decimal import Decimal

from django.core.management.base import BaseCommand

from renkou.common import dates
from renkou.common.actors import Actor
from renkou.common.forms import DateField
from renkou.common.periods import fp_year_of
from renkou.geo.constants import full_code
from renkou.geo.models import Unit
from renkou.reports.models import Target
from renkou.reports.services import target_copy, target_save

DEMO_COUNTY = "623022"
LE, GE = Target.Direction.AT_MOST, Target.Direction.AT_LEAST
DEMO_TARGETS = (
    ("natural_growth_rate", LE, Decimal("9.31")),
    ("policy_compliant_birth_rate", GE, Decimal("96.5")),
    ("sex_ratio_at_birth", LE, Decimal("107")),
)


class Command(BaseCommand):
    help = (
        "为演示县设置本统计年度的指标目标值"
        "（人口自然增长率、计划生育率、出生人口性别比；已有的不改动）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="参照日期（默认今天）")
        parser.add_argument("--county", default=DEMO_COUNTY, help="县级区划代码（默认演示县）")

    def handle(self, *args, date=None, county=DEMO_COUNTY, **options):
        today = DateField().clean(date) if date else dates.today()
        county = Unit.objects.current().filter(code=full_code(county)).first()
        if county is None:
            self.stdout.write("没有演示县，未设置目标值。")
            return
        year = fp_year_of(today)
        made = 0
        for indicator, direction, value in DEMO_TARGETS:
            if Target.objects.filter(unit_code=county.code, year=year, indicator=indicator):
                continue
            target = Target(
                unit_code=county.code,
                year=year,
                indicator=indicator,
                direction=direction,
                value=value,
            )
            target_save(actor=Actor(None), target=target)
            target_copy(actor=Actor(None), target=target)
            made += 1
        self.stdout.write(f"{year}统计年度：新设 {made} 项县级目标值并下发到各乡镇。")
