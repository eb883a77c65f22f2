"""manage.py verify_audit: walk the audit hash chain and report every broken link."""

from django.core.management.base import BaseCommand

from renkou.common import audit


class Command(BaseCommand):
    help = "校验审计日志哈希链：报告被修改、插入或删除的记录。发现问题时退出码为 1。"

    def handle(self, *args, **options):
        count, problems = audit.verify()
        if not problems:
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：共 {count} 条，哈希链无断点。"))
            return
        kinds = {"edited": "被修改", "inserted": "被插入", "deleted": "被删除", "head": "链头不符"}
        for problem in problems:
            self.stdout.write(f"第 {problem.seq} 条 {kinds[problem.kind]}：{problem.detail}")
        summary = f"审计日志校验失败：{len(problems)} 处问题（共 {count} 条）。"
        self.stderr.write(self.style.ERROR(summary))
        raise SystemExit(1)
