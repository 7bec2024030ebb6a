from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.imports import (
    file_sha256,
    import_arguments,
    import_result_write,
    import_table,
)
from xinfang.directory.management.options import county_option
from xinfang.ledger.checking import LedgerResult
from xinfang.ledger.importer import LedgerError
from xinfang.ledger.services import ledger_import, ledger_limits


class StderrProgress:
    """Progress of a large file on stderr (stdout holds only the result)."""

    def __init__(self) -> None:
        self.shown: tuple[str, int] | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if total < 2000 or self.shown == (phase, tenth):
            return
        self.shown = (phase, tenth)
        sys.stderr.write(f"{phase}：{done:,}/{total:,}（{10 * tenth}%）\n")
        sys.stderr.flush()


class Command(BaseCommand):
    help = "导入信访台账（.xlsx 第一个工作表或 .csv），全部成功才写入。先用 --dry-run 检查。"

    def add_arguments(self, parser: CommandParser) -> None:
        import_arguments(parser, file_help="台账文件 .xlsx 或 .csv（列见 docs/ledger-import.md）")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        table = import_table(path, ledger_limits())
        county = county_option(options["county"])
        try:
            result = ledger_import(
                county=county,
                table=table,
                by=None,
                file_name=path.name,
                sha256=file_sha256(path),
                size=path.stat().st_size,
                dry_run=options["dry_run"],
                progress=StderrProgress(),
            )
        except LedgerError as exc:  # refused while writing: taken back, nothing imported
            raise CommandError(str(exc), returncode=1) from exc
        import_result_write(self, result, output=options["format"], summary=summary)


def summary(result: LedgerResult) -> str:
    verb = "检查通过（未写入）：将" if result.dry_run else "导入完成："
    batches = f"{result.batch_matters} 件事项列入 {result.batches} 个包案期次；" if result.batches else ""
    return (
        f"{verb}新增 {result.created} 件事项，更新 {result.updated} 件；{batches}共 {result.rows} 行，"
        f"{result.warning_count} 处提示。"
    )
