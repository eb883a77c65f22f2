"""manage.py find_duplicates: the duplicate-person scan (daily, and after large imports)."""

from typing import Any

from django.core.management.base import BaseCommand

from renkou.people.duplicates import duplicates_scan


class Command(BaseCommand):
    help = (
        "扫描疑似重复人员（身份证号相同；姓名、出生日期和母亲相同；同一乡镇姓名拼音和出生日期"
        "相同），新发现的加入待处理队列；已处理过的不再加入。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        found = duplicates_scan(actor=None)
        self.stdout.write(f"疑似重复人员：新发现 {found} 对。")
