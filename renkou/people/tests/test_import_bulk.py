"""security.md IN2: a 10,000-row file with errors spread over 20+ error classes → the report
lists 10,000/10,000 bad rows with row, column and message; ``all`` mode writes 0 rows; ``rows``
mode writes exactly the valid rows."""

import random

from conftest import COUNTY, OTHER_VILLAGE, VILLAGE_A1, VILLAGE_B2
from renkou.common import idnumber
from renkou.people.importing.batches import import_file
from renkou.people.importing.checking import Scope
from renkou.people.models import Household, Person, WomanCard
from renkou.people.tests.import_files import TODAY, read_sheet, write_csv

BAD_ROWS, GOOD_EVERY = 10_000, 20


def _wrong_check(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


def _bad_date(number: str) -> str:
    return number[:10] + "1399" + number[14:]


NO_ID = {"证件类型": "暂无证件", "公民身份号码": ""}
# (expected error code, mutation of a good row)
MISTAKES = [
    ("required", lambda r: {"姓名": ""}),
    ("bad_name", lambda r: {"姓名": "王2"}),
    ("id_check", lambda r: {"公民身份号码": _wrong_check(r["公民身份号码"])}),
    ("id_length", lambda r: {"公民身份号码": r["公民身份号码"][:16]}),
    ("id_chars", lambda r: {"公民身份号码": r["公民身份号码"][:16] + "AB"}),
    ("id_date", lambda r: {"公民身份号码": _bad_date(r["公民身份号码"])}),
    ("id_numeric", lambda r: {"公民身份号码": "3.20124E+17"}),
    ("id_birth_mismatch", lambda r: {"出生日期": "1930-01-01"}),
    ("id_sex_mismatch", lambda r: {"性别": "男" if int(r["公民身份号码"][16]) % 2 == 0 else "女"}),
    ("bad_date", lambda r: {**NO_ID, "出生日期": "1990-13-45"}),
    ("future_date", lambda r: {**NO_ID, "出生日期": "2030-01-01"}),
    ("doc_not_empty", lambda r: {"证件类型": "暂无证件"}),
    ("doc_format", lambda r: {"证件类型": "护照", "公民身份号码": "A"}),
    ("bad_code", lambda r: {"民族": "火星族"}),
    ("bad_household", lambda r: {"户编号": "123"}),
    ("household_scope", lambda r: {"户编号": f"{OTHER_VILLAGE}019999"}),
    ("household_unit", lambda r: {"户编号": "620001100299010001"}),
    ("bad_unit", lambda r: {"户籍地代码": "62000110020"}),
    ("unknown_unit", lambda r: {"现居住地代码": "620001100299"}),
    ("bad_phone", lambda r: {"联系电话": "12345"}),
    ("dup_in_file", None),  # the ID of the previous good row again
    ("household_head_file", None),  # a second head in the previous good row's household
]


def _rows(rng: random.Random) -> tuple[list[dict], int]:
    rows, used, good, previous = [], set(), 0, None
    for index in range(BAD_ROWS + BAD_ROWS // GOOD_EVERY):
        number = idnumber.generate(rng)
        while number in used:
            number = idnumber.generate(rng)
        used.add(number)
        village = VILLAGE_A1 if index % 2 else VILLAGE_B2
        row = {
            "姓名": "张三",
            "公民身份号码": number,
            "婚姻状况": "未婚",
            "与户主关系": "户主",
            "户编号": f"{village}{index // 9999 + 1:02d}{index % 9999 + 1:04d}",
            "户籍地代码": village,
            "现居住地代码": village,
        }
        if index % (GOOD_EVERY + 1) == 0:
            rows.append(row)
            good, previous = good + 1, row
            continue
        code, mutate = MISTAKES[index % len(MISTAKES)]
        if code == "dup_in_file":
            row["公民身份号码"] = previous["公民身份号码"]
        elif code == "household_head_file":
            row["户编号"] = previous["户编号"]
        else:
            row.update(mutate(row))
        rows.append(row)
    return rows, good


def test_ten_thousand_bad_rows(tmp_path, units, settings):
    settings.MEDIA_ROOT = tmp_path
    rows, good = _rows(random.Random(2))
    path = write_csv(tmp_path / "in2.csv", rows)
    report = tmp_path / "report.xlsx"
    scope = Scope.of(COUNTY[:6])

    rejected = import_file(path, scope=scope, mode="all", today=TODAY, report=report)
    outcome = rejected.outcome
    assert (outcome.bad, outcome.good) == (BAD_ROWS, good)
    assert {code for code, _ in MISTAKES} <= set(outcome.codes), set(outcome.codes)
    assert Person.objects.count() == Household.objects.count() == WomanCard.objects.count() == 0

    sheet, detail = read_sheet(report, 0), read_sheet(report, 1)
    error_col = sheet[0].index("错误说明")
    flagged = {n + 1 for n, row in enumerate(sheet[1:], start=1) if row[error_col]}
    assert flagged == set(outcome.errors) and len(flagged) == BAD_ROWS
    errors = [line for line in detail[1:] if line[5] == "错误"]
    assert {int(line[0]) for line in errors} == flagged
    assert all(line[1] and line[3] and line[4] for line in errors)
    id_values = [line[2] for line in errors if line[1] == "公民身份号码" and len(line[2]) >= 15]
    assert id_values and all("*" * 7 in value for value in id_values)  # masked

    written = import_file(path, scope=scope, mode="rows", today=TODAY)
    assert (written.outcome.created, written.outcome.bad) == (good, BAD_ROWS)
    assert Person.objects.count() == good
