from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from xinfang.directory.management.imports import (
    file_sha256,
    import_arguments,
    import_result_write,
    import_table,
)
from xinfang.directory.management.options import county_option
from xinfang.lib.ledger_file import ReadLimits
from xinfang.stats.history import LAYOUT, HistoryImportResult, history_import


class Command(BaseCommand):
    help = "历史月度数据：import 导入登记簿记录之前各月的批次（用于同比和预测）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        imports = actions.add_parser(
            "import",
            help="导入历史月度数据（.xlsx 第一个工作表或 .csv），全部成功才写入。先用 --dry-run 检查。",
        )
        import_arguments(
            imports, file_help="历史月度数据 .xlsx 或 .csv（列：月份、访别、问题类别、批次、人次）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        table = import_table(path, ReadLimits.from_settings(settings), LAYOUT)
        county = county_option(options["county"])
        result = history_import(
            county=county,
            table=table,
            by=None,
            file_name=path.name,
            sha256=file_sha256(path),
            dry_run=options["dry_run"],
        )
        import_result_write(self, result, output=options["format"], summary=summary)


def summary(result: HistoryImportResult) -> str:
    months = f"{result.months[0]} 至 {result.months[-1]}" if result.months else "无"
    verb = "检查通过（未写入）：将" if result.dry_run else "导入完成："
    replaced = f"，替换原有 {result.replaced} 条" if result.replaced else ""
    return (
        f"{verb}写入 {len(result.months)} 个月（{months}）的 {result.created} 条历史记录{replaced}；"
        f"共 {result.rows} 行。"
    )
