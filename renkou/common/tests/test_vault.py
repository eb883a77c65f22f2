"""Stored files encrypted at rest (issue 19 item 5): round trip, owner-only modes, and every
kind of tampering refused."""

import os
import stat

import pytest

from renkou.common import vault

ID_NUMBER = b"11010519491231002X"


def body(size: int) -> bytes:
    return (ID_NUMBER + b",13912345678\n") * (size // 31 + 1)


def sealed(tmp_path, data: bytes, context: str = "test.file"):
    target = tmp_path / "files" / "sealed.bin"
    vault.seal(
        [data[i : i + 70_000] for i in range(0, len(data), 70_000)] or [b""],
        target,
        context=context,
    )
    return target


@pytest.mark.parametrize("size", [0, 10, vault.CHUNK, vault.CHUNK + 1, 3 * vault.CHUNK + 5])
@pytest.mark.parametrize("suite", ["aes256gcm", "sm4gcm"])
def test_round_trip_and_no_plaintext_on_disk(tmp_path, settings, size, suite):
    settings.RENKOU_FIELD_SUITE = suite
    data = body(size)[:size]
    target = sealed(tmp_path, data)
    raw = target.read_bytes()
    assert raw.startswith(b"RKF1:" + suite.encode())
    assert ID_NUMBER not in raw and b"13912345678" not in raw
    assert b"".join(vault.unseal(target, context="test.file")) == data


def test_files_and_folders_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        target = sealed(tmp_path, b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


def read(target, context="test.file") -> bytes:
    return b"".join(vault.unseal(target, context=context))


def test_another_context_does_not_open(tmp_path):
    target = sealed(tmp_path, b"secret")
    with pytest.raises(vault.SealedFileError):
        read(target, "benefits.document")


def test_a_flipped_byte_is_refused(tmp_path):
    target = sealed(tmp_path, body(5000))
    raw = bytearray(target.read_bytes())
    raw[-20] ^= 1
    target.write_bytes(bytes(raw))
    with pytest.raises(vault.SealedFileError):
        read(target)


def test_a_truncated_file_is_refused(tmp_path):
    target = sealed(tmp_path, body(2 * vault.CHUNK + 100))
    raw = target.read_bytes()
    header_end = raw.index(b"\n") + 1
    first = header_end + 4 + 12 + vault.LENGTH.unpack(raw[header_end : header_end + 4])[0]
    target.write_bytes(raw[:first])  # only the first chunk is left
    with pytest.raises(vault.SealedFileError):
        read(target)


def test_swapped_chunks_are_refused(tmp_path):
    target = sealed(tmp_path, body(3 * vault.CHUNK))
    raw = target.read_bytes()
    header_end = raw.index(b"\n") + 1
    chunks, position = [], header_end
    while position < len(raw):
        length = vault.LENGTH.unpack(raw[position : position + 4])[0]
        chunks.append(raw[position : position + 4 + 12 + length])
        position += 4 + 12 + length
    chunks[0], chunks[1] = chunks[1], chunks[0]
    target.write_bytes(raw[:header_end] + b"".join(chunks))
    with pytest.raises(vault.SealedFileError):
        read(target)


def test_a_file_from_before_encryption_is_read_as_it_is(tmp_path):
    legacy = tmp_path / "old.xlsx"
    legacy.write_bytes(b"PK\x03\x04 old export")
    assert read(legacy) == b"PK\x03\x04 old export"


def test_plain_copy_is_private_and_removed(tmp_path):
    target = sealed(tmp_path, b"name,id\n")
    with vault.plain_copy(target, context="test.file", suffix=".csv") as plain:
        assert plain.read_bytes() == b"name,id\n"
        assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    assert not plain.exists()


def test_sealed_output_seals_what_was_written(tmp_path):
    target = tmp_path / "out" / "export.xlsx"
    with vault.sealed_output(target, context="test.file", suffix=".xlsx") as plain:
        plain.write_bytes(ID_NUMBER)
    assert not plain.exists()
    assert ID_NUMBER not in target.read_bytes()
    assert read(target) == ID_NUMBER
