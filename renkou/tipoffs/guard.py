"""The public pages' anti-abuse rules, without a CAPTCHA (issue 18 item 1):

- a per-address limit: so many submissions and progress look-ups per client address and hour
  (``RENKOU_TIPOFF_SUBMITS_PER_HOUR`` / ``..._LOOKUPS_PER_HOUR``); the address comes from
  ``renkou.common.middleware.client_ip`` and is kept only as a keyed hash;
- a proof of work on the submission: the form carries a signed puzzle, and the browser
  (``static/js/tipoff-pow.js``, a few lines over Web Crypto) finds a number whose SHA-256 with
  the puzzle starts with ``RENKOU_TIPOFF_POW_BITS`` zero bits: a second for one person, hours
  for a flood. Each puzzle counts once and expires after an hour.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from renkou.common import crypto
from renkou.tipoffs.constants import ADDRESS_PURPOSE, POW_MAX_AGE, POW_SALT
from renkou.tipoffs.models import Attempt, SpentPuzzle

SUBMIT, LOOKUP = "submit", "lookup"
WINDOW = timedelta(hours=1)
TOO_MANY = "提交过于频繁，请一小时后再试；情况紧急请拨打举报电话"
BAD_PUZZLE = "安全校验未通过或已过期，请刷新页面后重新提交（需要浏览器启用JavaScript）"


class Refused(Exception):
    """A public request refused by the limit or the proof of work (its text is the message)."""


def _limit(bucket: str) -> int:
    if bucket == SUBMIT:
        return int(settings.RENKOU_TIPOFF_SUBMITS_PER_HOUR)
    return int(settings.RENKOU_TIPOFF_LOOKUPS_PER_HOUR)


def count_attempt(bucket: str, address: str) -> None:
    """Count one use by ``address``; refuse it when the hour's limit is already reached."""
    now = timezone.now()
    key = crypto.blind_index(address or "-", ADDRESS_PURPOSE)
    with transaction.atomic():
        Attempt.objects.filter(at__lt=now - timedelta(days=1)).delete()
        used = Attempt.objects.filter(bucket=bucket, address=key, at__gte=now - WINDOW).count()
        if used >= _limit(bucket):
            raise Refused(TOO_MANY)
        Attempt.objects.create(bucket=bucket, address=key, at=now)


def bits() -> int:
    return int(settings.RENKOU_TIPOFF_POW_BITS)


def new_puzzle() -> str:
    """A fresh signed puzzle for a form (the difficulty travels with it)."""
    return signing.dumps({"n": secrets.token_hex(12), "b": bits()}, salt=POW_SALT)


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def solves(puzzle: str, answer: str) -> bool:
    """Whether ``answer`` solves ``puzzle`` (the same check as the browser's)."""
    digest = hashlib.sha256(f"{puzzle}:{answer}".encode()).digest()
    return leading_zero_bits(digest) >= bits()


def check_work(puzzle: str, answer: str) -> None:
    """Refuse a missing, forged, expired, unsolved or reused puzzle."""
    try:
        data = signing.loads(puzzle, salt=POW_SALT, max_age=POW_MAX_AGE)
    except signing.BadSignature as exc:
        raise Refused(BAD_PUZZLE) from exc
    typed = answer.isascii() and answer.isdigit() and len(answer) <= 12
    if not typed or int(data.get("b", 0)) < bits():
        raise Refused(BAD_PUZZLE)
    if not solves(puzzle, answer):
        raise Refused(BAD_PUZZLE)
    now = timezone.now()
    digest = hashlib.sha256(puzzle.encode()).hexdigest()
    try:
        with transaction.atomic():
            SpentPuzzle.objects.filter(at__lt=now - timedelta(seconds=POW_MAX_AGE)).delete()
            SpentPuzzle.objects.create(digest=digest, at=now)
    except IntegrityError as exc:
        raise Refused(BAD_PUZZLE) from exc


def solve(puzzle: str) -> str:
    """The browser's search, for tests and the demo."""
    n = 0
    while not solves(puzzle, str(n)):
        n += 1
    return str(n)
