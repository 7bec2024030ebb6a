"""Reading a ledger (台账) file: the first sheet of an .xlsx, or a .csv. No ORM here.

SPEC §4: the header is the first row containing 信访日期 (title rows above it are skipped); headers are
matched after trimming spaces and folding full-width brackets; unknown columns are ignored and column
order is free. Rows are numbered as the user sees them counted from the header (header row = 1). Other
ledgers of the same shape (the reception ledger, 接访台账) pass their own `LedgerLayout`.

The bounds (`ReadLimits`, `size_check`, `xlsx_check`) are the one bounded reader of spreadsheets from
outside: the directory workbook's import checks its file with them too.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
    "包案期次",
    "办理状态",
    "是否化解",
    "化解日期",
)
REQUIRED_COLUMNS = ("信访日期", "信访形式", "访别", "乡镇", "问题类别")
# Columns whose raw cell is kept: an Excel date cell or serial number is a date, not text.
_RAW_COLUMNS = frozenset({"信访日期", "化解日期"})
MB = 1024 * 1024


@dataclass(frozen=True)
class LedgerLayout:
    """A kind of ledger: its columns, the required ones, the column whose name marks the header row, and
    the columns whose raw cell is kept (dates)."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    header: str
    raw_columns: frozenset[str]
    title: str = "台账"  # what the messages call the file


PETITION_LAYOUT = LedgerLayout(COLUMNS, REQUIRED_COLUMNS, DATE_COLUMN, _RAW_COLUMNS)
# Rows above the data a sheet may also have: title rows and the header (they do not count as data rows).
HEADING_ROWS = 20


@dataclass(frozen=True)
class ReadLimits:
    """What a ledger file may hold, checked before its rows are read (a 1 MB workbook can unpack to
    millions of rows). Each limit is a setting; the message of a refusal names it."""

    max_bytes: int = 50 * MB  # XINFANG_LEDGER_MAX_MB
    max_rows: int = 200_000  # XINFANG_LEDGER_MAX_ROWS
    max_columns: int = 50  # XINFANG_LEDGER_MAX_COLUMNS
    max_unpacked: int = 512 * MB  # XINFANG_LEDGER_MAX_UNPACKED_MB: an .xlsx's parts, uncompressed
    setting: str = "XINFANG_LEDGER"  # the settings' prefix, named in a refusal ("" when they are fixed)

    def named(self, limit: str) -> str:
        """Where a refusal says which setting holds the limit."""
        return f"（设置 {self.setting}_{limit}）" if self.setting else ""

    @classmethod
    def from_settings(cls, settings: Any) -> ReadLimits:
        """The limits the XINFANG_LEDGER_* settings give (docs/ledger-import.md, "Limits"): every ledger
        import reads its file within them. `settings` is Django's (lib imports no Django)."""
        return cls(
            max_bytes=settings.XINFANG_LEDGER_MAX_MB * MB,
            max_rows=settings.XINFANG_LEDGER_MAX_ROWS,
            max_columns=settings.XINFANG_LEDGER_MAX_COLUMNS,
            max_unpacked=settings.XINFANG_LEDGER_MAX_UNPACKED_MB * MB,
        )


DEFAULT_LIMITS = ReadLimits()


class LedgerFileError(Exception):
    """The file cannot be read as a ledger at all (a usage error, not a bad cell); Chinese message."""


class LedgerLimitError(LedgerFileError):
    """The file is larger than a limit allows; the message names the limit and its setting."""


@dataclass(frozen=True, slots=True)
class LedgerRow:
    number: int  # counted from the header row, which is 1
    sheet_row: int  # the row number in the spreadsheet itself (differs when title rows precede)
    # The recognised columns' cells (text trimmed and full-width folded; raw values for date columns), in
    # the order of `index`, which every row of a table shares: a tuple, not a dict, per row of a large file.
    values: tuple[Any, ...]
    index: Mapping[str, int]

    def get(self, column: str) -> Any:
        position = self.index.get(column)
        return None if position is None else self.values[position]

    def text(self, column: str) -> str:
        value = self.get(column)
        return value if isinstance(value, str) else cell_text(value)

    @property
    def cells(self) -> dict[str, Any]:
        return {column: self.values[position] for column, position in self.index.items()}


@dataclass(frozen=True)
class LedgerTable:
    columns: tuple[str, ...]  # the recognised columns found in the header
    rows: tuple[LedgerRow, ...]
    required: tuple[str, ...] = REQUIRED_COLUMNS

    @property
    def missing_columns(self) -> tuple[str, ...]:
        return tuple(column for column in self.required if column not in self.columns)


def ledger_read(
    content: bytes,
    file_name: str,
    limits: ReadLimits = DEFAULT_LIMITS,
    layout: LedgerLayout = PETITION_LAYOUT,
) -> LedgerTable:
    """Parse an uploaded or local ledger file; raises LedgerFileError when it is not a readable ledger,
    LedgerLimitError when it is larger than `limits` allow (checked before any row is read)."""
    suffix = Path(file_name).suffix.lower()
    size_check(len(content), limits)
    if suffix == ".csv":
        return _table(_csv_rows(content, limits), limits, layout)
    if suffix in (".xlsx", ".xlsm"):
        xlsx_check(content, file_name, limits)
        return _table(_xlsx_rows(content, file_name), limits, layout)
    raise LedgerFileError(f"不支持的文件类型：{file_name}（请使用 .xlsx 或 .csv）")


def ledger_read_path(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, layout: LedgerLayout = PETITION_LAYOUT
) -> LedgerTable:
    if not path.is_file():
        raise LedgerFileError(f"文件不存在：{path}")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise LedgerFileError(f"无法读取文件 {path}：{exc.strerror}") from exc
    return ledger_read(content, path.name, limits, layout)


def size_check(size: int, limits: ReadLimits) -> None:
    """Refuse a file larger than `limits.max_bytes` before it is read."""
    if size > limits.max_bytes:
        raise LedgerLimitError(
            f"文件过大：{size / MB:.1f} MB，上限为 {limits.max_bytes // MB} MB{limits.named('MAX_MB')}，"
            "请拆分后导入"
        )


def _too_many_rows(found: int | str, limits: ReadLimits) -> LedgerLimitError:
    return LedgerLimitError(
        f"文件行数过多：{found} 行，上限为 {limits.max_rows:,} 行{limits.named('MAX_ROWS')}，请拆分后导入"
    )


def _too_many_columns(found: int | str, limits: ReadLimits) -> LedgerLimitError:
    return LedgerLimitError(
        f"文件列数过多：{found} 列，上限为 {limits.max_columns} 列{limits.named('MAX_COLUMNS')}"
    )


def _csv_rows(content: bytes, limits: ReadLimits) -> Iterator[Sequence[Any]]:
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
    # A quoted cell may hold line breaks, so lines bound rows from above: a file within the limit in
    # lines is within it in rows.
    lines = text.count("\n")
    if lines > limits.max_rows + HEADING_ROWS:
        raise _too_many_rows(f"约 {lines:,}", limits)
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(row) > limits.max_columns:
                raise _too_many_columns(f"至少 {len(row)}", limits)
            yield row
    except csv.Error as exc:
        raise LedgerFileError(f"CSV 文件格式错误：{exc}") from exc


_ROW = re.compile(rb"<row[\s>/]")
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="([0-9]+)"')
# Cells in column AA or beyond: a ledger's cells rarely reach them, so this rarely matches at all.
_FAR_CELL = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{2,3})[0-9]')
# Cells without a position: every spreadsheet program writes one; without it one row can be as wide
# as the file is long.
_CELL_WITHOUT_POSITION = re.compile(rb"<c(?:/?>|(?![^>]*\sr=)\s[^>]*>)")
_SHEET_TARGET = re.compile(rb'<sheet\b[^>]*?\sr:id="([^"]+)"')
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_CHUNK = 4 * MB


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _first_sheet_part(archive: zipfile.ZipFile) -> str:
    """The part holding the workbook's first sheet (the one read), from the workbook and its links."""
    try:
        # Only their first megabyte: a workbook's list of sheets is a few hundred bytes.
        with archive.open("xl/workbook.xml") as part:
            workbook = part.read(MB)
        with archive.open("xl/_rels/workbook.xml.rels") as part:
            links = part.read(MB).decode("utf-8", "replace")
        first = _SHEET_TARGET.search(workbook)
        if first is not None:
            rid = re.escape(first.group(1).decode())
            target = re.search(rf'<Relationship\b(?=[^>]*\sId="{rid}")[^>]*\sTarget="([^"]+)"', links)
            if target is not None:
                path = target.group(1).lstrip("/")
                return path if path.startswith("xl/") else f"xl/{path}"
    except (KeyError, zipfile.BadZipFile):
        pass
    sheets = sorted(name for name in archive.namelist() if name.startswith("xl/worksheets/sheet"))
    if not sheets:
        raise LedgerFileError("不是有效的 .xlsx 工作簿：没有工作表")
    return sheets[0]


def xlsx_check(content: bytes, file_name: str, limits: ReadLimits, *, every_sheet: bool = False) -> None:
    """Refuse a workbook over the limits before a parser unpacks it: the parts' unpacked size, then the
    first sheet (`every_sheet`: each sheet) streamed a few megabytes at a time — its rows, the highest row
    and column it names, and cells without a position."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limits.max_unpacked:
                raise _too_large_unpacked(unpacked, limits)
            parts = (
                sorted(name for name in archive.namelist() if _SHEET_PART.fullmatch(name))
                if every_sheet
                else [_first_sheet_part(archive)]
            )
            for part in parts:
                _scan_sheet(archive, part, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError, OSError) as exc:
        raise LedgerFileError(f"无法读取文件 {file_name}：不是有效的 .xlsx 工作簿") from exc


def _too_large_unpacked(size: int, limits: ReadLimits) -> LedgerLimitError:
    return LedgerLimitError(
        f"工作簿解压后过大：至少 {size / MB:.0f} MB，上限为 {limits.max_unpacked // MB} MB"
        f"{limits.named('MAX_UNPACKED_MB')}"
    )


def _scan_sheet(archive: zipfile.ZipFile, part: str, limits: ReadLimits) -> None:
    rows = unpacked = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            unpacked += len(chunk)  # counted, not trusted from the archive's directory
            if unpacked > limits.max_unpacked:
                raise _too_large_unpacked(unpacked, limits)
            data = tail + chunk
            cut = data.rfind(b">") + 1  # whole tags only; the rest waits for the next chunk
            data, tail = data[:cut], data[cut:][-4096:]
            rows += len(_ROW.findall(data))
            numbers = _ROW_NUMBER.findall(data)
            last = max(int(number) for number in numbers) if numbers else 0
            if max(rows, last) > limits.max_rows + HEADING_ROWS:
                raise _too_many_rows(f"至少 {max(rows, last):,}", limits)
            for letters in _FAR_CELL.findall(data):
                if _column_number(letters) > limits.max_columns:
                    raise _too_many_columns(f"至少 {_column_number(letters)}", limits)
            if _CELL_WITHOUT_POSITION.search(data):
                raise LedgerFileError(
                    "工作表格式不规范（单元格缺少位置信息），请用 Excel 或 WPS 另存为 .xlsx 后再导入"
                )


def _xlsx_rows(content: bytes, file_name: str) -> Iterator[Sequence[Any]]:
    """The first sheet's rows from the top (so row numbers match the sheet), read by calamine: about
    ten times faster than openpyxl on a large ledger, one row at a time into Python. Date cells arrive
    as dates, numbers as floats."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        if not workbook.sheet_names:
            raise LedgerFileError(f"文件 {file_name} 中没有工作表")
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except LedgerFileError:
        raise
    except Exception as exc:
        raise LedgerFileError(f"无法读取文件 {file_name}：不是有效的 .xlsx 工作簿") from exc
    # calamine starts each row at the first used column: pad it so column positions match the sheet.
    padding = [""] * (sheet.start[1] if sheet.start else 0)
    for row in rows:
        yield padding + row if padding else row


def _text(value: Any) -> str:
    """A cell's text; the short values a ledger repeats down a column (townships, categories, levels)
    are held once, which keeps a large ledger's memory down."""
    text = cell_text(value)
    return sys.intern(text) if len(text) <= 16 else text


def _table(values: Iterable[Sequence[Any]], limits: ReadLimits, layout: LedgerLayout) -> LedgerTable:
    rows_iter = iter(values)
    header_at = 0
    for header_at, candidate in enumerate(rows_iter, start=1):  # noqa: B007 - used after the loop
        headers = [normalize_header(cell) for cell in candidate]
        if layout.header in headers:
            break
    else:
        raise LedgerFileError(f"找不到表头：{layout.title}中应有一行包含“{layout.header}”等列名")
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header in layout.columns and header not in positions:  # a repeated column: the first one counts
            positions[header] = index
    reading = [(index, column in layout.raw_columns) for column, index in positions.items()]
    shared = {column: position for position, column in enumerate(positions)}
    width = max(positions.values()) + 1
    rows: list[LedgerRow] = []
    for offset, raw in enumerate(rows_iter, start=1):
        if offset > limits.max_rows:
            raise _too_many_rows(f"至少 {offset:,}", limits)
        if len(raw) < width:
            raw = [*raw, *[None] * (width - len(raw))]
        values = tuple(
            raw[index] if keep_raw and not isinstance(raw[index], str) else _text(raw[index])
            for index, keep_raw in reading
        )
        if any(value not in (None, "") for value in values):
            rows.append(
                LedgerRow(number=offset + 1, sheet_row=header_at + offset, values=values, index=shared)
            )
    return LedgerTable(columns=tuple(positions), rows=tuple(rows), required=layout.required)


EXAMPLE_ROWS = (
    ("2026-0001", "2026-03-05", "张某某", "", "", "1", "来访", "到县", "周庄镇", "周庄村",
     "劳动和社会保障/工资福利", "县人社局", "反映某建筑公司拖欠工资", "", "", "办理中", "", ""),
    ("2026-0001", "2026-03-20", "张某某", "", "", "3", "来访", "到市", "周庄", "周庄村", "工资福利",
     "人社局", "再次反映拖欠工资", "", "", "已化解", "是", "2026-04-02"),
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
