"""Reading a petition ledger (台账) file: the first sheet of an .xlsx, or a .csv. No ORM here.

SPEC §4: the header is the first row containing 信访日期 (title rows above it are skipped); headers are
matched after trimming spaces and folding full-width brackets; unknown columns are ignored and column
order is free. Rows are numbered as the user sees them counted from the header (header row = 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xinfang.lib.cells import cell_text, normalize_header

DATE_COLUMN = "信访日期"
COLUMNS = (
    "登记编号",
    "信访日期",
    "信访人",
    "身份证号",
    "联系电话",
    "人数",
    "信访形式",
    "访别",
    "乡镇",
    "村(社区)",
    "问题类别",
    "责任单位",
    "反映问题",
    "包案领导",
    "办理状态",
    "是否化解",
    "化解日期",
)
REQUIRED_COLUMNS = ("信访日期", "信访形式", "访别", "乡镇", "问题类别")
# Columns whose raw cell is kept: an Excel date cell or serial number is a date, not text.
_RAW_COLUMNS = frozenset({"信访日期", "化解日期"})
MAX_BYTES = 50 * 1024 * 1024


class LedgerFileError(Exception):
    """The file cannot be read as a ledger at all (a usage error, not a bad cell); Chinese message."""


@dataclass(frozen=True)
class LedgerRow:
    number: int  # counted from the header row, which is 1
    sheet_row: int  # the row number in the spreadsheet itself (differs when title rows precede)
    cells: dict[str, Any]  # column -> text (trimmed, full-width folded), raw value for date columns

    def text(self, column: str) -> str:
        value = self.cells.get(column)
        return value if isinstance(value, str) else cell_text(value)


@dataclass(frozen=True)
class LedgerTable:
    columns: tuple[str, ...]  # the recognised columns found in the header
    rows: tuple[LedgerRow, ...]

    @property
    def missing_columns(self) -> tuple[str, ...]:
        return tuple(column for column in REQUIRED_COLUMNS if column not in self.columns)


def ledger_read(content: bytes, file_name: str) -> LedgerTable:
    """Parse an uploaded or local ledger file; raises LedgerFileError when it is not a readable ledger."""
    suffix = Path(file_name).suffix.lower()
    if len(content) > MAX_BYTES:
        raise LedgerFileError(f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB），请拆分后导入")
    if suffix == ".csv":
        return _table(_csv_rows(content))
    if suffix in (".xlsx", ".xlsm"):
        return _table(_xlsx_rows(content, file_name))
    raise LedgerFileError(f"不支持的文件类型：{file_name}（请使用 .xlsx 或 .csv）")


def ledger_read_path(path: Path) -> LedgerTable:
    if not path.is_file():
        raise LedgerFileError(f"文件不存在：{path}")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise LedgerFileError(f"无法读取文件 {path}：{exc.strerror}") from exc
    return ledger_read(content, path.name)


def _csv_rows(content: bytes) -> Iterator[Sequence[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LedgerFileError("无法识别 CSV 文件的编码（应为 UTF-8 或 GB18030）")
    if "\x00" in text:
        raise LedgerFileError("文件内容不是文本格式的 CSV")
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise LedgerFileError(f"CSV 文件格式错误：{exc}") from exc


def _xlsx_rows(content: bytes, file_name: str) -> Iterator[Sequence[Any]]:
    """The first sheet's rows from the top (so row numbers match the sheet), read by calamine: about
    ten times faster than openpyxl on a large ledger. Date cells arrive as dates, numbers as floats."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        if not workbook.sheet_names:
            raise LedgerFileError(f"文件 {file_name} 中没有工作表")
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except LedgerFileError:
        raise
    except Exception as exc:
        raise LedgerFileError(f"无法读取文件 {file_name}：不是有效的 .xlsx 工作簿") from exc
    yield from rows


def _table(values: Iterable[Sequence[Any]]) -> LedgerTable:
    rows_iter = iter(values)
    header_at = 0
    for header_at, candidate in enumerate(rows_iter, start=1):  # noqa: B007 - used after the loop
        headers = [normalize_header(cell) for cell in candidate]
        if DATE_COLUMN in headers:
            break
    else:
        raise LedgerFileError("找不到表头：台账中应有一行包含“信访日期”等列名")
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header in COLUMNS and header not in positions:  # a repeated column: the first one counts
            positions[header] = index
    layout = [(column, index, column in _RAW_COLUMNS) for column, index in positions.items()]
    width = max(positions.values()) + 1
    rows: list[LedgerRow] = []
    for offset, raw in enumerate(rows_iter, start=1):
        if len(raw) < width:
            raw = [*raw, *[None] * (width - len(raw))]
        cells = {
            column: raw[index] if keep_raw and not isinstance(raw[index], str) else cell_text(raw[index])
            for column, index, keep_raw in layout
        }
        if any(value not in (None, "") for value in cells.values()):
            rows.append(LedgerRow(number=offset + 1, sheet_row=header_at + offset, cells=cells))
    return LedgerTable(columns=tuple(positions), rows=tuple(rows))


EXAMPLE_ROWS = (
    ("2026-0001", "2026-03-05", "张某某", "", "", "1", "来访", "到县", "周庄镇", "周庄村",
     "劳动和社会保障/工资福利", "县人社局", "反映某建筑公司拖欠工资", "", "办理中", "", ""),
    ("2026-0001", "2026-03-20", "张某某", "", "", "3", "来访", "到市", "周庄", "周庄村", "工资福利",
     "人社局", "再次反映拖欠工资", "", "已化解", "是", "2026-04-02"),
)  # fmt: skip


def ledger_template(path_or_buffer: Path | io.BytesIO) -> None:
    """An empty ledger with every column (required ones bold) and two example rows of one matter."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "信访台账"
    sheet.append(["信访事项台账（示例行可删除；表头以上的标题行会被跳过）"])
    sheet.append(list(COLUMNS))
    fill = PatternFill("solid", fgColor="FDE9D9")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.font = Font(bold=True)
        if column in REQUIRED_COLUMNS:
            cell.fill = fill
        sheet.column_dimensions[cell.column_letter].width = max(10, len(column) * 2 + 4)
    for row in EXAMPLE_ROWS:
        sheet.append(list(row))
    sheet.freeze_panes = "A3"
    workbook.save(path_or_buffer)
