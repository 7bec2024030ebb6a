from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.lib.periods import month_parse
from xinfang.meetings.screening import AGENDA_MAX, FACTORS, screen


class Command(BaseCommand):
    help = "联席会议：candidates 列出某月筛选出的候选事项（至多20件，按得分从高到低），及各因素得分。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        candidates = actions.add_parser("candidates", help="某月月末在办事项的筛选得分，至多20件")
        candidates.add_argument("--month", required=True, help="筛选的月份 YYYY-MM，如 2026-10")
        candidates.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        candidates.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = month_parse(options["month"])
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        county = county_option(options["county"])
        ranked, qualifying = screen(county=county, month=month, limit=AGENDA_MAX)
        if options["format"] == "json":
            rows = [candidate.as_json() for candidate in ranked]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{county.name}{month.label}联席会议候选事项：符合条件{qualifying}件，列出{len(ranked)}件"
        )
        table = [["序号", "事项编号", "得分", *FACTORS.values(), "包案领导"]]
        for index, candidate in enumerate(ranked, start=1):
            factors = [f"{value}" for value in candidate.factors.values()]
            owner = candidate.owner or "—"
            table.append([str(index), candidate.number, f"{candidate.score}", *factors, owner])
        for line in table_lines(table, indent="  "):
            self.stdout.write(line)
