"""考核评分表.xlsx: one unit's score sheet as the PDF prints it (``printing.sheet_pdf``), on the
one .xlsx writer of the exports (``renkou.common.xlsx``): every item's value, target, rule,
points, veto and the number of evidence documents, then the deductions and the totals.
Aggregates and the scheme's own rows only: no person, no name list, no document itself."""

import io
from datetime import date

from renkou.assessment import sheets
from renkou.common import xlsx

COLUMNS = (
    ("序号", 6, False),
    ("考核内容", 28, True),
    ("实际值", 14, True),
    ("目标", 10, True),
    ("评分方法", 36, True),
    ("得分", 8, False),
    ("分值", 8, False),
    ("一票否决", 36, True),
    ("佐证材料（份）", 10, False),
    ("说明", 50, True),
)


def evidence_count(line: sheets.Line) -> int:
    """The documents behind a line: its source's evidence links and a manual score's upload."""
    linked = len(line.reading.evidence) if line.reading else 0
    return linked + (1 if line.manual is not None and line.manual.evidence else 0)


def _line_row(line: sheets.Line, vetoes: dict[int, str]) -> list[object]:
    value = line.value_display + (f"（{line.verdict}）" if line.verdict else "")
    target = line.target_display + ("（乡镇调整）" if line.adjusted else "")
    note = line.scored.explanation
    if line.manual is not None:
        note += f"；评分依据：{line.manual.reason}"
    return [
        line.item.number,
        line.item.name,
        value,
        target,
        line.rule_text,
        float(line.scored.points),
        float(line.item.points),
        vetoes.get(line.item.pk, ""),
        evidence_count(line),
        note,
    ]


def _summary_rows(sheet: sheets.Sheet) -> list[list[object]]:
    """The deductions (negative), then 基本分, 加分, 扣分 and 总分 in the points column."""
    rows: list[list[object]] = [
        [None, f"扣分：{d.reason}", None, None, d.source, -float(d.points)]
        for d in sheet.deductions
    ]
    rows += [
        [None, "基本分", None, None, None, float(sheet.base), float(sheet.maximum)],
        [None, "加分", None, None, None, float(sheet.bonus)],
        [None, "扣分", None, None, None, -float(sheet.deducted)],
        [None, "总分", None, None, None, float(sheet.total), None, f"第{sheet.rank}名"],
    ]
    return rows


def sheet_xlsx(sheet: sheets.Sheet, on: date) -> bytes:
    """One sheet, the header frozen (the file name says the unit and the date)."""
    buffer = io.BytesIO()
    workbook, out, text = xlsx.open_sheet(buffer, "考核评分表", COLUMNS)
    vetoes = {v.item.pk: v.text for v in sheet.vetoes}
    rows = [_line_row(line, vetoes) for line in sheet.lines] + _summary_rows(sheet)
    for number, values in enumerate(rows, 1):
        xlsx.write_row(out, number, values, text)
    workbook.close()
    return buffer.getvalue()
