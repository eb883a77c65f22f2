"""manage.py activation_code --user NAME [--role ROLE --unit CODE [--full-name NAME]]: issue a
one-time activation code from the server's console (printed once).

For the first three administrators of a new installation (there is nobody yet to approve
them), and for an account that no second administrator can reach in the pages. With ``--role``
and ``--unit`` the account is created; an existing account's password stops working and its
sessions end, as on an approved reset. The person activates on /accounts/activate/.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.accounts import activation
from renkou.accounts.constants import Role
from renkou.geo.models import Unit


class Command(BaseCommand):
    help = "从服务器控制台签发一次性激活码（只显示一次）：新系统的三员账号，或无人可审批时。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="用户名")
        parser.add_argument("--role", choices=Role.values, help="新建账号的角色")
        parser.add_argument("--unit", help="新建账号的单位代码（12 位）")
        parser.add_argument("--full-name", default="", help="新建账号的姓名")

    def handle(
        self,
        *args: Any,
        user: Any,
        role: Any = None,
        unit: Any = None,
        full_name: Any = "",
        **options: Any,
    ) -> None:
        place = None
        if unit:
            place = Unit.objects.current().filter(code=unit).first()
            if place is None:
                raise CommandError(f"没有单位 {unit}")
        try:
            account, code = activation.operator_issue(
                username=user, role=role or "", unit=place, full_name=full_name
            )
        except activation.ActivationRefused as refused:
            raise CommandError(str(refused)) from refused
        unit_name = account.unit.name if account.unit is not None else ""
        self.stdout.write(
            f"{account.username}（{account.get_role_display()}，{unit_name}）的激活码："
            f"{code}\n24 小时内有效，只能用一次：请交给本人，在登录页点“用激活码激活账号”。"
        )
