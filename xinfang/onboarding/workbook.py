"""Reading and writing the directory workbook (one sheet per kind of row). No ORM here."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from xinfang.lib.cells import cell_text, normalize_header
from xinfang.lib.ledger_file import (
    MB,
    LedgerFileError,
    LedgerLimitError,
    ReadLimits,
    size_check,
    xlsx_check,
)

# Sheet name -> its columns, required ones first marked by `REQUIRED_COLUMNS`.
SHEETS: dict[str, tuple[str, ...]] = {
    "县": ("行政区划代码", "名称", "所属市", "所属省", "信访局名称"),
    "乡镇": ("名称", "简称", "代码", "党委书记", "党委书记电话", "乡镇长", "乡镇长电话"),
    "村(社区)": ("乡镇", "名称", "类型"),
    "县直单位": ("名称", "简称", "主要负责人", "职务", "电话"),
    "乡镇班子成员": ("乡镇", "姓名", "职务", "电话"),
    "县级领导": (
        "姓名",
        "职务类别",
        "职务全称",
        "所属班子",
        "排序",
        "县委常委",
        "下沉抽签",
        "分包联系乡镇",
        "分管领域",
        "分管单位",
        "手机",
    ),
    "单位账号": ("用户名", "姓名", "所属单位", "手机", "初始密码", "单位负责人"),
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "县": ("行政区划代码", "名称", "所属市", "所属省"),
    "乡镇": ("名称",),
    "村(社区)": ("乡镇", "名称"),
    "县直单位": ("名称",),
    "乡镇班子成员": ("乡镇", "姓名"),
    "县级领导": ("姓名", "职务类别", "所属班子"),
    "单位账号": ("用户名", "所属单位"),
}


class WorkbookError(Exception):
    """The file cannot be read as a directory workbook at all (a usage error, not a bad row)."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # the spreadsheet row number; the header is row 1
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[str, ...]  # normalised headers as found in the file
    rows: tuple[SheetRow, ...]


def sheet_from_dicts(name: str, rows: list[dict[str, str]]) -> Sheet:
    """A sheet from in-memory rows (the demo county, tests), numbered as a file would be."""
    return Sheet(
        name=name,
        columns=SHEETS[name],
        rows=tuple(SheetRow(number=index + 2, cells=dict(row)) for index, row in enumerate(rows)),
    )


# A county's directory is a few thousand rows: far above it, a file is refused before it is parsed
# (the ledger's bounded reader, with fixed limits).
DIRECTORY_LIMITS = ReadLimits(
    max_bytes=20 * MB, max_rows=50_000, max_columns=50, max_unpacked=200 * MB, setting=""
)


def read_directory_workbook(path: Path) -> dict[str, Sheet]:
    """Read every known sheet of an .xlsx file; unknown sheets and columns are ignored. A file over
    DIRECTORY_LIMITS (size, unpacked size, rows or columns of any sheet) is refused unread."""
    if not path.is_file():
        raise WorkbookError(f"文件不存在：{path}")
    try:
        size_check(path.stat().st_size, DIRECTORY_LIMITS)
        content = path.read_bytes()
        xlsx_check(content, path.name, DIRECTORY_LIMITS, every_sheet=True)
    except LedgerLimitError as exc:
        raise WorkbookError(f"名录文件 {path.name} 超出上限：{exc}") from exc
    except LedgerFileError as exc:
        raise WorkbookError(f"无法读取文件 {path.name}：请使用 .xlsx 格式的名录模板") from exc
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return _read_sheets(workbook)
        finally:
            workbook.close()
    # A damaged file fails deep inside openpyxl or the XML parser, in many ways.
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        ParseError,
        KeyError,
        ValueError,
        TypeError,
        OSError,
    ) as exc:
        raise WorkbookError(f"无法读取文件 {path.name}：请使用 .xlsx 格式的名录模板") from exc


def _read_sheets(workbook: Any) -> dict[str, Sheet]:
    sheets: dict[str, Sheet] = {}
    for worksheet in workbook.worksheets:
        name = normalize_header(worksheet.title)
        if name not in SHEETS:
            continue
        rows_iter = worksheet.iter_rows(values_only=True)
        headers = [normalize_header(cell) for cell in next(rows_iter, None) or ()]
        rows: list[SheetRow] = []
        for number, values in enumerate(rows_iter, start=2):
            cells = {
                header: cell_text(value)
                for header, value in zip(headers, values, strict=False)
                if header in SHEETS[name]
            }
            if any(cells.values()):
                rows.append(SheetRow(number=number, cells=cells))
        sheets[name] = Sheet(name=name, columns=tuple(h for h in headers if h), rows=tuple(rows))
    return sheets


def write_directory_workbook(rows_by_sheet: dict[str, list[dict[str, str]]], path: Path) -> None:
    """Write a directory workbook: every sheet with its headers (required ones bold), then the rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    for name, columns in SHEETS.items():
        worksheet = workbook.create_sheet(title=name)
        worksheet.append(list(columns))
        for index, column in enumerate(columns, start=1):
            cell = worksheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            if column in REQUIRED_COLUMNS[name]:
                cell.fill = required_fill
            worksheet.column_dimensions[cell.column_letter].width = max(10, len(column) * 2 + 4)
        for row in rows_by_sheet.get(name, []):
            worksheet.append([row.get(column, "") for column in columns])
        worksheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
