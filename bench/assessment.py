"""Speed of the assessment board and score sheet (issue 14), beside the statistics dashboard
measured in the same run, run by hand on the demo county (``make run``'s data, or a larger
``seed_demo --persons N``) with its published scheme (``seed_demo_assessment``).

Pages are fetched with Django's test client as a county officer (the whole request: scoping,
the figures, the template), in alternation, ``--rounds`` times after a warm-up:

- the statistics dashboard (/reports/dashboard/, the current FP year): the reference;
- the county assessment board (every township's live score sheet, ranked): goal ≤ 2 × the
  dashboard;
- one township's score sheet: goal ≤ 1 × the dashboard;
- computing every sheet anew (what the first read after an assessment or supervision write, or
  after the cache time, costs; ``sheets.compute``): printed beside them, no goal.

Medians and p95 are printed with the ratio to the dashboard's median::

    .venv/bin/python bench/assessment.py            # SQLite, var/renkou.sqlite3
    scripts/with-postgres.sh .venv/bin/python bench/assessment.py
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
os.environ["RENKOU_DEBUG"] = "0"
os.environ.setdefault("RENKOU_MFA_REQUIRED_ROLES", "")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.benchkit import bench_user, signed_in  # noqa: E402
from renkou.accounts.constants import Role  # noqa: E402
from renkou.assessment import sheets  # noqa: E402
from renkou.assessment.models import Scheme  # noqa: E402
from renkou.assessment.sheets import subjects  # noqa: E402
from renkou.events.models import Event  # noqa: E402
from renkou.people.models import Person  # noqa: E402


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def client_for(county: str) -> Client:
    """A county officer of the bench (``bench_county``: created once, no initial-password
    prompt), signed in."""
    return signed_in(bench_user(county, Role.COUNTY_OFFICER, "bench_county", "性能测试（县局）"))


def get(client: Client, url: str) -> Callable[[], object]:
    def call() -> object:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url}: HTTP {response.status_code}")
        return response

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--county", default="623022")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    scheme = (
        Scheme.objects.filter(unit_code=args.county.ljust(12, "0"), status="published")
        .order_by("-year", "-version")
        .first()
    )
    if scheme is None:
        sys.exit("没有已发布的考核方案：先运行 manage.py seed_demo_assessment")
    units = subjects(scheme)
    township = units[0].code
    client = client_for(args.county)
    cases = [
        ("统计首页（参照）", get(client, reverse("reports:dashboard"))),
        (
            f"考核看板（{len(units)} 个乡镇评分表）",
            get(client, reverse("assessment:board", args=[scheme.pk])),
        ),
        (
            f"单个乡镇评分表（{units[0].name}）",
            get(client, reverse("assessment:sheet", args=[scheme.pk, township])),
        ),
        (
            "重新计算全部评分表（考核、督查录入之后或缓存到期后的首次打开）",
            lambda: sheets.compute(scheme, timezone.localdate(), fresh=True),
        ),
    ]
    print(
        f"数据库 {connection.vendor}；人员 {Person.objects.count():,}；"
        f"变动 {Event.objects.count():,}；方案 {scheme.label}（{scheme.items.count()} 项）；"
        f"每页 {args.rounds} 次（预热 {args.warmup} 次，交替）"
    )
    for _ in range(args.warmup):
        for _name, call in cases:
            call()
    times: dict[str, list[float]] = {name: [] for name, _call in cases}
    for _ in range(args.rounds):
        for name, call in cases:
            times[name].append(timed(call))
    reference = statistics.median(times[cases[0][0]])
    goals = {cases[1][0]: 2.0, cases[2][0]: 1.0}
    for name, _call in cases:
        found = sorted(times[name])
        median = statistics.median(found)
        p95 = found[min(len(found) - 1, int(len(found) * 0.95))]
        goal = goals.get(name)
        verdict = (
            ""
            if goal is None
            else f"；目标 ≤ {goal:g}×：{'达到' if median <= goal * reference else '未达到'}"
        )
        print(
            f"{name}: 中位数 {median:.0f} ms，p95 {p95:.0f} ms，"
            f"{median / reference:.2f}× 首页{verdict}"
        )


if __name__ == "__main__":
    main()
