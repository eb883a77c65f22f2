"""Load test of the register pages on loopback (issue 3 §9), run by hand.

Starts gunicorn on 127.0.0.1 against the configured database, then drives it with ``wrk``
(Debian package ``wrk``): ``--connections`` concurrent clients for ``--seconds`` seconds, each
request drawn from a fixed mix of the person list filtered to a township (page 1 and page
500), ID search (POST with CSRF token) and the person page, over 50 signed-in sessions of a
county officer. Any answer other than 200 counts as an error. A baseline run on the sign-in
page (the lightest page) with the same concurrency is measured first. Goal: 0 errors and
p95 under 300 ms.

On the 1,000,000-person county in PostgreSQL::

    scripts/with-postgres.sh bash -c '.venv/bin/python manage.py migrate -v0 &&
        .venv/bin/python manage.py seed_demo --persons 1000000 &&
        .venv/bin/python bench/load_register.py'

``--think-ms`` adds a pause per client between requests (people reading a page); the default
0 is a closed loop, so latency grows with the queue once the CPUs are saturated.
"""

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
os.environ["RENKOU_DEBUG"] = "0"
os.environ.setdefault("RENKOU_MFA_REQUIRED_ROLES", "sys_admin,sec_admin,audit_admin")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.register_pages import bench_user, signed_in  # noqa: E402
from renkou.people.models import Person  # noqa: E402

GOAL_P95_MS = 300.0
SESSIONS = 50
MIX = "list=0.35,list500=0.10,detail=0.30,search=0.25"

LUA = r"""
local requests = %(requests)s
local think = %(think)d
counter = 0
bad = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  local r = requests[(counter %% #requests) + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function delay()
  return think
end

function done(summary, latency, _requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.1f, "p50": %%.1f, "p95": %%.1f, "p99": %%.1f, ' ..
    '"max": %%.1f, "bad_status": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"timeout": %%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    bad_total, e.connect, e.read, e.write, e.timeout))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)  # a JSON string is a valid Lua string here


def parse_mix(text: str) -> tuple[tuple[str, float], ...]:
    """``list=0.35,detail=0.3``: request kinds (list, list500, detail, search) and weights."""
    pairs = tuple((k, float(v)) for k, v in (part.split("=") for part in text.split(",")))
    unknown = {k for k, _w in pairs} - {"list", "list500", "detail", "search"}
    if unknown:
        raise SystemExit(f"未知的请求类型：{', '.join(sorted(unknown))}")
    return pairs


def request_table(township: str, mix: tuple[tuple[str, float], ...], count: int = 600) -> str:
    """A Lua table of {method, path, headers, body} drawn from ``mix`` over 50 sessions."""
    rng = random.Random(2)
    persons = Person.objects.present().filter(unit_code__startswith=township)
    sample = list(persons.exclude(id_number="").order_by("?")[:300])
    user = bench_user(township[:6])
    clients = [signed_in(user) for _ in range(SESSIONS)]
    listing = reverse("people:person_list")
    clients[0].get(listing, {"unit": township})  # sets the CSRF cookie
    csrf = clients[0].cookies[settings.CSRF_COOKIE_NAME].value
    kinds, weights = zip(*mix, strict=True)
    rows = []
    for i in range(count):
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}="
            f"{clients[i % SESSIONS].cookies[settings.SESSION_COOKIE_NAME].value}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}"
        )
        headers = {"Cookie": cookie}
        person = sample[rng.randrange(len(sample))]
        kind = rng.choices(kinds, weights)[0]
        body = ""
        if kind == "list":
            method, path = "GET", f"{listing}?{urlencode({'unit': township})}"
        elif kind == "list500":
            method, path = "GET", f"{listing}?{urlencode({'unit': township, 'page': 500})}"
        elif kind == "detail":
            method, path = "GET", reverse("people:person_detail", args=[person.pk])
        else:
            method, path = "POST", reverse("people:person_search_id")
            body = urlencode({"id_number": person.id_number})
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf}
        lua_headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        rows.append(
            f"{{{lua_string(method)}, {lua_string(path)}, {{{lua_headers}}}, "
            f"{lua_string(body) if body else 'nil'}}}"
        )
    return "{\n" + ",\n".join(rows) + "\n}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "renkou.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--backlog",
        "256",
        "--timeout",
        "60",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline, answered = time.monotonic() + 60, 0
    while time.monotonic() < deadline and answered < 4 * workers:  # every worker booted
        try:
            with urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as reply:  # noqa: S310 loopback
                answered += reply.status == 200
        except OSError:
            time.sleep(0.3)
    if answered < 4 * workers:
        server.terminate()
        raise SystemExit("gunicorn 未能启动")
    return server


def run_wrk(url: str, script: Path, connections: int, seconds: int, threads: int) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk 失败：{done.stdout}{done.stderr}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def write_script(folder: Path, name: str, requests: str, think: int) -> Path:
    path = folder / name
    path.write_text(LUA % {"requests": requests, "think": think}, encoding="utf-8")
    return path


def report(label: str, result: dict, goal: bool) -> bool:
    errors = sum(result[k] for k in ("bad_status", "connect", "read", "write", "timeout"))
    rate = result["requests"] / result["seconds"]
    ok = errors == 0 and result["p95"] < GOAL_P95_MS
    verdict = ("达标" if ok else "未达标") if goal else "基线"
    print(
        f"{result['p50']:>8.1f} {result['p95']:>8.1f} {result['p99']:>8.1f} "
        f"{rate:>8.1f} {errors:>6d}  {verdict}  {label}"
    )
    return ok or not goal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--township", default="623022100", help="9-digit township prefix")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--baseline-seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--think-ms", type=int, default=0)
    parser.add_argument("--mix", default=MIX, help=f"请求构成（默认 {MIX}）")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("缺少 wrk：apt-get install -y wrk")
    requests = request_table(args.township, parse_mix(args.mix))
    login = "{" + lua_string("GET") + ", " + lua_string(reverse("accounts:login")) + ", {}, nil}"
    port = free_port()
    server = start_gunicorn(port, args.workers)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            base = write_script(folder, "login.lua", "{" + login + "}", args.think_ms)
            mix = write_script(folder, "mix.lua", requests, args.think_ms)
            url = f"http://127.0.0.1:{port}"
            print(
                f"gunicorn {args.workers} 个进程；wrk {args.connections} 个并发连接，"
                f"思考时间 {args.think_ms} ms；请求构成 {args.mix}；"
                f"人员总数 {Person.objects.count():,}"
            )
            print(
                f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>6}  "
                f"目标：0 错误且 p95 < {GOAL_P95_MS:.0f} ms"
            )
            report(
                "基线：登录页",
                run_wrk(url, base, args.connections, args.baseline_seconds, args.threads),
                goal=False,
            )
            result = run_wrk(url, mix, args.connections, args.seconds, args.threads)
            ok = report("人员列表/身份证号查询/人员详情混合", result, goal=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
