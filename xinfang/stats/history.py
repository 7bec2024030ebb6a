"""Importing a county's monthly history (历史月度数据, `xinfang history import`, docs/statistics.md): past
monthly totals by 访别 and problem category for the months before the registry's records begin, used for
同比 and the forecast (stats.series.monthly_events).

The file is read like a ledger (lib.ledger_file, header row found by 月份) and checked like one: every
problem cell with its row and column, all or nothing. Cells: 月份 (2025-03, 2025年3月, or an Excel date), 访别
as in the ledger, 问题类别 as in the ledger (a second-level name is counted under its first level; blank or
未分类 for none), 批次 (an integer ≥ 0), 人次 (optional, an integer not below 批次). Rows of the same month,
访别 and first-level category are added together. A month must be closed, and a month for which the registry
has events is refused: the registry wins. Importing a month again replaces all of that month's history.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.directory.models import Category, County
from xinfang.directory.names import DirectoryNames
from xinfang.lib.ledger_cells import CellError, parse_level
from xinfang.lib.ledger_file import LedgerLayout, LedgerRow, LedgerTable
from xinfang.lib.ledger_problems import ImportResult, LedgerProblem
from xinfang.lib.periods import Month, month_of
from xinfang.stats.models import MonthlyHistory
from xinfang.stats.selectors import counted_events

COLUMNS = ("月份", "访别", "问题类别", "批次", "人次")
LAYOUT = LedgerLayout(
    columns=COLUMNS,
    required=("月份", "访别", "问题类别", "批次"),
    header="月份",
    raw_columns=frozenset({"月份"}),
    title="历史月度数据",
)
AUDIT_ACTION = "history.import"
UNCATEGORIZED = "未分类"
MAX_COUNT = 10_000_000
FIRST_YEAR = 1990
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")
_COUNT = re.compile(r"^[0-9]+(\.0+)?$")

Key = tuple[Month, str, int | None]  # month, level, first-level category id


@dataclass
class HistoryImportResult(ImportResult):
    """The ledger imports' keys: `imported` the rows written, `created` the history records written (rows of
    the same month, 访别 and category are one record); and `months`: the months imported, `replaced`: the
    records of earlier imports of those months replaced."""

    months: list[str] = field(default_factory=list)
    replaced: int = 0

    def counts(self) -> dict[str, Any]:
        return {"months": self.months, "replaced": self.replaced}


@dataclass(slots=True)
class _Cell:
    first: LedgerRow
    events: int = 0
    persons: int | None = 0


def parse_month(value: Any) -> Month:
    """月份: 2025-03, 2025/3, 2025年3月 or an Excel date (its month)."""
    if isinstance(value, dt.datetime | dt.date):
        month = Month(value.year, value.month)
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            raise CellError("月份不能为空")
        found = _MONTH.match(text)
        if not found or not 1 <= int(found[2]) <= 12:
            raise CellError(f"月份应写作 2025-03 或 2025年3月：{text}")
        month = Month(int(found[1]), int(found[2]))
    if month.year < FIRST_YEAR:
        raise CellError(f"月份过早：{month}")
    return month


def _count(label: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not _COUNT.fullmatch(text):
            raise CellError(f"{label}应为不小于0的整数：{text}" if text else f"{label}不能为空")
        value = int(float(text))
        if value > MAX_COUNT:
            raise CellError(f"{label}过大：{text}")
        return value

    return parse


class _Checker:
    """The rows as history cells, every problem recorded. Reads only."""

    def __init__(self, county: County, result: HistoryImportResult, start_day: int) -> None:
        self.county = county
        self.result = result
        self.start_day = start_day
        self.current = month_of(timezone.localdate(), start_day)  # not closed yet
        self.directory = DirectoryNames(county)
        self.parsed: dict[tuple[str, Any], tuple[Any, str]] = {}
        self.cells: dict[Key, _Cell] = {}
        self.first_rows: dict[Month, LedgerRow] = {}

    def error(self, row: LedgerRow, column: str, message: str) -> None:
        self.result.add_error(LedgerProblem(row.number, row.sheet_row, column, message))

    def cell(self, row: LedgerRow, column: str, parse: Callable[[Any], Any], raw: bool = False) -> Any:
        """The parsed cell, or None with an error recorded; each distinct value of a column parsed once."""
        value = row.get(column) if raw else row.text(column)
        key = (column, value)
        if key not in self.parsed:
            try:
                self.parsed[key] = (parse(value), "")
            except CellError as problem:
                self.parsed[key] = (None, str(problem))
        parsed, problem_text = self.parsed[key]
        if problem_text:
            self.error(row, column, problem_text)
        return parsed

    def month(self, value: Any) -> Month:
        month = parse_month(value)
        if month >= self.current:
            raise CellError(f"{month.label}尚未结束，历史数据只能导入已结束的月份")
        return month

    def category(self, text: str) -> Category | None:
        if not text or text == UNCATEGORIZED:
            return None
        category = self.directory.category(text)
        return category.parent if category.parent is not None else category

    def check(self, row: LedgerRow) -> None:
        errors_before = self.result.error_count
        month = self.cell(row, "月份", self.month, raw=True)
        level = self.cell(row, "访别", parse_level)
        category = self.cell(row, "问题类别", self.category)
        events = self.cell(row, "批次", _count("批次"))
        persons = self.cell(row, "人次", _count("人次")) if row.text("人次") else None
        if events is not None and persons is not None and persons < events:
            self.error(row, "人次", f"人次（{persons}）不应少于批次（{events}）：每批次至少1人")
        if self.result.error_count > errors_before:
            return
        self.first_rows.setdefault(month, row)
        key = (month, level, category.pk if category is not None else None)
        cell = self.cells.setdefault(key, _Cell(first=row))
        cell.events += events
        cell.persons = None if persons is None or cell.persons is None else cell.persons + persons

    def registry_months(self) -> None:
        """A month the registry has events in is refused (one query over the file's span)."""
        if not self.first_rows:
            return
        months = sorted(self.first_rows)
        date_from, date_to = months[0].range(self.start_day)[0], months[-1].range(self.start_day)[1]
        days = counted_events(county=self.county, date_from=date_from, date_to=date_to)
        recorded = {month_of(day, self.start_day) for day in days.values_list("date", flat=True).distinct()}
        for month in months:
            if month in recorded:
                self.error(
                    self.first_rows[month],
                    "月份",
                    f"{month.label}登记簿中已有信访事件，以登记簿为准：历史数据只能补录登记簿记录之前的月份",
                )


def history_import(
    *,
    county: County,
    table: LedgerTable,
    by: User | None,
    file_name: str,
    sha256: str,
    dry_run: bool = False,
    start_day: int | None = None,
) -> HistoryImportResult:
    """Check a history file and, unless `dry_run` or a cell is in error, write it in one transaction,
    replacing the history of the months it holds. The result counts what was (would be) written."""
    result = HistoryImportResult(dry_run=dry_run, rows=len(table.rows))
    for column in table.missing_columns:
        result.add_error(LedgerProblem(1, 0, column, f"缺少必需的列：{column}"))
    if result.errors:
        return result
    day = settings.XINFANG_MONTH_START_DAY if start_day is None else start_day
    checker = _Checker(county, result, day)
    for row in table.rows:
        checker.check(row)
    checker.registry_months()
    if result.errors:
        return result
    result.months = [str(month) for month in sorted(checker.first_rows)]
    result.created = len(checker.cells)
    existing = MonthlyHistory.objects.filter(county=county, month__in=result.months)
    if dry_run:
        result.replaced = existing.count()
        return result
    _write(county=county, cells=checker.cells, by=by, result=result, file_name=file_name, sha256=sha256)
    result.imported = result.rows
    return result


@transaction.atomic
def _write(
    *,
    county: County,
    cells: dict[Key, _Cell],
    by: User | None,
    result: HistoryImportResult,
    file_name: str,
    sha256: str,
) -> None:
    result.replaced, _ = MonthlyHistory.objects.filter(county=county, month__in=result.months).delete()
    now = timezone.now()
    MonthlyHistory.objects.bulk_create(
        [
            MonthlyHistory(
                county=county,
                month=str(month),
                level=level,
                category_id=category_id,
                events=cell.events,
                persons=cell.persons,
                imported_at=now,
                imported_by=by,
            )
            for (month, level, category_id), cell in sorted(cells.items(), key=_order)
        ],
        batch_size=1000,
    )
    audit_record(
        action=AUDIT_ACTION, actor=by, actor_name="" if by else "system", object_type=AUDIT_ACTION,
        object_id=sha256[:16], object_repr=file_name[:200], county=county,
        changes={
            "file": file_name, "sha256": sha256, "rows": result.rows, "months": "、".join(result.months),
            "created": result.created, "replaced": result.replaced,
        },
    )  # fmt: skip


def _order(item: tuple[Key, _Cell]) -> tuple[str, str, int]:
    (month, level, category_id), _ = item
    return str(month), level, category_id or 0
