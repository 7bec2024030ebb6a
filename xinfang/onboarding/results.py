"""What a directory import reports (every problem with its sheet, row and column, and the counts), and
the reading of cells that records those problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from xinfang.directory.models import phone_validator
from xinfang.lib.cells import parse_yes_no
from xinfang.onboarding.workbook import REQUIRED_COLUMNS, Sheet, SheetRow


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class DirectoryImportResult:
    dry_run: bool
    problems: list[ImportProblem] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # (username, password) of accounts created with a generated initial password.
    generated_passwords: list[tuple[str, str]] = field(default_factory=list)
    county_code: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "county": self.county_code,
            "dry_run": self.dry_run,
            "imported": self.ok and not self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "errors": [problem.as_dict() for problem in self.problems],
            "generated_passwords": [
                {"username": username, "password": password}
                for username, password in self.generated_passwords
            ],
        }


class SheetReader:
    """Reads cells of a workbook's sheets, recording each problem in the result and going on."""

    def __init__(self, sheets: dict[str, Sheet], result: DirectoryImportResult) -> None:
        self.sheets = sheets
        self.result = result

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.result.problems.append(ImportProblem(sheet, row, column, message))

    def count(self, sheet: str, created: bool) -> None:
        bucket = self.result.created if created else self.result.updated
        bucket[sheet] = bucket.get(sheet, 0) + 1

    def rows(self, sheet_name: str) -> tuple[SheetRow, ...]:
        sheet = self.sheets.get(sheet_name)
        if sheet is None:
            return ()
        missing = [column for column in REQUIRED_COLUMNS[sheet_name] if column not in sheet.columns]
        for column in missing:
            self.problem(sheet_name, 1, column, f"缺少必需的列：{column}")
        return () if missing else sheet.rows

    def required(self, sheet: str, row: SheetRow, column: str, max_length: int = 50) -> str | None:
        value = row.get(column)
        if not value:
            self.problem(sheet, row.number, column, f"{column}不能为空")
            return None
        if len(value) > max_length:
            self.problem(sheet, row.number, column, f"{column}过长（最多{max_length}个字）")
            return None
        return value

    def optional(self, sheet: str, row: SheetRow, column: str, max_length: int = 50) -> str | None:
        value = row.get(column)
        if len(value) > max_length:
            self.problem(sheet, row.number, column, f"{column}过长（最多{max_length}个字）")
            return None
        return value

    def yes_no(self, sheet: str, row: SheetRow, column: str) -> bool | None:
        """是/否 (blank: 否); None after recording a problem when it is neither."""
        flag = parse_yes_no(row.get(column))
        if flag is None:
            self.problem(sheet, row.number, column, f"{column}应填“是”或“否”：{row.get(column)}")
        return flag

    def phone(self, sheet: str, row: SheetRow, column: str) -> str | None:
        value = row.get(column).replace(" ", "")
        if not value:
            return ""
        try:
            phone_validator(value)
        except ValidationError:
            self.problem(sheet, row.number, column, f"电话号码格式不正确：{value}")
            return None
        return value

    def no_duplicates(
        self, sheet: str, row: SheetRow, key: object, seen: dict[object, int], column: str
    ) -> bool:
        if key in seen:
            self.problem(sheet, row.number, column, f"与第{seen[key]}行重复")
            return False
        seen[key] = row.number
        return True
