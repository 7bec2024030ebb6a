from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option, date_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.stats.selectors import event_statistics


class Command(BaseCommand):
    help = "按信访日期统计：起、批次、人次，按访别、形式、问题类别、乡镇分列（日期含首尾）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="截止日期 YYYY-MM-DD")
        parser.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        parser.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = date_option(options["date_from"]), date_option(options["date_to"])
        if date_from > date_to:
            raise CommandError("起始日期不能晚于截止日期", returncode=2)
        county = county_option(options["county"])
        figures = event_statistics(county=county, date_from=date_from, date_to=date_to)
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{county.name} {figures['from']} 至 {figures['to']}："
            f"{figures['matters']} 起 {figures['events']} 批次 {figures['persons']} 人次；"
            f"集体访 {figures['collective_events']} 批次，重复访 {figures['repeat_events']} 批次"
        )
        for key, title in (("by_level", "访别"), ("by_channel", "信访形式"), ("by_category", "问题类别"),
                           ("by_township", "乡镇")):  # fmt: skip
            self.stdout.write(f"\n{title}")
            rows = [
                [name, f"{row['matters']} 起", f"{row['events']} 批次", f"{row['persons']} 人次"]
                for name, row in figures[key].items()
            ]
            for line in table_lines(rows, align="<>>>", indent="  "):
                self.stdout.write(line)
