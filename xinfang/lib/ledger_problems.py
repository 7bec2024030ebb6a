"""What a ledger import reports: the problem cells and the counts every ledger import's result shares
(`xinfang import-ledger`, `xinfang import-receptions`: the same JSON keys with the same meanings). No ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How many problems of each kind a check keeps: a hostile file of millions of bad cells is described by
# its first problems and a count of the rest, never held whole in memory.
MAX_PROBLEMS = 1000


@dataclass(frozen=True)
class LedgerProblem:
    row: int
    sheet_row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def stored(self) -> dict[str, Any]:
        return {**self.as_dict(), "sheet_row": self.sheet_row}


@dataclass
class ImportResult:
    """`rows`: non-blank data rows; `imported`: rows written; `created` / `updated`: matters created and
    existing matters changed; errors block the whole file, warnings never do."""

    dry_run: bool
    rows: int = 0
    imported: int = 0
    created: int = 0
    updated: int = 0
    errors: list[LedgerProblem] = field(default_factory=list)  # the first MAX_PROBLEMS
    warnings: list[LedgerProblem] = field(default_factory=list)
    errors_omitted: int = 0  # problems found beyond the first MAX_PROBLEMS
    warnings_omitted: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_omitted

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + self.warnings_omitted

    def add_error(self, problem: LedgerProblem) -> None:
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(problem)
        else:
            self.errors_omitted += 1

    def add_warning(self, problem: LedgerProblem) -> None:
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(problem)
        else:
            self.warnings_omitted += 1

    def problem_lines(self) -> list[str]:
        """The problems as the command line prints them, errors then warnings, then what blocked."""
        lines: list[str] = []
        for kind, problems, omitted in (
            ("错误", self.errors, self.errors_omitted),
            ("提示", self.warnings, self.warnings_omitted),
        ):
            lines += [f"{kind} 第{item.row}行「{item.column}」：{item.message}" for item in problems]
            if omitted:
                lines.append(f"另有 {omitted} 处{kind}未列出。")
        if self.errors:
            lines.append(f"共 {self.rows} 行，{self.error_count} 处错误，未写入任何数据。")
        return lines

    def counts(self) -> dict[str, int]:
        """The import's own counts after `updated` (a subclass adds its keys here)."""
        return {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "created": self.created,
            "updated": self.updated,
            **self.counts(),
            "errors": [problem.as_dict() for problem in self.errors],
            "errors_omitted": self.errors_omitted,
            "warnings": [problem.as_dict() for problem in self.warnings],
            "warnings_omitted": self.warnings_omitted,
        }
