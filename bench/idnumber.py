"""Speed of the resident-ID validator (issue 13 item 7), run by hand.

Validates the same list of IDs (``--count`` valid synthetic numbers, 1 % with a wrong check
character, a few typed with spaces or a lower-case x) with ``renkou.common.idnumber.validate``
and with a minimal reference implementation of the check written here (length, digits, a real
date, the ISO 7064 MOD 11-2 character; no messages, no result objects), ``--rounds`` times each,
interleaved, and prints the median IDs/s of each and their ratio. Goal: validator ≥ 0.8 × the
reference (the validator is on the import's path: every row of a 100,000-row file).

    .venv/bin/python bench/idnumber.py [--count 50000] [--rounds 7]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")

import django  # noqa: E402

django.setup()

from renkou.common import idnumber  # noqa: E402

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def reference(number: str) -> bool:
    """The check and nothing else, as a minimal implementation writes it."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def sample(count: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 synthetic numbers, not a secret
    out = []
    for i in range(count):
        number = idnumber.generate(rng)
        if i % 100 == 0:  # a wrong check character
            number = number[:17] + ("0" if number[17] != "0" else "1")
        elif i % 250 == 1:
            number = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
        out.append(number)
    return out


def rate(check, numbers: list[str]) -> float:
    start = time.perf_counter()
    for number in numbers:
        check(number)
    return len(numbers) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    numbers = sample(args.count)
    today = datetime.now(UTC).date()
    ours = [r for r in (idnumber.validate(n, today=today) for n in numbers[:1000]) if r.ok]
    assert len(ours) == sum(reference(n.replace(" ", "")) for n in numbers[:1000])
    validator, minimal = [], []
    for _ in range(args.rounds):
        minimal.append(rate(reference, numbers))
        validator.append(rate(lambda n: idnumber.validate(n, today=today), numbers))
    ref, val = statistics.median(minimal), statistics.median(validator)
    print(f"reference (minimal check)  {ref:>10,.0f} IDs/s")
    print(f"idnumber.validate          {val:>10,.0f} IDs/s")
    print(f"ratio validator/reference  {val / ref:>10.2f}  (goal ≥ 0.80)")
    default = rate(idnumber.validate, numbers)
    print(f"validate without today=    {default:>10,.0f} IDs/s (reads the local date each call)")


if __name__ == "__main__":
    main()
