from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.lib.workdays import UnknownYear
from xinfang.reception.planning import KIND_LABELS, Kind, parse_month
from xinfang.reception.selectors import schedule_of, schedule_rows

JSON_KEYS = ("date", "level", "unit", "leader", "post", "kind")
WEEKDAYS = "一二三四五六日"


class Command(BaseCommand):
    help = "领导接访：plan 列出某月的接访排班（已生成的按存档，未生成的按规则计算）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        plan = actions.add_parser(
            "plan",
            help="某月的县级和乡镇领导接访排班：已生成的按存档列出，尚未生成的按当前名录和工作日历计算",
        )
        plan.add_argument("--month", required=True, help="月份 YYYY-MM")
        plan.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        plan.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        county = county_option(options["county"])
        try:
            rows, stored = schedule_rows(county, month)
        except UnknownYear as error:
            sys.stderr.write(f"错误：{error}\n")
            raise SystemExit(1) from error
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    [{key: row[key] for key in JSON_KEYS} for row in rows], ensure_ascii=False, indent=2
                )
            )
            return
        schedule = schedule_of(county, month) if stored else None
        state = schedule.get_state_display() if schedule else "尚未生成，以下按当前名录和工作日历计算"
        self.stdout.write(f"{county.name} {month.year}年{month.month}月领导接访排班（{state}）")
        table = [["日期", "星期", "层级", "乡镇", "接访领导", "职务", "类型", "说明"]]
        for row in rows:
            day = row["date"]
            weekday = WEEKDAYS[dt.date.fromisoformat(day).weekday()]
            note = row["note"] + ("（已调整）" if row["adjusted"] else "")
            table.append([day, weekday, "县级" if row["level"] == "county" else "乡镇", row["unit"] or "—",
                          row["leader"], row["post"], KIND_LABELS[Kind(row["kind"])], note])  # fmt: skip
        for line in table_lines(table, indent="  "):
            self.stdout.write(line)
        self.stdout.write(f"共 {len(rows)} 条接访安排。")
