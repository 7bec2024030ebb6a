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
from xinfang.reception.importer import LAYOUT, ReceptionImportResult, reception_import


class Command(BaseCommand):
    help = "导入领导接访台账（.xlsx 第一个工作表或 .csv），全部成功才写入。先用 --dry-run 检查。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="接访台账 .xlsx 或 .csv（列见 docs/reception.md）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        parser.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = ledger_read_path(path, ReadLimits.from_settings(settings), LAYOUT)
        except LedgerFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        county = county_option(options["county"])
        result = reception_import(
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

    def write_text(self, result: ReceptionImportResult) -> None:
        for line in result.problem_lines():
            self.stdout.write(line)
        if result.errors:
            return
        verb = "检查通过（未写入）：将" if result.dry_run else "导入完成："
        self.stdout.write(
            f"{verb}登记 {result.receptions} 次接访，新增 {result.created} 件事项，"
            f"{result.updated} 件已有事项新增来访；共 {result.rows} 行，{result.warning_count} 处提示。"
        )
