"""Speed of the indicators, the dashboard and the statutory tables (issue 4 §7), run by hand.

Measures, on the database ``DATABASE_URL`` points at (PostgreSQL for the goal):

- baseline: one hand-written SQL aggregate — births of the FP year by township, straight from
  the event table (``GROUP BY substr(reg_code, 1, 9)``);
- the whole dashboard: every headline indicator for the county and for each township (what
  ``renkou.reports.dashboard.dashboard_data`` computes when that module exists; otherwise the two
  ``evaluate`` calls it is built on);
- each statutory table for the county (``renkou.reports.tables`` when present).

Each is run ``--rounds`` times after a warm-up; the median and p95 are printed with the ratio to
the baseline median. Goal: dashboard / baseline ≤ 1 and well under 300 ms. It also checks that
the dashboard's births per township equal the baseline's, to the last digit.

For the 1,000,000-person county::

    scripts/with-postgres.sh bash -c '.venv/bin/python manage.py migrate -v0 &&
        .venv/bin/python manage.py seed_demo --persons 1000000 &&
        .venv/bin/python manage.py seed_demo_events &&
        .venv/bin/python bench/indicators.py'
"""

import argparse
import importlib
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

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from renkou.common.periods import fp_year, fp_year_of  # noqa: E402
from renkou.events.constants import COUNTED, Scope  # noqa: E402
from renkou.events.models import Event, Spell, Tally  # noqa: E402
from renkou.geo.models import Unit  # noqa: E402
from renkou.people.models import Person  # noqa: E402
from renkou.reports.indicators import HEADLINE, evaluate  # noqa: E402

GOAL_MS = 300.0


def measure(call: Callable[[], object], rounds: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure_pairs(
    one: Callable[[], object], other: Callable[[], object], rounds: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Both calls timed in alternation (one, other, one, other …)."""
    for _ in range(warmup):
        one()
        other()
    first, second = [], []
    for _ in range(rounds):
        for call, times in ((one, first), (other, second)):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    return first, second


def baseline_births(county: str, period) -> dict[str, int]:
    placeholders = ",".join(["%s"] * len(COUNTED))
    sql = (
        "SELECT substr(reg_code, 1, 9), count(*) FROM events_event "  # noqa: S608
        f"WHERE kind = 'birth' AND status IN ({placeholders}) "
        "AND effective_date >= %s AND effective_date <= %s "
        "AND reg_code >= %s AND reg_code < %s GROUP BY 1"
    )
    upper = str(int(county) + 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*COUNTED, period.start, period.end, county, upper])
        return dict(cursor.fetchall())


def dashboard_call(county: str, period, scope: str) -> Callable[[], object]:
    try:
        dashboard = importlib.import_module("renkou.reports.dashboard")
        fn = dashboard.dashboard_data
    except (ImportError, AttributeError):
        fn = None
    if fn is not None:
        return lambda: fn(county, period, scope)

    def fallback() -> object:
        whole = evaluate(HEADLINE, prefix=county, period=period, scope=scope)
        towns = evaluate(HEADLINE, prefix=county, period=period, scope=scope, group_len=9)
        return whole, towns

    return fallback


def table_calls(county: str, period, scope: str) -> list[tuple[str, Callable[[], object]]]:
    engine = importlib.import_module("renkou.reports.tables.engine")
    unit = Unit.objects.current().get(code=county.ljust(12, "0"))
    return [
        (
            f"报表 {table.title}",
            lambda t=table: engine.compute(t, unit=unit, period=period, scope=scope),
        )
        for table in engine.tables().values()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--county", default="623022")
    parser.add_argument("--year", type=int, help="FP year (default: the last complete one)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    year = args.year or fp_year_of(timezone.localdate()) - 1
    period = fp_year(year)
    scope = Scope.REGISTERED
    persons, events = Person.objects.count(), Event.objects.count()
    print(
        f"数据库 {connection.vendor}；人员 {persons:,}；变动 {events:,}；"
        f"区间 {Spell.objects.count():,}；汇总行 {Tally.objects.count():,}；"
        f"统计期 {period.label}；每项 {args.rounds} 次（预热 {args.warmup} 次）"
    )
    base = baseline_births(args.county, period)
    towns = evaluate(["births"], prefix=args.county, period=period, scope=scope, group_len=9)
    ours = {
        group: int(f["births"].numerator) for group, f in towns.items() if f["births"].numerator
    }
    agree = ours == {k: v for k, v in base.items() if v}
    print(f"分乡镇出生数与基线一致：{'是' if agree else '否'}（{sum(base.values()):,} 人）")
    cases = [
        ("基线：手写SQL 分乡镇出生数", lambda: baseline_births(args.county, period)),
        ("首页全部核心指标（县+各乡镇）", dashboard_call(args.county, period, scope)),
        *table_calls(args.county, period, scope),
    ]
    print(f"{'项目':<30}{'p50 ms':>10}{'p95 ms':>10}{'倍数':>8}")
    baseline_p50 = None
    results = {}
    # The baseline and the dashboard take turns, round by round, so both see the same machine
    # (on a shared 2-core machine the medians of two runs minutes apart differed by half).
    first, second = measure_pairs(cases[0][1], cases[1][1], args.rounds, args.warmup)
    paired = {cases[0][0]: first, cases[1][0]: second}
    for label, call in cases:
        times = paired.get(label) or measure(call, args.rounds, args.warmup)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[18] if len(times) > 1 else p50
        baseline_p50 = baseline_p50 or p50
        results[label] = p50
        print(f"{label:<26}{p50:>10.1f}{p95:>10.1f}{p50 / baseline_p50:>8.2f}")
    dash = results[cases[1][0]]
    ok = agree and dash <= baseline_p50 and dash < GOAL_MS
    print(f"目标：首页 ≤ 基线（倍数 ≤ 1）且 < {GOAL_MS:.0f} ms：{'达标' if ok else '未达标'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
