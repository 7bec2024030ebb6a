from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.lib.periods import quarter_parse
from xinfang.scoring.engine import LEVELS, table_json
from xinfang.scoring.selectors import TABLES, competition_compute, competition_of


class Command(BaseCommand):
    help = (
        "季度比拼：score 列出某季度乡镇和县直单位的得分和排名（已公布的按公布结果，未公布的按当前数据计算）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        score = actions.add_parser(
            "score", help="某季度乡镇和县直单位的基础分、各级扣分、加分、得分、否决和名次"
        )
        score.add_argument("--quarter", required=True, help="季度 YYYYQn，如 2026Q1")
        score.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        score.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            quarter = quarter_parse(options["quarter"])
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        county = county_option(options["county"])
        # A published quarter as frozen; otherwise computed from the events now, not read from the draft's
        # stored tables: the command is the hand count's check.
        record = competition_of(county, quarter)
        figures = record.figures if record is not None and record.is_published else None
        if figures is None:
            figures = competition_compute(county, quarter, compact=True)
        if options["format"] == "json":
            result = {"quarter": quarter.code} | {key: table_json(figures[key]) for key, _, _ in TABLES}
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        state = "尚未起草，按当前数据计算" if record is None else record.get_state_display()
        self.stdout.write(f"{county.name}{quarter.label}信访工作比拼（{state}）")
        for key, _, label in TABLES:
            levels = [f"{name}批/分" for _, name in LEVELS]
            table = [["名次", label, "基础分", *levels, "加分", "得分", "否决"]]
            for row in figures[key]:
                cells = [f"{row['deductions'][name]['events']}/{row['deductions'][name]['points']}"
                         for _, name in LEVELS]  # fmt: skip
                table.append([str(row["rank"]), row["unit"], str(row["base"]), *cells, str(row["additions"]),
                              f"{row['score']:g}", "否决" if row["vetoed"] else ""])  # fmt: skip
            self.stdout.write("")
            for line in table_lines(table, indent="  "):
                self.stdout.write(line)
