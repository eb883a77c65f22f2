"""manage.py seed_demo_benefits [--seed S] [--date D]: three years of 奖扶, 特扶 and 育儿补贴
history for the demo county (``renkou.benefits.demo``). Runs only when the county has persons and
no beneficiary yet, so it is safe on every ``make run``."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from renkou.accounts.models import User
from renkou.benefits import demo
from renkou.benefits.models import Beneficiary
from renkou.common.forms import DateField
from renkou.geo.scope import prefix_range
from renkou.people.models import Person

DEMO_COUNTY = "623022"


class Command(BaseCommand):
    help = (
        "为演示县生成三年的奖扶、特扶、育儿补贴享受对象、发放清册和台账，"
        "以及待审申请和公示（仅在没有享受对象时）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20_231, help="随机种子")
        parser.add_argument("--date", help="参照日期（默认今天）")

    def handle(self, *args, seed, date=None, **options):
        if Beneficiary.objects.filter(**prefix_range("unit_code", DEMO_COUNTY)).exists():
            self.stdout.write("已有利益导向享受对象，未生成演示数据。")
            return
        if not Person.objects.filter(**prefix_range("unit_code", DEMO_COUNTY)).exists():
            self.stdout.write("演示县没有人员，未生成利益导向演示数据。")
            return
        today = DateField().clean(date) if date else timezone.localdate()
        users = {u.username: u for u in User.objects.filter(username__in=["xiang_liulin"])}
        started = time.monotonic()
        report = demo.seed_benefits(county=DEMO_COUNTY, today=today, seed=seed, users=users)
        self.stdout.write(
            f"利益导向演示数据：享受对象 {report.beneficiaries} 人，发放清册 {report.rolls} 份"
            f"（{report.lines} 笔，失败 {report.failed} 笔），待审申请 {report.pending} 件，"
            f"公示中 {report.notice} 人；用时 {time.monotonic() - started:.1f} 秒。"
        )
