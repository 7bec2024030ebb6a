"""A streaming writer of plain .xlsx tables (no Django): text, numbers and dates in rows, a few fixed styles
(bold header, date, wrapped text), column widths, a frozen header, an autofilter and the print set-up.

Why not openpyxl, which reads every workbook here: its pure-Python XML serialiser spends some 50 µs on a cell,
so a 20,000-row 台账 of 31 columns (620,000 cells) takes close to a minute; this writes each row's XML as text
straight into its compressed zip entry, a few µs a cell, in constant memory. It writes only what a table
needs; everything it writes is the SpreadsheetML every spreadsheet program reads (inline strings, one
style sheet, defined names for the autofilter and the printed header rows).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from types import TracebackType
from typing import IO, Self
from xml.sax.saxutils import escape, quoteattr

# The styles a cell may take (indexes into the style sheet's cellXfs): every cell is aligned to the top,
# so that a row with a wrapped cell still reads across.
TEXT, HEADER, DATE, WRAP = 0, 1, 2, 3
Cell = str | int | float | dt.date | None

MAX_CELL_TEXT = 32767  # characters: Excel refuses a file holding a longer cell
MAX_SHEET_NAME = 31
_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (its 1900-02-29 bug included)
# Characters XML 1.0 cannot hold at all: a stray one would make the whole file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_EXCEL_ESCAPE = re.compile("(_x[0-9A-Fa-f]{4}_)")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE4EE"/><bgColor indexed="64"/>'
    "</patternFill></fill>"
    "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left/><right/><top/><bottom style="thin"><color rgb="FF999999"/></bottom><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"'
    ' applyAlignment="1"><alignment vertical="center"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_name(text: str) -> str:
    """`text` as a sheet may be named: without the characters Excel refuses, at most 31 characters."""
    return _SHEET_NAME_UNSAFE.sub("", _NOT_XML.sub("", text)).strip("'")[:MAX_SHEET_NAME] or "Sheet"


def _text(value: str) -> str:
    """Text as XML content that reads back as itself: a CR as a character reference (a parser turns a raw
    one into LF), and text that looks like Excel's own escape of a character (_x000D_) escaped in turn."""
    value = _EXCEL_ESCAPE.sub(r"_x005F\1", _NOT_XML.sub("", value)[:MAX_CELL_TEXT])
    return escape(value).replace("\r", "&#13;")


class XlsxSheet:
    """One sheet being written: rows in order, then `close` (the book closes it when the next begins)."""

    def __init__(
        self,
        entry: IO[bytes],
        *,
        name: str,
        widths: Sequence[float],
        frozen_rows: int,
        selected: bool,
        landscape: bool,
        header_text: str,
        footer_text: str,
    ) -> None:
        self.entry, self.name = entry, name
        self.rows = 0
        self.filter_rows = 0
        self.print_rows = 0
        self.landscape = landscape
        self.header_text, self.footer_text = header_text, footer_text
        self.letters = [column_letter(index) for index in range(max(len(widths), 1))]
        self.closed = False
        view = ' tabSelected="1"' if selected else ""
        pane = (
            f'<pane ySplit="{frozen_rows}" topLeftCell="A{frozen_rows + 1}" activePane="bottomLeft"'
            f' state="frozen"/><selection pane="bottomLeft" activeCell="A{frozen_rows + 1}"'
            f' sqref="A{frozen_rows + 1}"/>'
            if frozen_rows
            else ""
        )
        cols = "".join(
            f'<col min="{index}" max="{index}" width="{width:g}" customWidth="1"/>'
            for index, width in enumerate(widths, 1)
        )
        self._write(
            f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<sheetPr><pageSetUpPr fitToPage="{1 if landscape else 0}"/></sheetPr>'
            f'<sheetViews><sheetView{view} workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
        )

    def row(self, values: Sequence[Cell], styles: Sequence[int] | int = TEXT) -> None:
        """Append a row; `styles` is one style for every cell or one per column. A date takes DATE when its
        column's style is TEXT; None leaves the cell empty; text is cut at Excel's 32,767 characters."""
        self.rows += 1
        number = self.rows
        parts = [f'<row r="{number}">']
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            style = styles if isinstance(styles, int) else styles[index]
            ref = f"{self.letters[index] if index < len(self.letters) else column_letter(index)}{number}"
            if isinstance(value, str):
                text = _text(value)
                if not text:  # nothing left that XML can hold
                    continue
                parts.append(
                    f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
                )
            elif isinstance(value, bool):
                parts.append(f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                parts.append(f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>')
            elif isinstance(value, dt.date):
                parts.append(
                    f'<c r="{ref}" s="{DATE if style == TEXT else style}"><v>{_serial(value)}</v></c>'
                )
            else:
                raise TypeError(f"a cell cannot hold {type(value).__name__}")
        parts.append("</row>")
        self._write("".join(parts))

    def autofilter(self, *, rows: int) -> None:
        """An autofilter over the first `rows` rows (the header included) and every column."""
        self.filter_rows = max(rows, 1)

    def print_titles(self, rows: int) -> None:
        """Repeat the first `rows` rows at the top of every printed page."""
        self.print_rows = rows

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        tail = "</sheetData>"
        if self.filter_rows:
            tail += f'<autoFilter ref="A1:{self.letters[-1]}{self.filter_rows}"/>'
        tail += '<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        if self.landscape:
            tail += '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        if self.header_text or self.footer_text:
            tail += "<headerFooter>"
            if self.header_text:
                tail += f"<oddHeader>&amp;C{_text(self.header_text)}</oddHeader>"
            if self.footer_text:
                tail += f"<oddFooter>&amp;C{_text(self.footer_text)}</oddFooter>"
            tail += "</headerFooter>"
        self._write(tail + "</worksheet>")
        self.entry.close()

    def _write(self, text: str) -> None:
        self.entry.write(text.encode("utf-8"))


class XlsxBook:
    """A workbook written sheet by sheet into `target` (a binary file; it need not seek). Use as a context
    manager, or call `close` to finish the file."""

    def __init__(self, target: IO[bytes], *, title: str = "", creator: str = "") -> None:
        self.archive = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.title, self.creator = title, creator
        self.created = dt.datetime.now(dt.UTC)
        self.sheets: list[XlsxSheet] = []

    def sheet(
        self,
        name: str,
        *,
        widths: Sequence[float] = (),
        frozen_rows: int = 0,
        landscape: bool = False,
        header_text: str = "",
        footer_text: str = "",
    ) -> XlsxSheet:
        """Begin the next sheet (the previous one is closed): its column widths (in characters), how many
        rows stay frozen at the top, and the print set-up (landscape A4 one page wide, a centred page
        header and footer in Excel's header codes: "&P" the page number, "&N" the number of pages, "&&" a
        literal "&")."""
        if self.sheets:
            self.sheets[-1].close()
        name = sheet_name(name)
        taken = {sheet.name for sheet in self.sheets}
        base, count = name, 1
        while name in taken:  # Excel refuses two sheets of one name
            count += 1
            name = f"{base[: MAX_SHEET_NAME - len(str(count)) - 1]}_{count}"
        entry = self.archive.open(f"xl/worksheets/sheet{len(self.sheets) + 1}.xml", "w", force_zip64=True)
        sheet = XlsxSheet(
            entry, name=name, widths=widths, frozen_rows=frozen_rows, selected=not self.sheets,
            landscape=landscape, header_text=header_text, footer_text=footer_text,
        )  # fmt: skip
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        if not self.sheets:
            self.sheet("Sheet")
        self.sheets[-1].close()
        count = len(self.sheets)
        sheets = "".join(
            f'<sheet name={quoteattr(sheet.name)} sheetId="{index}" r:id="rId{index}"/>'
            for index, sheet in enumerate(self.sheets, 1)
        )
        names = ""
        for index, sheet in enumerate(self.sheets):
            quoted = "'" + sheet.name.replace("'", "''") + "'"
            if sheet.filter_rows:
                names += (
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                    f"{escape(quoted)}!$A$1:${sheet.letters[-1]}${sheet.filter_rows}</definedName>"
                )
            if sheet.print_rows:
                names += (
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                    f"{escape(quoted)}!$1:${sheet.print_rows}</definedName>"
                )
        self.archive.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{index}" Type="{_REL}/worksheet" Target="worksheets/sheet{index}.xml"/>'
            for index in range(1, count + 1)
        )
        self.archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="{_PKG_REL}">{relations}'
            f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        )
        self.archive.writestr("xl/styles.xml", _STYLES)
        self.archive.writestr(
            "docProps/core.xml",
            f"{_XML}<cp:coreProperties"
            ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_text(self.title)}</dc:title><dc:creator>{_text(self.creator)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{self.created:%Y-%m-%dT%H:%M:%SZ}</dcterms:created>'
            "</cp:coreProperties>",
        )
        self.archive.writestr(
            "docProps/app.xml",
            f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel</Application></Properties>",
        )
        self.archive.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>",
        )
        worksheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="{worksheet}"/>'
            for index in range(1, count + 1)
        )
        self.archive.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels"'
            ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}"
            '<Override PartName="/xl/styles.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml"'
            ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>",
        )
        self.archive.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
            return
        for sheet in self.sheets:  # a failed file is left unfinished, its handles closed
            sheet.entry.close()
        self.archive.close()


def _serial(value: dt.date) -> str:
    """A date (or naive datetime) as Excel's serial day number."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError("a spreadsheet holds local times: make the datetime naive first")
        return f"{(value - _EPOCH).total_seconds() / 86400:.10g}"
    return str((value - _EPOCH.date()).days)
