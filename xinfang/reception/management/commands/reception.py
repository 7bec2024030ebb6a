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
from xinfang.reception.stats import GROUP_LABELS, reception_stats

JSON_KEYS = ("date", "level", "unit", "leader", "post", "kind")
WEEKDAYS = "一二三四五六日"


class Command(BaseCommand):
    help = (
        "领导接访：plan 列出某月的接访排班（已生成的按存档，未生成的按规则计算）；"
        "stats 统计某期间公开接访和下沉接访的人次、事项、人数和化解情况。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        plan = actions.add_parser(
            "plan",
            help="某月的县级和乡镇领导接访排班：已生成的按存档列出，尚未生成的按当前名录和工作日历计算",
        )
        plan.add_argument("--month", required=True, help="月份 YYYY-MM")
        plan.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        plan.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
        stats = actions.add_parser(
            "stats", help="某期间（含起止日）公开接访和下沉接访的领导人次、接访事项（起）、人数和化解数"
        )
        stats.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD")
        stats.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD")
        stats.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        stats.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "stats":
            self.stats(options)
            return
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

    def stats(self, options: dict[str, Any]) -> None:
        try:
            start, end = dt.date.fromisoformat(options["start"]), dt.date.fromisoformat(options["end"])
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD，如 2026-07-31", returncode=2) from None
        if start > end:
            raise CommandError("开始日期不能晚于结束日期", returncode=2)
        county = county_option(options["county"])
        result = reception_stats(county, start, end)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{county.name} {start}至{end} 领导接访")
        table = [["", "领导人次", "接访事项（起）", "人数", "化解（起）", "化解率"]]
        for group, label in GROUP_LABELS.items():
            row = result[group]
            table.append([label, str(row["receptions"]), str(row["matters"]), str(row["persons"]),
                          str(row["resolved"]), f"{row['resolved_rate']:.1%}"])  # fmt: skip
        for line in table_lines(table, indent="  "):
            self.stdout.write(line)
