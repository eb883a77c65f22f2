"""Import benchmark (issue 3 §9): the person import against PostgreSQL's own COPY.

    scripts/with-postgres.sh .venv/bin/python bench/import_persons.py --persons 100000
    DATABASE_URL=postgres://user@host/emptydb .venv/bin/python bench/import_persons.py \
        --persons 1000000 --workers 2

Without ``DATABASE_URL`` the script runs itself again under ``scripts/with-postgres.sh`` (a
throwaway PostgreSQL 15 cluster, fsync on). With ``DATABASE_URL`` the database should be empty:
the script migrates it and adds a synthetic county (620001, 10 townships × 20 villages).

Steps, each timed:

1. generate a CSV of ``--persons`` synthetic persons in households of 1–6 (valid IDs from
   ``idnumber.generate``, every template column filled the way users fill it);
2. COPY of that file into a plain table of text columns (``COPY … FROM STDIN (FORMAT csv)``,
   logged table, one transaction) — the baseline;
3. preview (validation only, ``--preview``) with 1 and with ``--workers`` processes;
4. the real import (``import_file`` in ``all`` mode: every check, encryption, blind index,
   pinyin key, households, history rows, women's cards, one transaction, one audit row);
5. the same file again (recognised by its SHA-256: 0 creates, 0 updates).

Goals (issue 3 §9): import ≤ 1.5 × the COPY time; preview ≥ 150,000 rows/s.
"""

import argparse
import csv
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTY = "620001"
TODAY = date(2026, 11, 29)


def _reexec_under_postgres() -> None:
    script = ROOT / "scripts" / "with-postgres.sh"
    os.execv(str(script), [str(script), sys.executable, *sys.argv])  # noqa: S606 fixed script


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    os.environ["RENKOU_DEBUG"] = "0"  # DEBUG keeps every query in memory
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _units() -> list[str]:
    from renkou.geo.constants import Level
    from renkou.geo.models import Unit

    county, _ = Unit.objects.get_or_create(
        code=f"{COUNTY}000000", defaults={"name": "基准县", "level": Level.COUNTY}
    )
    villages = []
    for t in range(10):
        township, _ = Unit.objects.get_or_create(
            code=f"{COUNTY}{100 + t:03d}000",
            defaults={"name": f"第{t + 1}镇", "level": Level.TOWNSHIP, "parent": county},
        )
        for v in range(20):
            code = f"{COUNTY}{100 + t:03d}{201 + v:03d}"
            name = f"第{t + 1}镇{v + 1}村"
            Unit.objects.get_or_create(
                code=code, defaults={"name": name, "level": Level.VILLAGE, "parent": township}
            )
            villages.append(code)
    return villages


HEADERS = [
    "姓名",
    "公民身份号码",
    "证件类型",
    "性别",
    "出生日期",
    "民族",
    "婚姻状况",
    "文化程度",
    "户口性质",
    "户编号",
    "与户主关系",
    "户籍地代码",
    "现居住地代码",
    "居住状况",
    "联系电话",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英建国志强桂兰淑珍海燕丽娟明华文军红梅玉兰德福春花永刚晓东"


def _generate(path: Path, persons: int, villages: list[str], seed: int = 1) -> None:
    from renkou.common import idnumber

    rng = random.Random(seed)
    used: set[str] = set()
    serials = dict.fromkeys(villages, 0)

    def new_id(birth: date, sex: str) -> str:
        number = idnumber.generate(rng, area=COUNTY, birth=birth, sex=sex)
        while number in used:
            number = idnumber.generate(rng, area=COUNTY, birth=birth, sex=sex)
        used.add(number)
        return number

    def row(name, birth, sex, marital, relation, household, village, phone=""):
        number = new_id(birth, sex)
        return [
            name,
            number,
            "居民身份证",
            "男" if sex == "1" else "女",
            birth.isoformat(),
            "汉族",
            marital,
            rng.choice(("初中", "小学", "普通高中")),
            "农业",
            household,
            relation,
            village,
            village,
            "户在人在",
            phone,
        ]

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        written = 0
        while written < persons:
            village = rng.choice(villages)
            serials[village] += 1
            serial = serials[village]
            household = f"{village}{serial // 9999 + 1:02d}{serial % 9999 + 1:04d}"
            surname = rng.choice(SURNAMES)
            size = min(rng.randint(1, 6), persons - written)
            head_birth = date(1950, 1, 1) + timedelta(days=rng.randrange(40 * 365))
            head_sex = rng.choice("12")
            name = surname + rng.choice(GIVEN) + rng.choice(GIVEN)
            phone = f"139{rng.randrange(10**8):08d}"
            married = "初婚" if size > 1 else "未婚"
            writer.writerow(
                row(name, head_birth, head_sex, married, "户主", household, village, phone)
            )
            if size > 1:
                sex = "2" if head_sex == "1" else "1"
                writer.writerow(
                    row(
                        rng.choice(SURNAMES) + rng.choice(GIVEN),
                        head_birth,
                        sex,
                        "初婚",
                        "配偶",
                        household,
                        village,
                    )
                )
            for _ in range(size - 2):
                birth = head_birth + timedelta(days=rng.randrange(20 * 365, 35 * 365))
                birth = min(birth, TODAY - timedelta(days=1))
                sex = rng.choice("12")
                writer.writerow(
                    row(
                        surname + rng.choice(GIVEN),
                        birth,
                        sex,
                        "未婚",
                        "子" if sex == "1" else "女",
                        household,
                        village,
                    )
                )
            written += size


def _copy(path: Path) -> float:
    from django.db import connection, transaction

    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy ({columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        copy_sql = "COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)"
        with path.open("rb") as stream, cursor.copy(copy_sql) as copy:
            for block in iter(lambda: stream.read(1 << 20), b""):
                copy.write(block)
    return time.perf_counter() - started


def _timed(label: str, rows: int, work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {elapsed:9.2f} s  {rows / elapsed:11,.0f} 行/秒", flush=True)
    return elapsed, result


def _machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory_gb = int(memory) / 1024 / 1024
    except OSError:
        memory_gb = 0
    python = platform.python_version()
    return f"{cpu}, {os.cpu_count()} CPU, {memory_gb:.0f} GB RAM, Python {python}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1, help="check processes for the import")
    parser.add_argument("--keep", type=Path, help="keep the generated CSV at this path")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        _reexec_under_postgres()
    _setup()
    from django.conf import settings
    from django.db import connection

    from renkou.people.importing.batches import import_file
    from renkou.people.importing.checking import Scope
    from renkou.people.models import Household, Person, WomanCard

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(f"机器：{_machine()}\n数据库：PostgreSQL {server}\n人数：{args.persons:,}")
    villages = _units()
    workdir = Path(tempfile.mkdtemp(prefix="renkou-bench-"))
    path = args.keep or workdir / "persons.csv"
    _timed("生成 CSV", args.persons, lambda: _generate(path, args.persons, villages))
    size = path.stat().st_size
    print(f"文件大小：{size / 1024 / 1024:.1f} MB")
    if size > getattr(settings, "RENKOU_IMPORT_MAX_BYTES", 50 << 20):
        # 1,000,000 rows of the full template are about 150 MB; the default limit is 50 MB.
        settings.RENKOU_IMPORT_MAX_BYTES = size
        print(f"（本次基准把 RENKOU_IMPORT_MAX_BYTES 放宽到 {size:,} 字节）")
    scope = Scope.of(COUNTY)
    copy_time, _ = _timed("PostgreSQL COPY 到普通表（基线）", args.persons, lambda: _copy(path))

    def preview(workers: int):
        return import_file(
            path, scope=scope, mode="all", today=TODAY, preview=True, workers=workers
        )

    _timed("预览（只校验，1 个进程）", args.persons, lambda: preview(1))
    cores = os.cpu_count() or 1
    if cores > 1:
        _timed(f"预览（只校验，{cores} 个校验进程）", args.persons, lambda: preview(cores))
    import_time, result = _timed(
        f"导入（校验+加密+索引+户+历史+卡，{args.workers} 个校验进程）",
        args.persons,
        lambda: import_file(path, scope=scope, mode="all", today=TODAY, workers=args.workers),
    )
    outcome = result.outcome
    print(
        f"新增 {outcome.created:,} 人，错误 {outcome.bad:,} 行；库中：人员 "
        f"{Person.objects.count():,}，户 {Household.objects.count():,}，"
        f"育龄妇女卡 {WomanCard.objects.count():,}"
    )
    _timed(
        "同一文件再次导入（识别为重复）",
        args.persons,
        lambda: import_file(path, scope=scope, mode="all", today=TODAY),
    )
    print(f"导入耗时 / COPY 耗时 = {import_time / copy_time:.1f} 倍（目标 ≤ 1.5 倍）")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"本进程内存峰值：{peak:,.0f} MB")
    if not args.keep:
        path.unlink()
    subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    main()
