"""Latency of the register pages through the real views (issue 3 §9), run by hand.

The person list filtered to a township (page 1 and page 500), ID search (POST, blind index)
and the person page, each requested ``--rounds`` times through Django's test client (the
whole middleware stack, sessions, read audit and templates, no network), as a county officer.
Two baselines are measured in the same run: a single indexed SELECT by primary key, and a
trivial view (the sign-in page). Goal: p95 under 100 ms for each page.

On the 1,000,000-person county in PostgreSQL::

    scripts/with-postgres.sh bash -c '.venv/bin/python manage.py migrate -v0 &&
        .venv/bin/python manage.py seed_demo --persons 1000000 &&
        .venv/bin/python bench/register_pages.py'

(or with ``DATABASE_URL`` pointing at a database already seeded). ``RENKOU_DEBUG`` is forced
off so that Django does not keep every query in memory.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
os.environ["RENKOU_DEBUG"] = "0"
# The bench account signs in without a second factor (the pages, not the sign-in, are measured).
os.environ.setdefault("RENKOU_MFA_REQUIRED_ROLES", "sys_admin,sec_admin,audit_admin")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench import benchkit  # noqa: E402
from bench.benchkit import HOST, signed_in  # noqa: E402
from renkou.accounts.constants import Role  # noqa: E402
from renkou.accounts.models import User  # noqa: E402
from renkou.people.models import Person  # noqa: E402

GOAL_MS = 100.0


def bench_user(county: str) -> User:
    """A county officer for the bench (created once, no initial-password prompt)."""
    return benchkit.bench_user(county, Role.COUNTY_OFFICER, "bench_county", "性能测试（县局）")


def measure(call: Callable[[], object], rounds: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def checked(client: Client, method: str, url: str, data: dict | None = None) -> Callable:
    def call() -> None:
        response = getattr(client, method)(url, data or {})
        if response.status_code != 200:
            raise SystemExit(f"{method.upper()} {url}: HTTP {response.status_code}")

    return call


def rotating(values: list, make: Callable) -> Callable:
    """A call that uses the next value on each round (different persons, IDs)."""
    state = {"i": 0}

    def call() -> None:
        value = values[state["i"] % len(values)]
        state["i"] += 1
        make(value)()

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--county", default="623022")
    parser.add_argument("--township", default="623022100", help="9-digit township prefix")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(1)
    persons = Person.objects.present().filter(unit_code__startswith=args.township)
    total = persons.count()
    sample = list(persons.exclude(id_number="").order_by("?")[:300]) if total else []
    if len(sample) < 50:
        raise SystemExit("该乡镇人员太少：请先运行 seed_demo --persons 1000000")
    client = signed_in(bench_user(args.county))
    anonymous = Client(**HOST)
    listing = reverse("people:person_list")
    pks = [p.pk for p in sample]
    numbers = [p.id_number for p in sample]
    rng.shuffle(pks)

    def select_one() -> None:
        pk = pks[rng.randrange(len(pks))]
        Person.objects.filter(pk=pk).values_list("id", "name").first()

    cases = [
        ("基线：按主键查询一行（SELECT）", select_one),
        ("基线：登录页（最简单的页面）", checked(anonymous, "get", reverse("accounts:login"))),
        ("人员列表（乡镇，第1页）", checked(client, "get", listing, {"unit": args.township})),
        (
            "人员列表（乡镇，第500页）",
            checked(client, "get", listing, {"unit": args.township, "page": "500"}),
        ),
        (
            "按身份证号查询（POST）",
            rotating(
                numbers,
                lambda n: checked(
                    client, "post", reverse("people:person_search_id"), {"id_number": n}
                ),
            ),
        ),
        (
            "人员详情页",
            rotating(
                pks, lambda pk: checked(client, "get", reverse("people:person_detail", args=[pk]))
            ),
        ),
    ]
    vendor = connection.vendor
    print(
        f"数据库 {vendor}；人员总数 {Person.objects.count():,}；乡镇 {args.township} "
        f"在册 {total:,} 人；每项 {args.rounds} 次（预热 {args.warmup} 次）"
    )
    print(f"{'项目':<26}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  目标 p95 < {GOAL_MS:.0f} ms")
    failed = 0
    for label, call in cases:
        times = measure(call, args.rounds, args.warmup)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=100)[94]
        baseline = label.startswith("基线")
        verdict = "" if baseline else ("达标" if p95 < GOAL_MS else "未达标")
        failed += verdict == "未达标"
        print(f"{label:<22}{p50:>10.1f}{p95:>10.1f}{max(times):>10.1f}  {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
