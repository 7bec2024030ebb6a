from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xinfang.directory.management.options import county_option, date_option
from xinfang.directory.models import County, Unit
from xinfang.directory.names import Names, unit_keys
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.columns import table_lines
from xinfang.lib.periods import month_parse
from xinfang.stats.kpi import Kpi, kpis
from xinfang.stats.kpi_facts import facts_rebuild


class Command(BaseCommand):
    help = (
        "考核指标：及时受理率、按期办结率、参评率、满意率、单位满意率、化解率、包案化解率，"
        "各列分子、分母、未计入数和口径（日期含首尾）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            choices=["rebuild"],
            help="rebuild：按现有事项重算考核指标的汇总数据（全部或 --county 指定的县）",
        )
        parser.add_argument("--from", dest="date_from", default="", help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", default="", help="截止日期 YYYY-MM-DD")
        parser.add_argument(
            "--month", default="", help="统计月 YYYY-MM（按 XINFANG_MONTH_START_DAY 起算；代替 --from/--to）"
        )
        parser.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        parser.add_argument("--unit", default="", help="责任单位的全称或唯一简称（如“周庄”“人社局”）")
        parser.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            self.rebuild(options["county"])
            return
        date_from, date_to = _period(options["date_from"], options["date_to"], options["month"])
        county = county_option(options["county"])
        unit = _unit(county, options["unit"]) if options["unit"] else None
        figures = kpis(county=county, date_from=date_from, date_to=date_to, unit=unit)
        if options["format"] == "json":
            result = {name: kpi.as_dict() for name, kpi in figures.items()}
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        who = f"{county.name}{unit.name if unit else ''}"
        self.stdout.write(f"{who} {date_from} 至 {date_to} 考核指标")
        rows = [["指标", "比率", "分子", "分母", "未计入"]] + [
            [kpi.name, _percent(kpi), str(kpi.numerator), str(kpi.denominator), str(kpi.excluded)]
            for kpi in figures.values()
        ]
        for line in table_lines(rows, align="<>>>>", indent="  "):
            self.stdout.write(line)
        self.stdout.write("\n口径")
        for kpi in figures.values():
            self.stdout.write(f"  {kpi.name}：{kpi.definition}")

    def rebuild(self, code: str) -> None:
        """`xinfang kpi rebuild [--county CODE]`: every matter's facts recomputed, in batches."""
        county = county_option(code) if code else None
        started = time.monotonic()
        written = facts_rebuild(county)
        seconds = time.monotonic() - started
        who = county.name if county is not None else "全部县"
        self.stdout.write(f"{who}考核指标汇总数据已重算：{written} 条，用时 {seconds:.1f} 秒")


def _percent(kpi: Kpi) -> str:
    return "—" if kpi.rate is None else f"{kpi.rate:.1%}"


def _period(date_from: str, date_to: str, month: str) -> tuple[dt.date, dt.date]:
    """The period the options give: --from and --to, or --month (so far, for the current month)."""
    today = timezone.localdate()
    if month:
        if date_from or date_to:
            raise CommandError("--month 不能与 --from/--to 同时使用", returncode=2)
        try:
            start, end = month_parse(month).range(settings.XINFANG_MONTH_START_DAY)
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        if start > today:
            raise CommandError(f"统计月尚未开始：{month}", returncode=2)
        return start, min(end, today)
    if not date_from or not date_to:
        raise CommandError("请用 --from 和 --to 指定期间，或用 --month 指定统计月", returncode=2)
    start, end = date_option(date_from), date_option(date_to)
    if start > end:
        raise CommandError("起始日期不能晚于截止日期", returncode=2)
    if end > today:
        raise CommandError(f"截止日期不能晚于今天（{today}）", returncode=2)
    return start, end


def _unit(county: County, text: str) -> Unit:
    """The unit `--unit` names: a full name, or a short form only one unit goes by."""
    names: Names[Unit] = Names()
    for each in Unit.objects.filter(county=county).order_by("kind", "order", "id"):
        names.add(each.name, unit_keys(each), each)
    unit, count = names.find(text.strip())
    if unit is None:
        message = f"“{text}”对应多个单位，请写全称" if count > 1 else f"单位不存在：{text}"
        raise CommandError(message, returncode=2)
    return unit
