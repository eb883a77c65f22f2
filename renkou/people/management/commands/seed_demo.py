"""manage.py seed_demo: the demo county (卓尼县, 623022) and one demo account per role.

Runs only what is missing, so it is safe on every ``make run``. Passwords are random, written
once to ``var/demo-accounts.txt`` (mode 600) and never printed to the terminal or logs.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from renkou.accounts.constants import Role
from renkou.accounts.models import User
from renkou.accounts.services import user_create
from renkou.geo.models import Unit

DEMO_COUNTY = "623022"
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
]


class Command(BaseCommand):
    help = "载入演示县（卓尼县）区划和各角色演示账号（仅补齐缺少的部分）。"

    def handle(self, *args, **options):
        if not Unit.objects.filter(code__startswith=DEMO_COUNTY).exists():
            call_command("load_divisions", county=DEMO_COUNTY, stdout=self.stdout)
        villages = Unit.objects.current().filter(code__startswith="623022100", level=5)
        # A villagers' committee (村委会, codes 2xx) rather than a town residents' committee.
        first_village = (villages.filter(code__gte="623022100200").order_by("code").first()
                         or villages.order_by("code").first())  # fmt: skip
        created = []
        for username, full_name, role, code in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            unit = first_village if code == "village" else Unit.objects.current().get(code=code)
            user, password = user_create(actor=None, username=username, role=role, unit=unit,
                                         full_name=full_name)  # fmt: skip
            created.append((user, password))
        path = Path(settings.VAR_DIR) / "demo-accounts.txt"
        if created:
            self._write(path, created)
        self._print(path)

    def _write(self, path: Path, created: list) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            for user, password in created:
                handle.write(
                    f"{user.username}\t{password}\t{user.get_role_display()}\t{user.unit.name}\n"
                )

    def _print(self, path: Path) -> None:
        self.stdout.write(
            "演示账号（首次登录须修改初始密码；县局业务人员和三员账号须绑定手机验证器）："
        )
        for username, _full, role, _code in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).select_related("unit").first()
            if user:
                self.stdout.write(f"  {username:<16} {role.label:<8} {user.unit.name}")
        self.stdout.write(f"初始密码见 {path}（仅本机可读）：cat {path}")
