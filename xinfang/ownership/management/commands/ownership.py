from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option, date_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.ownership.stats import ownership_stats


class Command(BaseCommand):
    help = "领导包案：stats 统计某段时间印发的包案期次、其中的事项和包案化解率，按包案领导分列。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        stats = actions.add_parser(
            "stats", help="包案化解率：期间内印发的包案期次（日期含首尾）及其中的事项，按包案领导分列"
        )
        stats.add_argument("--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD（印发日期）")
        stats.add_argument("--to", dest="date_to", required=True, help="截止日期 YYYY-MM-DD（印发日期）")
        stats.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        stats.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = date_option(options["date_from"]), date_option(options["date_to"])
        if date_from > date_to:
            raise CommandError("起始日期不能晚于截止日期", returncode=2)
        county = county_option(options["county"])
        figures = ownership_stats(county=county, date_from=date_from, date_to=date_to)
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{county.name} {date_from} 至 {date_to} 印发包案 {figures.batches} 期，"
            f"包案事项 {figures.matters} 件，已化解 {figures.resolved} 件，"
            f"包案化解率 {figures.resolved_rate:.1%}"
        )
        if not figures.by_leader:
            return
        rows = [["包案领导", "事项", "已化解", "未化解", "超期", "化解率"]] + [
            [row.leader, str(row.matters), str(row.resolved), str(row.open), str(row.overdue),
             f"{row.resolved_rate:.1%}"]
            for row in figures.by_leader
        ]  # fmt: skip
        self.stdout.write("")
        for line in table_lines(rows, align="<>>>>>", indent="  "):
            self.stdout.write(line)
