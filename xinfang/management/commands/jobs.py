from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option, date_option
from xinfang.directory.models import County
from xinfang.jobs.schedule import jobs_plan
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.lib.workdays import UnknownYear
from xinfang.registry import JOBS


class Command(BaseCommand):
    help = "定时任务：plan 列出计划运行时间（按县的工作日历）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        plan = actions.add_parser("plan", help="列出日期范围内（含首尾）各县各任务的计划运行时间")
        plan.add_argument("--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD")
        plan.add_argument("--to", dest="date_to", required=True, help="截止日期 YYYY-MM-DD")
        plan.add_argument("--county", default="", help="县的行政区划代码（默认：所有县）")
        plan.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = date_option(options["date_from"]), date_option(options["date_to"])
        if start > end:
            raise CommandError("起始日期不能晚于截止日期", returncode=2)
        counties = (
            [county_option(options["county"])] if options["county"] else list(County.objects.order_by("code"))
        )
        try:
            runs = jobs_plan(jobs=JOBS, counties=counties, start=start, end=end)
        except UnknownYear as error:
            sys.stderr.write(f"错误：{error}\n")
            raise SystemExit(1) from error
        if options["format"] == "json":
            self.stdout.write(json.dumps([run.as_dict() for run in runs], ensure_ascii=False, indent=2))
            return
        rows = [[f"{run.at:%Y-%m-%d %H:%M}", run.county.name, run.job.title, run.job.name] for run in runs]
        for line in table_lines([["计划时间", "县", "任务", "任务代号"], *rows]):
            self.stdout.write(line)
        self.stdout.write(f"共 {len(runs)} 次计划运行。")
