from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.calendars.selectors import calendar_year_days, work_calendar, year_bounds
from xinfang.calendars.services import (
    CalendarError,
    calendar_close_year,
    calendar_import,
    calendar_reopen_year,
    calendar_set,
    parse_date,
    parse_day_type,
)
from xinfang.lib.workdays import UnknownYear, library_covers


def year_argument(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"年份应为1990至2100之间的四位数：{text}")
    return int(text)


class Command(BaseCommand):
    help = "维护工作日历：录入放假/调休安排，确认某年已录入完整，查看某年安排。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        set_day = actions.add_parser("set", help="把一天设为上班(workday)或放假(holiday)")
        set_day.add_argument("date", help="日期 YYYY-MM-DD")
        set_day.add_argument("type", help="workday 或 holiday")
        set_day.add_argument("--note", default="", help="说明，如“春节”")
        load = actions.add_parser("import", help="导入 CSV：日期,类型,说明（UTF-8）")
        load.add_argument("file", type=Path, help="CSV 文件（UTF-8 或 GB18030）")
        load.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        close = actions.add_parser("close-year", help="确认某年的放假安排已录入完整")
        close.add_argument("year", type=year_argument, help="年份，如 2027")
        reopen = actions.add_parser("reopen-year", help="重新开放已确认的年份以便更正")
        reopen.add_argument("year", type=year_argument, help="年份，如 2027")
        show = actions.add_parser("show", help="查看某年的放假与调休安排")
        show.add_argument("year", type=year_argument, help="年份，如 2027")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "do_" + options["action"].replace("-", "_"))(options)
        except CalendarError as error:
            raise CommandError(str(error), returncode=1) from error

    def do_set(self, options: dict[str, Any]) -> None:
        entry = calendar_set(
            day=parse_date(options["date"]), is_workday=parse_day_type(options["type"]), note=options["note"]
        )
        self.stdout.write(f"已设置：{entry}")

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件：{path}", returncode=2) from error
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        result = calendar_import(text=text, dry_run=options["dry_run"])
        for number, message in result.errors:
            self.stdout.write(f"第{number}行：{message}")
        if result.errors:
            raise CommandError(f"共 {len(result.errors)} 处错误，未写入任何数据。", returncode=1)
        verb = "检查通过（未写入）" if options["dry_run"] else "已导入"
        self.stdout.write(f"{verb}：{result.rows} 天")

    def do_close_year(self, options: dict[str, Any]) -> None:
        closed = calendar_close_year(year=options["year"])
        self.stdout.write(f"已确认 {closed.year} 年的放假安排录入完整。")

    def do_reopen_year(self, options: dict[str, Any]) -> None:
        calendar_reopen_year(year=options["year"])
        self.stdout.write(f"已重新开放 {options['year']} 年，可更正后再次确认。")

    def do_show(self, options: dict[str, Any]) -> None:
        year: int = options["year"]
        calendar = work_calendar()
        if library_covers(year):
            source = "日历库提供"
        elif calendar.knows(year):
            source = "本局录入，已确认完整"
        else:
            source = "尚未确认完整，不能计算工作日"
        self.stdout.write(f"{year}年：{source}")
        for entry in calendar_year_days(year):
            self.stdout.write(f"  本局录入：{entry}")
        start, end = year_bounds(year)
        try:
            workdays = set(calendar.workdays(start, end))
        except UnknownYear as error:
            self.stdout.write(str(error))
            return
        day = start
        while day <= end:
            weekend = day.weekday() >= 5
            if weekend and day in workdays:
                self.stdout.write(f"  {day} 调休上班")
            elif not weekend and day not in workdays:
                self.stdout.write(f"  {day} 放假")
            day += dt.timedelta(days=1)
        self.stdout.write(f"  全年工作日 {len(workdays)} 天")
