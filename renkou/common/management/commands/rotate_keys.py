"""manage.py rotate_keys [--batch 1000] [--dry-run]: re-encrypt every encrypted column whose
ciphertext was made under an old field key or another suite (security.md CR4).

Rotation: put the new key in ``RENKOU_FIELD_KEY`` and the old one in ``RENKOU_FIELD_OLD_KEYS``,
restart, run this command until it reports 0 rows, then remove the old key. Switching
``RENKOU_FIELD_SUITE`` (aes256gcm → sm4gcm) is rotated the same way.

Every installed model with an ``EncryptedTextField`` is covered, django-simple-history's
historical models included. Rows are scanned by primary key reading only the ciphertext headers;
each batch of stale rows is re-read under lock, decrypted and written back with ``bulk_update`` of
the encrypted columns only, in its own transaction. The plain values do not change, so no history
row is written. One audit row per model records how many rows were re-encrypted.
"""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from renkou.common import audit, crypto
from renkou.common.fields import EncryptedTextField, encrypted_fields, encrypted_models
from renkou.common.models import AuditEntry

ACTION = "crypto.rotate"
ModelClass = type[models.Model]


def _stale_pks(
    model: ModelClass, fields: list[EncryptedTextField], batch: int
) -> Iterator[list[Any]]:
    """Per scanned page of ``batch`` rows, the primary keys whose ciphertexts need rotation."""
    # A TextField output reads the column as stored: the ciphertext, not the decrypted value.
    raw = {
        f"rotate_raw_{n}": models.ExpressionWrapper(models.F(f.attname), models.TextField())
        for n, f in enumerate(fields)
    }
    rows = model._base_manager.annotate(**raw).order_by("pk").values_list("pk", *raw)
    last = None
    while page := list((rows if last is None else rows.filter(pk__gt=last))[:batch]):
        last = page[-1][0]
        yield [pk for pk, *tokens in page if _any_stale(model, pk, tokens)]


def _any_stale(model: ModelClass, pk: Any, tokens: list[str | None]) -> bool:
    try:
        return any(token and crypto.needs_rotation(token) for token in tokens)
    except crypto.DecryptionError as exc:
        raise CommandError(f"{model._meta.label} pk={pk}: {exc}") from exc


def _reencrypt(model: ModelClass, fields: list[EncryptedTextField], pks: list[Any]) -> int:
    names = [f.name for f in fields]
    with transaction.atomic():
        rows = list(model._base_manager.select_for_update().filter(pk__in=pks).only(*names))
        model._base_manager.bulk_update(rows, names)
    return len(rows)


def rotate_model(model: ModelClass, *, batch: int, dry_run: bool) -> Iterator[int]:
    """Rotate one model; yield the number of rows re-encrypted (or due, on a dry run) per batch."""
    fields = encrypted_fields(model)
    for pks in _stale_pks(model, fields, batch):
        if pks:
            yield len(pks) if dry_run else _reencrypt(model, fields, pks)


class Command(BaseCommand):
    help = "用当前字段密钥和算法重新加密所有旧密文（密钥轮换、SM4 切换）。可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="每批行数（默认 1000）")
        parser.add_argument("--dry-run", action="store_true", help="只统计需要重新加密的行")

    def handle(self, *args: Any, batch: Any = 1000, dry_run: Any = False, **options: Any) -> None:
        if batch < 1:
            raise CommandError("--batch 必须大于 0")
        total = 0
        for model in encrypted_models():
            total += self._rotate(model, batch=batch, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"试运行：共 {total} 行需要重新加密，未写入。")
        else:
            self.stdout.write(self.style.SUCCESS(f"密钥轮换完成：共重新加密 {total} 行。"))

    def _rotate(self, model: ModelClass, *, batch: int, dry_run: bool) -> int:
        label, done = model._meta.label, 0
        try:
            for count in rotate_model(model, batch=batch, dry_run=dry_run):
                done += count
        except Exception as exc:
            if not dry_run:
                self._audit(label, done, result=AuditEntry.Result.FAILED, reason=type(exc).__name__)
            if isinstance(exc, crypto.DecryptionError):
                raise CommandError(f"{label}: {exc}") from exc
            raise
        if dry_run:
            self.stdout.write(f"{label}：{done} 行需要重新加密")
        else:
            self._audit(label, done)
            self.stdout.write(f"{label}：重新加密 {done} 行")
        return done

    def _audit(self, label: str, count: int, **kwargs: Any) -> None:
        audit.record(
            actor=None,
            action=ACTION,
            object_type=label,
            row_count=count,
            summary=crypto.current_scheme(),
            **kwargs,
        )
