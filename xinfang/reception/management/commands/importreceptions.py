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
from xinfang.reception.importer import LAYOUT, ReceptionImportResult, reception_import


class Command(BaseCommand):
    help = "导入领导接访台账（.xlsx 第一个工作表或 .csv），全部成功才写入。先用 --dry-run 检查。"

    def add_arguments(self, parser: CommandParser) -> None:
        import_arguments(parser, file_help="接访台账 .xlsx 或 .csv（列见 docs/reception.md）")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        table = import_table(path, ReadLimits.from_settings(settings), LAYOUT)
        county = county_option(options["county"])
        result = reception_import(
            county=county,
            table=table,
            by=None,
            file_name=path.name,
            sha256=file_sha256(path),
            dry_run=options["dry_run"],
        )
        import_result_write(self, result, output=options["format"], summary=summary)


def summary(result: ReceptionImportResult) -> str:
    verb = "检查通过（未写入）：将" if result.dry_run else "导入完成："
    return (
        f"{verb}登记 {result.receptions} 次接访，新增 {result.created} 件事项，"
        f"{result.updated} 件已有事项新增来访；共 {result.rows} 行，{result.warning_count} 处提示。"
    )
