"""manage.py seed_demo [--persons N] [--seed S]: the demo county (卓尼县, 623022), one demo
account per role, and a synthetic population (``renkou.people.demo``) with its duplicate queue.

Runs only what is missing, so it is safe on every ``make run``: the population is loaded only
into an empty register. Passwords are random, written once to ``var/demo-accounts.txt``
(mode 600) and never printed to the terminal or logs. The command lives in the people app
because it loads people; it calls the account services below it.
"""

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.accounts.constants import Role
from renkou.accounts.models import User
from renkou.accounts.services import user_create
from renkou.common.actors import Actor
from renkou.common.forms import DateField
from renkou.geo.models import Unit
from renkou.people import demo, duplicates
from renkou.people.models import Person

DEMO_COUNTY = demo.DEMO_COUNTY
# (user name, full name, role, unit code); the township is 柳林镇, the village its first one.
DEMO_ACCOUNTS = [
    ("cun_liulin", "村专干（示例）", Role.VILLAGE_ADMIN, "village"),
    ("xiang_liulin", "柳林镇计生办（示例）", Role.TOWNSHIP_OFFICER, "623022100000"),
    ("xiang_muer", "木耳镇计生办（示例）", Role.TOWNSHIP_OFFICER, "623022101000"),
    ("xian_yewu", "县局业务（示例）", Role.COUNTY_OFFICER, "623022000000"),
    ("jishu_zhongxin", "服务中心技术员（示例）", Role.TECHNICIAN, "623022000000"),
    ("ducha", "督查员（示例）", Role.INSPECTOR, "623022000000"),
    ("lingdao", "县领导（示例）", Role.LEADER, "623022000000"),
    ("sysadmin", "系统管理员（示例）", Role.SYS_ADMIN, "623022000000"),
    ("secadmin", "安全管理员（示例）", Role.SEC_ADMIN, "623022000000"),
    ("auditadmin", "审计管理员（示例）", Role.AUDIT_ADMIN, "623022000000"),
    ("caiwu", "县局财务（示例）", Role.FINANCE, "623022000000"),
]


class Command(BaseCommand):
    help = "载入演示县（卓尼县）区划、各角色演示账号和合成演示人口（仅补齐缺少的部分）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persons",
            type=int,
            default=demo.DEFAULT_PERSONS,
            help="合成人口人数（默认 110000；0 = 不生成）",
        )
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="随机种子")
        parser.add_argument("--date", help="按该日期计算年龄（默认今天）")

    def handle(self, *args: Any, persons: Any, seed: Any, date: Any = None, **options: Any) -> None:
        if persons < 0:
            raise CommandError("--persons 不能为负数")
        self._units_and_accounts()
        if persons:
            self._population(persons, seed, DateField().clean(date) if date else None)

    def _population(self, persons: int, seed: int, day: date | None) -> None:
        existing = Person.objects.count()
        if existing:
            self.stdout.write(f"人员库已有 {existing} 人，未生成演示人口。")
            return
        report = demo.demo_seed(persons=persons, seed=seed, today=day)
        self.stdout.write(
            f"演示人口：{report.persons} 人，{report.households} 户，育龄妇女卡 {report.cards} 张，"
            f"子女 {report.children} 条，避孕记录 {report.episodes} 条；"
            f"用时 {report.seconds:.1f} 秒。"
        )
        found = duplicates.duplicates_scan(actor=None)
        self.stdout.write(f"疑似重复人员：新发现 {found} 对。")

    def _units_and_accounts(self) -> None:
        if not Unit.objects.filter(code__startswith=DEMO_COUNTY).exists():
            call_command("load_divisions", county=DEMO_COUNTY, stdout=self.stdout)
        villages = Unit.objects.current().filter(code__startswith="623022100", level=5)
        # A villagers' committee (村委会, codes 2xx) rather than a town residents' committee.
        first_village = (
            villages.filter(code__gte="623022100200").order_by("code").first()
            or villages.order_by("code").first()
        )
        if first_village is None:
            raise CommandError("区划中没有柳林镇的村，无法建立演示账号")
        created: list[tuple[User, str]] = []
        for username, full_name, role, code in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            unit = first_village if code == "village" else Unit.objects.current().get(code=code)
            user, password = user_create(
                actor=Actor(None), username=username, role=role, unit=unit, full_name=full_name
            )
            created.append((user, password))
        path = Path(settings.VAR_DIR) / "demo-accounts.txt"
        if created:
            self._write(path, created)
        self._print(path)

    def _write(self, path: Path, created: list[tuple[User, str]]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            for user, password in created:
                handle.write(
                    f"{user.username}\t{password}\t{user.get_role_display()}\t{user.unit}\n"
                )

    def _print(self, path: Path) -> None:
        self.stdout.write(
            "演示账号（首次登录须修改初始密码；县局业务人员和三员账号须绑定手机验证器）："
        )
        for username, _full, role, _code in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).select_related("unit").first()
            if user:
                self.stdout.write(f"  {username:<16} {role.label:<8} {user.unit}")
        self.stdout.write(f"初始密码见 {path}（仅本机可读）：cat {path}")
