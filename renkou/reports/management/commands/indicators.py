"""``manage.py indicators --unit CODE --period P [--calendar] [--scope registered|resident|managed]
[--format json|csv] [--townships] [--indicator CODE ...] [--births-by occurrence|report]
[--output FILE]``: the indicators of a
unit for a period (docs/indicators.md), from the same definitions as the pages and the API.

JSON is a list of objects (code, name, unit, period, scope, numerator, denominator, value
rounded as displayed, value_unrounded, measure_unit, warnings, and target/direction/met/gap
where a target is set); CSV has a header row and is UTF-8 with a byte-order mark, so Excel
opens it with the right characters. ``--townships`` adds the figures of each sub-unit
(townships of a county, villages of a township). Exit status 2 with a Chinese message on
stderr for an unknown unit, period or indicator.
"""

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from renkou.assessment.indicators import BY_CODE as SERVICE_BY_CODE
from renkou.common import periods
from renkou.common.periods import PeriodError
from renkou.events.constants import SCOPE_BY_NAME
from renkou.geo.constants import full_code
from renkou.geo.models import Unit
from renkou.reports.indicators import BIRTHS_BY, BY_CODE, INDICATORS, OCCURRENCE
from renkou.reports.selectors import figure_rows

CSV_COLUMNS = (
    "code",
    "name",
    "unit",
    "unit_name",
    "period",
    "period_label",
    "scope",
    "numerator",
    "denominator",
    "value",
    "value_unrounded",
    "measure_unit",
    "warnings",
    "target",
    "direction",
    "met",
    "gap",
)


class Command(BaseCommand):
    help = "输出某单位某统计期间的统计指标（JSON 或 CSV）；单位、期间或指标有误时退出码为 2"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="单位代码（12位，或县6位、乡镇9位）")
        parser.add_argument(
            "--period", required=True, help="统计期间：2024（统计年度）、2024H1、2024Q1、2024-03"
        )
        parser.add_argument("--calendar", action="store_true", help="年份按日历年（1—12月）")
        parser.add_argument(
            "--scope",
            choices=sorted(SCOPE_BY_NAME),
            default="registered",
            help="口径：registered 户籍、resident 常住、managed 管理",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--townships", action="store_true", help="同时输出各下级单位（县的乡镇、乡镇的村）"
        )
        parser.add_argument(
            "--indicator",
            action="append",
            default=[],
            help="只输出这些指标（可重复；默认全部统计指标；服务覆盖指标"
            "如 prepreg_coverage、rh_check_rate 需指定）",
        )
        parser.add_argument(
            "--births-by",
            choices=BIRTHS_BY,
            default=OCCURRENCE,
            help="出生按发生日期（occurrence，默认）或报告日期（report：迟报的出生计入报告所在期间）统计",
        )
        parser.add_argument("--output", type=Path, help="写到文件（默认标准输出）")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["unit"].strip()
        unit = None
        if code.isdigit() and len(code) in (6, 9, 12):
            unit = Unit.objects.current().filter(code=full_code(code)).first()
        if unit is None:
            self._refuse(f"没有代码为 {code} 的单位")
        try:
            period = periods.parse(options["period"], calendar=options["calendar"])
        except PeriodError as exc:
            self._refuse(str(exc))
        unknown = [c for c in options["indicator"] if c not in BY_CODE and c not in SERVICE_BY_CODE]
        if unknown:
            self._refuse(f"没有这些指标：{'、'.join(unknown)}")
        codes = options["indicator"] or [i.code for i in INDICATORS]
        rows = figure_rows(
            unit,
            period=period,
            calendar=options["calendar"],
            scope=SCOPE_BY_NAME[options["scope"]],
            codes=codes,
            sub_units=options["townships"],
            births_by=options["births_by"],
        )
        text = _json(rows) if options["format"] == "json" else _csv(rows)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _refuse(self, message: str) -> None:
        self.stderr.write(message)
        raise SystemExit(2)


def _json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def _csv(rows: list[dict]) -> str:
    out = StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = {**row, "warnings": "；".join(row["warnings"])}
        writer.writerow([_cell(cells.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # never a formula when the CSV is opened in a spreadsheet (CR8)
    return value
