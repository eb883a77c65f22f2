"""``manage.py check_balance [--unit CODE] [--years N]``: check that the population balance
closes (期初 + 出生 − 死亡 + 迁入 − 迁出 (+ 流入 − 流出) + 其他变动 = 期末, docs/indicators.md §4.1)
for the unit, each township and each village, in every scope, for the last N FP years (default
3), their halves, the calendar quarters and the months in them. Prints the failures and exits
with status 2 if any; otherwise one line saying how much was checked."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from renkou.common import periods
from renkou.events.constants import Scope
from renkou.geo.models import Unit
from renkou.reports.balance import balances, gap


def _periods(years: int) -> list[periods.Period]:
    last = periods.fp_year_of(timezone.localdate())
    first = max(last - years + 1, periods.first_year())
    out = []
    for year in range(first, last + 1):
        whole = periods.fp_year(year)
        out += [whole, periods.fp_half(year, 1), periods.fp_half(year, 2)]
        day = whole.start
        while day <= whole.end:
            out.append(periods.month(day.year, day.month))
            if day.month % 3 == 1:
                out.append(periods.quarter(day.year, (day.month + 2) // 3))
            day = periods.month_end(day.year, day.month) + timedelta(days=1)
    return out


class Command(BaseCommand):
    help = "检查人口变动平衡：期初 + 各项变动 = 期末（各单位、各期间、各口径）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", default="", help="单位代码（默认：全部县）")
        parser.add_argument("--years", type=int, default=3, help="最近几个统计年度（默认 3）")

    def handle(self, *args, unit: str, years: int, **options) -> None:
        tops = Unit.objects.current().filter(parent__isnull=True)
        if unit:
            tops = Unit.objects.current().filter(code=unit)
            if not tops.exists():
                raise CommandError(f"找不到单位 {unit}", returncode=2)
        failures, checked = [], 0
        for top in tops:
            for period in _periods(years):
                for scope in Scope:
                    found = {}
                    for length in (9, 12):
                        if len(top.prefix) < length:
                            found.update(balances(top.prefix, period, scope, length))
                    if top.prefix not in found:
                        found.update(balances(top.prefix, period, scope, None))
                    for prefix, values in sorted(found.items()):
                        checked += 1
                        if gap(values, scope):
                            failures.append(
                                f"{prefix} {period.code} {scope.label}：差额 {gap(values, scope):g}"
                            )
        for line in failures:
            self.stderr.write(line)
        if failures:
            raise CommandError(f"人口变动不平衡：{len(failures)} 处", returncode=2)
        self.stdout.write(f"人口变动平衡：已检查 {checked} 个单位·期间·口径，全部闭合。")
