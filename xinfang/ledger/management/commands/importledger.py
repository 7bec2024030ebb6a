from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.directory.management.options import county_option
from xinfang.ledger.checking import LedgerResult
from xinfang.ledger.importer import LedgerError
from xinfang.ledger.services import ledger_import, ledger_limits
from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.ledger_file import LedgerFileError, ledger_read_path


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
        parser.add_argument("file", type=Path, help="台账文件 .xlsx 或 .csv（列见 docs/ledger-import.md）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
        parser.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = ledger_read_path(path, ledger_limits())
        except LedgerFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        county = county_option(options["county"])
        try:
            result = ledger_import(
                county=county,
                table=table,
                by=None,
                file_name=path.name,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                size=path.stat().st_size,
                dry_run=options["dry_run"],
                progress=StderrProgress(),
            )
        except LedgerError as exc:  # refused while writing: taken back, nothing imported
            raise CommandError(str(exc), returncode=1) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.write_text(result)
        if not result.ok:
            raise SystemExit(1)

    def write_text(self, result: LedgerResult) -> None:
        for line in result.problem_lines():
            self.stdout.write(line)
        if result.errors:
            return
        verb = "检查通过（未写入）：将" if result.dry_run else "导入完成："
        batches = f"{result.batch_matters} 件事项列入 {result.batches} 个包案期次；" if result.batches else ""
        self.stdout.write(
            f"{verb}新增 {result.created} 件事项，更新 {result.updated} 件；{batches}共 {result.rows} 行，"
            f"{result.warning_count} 处提示。"
        )
