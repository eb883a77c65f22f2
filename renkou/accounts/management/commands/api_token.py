"""manage.py api_token --user NAME [--rotate]: issue the REST API token of an account.

The token is printed once, for the integrator to store; it carries exactly the account's role
and unit scope. ``--rotate`` replaces an existing token (the old one stops working).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from renkou.accounts.models import User
from renkou.common import audit


class Command(BaseCommand):
    help = "为账号签发 REST API 令牌（只显示一次）；--rotate 作废旧令牌并重新签发。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True)
        parser.add_argument("--rotate", action="store_true")

    def handle(self, *args: Any, user: Any, rotate: Any, **options: Any) -> None:
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"没有启用的账号 {user}")
        existing = Token.objects.filter(user=account).first()
        if existing and not rotate:
            raise CommandError("该账号已有令牌；如需更换请加 --rotate")
        if existing:
            existing.delete()
        token = Token.objects.create(user=account)
        audit.record(
            actor=None,
            action="api.token_issue",
            object_type="accounts.user",
            object_id=account.pk,
            summary="rotate" if rotate else "issue",
        )
        self.stdout.write(token.key)
