"""Hostile and unusable files are refused cleanly, before any parser runs, with 0 writes and a
bounded memory (security.md IN3: zip bomb, XML entity expansion, wrong magic bytes, size and
row limits; peak RSS < 512 MB)."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from renkou.people.importing.files import FileRefused, Limits, inspect
from renkou.people.importing.reading import open_table

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""
SHEET = "xl/worksheets/sheet1.xml"


def small_xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write_row(0, 0, ["姓名", "公民身份号码", "户编号"])
    book.close()
    return path


def replaced(source: Path, target: Path, member: str, data: bytes) -> Path:
    """``source`` with one member's content replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, data if info.filename == member else old.read(info))
    return target


def zip_bomb(path: Path, size: int) -> Path:
    """A real workbook whose sheet XML is ``size`` bytes of one repeated character."""
    source = small_xlsx(path.with_suffix(".src.xlsx"))
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != SHEET:
                new.writestr(info.filename, old.read(info))
        with new.open(SHEET, "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(size // len(block)):
                member.write(block)
    return path


def forged_sizes(path: Path, declared: int) -> Path:
    """A bomb whose directory claims the sheet is small (central and local headers patched)."""
    data = bytearray(zip_bomb(path, 20 << 20).read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    data[local + 22 : local + 26] = declared.to_bytes(4, "little")
    central = data.rfind(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_length] == SHEET.encode():
            data[central + 24 : central + 28] = declared.to_bytes(4, "little")
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    path.write_bytes(bytes(data))
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    tmp_path = tmp_path_factory.mktemp("hostile")
    csv = tmp_path / "people.csv"
    csv.write_text("姓名,公民身份号码\n王秀英,1\n", encoding="utf-8")
    renamed_csv = tmp_path / "people.xlsx"
    renamed_csv.write_bytes(csv.read_bytes())
    elf = tmp_path / "program.xls"
    elf.write_bytes(b"\x7fELF" + b"\x00" * 100)
    zipped_csv = tmp_path / "workbook.csv"
    zipped_csv.write_bytes(small_xlsx(tmp_path / "w.xlsx").read_bytes())
    binary_csv = tmp_path / "image.csv"
    binary_csv.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return {
        "zip bomb (250 MB)": zip_bomb(tmp_path / "bomb.xlsx", 250 << 20),
        "ratio bomb (20 MB)": zip_bomb(tmp_path / "ratio.xlsx", 20 << 20),
        "forged sizes": forged_sizes(tmp_path / "forged.xlsx", 500_000),
        "billion laughs": replaced(
            small_xlsx(tmp_path / "a.xlsx"), tmp_path / "lol.xlsx", SHEET, BILLION_LAUGHS
        ),
        "csv named xlsx": renamed_csv,
        "elf named xls": elf,
        "xlsx named csv": zipped_csv,
        "binary named csv": binary_csv,
        "wrong extension": _wrong_extension(tmp_path / "people.exe"),
    }


def _wrong_extension(path: Path) -> Path:
    path.write_bytes(b"MZ")
    return path


EXPECTED = {
    "zip bomb (250 MB)": "解压后过大",
    "ratio bomb (20 MB)": "压缩炸弹",
    "forged sizes": "与声明不符",
    "billion laughs": "DOCTYPE",
    "csv named xlsx": "扩展名不符",
    "elf named xls": "扩展名不符",
    "xlsx named csv": "扩展名不符",
    "binary named csv": "二进制",
    "wrong extension": "不支持的文件类型",
}


def test_each_hostile_file_is_refused_with_a_chinese_message(hostile):
    for name, path in hostile.items():
        with pytest.raises(FileRefused) as refused:
            open_table(path, path.name)
        assert EXPECTED[name] in str(refused.value), name


def test_refusals_stay_within_the_memory_bound(hostile):
    """The files are opened in a fresh process, whose peak RSS (VmHWM of its own image, not the
    pytest worker's it was forked from) must stay under 512 MB."""
    paths = json.dumps({name: str(path) for name, path in hostile.items()})
    script = (
        "import json, os, sys, django\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'renkou.settings_test'\n"
        "django.setup()\n"
        "from pathlib import Path\n"
        "from renkou.people.importing.files import FileRefused\n"
        "from renkou.people.importing.reading import open_table\n"
        "refused = {}\n"
        "for name, path in json.loads(sys.argv[1]).items():\n"
        "    try:\n"
        "        open_table(Path(path), Path(path).name)\n"
        "    except FileRefused as exc:\n"
        "        refused[name] = str(exc)\n"
        # VmHWM is this process image's peak; ru_maxrss would carry the forking worker's.
        "status = Path('/proc/self/status').read_text()\n"
        "hwm = next(x for x in status.splitlines() if x.startswith('VmHWM'))\n"
        "peak = int(hwm.split()[1]) // 1024\n"
        "print(json.dumps({'refused': refused, 'peak_mb': peak}, ensure_ascii=False))\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", script, paths],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["refused"]) == set(hostile)
    assert report["peak_mb"] < 512, report


def test_size_limit(tmp_path, settings):
    settings.RENKOU_IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_text("姓名,公民身份号码\n" + "王,1\n" * 500, encoding="utf-8")
    with pytest.raises(FileRefused, match="文件过大"):
        inspect(path, path.name, Limits.current())


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(FileRefused, match="空"):
        open_table(path, path.name)


def test_undecodable_text(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("姓名,公民身份号码\n".encode() + b"\xff\xfe\x81\x30\xff" * 3)
    with pytest.raises(FileRefused, match="编码"):
        open_table(path, path.name)


def test_no_header_row(tmp_path):
    path = tmp_path / "nohead.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="未找到表头"):
        open_table(path, path.name)


def test_a_huge_csv_field_is_refused(tmp_path):
    path = tmp_path / "field.csv"
    header = "姓名,公民身份号码,户编号,与户主关系,户籍地代码,现居住地代码\n"
    path.write_text(header + '"' + "x" * 200_000 + '",1,2,3,4,5\n', encoding="utf-8")
    table = open_table(path, path.name)
    with pytest.raises(FileRefused, match="CSV"):
        list(table.rows())
