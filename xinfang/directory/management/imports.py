"""The glue the import commands share (`xinfang import-ledger`, `import-receptions`, `history import`):
their options, the file read as a ledger table, and the result printed as text or JSON with the exit code
(0 imported or checked, 1 refused for the rows' problems, 2 a usage error or an unreadable file)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.lib.chinese_argparse import FORMAT_HELP
from xinfang.lib.ledger_file import LedgerFileError, LedgerTable, ledger_read_path
from xinfang.lib.ledger_problems import ImportResult

ResultT = TypeVar("ResultT", bound=ImportResult)


def import_arguments(parser: CommandParser, *, file_help: str) -> None:
    """The file, `--dry-run`, `--county` and `--format` of an import."""
    parser.add_argument("file", type=Path, help=file_help)
    parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    parser.add_argument("--county", default="", help="县的行政区划代码（只有一个县时可省略）")
    parser.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)


def import_table(path: Path, *args: Any) -> LedgerTable:
    """The file read by `ledger_read_path(path, *args)` (its limits and layout); unreadable is exit 2."""
    try:
        return ledger_read_path(path, *args)
    except LedgerFileError as exc:
        raise CommandError(str(exc), returncode=2) from exc


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def import_result_write(
    command: BaseCommand, result: ResultT, *, output: str, summary: Callable[[ResultT], str]
) -> None:
    """The result as JSON (`output` "json") or as its problems' lines then, unless it has errors, its
    `summary`; exit 1 when it was refused."""
    if output == "json":
        command.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in result.problem_lines():
            command.stdout.write(line)
        if not result.errors:
            command.stdout.write(summary(result))
    if not result.ok:
        raise SystemExit(1)
