"""Stored files encrypted at rest with the field key (issue 19 item 5): uploaded import files,
error reports, benefit documents and generated exports under MEDIA_ROOT.

A sealed file is a header line ``RKF1:<suite>:<key-id>:<file-id>\\n`` followed by chunks of at
most 1 MiB, each ``length (4 bytes) ‖ nonce (12) ‖ AES-256-GCM or SM4-GCM ciphertext ‖ tag``.
The associated data of a chunk is ``<context>|<file-id>|<index>|<last?>``, so chunks cannot be
reordered, dropped, moved to another file or another kind of file, and a truncated file fails
(its last chunk is not marked last). The suite and keys are those of ``renkou.common.crypto``,
so a key rotation keeps working with the old keys listed in ``RENKOU_FIELD_OLD_KEYS`` until the
retention purge has removed the older files (``RENKOU_FILE_RETENTION_DAYS``).

Files are written owner-only (mode 0600) in owner-only folders (0700). Readers that need a
path (spreadsheet parsers) get a decrypted copy in a private temporary file that is removed
when they are done (``plain_copy``); downloads stream the plaintext (``download``).
"""

import os
import secrets
import struct
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from renkou.common import crypto

MAGIC = b"RKF1"
CHUNK = 1024 * 1024
LENGTH = struct.Struct(">I")
FILE_MODE = 0o600
DIR_MODE = 0o700


class SealedFileError(crypto.DecryptionError):
    """A stored file that does not open: tampered, truncated, another context, or a key that
    is no longer configured."""


def media_context(relative: str) -> str:
    """The associated data of a file under MEDIA_ROOT: its own relative path, so a file
    copied or renamed to another place (another batch's report, say) does not open."""
    return f"media:{relative}"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) owner-only; tighten it if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if path.stat().st_mode & 0o077:
        path.chmod(DIR_MODE)
    return path


def _private_file(path: Path) -> IO[bytes]:
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)  # an existing file keeps its mode through O_CREAT
    return os.fdopen(descriptor, "wb")


def _aad(context: str, file_id: str, index: int, last: bool) -> bytes:
    return f"{context}|{file_id}|{index}|{int(last)}".encode()


def _chunks(blocks: Iterable[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Re-cut arbitrary blocks into CHUNK-sized pieces, flagging the last one."""
    buffer = b""
    pending: bytes | None = None
    for block in blocks:
        buffer += block
        while len(buffer) >= CHUNK:
            if pending is not None:
                yield pending, False
            pending, buffer = buffer[:CHUNK], buffer[CHUNK:]
    if buffer or pending is None:
        if pending is not None:
            yield pending, False
        yield buffer, True
    else:
        yield pending, True


def seal(blocks: Iterable[bytes], target: Path, *, context: str) -> int:
    """Write ``blocks`` to ``target`` encrypted; returns the plaintext size. Written to a
    temporary name first, so a reader never sees half a file."""
    suite = crypto._current_suite()
    key, _ = crypto._settings_keyring()
    file_id = secrets.token_hex(8)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        with _private_file(partial) as out:
            out.write(MAGIC + f":{suite}:{crypto.key_id(key)}:{file_id}\n".encode())
            size = write_chunks(out, blocks, suite=suite, key=key, context=context, file_id=file_id)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return size


def write_chunks(
    out: IO[bytes], blocks: Iterable[bytes], *, suite: str, key: bytes, context: str, file_id: str
) -> int:
    """Encrypt ``blocks`` chunk by chunk onto ``out`` (after the caller's header); returns the
    plaintext size. Shared with the database backups (``renkou.common.backup``)."""
    size = 0
    for index, (chunk, last) in enumerate(_chunks(blocks)):
        nonce = os.urandom(crypto.NONCE_BYTES)
        sealed = crypto._seal(suite, key, nonce, chunk, _aad(context, file_id, index, last))
        out.write(LENGTH.pack(len(sealed)) + nonce + sealed)
        size += len(chunk)
    return size


def seal_file(plain: Path, target: Path, *, context: str) -> int:
    with plain.open("rb") as stream:
        return seal(iter(lambda: stream.read(CHUNK), b""), target, context=context)


def is_sealed(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(len(MAGIC)) == MAGIC


def _header(stream: IO[bytes]) -> tuple[str, bytes, str]:
    line = stream.readline(200)
    try:
        magic, suite, key_name, file_id = line.rstrip(b"\n").decode("ascii").split(":")
    except (UnicodeDecodeError, ValueError) as exc:
        raise SealedFileError("not a sealed file") from exc
    _, ring = crypto._settings_keyring()
    if magic != MAGIC.decode() or suite not in crypto.SUITES or key_name not in ring:
        raise SealedFileError("unknown file format, suite or key")
    return suite, ring[key_name], file_id


def unseal(path: Path, *, context: str) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk (``SealedFileError`` on any tampering).
    A file written before encryption at rest (no header) is returned as it is."""
    with path.open("rb") as stream:
        if stream.read(len(MAGIC)) != MAGIC:
            stream.seek(0)
            yield from iter(lambda: stream.read(CHUNK), b"")
            return
        stream.seek(0)
        suite, key, file_id = _header(stream)
        yield from read_chunks(stream, suite=suite, key=key, context=context, file_id=file_id)


def read_chunks(
    stream: IO[bytes], *, suite: str, key: bytes, context: str, file_id: str
) -> Iterator[bytes]:
    """The plaintext of the chunks that follow a header on ``stream`` (``SealedFileError`` when
    one is altered, missing, reordered, or the stream ends before the last one)."""
    index, finished = 0, False
    while prefix := stream.read(LENGTH.size):
        if finished or len(prefix) != LENGTH.size:
            raise SealedFileError("data after the last chunk")
        (length,) = LENGTH.unpack(prefix)
        nonce, sealed = stream.read(crypto.NONCE_BYTES), stream.read(length)
        if len(sealed) != length:
            raise SealedFileError("truncated chunk")
        plain, finished = _open_chunk(suite, key, nonce, sealed, context, file_id, index)
        yield plain
        index += 1
    if not finished:
        raise SealedFileError("truncated file")


def _open_chunk(
    suite: str, key: bytes, nonce: bytes, sealed: bytes, context: str, file_id: str, index: int
) -> tuple[bytes, bool]:
    """(plaintext, is it the last chunk?): the flag is bound in the associated data."""
    for last in (False, True):
        try:
            plain = crypto._open(suite, key, nonce, sealed, _aad(context, file_id, index, last))
        except InvalidTag:
            continue
        return plain, last
    raise SealedFileError("chunk failed authentication")


@contextmanager
def plain_copy(path: Path, *, context: str, suffix: str = "") -> Iterator[Path]:
    """A decrypted copy of ``path`` in a private temporary file, removed afterwards."""
    descriptor, name = tempfile.mkstemp(prefix="renkou-", suffix=suffix)
    plain = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as out:
            for block in unseal(path, context=context):
                out.write(block)
        yield plain
    finally:
        plain.unlink(missing_ok=True)


@contextmanager
def sealed_output(target: Path, *, context: str, suffix: str = "") -> Iterator[Path]:
    """A private temporary path to write plaintext to (e.g. by xlsxwriter); sealed into
    ``target`` when the block ends without an error, removed in any case."""
    descriptor, name = tempfile.mkstemp(prefix="renkou-", suffix=suffix)
    os.close(descriptor)
    plain = Path(name)
    try:
        yield plain
        seal_file(plain, target, context=context)
    finally:
        plain.unlink(missing_ok=True)


def download(
    path: Path, *, context: str, filename: str, content_type: str
) -> StreamingHttpResponse:
    """An attachment response streaming the decrypted file."""
    response = StreamingHttpResponse(unseal(path, context=context), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
