"""Evidence of manual scores (佐证材料: photos, scanned documents), under the benefit documents'
upload rules (``renkou.benefits.documents``: size limit, PDF/JPEG/PNG by their first bytes, a
random stored name, encrypted at rest, SHA-256 of the original)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from renkou.benefits import documents as rules
from renkou.benefits.constants import MAGIC
from renkou.common import vault

CONTENT_TYPES = {ext: content_type for _magic, ext, content_type in MAGIC}


def store(upload: Any) -> tuple[str, str, str, int]:
    """(relative path, ext, sha256, size) of the stored upload; ``ValidationError`` if refused."""
    return rules.store(upload)


def open_evidence(stored: str) -> Iterator[bytes]:
    return vault.unseal(Path(settings.MEDIA_ROOT) / stored, context=vault.media_context(stored))
