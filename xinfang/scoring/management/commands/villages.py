from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.scoring.village_selectors import ratings_current, stars_json, year_parse


class Command(BaseCommand):
    help = (
        "村级星级：stars 列出某年度每个村(社区)的信访相关星是否被否决及否决它的事项（已公布的按公布结果）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        stars = actions.add_parser("stars", help="某年度每个村(社区)的信访相关星和否决事项")
        stars.add_argument("--year", required=True, help="年度，如 2026")
        stars.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        stars.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year = year_parse(options["year"])
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        county = county_option(options["county"])
        figures, record = ratings_current(county, year)
        if options["format"] == "json":
            self.stdout.write(json.dumps(stars_json(figures), ensure_ascii=False, indent=2))
            return
        state = "已公布" if record is not None else "未公布，按当前数据计算"
        self.stdout.write(f"{county.name}{year}年度村级星级评定（{state}）")
        table = [["乡镇", "村(社区)", "信访相关星", "星数", "否决事项"]]
        for row in figures["villages"]:
            table.append([row["township"], row["village"], "保留" if row["petition_star"] else "否决",
                          str(row["star_count"]), "、".join(row["vetoed_by"])])  # fmt: skip
        for line in table_lines(table, indent="  "):
            self.stdout.write(line)
