"""The one writer of the audit trail, and its verifier (architecture.md "Audit").

``record(...)`` appends a row inside the caller's transaction (so a rolled-back change leaves no
audit row claiming it happened) and links it to the chain: ``hash = HMAC-SHA256(audit key,
prev_hash ‖ canonical row)``. The key lives outside the database (environment or key file), so
someone who can edit the table cannot forge a consistent chain.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from renkou.common.actors import Actor
from renkou.common.keys import decode_key
from renkou.common.logging import scrub
from renkou.common.models import AuditEntry, AuditHead

GENESIS = "0" * 64
_CHAINED = (
    "seq",
    "ts",
    "user_id",
    "username",
    "role",
    "unit_code",
    "ip",
    "action",
    "object_type",
    "object_id",
    "summary",
    "row_count",
    "result",
    "reason",
)


def _canonical(values: dict[str, Any]) -> bytes:
    row = {}
    for name in _CHAINED:
        value = values[name]
        if name == "ts":
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        row[name] = value
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _hash(prev_hash: str, values: dict[str, Any]) -> str:
    key = decode_key(settings.RENKOU_AUDIT_KEY)
    return hmac.new(key, prev_hash.encode() + _canonical(values), hashlib.sha256).hexdigest()


def actor_fields(actor: Any) -> dict[str, Any]:
    """Who, as plain values (the account may change later; the audit row must not)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {
            "user_id": None,
            "username": getattr(actor, "username", "") or "",
            "role": "",
            "unit_code": "",
        }
    return {
        "user_id": actor.pk,
        "username": actor.username,
        "role": getattr(actor, "role", ""),
        "unit_code": getattr(actor, "unit_code", "") or "",
    }


def record(
    *,
    actor: Any,
    action: str,
    ip: str = "",
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    row_count: int | None = None,
    result: str = AuditEntry.Result.OK,
    reason: str = "",
    username: str = "",
) -> AuditEntry:
    """Append one audit row. ``summary`` must never hold personal data (ids and counts only)."""
    values: dict[str, Any] = actor_fields(actor)
    if username and not values["username"]:
        # A name typed at the sign-in page may be an ID number or phone: masked like a log line.
        values["username"] = scrub(username)[:150]
    values.update(
        ts=timezone.now(),
        ip=ip[:45],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        summary=scrub(summary)[:500],
        row_count=row_count,
        result=str(result),
        reason=scrub(reason)[:300],
    )
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        values["seq"] = head.seq + 1
        values["hash"] = _hash(head.hash, values)
        entry = AuditEntry.objects.create(prev_hash=head.hash, **values)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def record_request(request: Any, *, action: str, **kwargs: Any) -> AuditEntry:
    """``record`` with the actor and client address taken from the request."""
    return record(actor=request.user, ip=getattr(request, "client_ip", ""), action=action, **kwargs)


def record_for(
    actor: Actor,
    action: str,
    obj: Any,
    *,
    summary: str = "",
    rows: int | None = None,
    reason: str = "",
) -> AuditEntry:
    """``record`` of one action by ``actor`` on ``obj``, a model instance (its type
    ``app_label.model_name`` and its key) or a model class (a list: its type, no key)."""
    key = "" if isinstance(obj, type) or obj.pk is None else obj.pk
    return record(
        actor=actor.user,
        ip=actor.ip,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=key,
        summary=summary,
        row_count=rows,
        reason=reason,
    )


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # edited | inserted | deleted | head
    detail: str


def _rows(using: str) -> Iterator[AuditEntry]:
    return AuditEntry.objects.using(using).order_by("seq").iterator(chunk_size=2000)


def _with_next(rows: Iterator[AuditEntry]) -> Iterator[tuple[AuditEntry, AuditEntry | None]]:
    previous = None
    for row in rows:
        if previous is not None:
            yield previous, row
        previous = row
    if previous is not None:
        yield previous, None


def head(using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """(last sequence number, last hash): an anchor to keep outside the database."""
    row = AuditHead.objects.using(using).filter(pk=1).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def _valid(row: AuditEntry, seq: int) -> bool:
    values = {name: getattr(row, name) for name in _CHAINED}
    values["seq"] = seq
    return hmac.compare_digest(_hash(row.prev_hash, values), row.hash)


def verify(
    anchor: tuple[int, str] | None = None, *, using: str = DEFAULT_DB_ALIAS
) -> tuple[int, list[Problem]]:
    """Walk the chain; return (rows checked, problems). An empty list means intact.

    A row whose hash fails is *inserted* when the chain goes around it — the next row (or, for
    the last row, the head) links to the row before it — and *edited* when the chain still runs
    through it. Rows after an insertion are checked under their numbers before it (someone who
    inserts in the middle renumbers what follows), so one insertion is one problem.

    ``anchor`` is a (seq, hash) pair saved earlier outside the database: the row must still be
    there with that hash. Without it, someone who deletes the newest rows and rewrites the head
    row to match could go unnoticed; with a daily anchor, only rows newer than it could.
    ``using`` names another database alias: a restored backup (``manage.py backup_drill``).
    """
    problems: list[Problem] = []
    chain_head = AuditHead.objects.using(using).filter(pk=1).first()
    prev_hash, expected_seq, count, shift = GENESIS, 1, 0, 0
    for row, following in _with_next(_rows(using)):
        count += 1
        seq = row.seq - shift  # the number the row had before any insertion above it
        if not _valid(row, seq):
            onward = following.prev_hash if following else (chain_head and chain_head.hash)
            if onward == prev_hash and not _valid(row, row.seq):
                problems.append(Problem(row.seq, "inserted", "本行不在哈希链上（被插入或伪造）"))
                shift += 1
                continue
        if seq > expected_seq:
            gap = f"第 {expected_seq}–{seq - 1} 行缺失"
            problems.append(Problem(expected_seq, "deleted", gap))
        elif seq < expected_seq:
            problems.append(Problem(row.seq, "inserted", "序号重复或倒序"))
        if row.prev_hash != prev_hash:
            problems.append(Problem(row.seq, "deleted", "前一行哈希不符（前面的行被删除或插入）"))
        if not _valid(row, seq):
            problems.append(Problem(row.seq, "edited", "本行内容与哈希不符（被修改或伪造）"))
        prev_hash, expected_seq = row.hash, seq + 1
    if anchor is not None and anchor[0] > 0:
        kept = (
            AuditEntry.objects.using(using)
            .filter(seq=anchor[0])
            .values_list("hash", flat=True)
            .first()
        )
        if kept != anchor[1]:
            problems.append(
                Problem(anchor[0], "anchor", "与外部保存的锚点不符（该行或其后的行被删除或改写）")
            )
    last_seq = expected_seq - 1 + shift
    if chain_head and chain_head.hash != prev_hash:
        detail = f"链头记录第 {chain_head.seq} 行，表中止于第 {last_seq} 行"
        problems.append(Problem(chain_head.seq, "head", detail))
    elif chain_head and chain_head.seq not in (expected_seq - 1, last_seq):
        detail = f"链头记录第 {chain_head.seq} 行，表中止于第 {last_seq} 行"
        problems.append(Problem(chain_head.seq, "head", detail))
    return count, problems
