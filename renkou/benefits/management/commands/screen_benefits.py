"""manage.py screen_benefits --unit PREFIX [--date D] [--limit N]: the 全覆盖 list (people who
appear eligible today for 奖扶/特扶/育儿补贴 but have no application), printed as counts per
programme and masked rows. Reads only: nothing is written to the register or elsewhere."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from renkou.benefits import services
from renkou.common.forms import DateField


class Command(BaseCommand):
    help = "列出看来符合奖扶、特扶、育儿补贴条件但尚无申请的人员（全覆盖名单，只读）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="单位代码前缀（县6位、乡9位、村12位）")
        parser.add_argument("--date", help="判定日期（默认今天）")
        parser.add_argument("--limit", type=int, default=50, help="最多列出的行数")

    def handle(self, *args, unit, date=None, limit=50, **options):
        if not unit.isdigit() or len(unit) not in (6, 9, 12):
            raise CommandError("--unit 应为 6、9 或 12 位数字")
        today = DateField().clean(date) if date else timezone.localdate()
        rows = services.screen(unit, today)
        counts = Counter(r.program.name for r in rows)
        for name, n in sorted(counts.items()):
            self.stdout.write(f"{name}：{n} 人")
        for row in rows[:limit]:
            # Person ids and unit codes only: no names or ID numbers in terminal logs.
            self.stdout.write(
                f"{row.person.unit_code}\t人员#{row.person.pk}\t{row.program.code}"
                f"\t{row.verdict.result.verdict}\t第{row.verdict.version.number}版"
            )
        self.stdout.write(f"合计 {len(rows)} 条（{today.isoformat()}）")
