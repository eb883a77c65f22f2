"""Latency of the 全覆盖 list and the benefit figures (issue 11 item 3), run by hand.

The screening page (全覆盖名单) for the county (page 1, page 2, the last page), a township, one
programme, a name and the 待核实 rows, as a county officer, and the benefit figures page
(利益导向指标) at a leader's first load (the cache cleared before each round), each requested
``--rounds`` times through Django's test client (the whole middleware stack, sessions, read
audit and templates, no network). Two baselines are measured in the same run: a scoped COUNT
of the county's persons and a scoped SELECT of one page of them (what any list of the register
costs at least). Goal: every screening page under 1 s (p95).

On the demo county (110,000 persons) in a scratch directory::

    export RENKOU_VAR_DIR=/tmp/bench DATABASE_URL=sqlite:////tmp/bench/renkou.sqlite3
    for c in "migrate -v0" seed_demo seed_demo_events seed_demo_programs seed_demo_services \\
             seed_demo_quotas seed_demo_benefits; do .venv/bin/python manage.py $c; done
    .venv/bin/python bench/screening.py

``RENKOU_DEBUG`` is forced off so that Django does not keep every query in memory.
"""

import argparse
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
os.environ["RENKOU_DEBUG"] = "0"
# The bench accounts sign in without a second factor (the pages, not the sign-in, are measured).
os.environ.setdefault("RENKOU_MFA_REQUIRED_ROLES", "sys_admin,sec_admin,audit_admin")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.benchkit import bench_user, signed_in  # noqa: E402
from renkou.accounts.constants import Role  # noqa: E402
from renkou.people.models import Person  # noqa: E402

GOAL_MS = 1000.0


def measure(call: Callable[[], object], rounds: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def page(client: Client, url: str, data: dict, *, cold: bool = False) -> Callable[[], None]:
    def call() -> None:
        if cold:
            cache.clear()
        response = client.get(url, data)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} {data}: HTTP {response.status_code}")

    return call


def listed(client: Client, url: str, data: dict) -> int:
    """Rows on the list, as its pager says ("共 N 条"): the test client keeps no context here."""
    found = re.search(r"共 (\d+) 条", client.get(url, data).content.decode())
    return int(found.group(1)) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--county", default="623022")
    parser.add_argument("--township", default="623022100", help="9-digit township prefix")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    county = Person.objects.filter(unit_code__startswith=args.county)
    if county.count() < 1000:
        raise SystemExit("该县人员太少：请先运行 seed_demo 和 seed_demo_benefits")
    officer = bench_user(args.county, Role.COUNTY_OFFICER, "bench_county")
    leader = bench_user(args.county, Role.LEADER, "bench_leader")
    client, boss = signed_in(officer), signed_in(leader)
    url = reverse("benefits:screening")
    visible = Person.objects.visible_to(officer).filter(exited_at__isnull=True)

    def baseline_count() -> None:
        visible.count()

    def baseline_page() -> None:
        list(Paginator(visible.order_by("pk"), 10).get_page(2).object_list)

    rows = listed(client, url, {})
    last = str(max(1, math.ceil(rows / 10)))
    cases = [
        ("基线：本县在册人员计数（COUNT）", baseline_count),
        ("基线：本县人员列表一页（SELECT）", baseline_page),
        ("全覆盖名单（全县，第1页）", page(client, url, {})),
        ("全覆盖名单（全县，第2页）", page(client, url, {"page": "2"})),
        (f"全覆盖名单（全县，末页第{last}页）", page(client, url, {"page": last})),
        ("全覆盖名单（乡镇，第1页）", page(client, url, {"unit": args.township})),
        ("全覆盖名单（奖扶，第1页）", page(client, url, {"program": "jiangfu"})),
        ("全覆盖名单（按姓名“王”）", page(client, url, {"name": "王"})),
        ("全覆盖名单（待核实，第1页）", page(client, url, {"verdict": "unknown"})),
        ("利益导向指标（领导首次打开）", page(boss, reverse("benefits:figures"), {}, cold=True)),
    ]
    print(
        f"数据库 {connection.vendor}；人员总数 {Person.objects.count():,}；"
        f"全县全覆盖名单 {rows:,} 人次；每项 {args.rounds} 次（预热 {args.warmup} 次）"
    )
    print(f"{'项目':<26}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  目标 p95 < {GOAL_MS:.0f} ms")
    failed = 0
    for label, call in cases:
        times = measure(call, args.rounds, args.warmup)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=100)[94] if len(times) > 1 else times[0]
        baseline = label.startswith("基线")
        verdict = "" if baseline else ("达标" if p95 < GOAL_MS else "未达标")
        failed += verdict == "未达标"
        print(f"{label:<22}{p50:>10.1f}{p95:>10.1f}{max(times):>10.1f}  {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
