from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.ledger_file import LedgerFileError, ReadLimits, ledger_read_path
from xinfang.stats.history import LAYOUT, HistoryImportResult, history_import


class Command(BaseCommand):
    help = "历史月度数据：import 导入登记簿记录之前各月的批次（用于同比和预测）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
        imports = actions.add_parser(
            "import",
            help="导入历史月度数据（.xlsx 第一个工作表或 .csv），全部成功才写入。先用 --dry-run 检查。",
        )
        imports.add_argument(
            "file", type=Path, help="历史月度数据 .xlsx 或 .csv（列：月份、访别、问题类别、批次、人次）"
        )
        imports.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        imports.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        imports.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = ledger_read_path(path, ReadLimits.from_settings(settings), LAYOUT)
        except LedgerFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        county = county_option(options["county"])
        result = history_import(
            county=county,
            table=table,
            by=None,
            file_name=path.name,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            dry_run=options["dry_run"],
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.write_text(result)
        if not result.ok:
            raise SystemExit(1)

    def write_text(self, result: HistoryImportResult) -> None:
        for line in result.problem_lines():
            self.stdout.write(line)
        if result.errors:
            return
        months = f"{result.months[0]} 至 {result.months[-1]}" if result.months else "无"
        verb = "检查通过（未写入）：将" if result.dry_run else "导入完成："
        replaced = f"，替换原有 {result.replaced} 条" if result.replaced else ""
        self.stdout.write(
            f"{verb}写入 {len(result.months)} 个月（{months}）的 {result.created} 条历史记录{replaced}；"
            f"共 {result.rows} 行。"
        )
