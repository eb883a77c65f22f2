"""Refusing hostile or unusable files before any parser sees them (security.md IN3; OWASP ASVS
5.2.1–5.2.3 size, type and uncompressed-size limits, 1.5.1 restrictive XML).

Checks, in order: size, extension, magic bytes against the extension, then for the zip-based
formats (.xlsx, .ods) the central directory (member count, declared uncompressed size, ratio)
and every XML member decompressed with a hard output cap (a member that inflates past its
declared size is a forged zip bomb) and scanned for ``<!DOCTYPE``/``<!ENTITY`` (entity
expansion). Every refusal is a ``FileRefused`` with a Chinese message; nothing is written.
"""

import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

EXTENSIONS = {".xlsx": "xlsx", ".xls": "xls", ".ods": "ods", ".csv": "csv"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MB = 1024 * 1024
CHUNK = 1024 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
FORBIDDEN_XML = (b"<!DOCTYPE", b"<!ENTITY")
LOCAL_HEADER = 30  # bytes of a zip local file header before the name and extra field


class FileRefused(Exception):
    """The file as a whole cannot be imported (exit status 2); the message is for the user."""


@dataclass(frozen=True)
class Limits:
    """Read from settings at call time, with defaults (no setting needs to exist)."""

    max_bytes: int
    max_rows: int
    max_unzipped: int
    max_ratio: int
    max_members: int

    @classmethod
    def current(cls) -> "Limits":
        return cls(
            max_bytes=getattr(settings, "RENKOU_IMPORT_MAX_BYTES", 50 * MB),
            max_rows=getattr(settings, "RENKOU_IMPORT_MAX_ROWS", 1_000_000),
            max_unzipped=getattr(settings, "RENKOU_IMPORT_MAX_UNZIPPED_BYTES", 200 * MB),
            max_ratio=getattr(settings, "RENKOU_IMPORT_MAX_RATIO", 100),
            max_members=getattr(settings, "RENKOU_IMPORT_MAX_MEMBERS", 1000),
        )


def kind_of(name: str) -> str:
    """The format by the file name's extension, or ``FileRefused``."""
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise FileRefused("不支持的文件类型：请上传 .xlsx、.xls 或 .csv 文件")
    return EXTENSIONS[suffix]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def inspect(path: Path, name: str, limits: Limits | None = None) -> str:
    """Check the stored file ``path`` (uploaded as ``name``); return its kind."""
    limits = limits or Limits.current()
    kind = kind_of(name)
    size = path.stat().st_size
    if size == 0:
        raise FileRefused("文件是空的")
    if size > limits.max_bytes:
        raise FileRefused(f"文件过大（{size / MB:.1f} MB），最大 {limits.max_bytes // MB} MB")
    with path.open("rb") as stream:
        head = stream.read(8)
    _check_magic(kind, head)
    if kind in ("xlsx", "ods"):
        check_zip(path, limits)
    return kind


def _check_magic(kind: str, head: bytes) -> None:
    wrong = "文件内容与扩展名不符（{}），请用 Excel 重新另存后上传"
    if kind in ("xlsx", "ods") and not head.startswith(ZIP_MAGIC):
        raise FileRefused(wrong.format("不是有效的 ." + kind + " 文件"))
    if kind == "xls" and not head.startswith(OLE_MAGIC):
        raise FileRefused(wrong.format("不是有效的 .xls 文件"))
    if kind == "csv" and (head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC)):
        raise FileRefused(wrong.format("这是 Excel 文件，不是 .csv"))


# --- zip containers ------------------------------------------------------------------------


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse zip bombs and XML entity declarations without trusting the directory's sizes."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_directory(members, limits)
            with path.open("rb") as raw:
                for member in members:
                    if member.filename.lower().endswith(XML_SUFFIXES):
                        _scan_member(raw, member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error) as exc:
        raise FileRefused("文件已损坏或不是有效的 Excel 文件") from exc


def _check_directory(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise FileRefused("文件结构异常（压缩包内文件过多），已拒绝")
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped:
        raise FileRefused(
            f"文件解压后过大（{total / MB:.0f} MB，上限 {limits.max_unzipped // MB} MB），已拒绝"
        )
    for member in members:
        if member.file_size > MB and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise FileRefused("文件压缩比异常（疑似压缩炸弹），已拒绝")
        if member.flag_bits & 0x1:
            raise FileRefused("文件已加密，请取消密码保护后再上传")


def _scan_member(raw: BinaryIO, member: zipfile.ZipInfo) -> None:
    """Inflate one member from its raw bytes with the output capped at the declared size + 1,
    looking for DTD markup across chunk boundaries."""
    compressed = _raw_stream(raw, member)
    declared = member.file_size
    method = member.compress_type
    if method not in (0, 8):
        raise FileRefused("文件使用了不支持的压缩方式")
    inflater = zlib.decompressobj(-15) if method == 8 else None
    produced, tail, left = 0, b"", member.compress_size
    while left > 0 or (inflater is not None and inflater.unconsumed_tail):
        if inflater is not None and inflater.unconsumed_tail:
            block = inflater.unconsumed_tail
        else:
            block = compressed.read(min(CHUNK, left))
            left -= len(block)
            if not block:
                break
        data = inflater.decompress(block, CHUNK) if inflater is not None else block
        produced += len(data)
        if produced > declared:
            raise FileRefused("文件解压后大小与声明不符（疑似压缩炸弹），已拒绝")
        window = (tail + data).upper()
        if any(marker in window for marker in FORBIDDEN_XML):
            raise FileRefused("文件含有不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝")
        tail = data[-16:]


def _raw_stream(raw: BinaryIO, member: zipfile.ZipInfo) -> BinaryIO:
    """Position ``raw`` at the member's compressed bytes (after its local header)."""
    raw.seek(member.header_offset)
    header = raw.read(LOCAL_HEADER)
    if len(header) != LOCAL_HEADER or not header.startswith(ZIP_MAGIC):
        raise FileRefused("文件已损坏或不是有效的 Excel 文件")
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    raw.seek(name_length + extra_length, 1)
    return raw


# --- text files ----------------------------------------------------------------------------


def text_encoding(path: Path) -> str:
    """utf-16 (by BOM), utf-8-sig (with or without BOM), else gb18030; ``FileRefused`` if the
    bytes fit neither or hold NUL characters (a binary file named .csv)."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8-sig", "gb18030"):
        if _decodes(path, encoding):
            return encoding
    raise FileRefused("无法识别文件编码：请在 Excel 中另存为“CSV UTF-8”或直接上传 .xlsx 文件")


def _decodes(path: Path, encoding: str) -> bool:
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as stream:
        try:
            for block in iter(lambda: stream.read(CHUNK), b""):
                if b"\x00" in block:
                    raise FileRefused("文件含有二进制数据，不是文本，请上传 .csv 或 Excel 文件")
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True
