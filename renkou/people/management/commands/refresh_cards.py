"""manage.py refresh_cards [--date YYYY-MM-DD]: the daily job of the women's cards."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from renkou.common.forms import DateField
from renkou.people.cards import cards_refresh


class Command(BaseCommand):
    help = "每日任务：为年满15周岁的已婚妇女建卡，为满50周岁、死亡、迁出或婚姻变更者注销。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按该日期计算（默认今天）")

    def handle(self, *args: Any, date: Any = None, **options: Any) -> None:
        day = DateField().clean(date) if date else timezone.localdate()
        opened, closed = cards_refresh(day=day)
        self.stdout.write(f"{day:%Y-%m-%d}：新建卡 {opened} 张，注销 {closed} 张。")
