"""Uploaded documents of an application (hukou book, certificates), refused when hostile
(security.md IN3, as ``renkou.people.importing.files`` does for imports): a size limit, the
kind decided by the file's first bytes (PDF, JPEG or PNG only; never the name or the browser's
content type), a random stored name under MEDIA_ROOT (the settings' var dir), encrypted at rest
with the field key and owner-only (``renkou.common.vault``), a SHA-256 of the original. The
download serves the sniffed type as an attachment with nosniff, permission-checked and audited
by the view.
"""

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from renkou.benefits.constants import FINAL, MAGIC, MAX_UPLOAD_BYTES, UPLOAD_DIR, DocumentKind
from renkou.benefits.models import Application, Document
from renkou.common import audit, vault
from renkou.common.actors import Actor

CHUNK = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "RENKOU_BENEFIT_UPLOAD_MAX_BYTES", MAX_UPLOAD_BYTES))


def sniff(head: bytes) -> str:
    """The kind by magic bytes ('' when none of PDF/JPEG/PNG)."""
    for magic, ext, _content_type in MAGIC:
        if head.startswith(magic):
            return ext
    return ""


def path_of(document: Document) -> Path:
    return Path(settings.MEDIA_ROOT) / document.stored


def open_document(document: Document) -> Iterator[bytes]:
    """The document's bytes, decrypted (``renkou.common.vault``)."""
    return vault.unseal(path_of(document), context=vault.media_context(document.stored))


def _store(upload: Any) -> tuple[str, str, str, int]:
    """Store the upload encrypted under a random name while checking size and kind; returns
    (relative path, ext, sha256, size)."""
    limit = max_bytes()
    too_big = ValidationError({"file": f"文件过大，最大 {limit // (1024 * 1024)} MB"})
    if upload.size is not None and upload.size > limit:
        raise too_big
    relative = f"{UPLOAD_DIR}/{uuid.uuid4().hex}"
    target = Path(settings.MEDIA_ROOT) / relative
    digest, seen = hashlib.sha256(), {"size": 0, "head": b""}

    def blocks() -> Iterator[bytes]:
        for block in upload.chunks(CHUNK):
            seen["size"] += len(block)
            if seen["size"] > limit:
                raise too_big
            if len(seen["head"]) < 16:
                seen["head"] += block[: 16 - len(seen["head"])]
            digest.update(block)
            yield block

    vault.seal(blocks(), target, context=vault.media_context(relative))
    ext = sniff(seen["head"])
    if seen["size"] == 0 or not ext:
        target.unlink(missing_ok=True)
        message = "文件是空的" if seen["size"] == 0 else "只接受 PDF、JPG、PNG 格式的扫描件或照片"
        raise ValidationError({"file": message})
    return relative, ext, digest.hexdigest(), seen["size"]


def store(upload: Any) -> tuple[str, str, str, int]:
    """Check and store one upload under these rules (also the assessment's evidence, issue 14):
    (relative path, ext, sha256, size); ``ValidationError`` when refused."""
    return _store(upload)


@transaction.atomic
def document_add(*, actor: Actor, application: Application, kind: str, upload: Any) -> Document:
    """Attach one document to an application that is not finished."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "请选择材料类型"})
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status in FINAL:
        raise ValidationError("该申请已结束，不能再上传材料")
    relative, ext, digest, size = _store(upload)
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    document = Document.objects.create(
        application=app,
        unit_code=app.unit_code,
        kind=kind,
        stored=relative,
        ext=ext,
        size=size,
        sha256=digest,
        uploaded_by=user,
    )
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="benefits.document_add",
        object_type="benefits.document",
        object_id=document.pk,
        summary=f"application {app.pk} {kind} {ext}",
    )
    return document
