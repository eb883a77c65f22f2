"""manage.py screen_benefits --unit PREFIX [--date D] [--limit N] | --rebuild [--unit PREFIX]
| --refresh | --schedule

The 全覆盖 list (people who appear eligible today for 奖扶/特扶/育儿补贴 but have no
application), printed as counts per programme and masked rows: today's from the kept table
(``renkou.benefits.screening``), another day's screened from the register (reads only).
``--rebuild`` builds the kept table from scratch, ``--refresh`` runs the daily catch-up now,
``--schedule`` queues the daily catch-up on the background worker (00:30 every day)."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from renkou.benefits import screening, services, tasks
from renkou.common.forms import DateField


class Command(BaseCommand):
    help = "全覆盖名单：列出看来符合奖扶、特扶、育儿补贴条件但尚无申请的人员；或重建、更新名单。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", default="", help="单位代码前缀（县6位、乡9位、村12位）")
        parser.add_argument("--date", help="判定日期（默认今天）")
        parser.add_argument("--limit", type=int, default=50, help="最多列出的行数")
        parser.add_argument("--rebuild", action="store_true", help="从人员库重建全覆盖名单")
        parser.add_argument("--refresh", action="store_true", help="立即进行每日核对")
        parser.add_argument("--schedule", action="store_true", help="排入每日凌晨的后台核对")

    def handle(self, *args, unit="", date=None, limit=50, **options):
        if unit and (not unit.isdigit() or len(unit) not in (6, 9, 12)):
            raise CommandError("--unit 应为 6、9 或 12 位数字")
        today = timezone.localdate()
        if options["rebuild"] or options["refresh"]:
            run = screening.rebuild(unit, today) if options["rebuild"] else screening.refresh(today)
            self.stdout.write(f"已判定 {run.persons} 人，用时 {run.seconds} 秒")
        if options["schedule"]:
            queued = tasks.schedule_screening(today)
            self.stdout.write("已排入每日核对" if queued else "后台任务不支持定时，未排入")
        if options["rebuild"] or options["refresh"] or options["schedule"]:
            return
        if not unit:
            raise CommandError("请用 --unit 指定单位代码前缀")
        self._list(unit, DateField().clean(date) if date else today, today, limit)

    def _list(self, unit, day, today, limit):
        if day == today:
            rows = screening.rows_in(unit).select_related("program", "version")
            found = [
                (r.unit_code, r.person_id, r.program, r.verdict, r.version.number)
                for r in rows.order_by("unit_code", "person_id")
            ]
        else:
            found = [
                (
                    r.person.unit_code,
                    r.person.pk,
                    r.program,
                    r.verdict.result.verdict,
                    r.verdict.version.number,
                )
                for r in services.screen(unit, day)
            ]
        counts = Counter(program.name for _u, _p, program, _v, _n in found)
        for name, n in sorted(counts.items()):
            self.stdout.write(f"{name}：{n} 人")
        for code, pk, program, verdict, number in found[:limit]:
            # Person ids and unit codes only: no names or ID numbers in terminal logs.
            self.stdout.write(f"{code}\t人员#{pk}\t{program.code}\t{verdict}\t第{number}版")
        self.stdout.write(f"合计 {len(found)} 条（{day.isoformat()}）")
