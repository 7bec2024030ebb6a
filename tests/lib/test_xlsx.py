"""The streaming .xlsx table writer (lib/xlsx.py): what it writes reads back, in openpyxl and in calamine
(the ledger import's reader), as the same values, styles and layout (issue 14, item 6)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xinfang.lib.xlsx import DATE, HEADER, MAX_CELL_TEXT, TEXT, WRAP, XlsxBook, column_letter, sheet_name


def written(build) -> bytes:
    buffer = io.BytesIO()
    with XlsxBook(buffer, title="宝丰县信访事项台账", creator="信访工作平台") as book:
        build(book)
    return buffer.getvalue()


def test_a_table_reads_back_with_its_values_styles_and_layout():
    def build(book: XlsxBook) -> None:
        sheet = book.sheet(
            "台账", widths=(19, 12, 8.5, 50), frozen_rows=1, landscape=True,
            header_text="宝丰县信访事项台账（脱敏）", footer_text="第 &P 页，共 &N 页",
        )  # fmt: skip
        sheet.print_titles(1)
        sheet.row(["登记编号", "日期", "人次", "反映问题"], HEADER)
        day = dt.date(2026, 11, 19)
        sheet.row(["410421-2026-00001", day, 3, "拖欠工资\n多次反映"], (TEXT, DATE, TEXT, WRAP))
        sheet.row(["A&B <c>", dt.datetime(2026, 1, 2, 12, 0), 2.5, None], (TEXT, TEXT, TEXT, WRAP))
        sheet.autofilter(rows=3)
        sheet.row([])
        sheet.row(["表格以外的说明"])
        book.sheet("说明", widths=(22, 90)).row(["标题", "宝丰县"], (HEADER, WRAP))

    workbook = load_workbook(io.BytesIO(written(build)))
    assert workbook.sheetnames == ["台账", "说明"]
    assert workbook.properties.title == "宝丰县信访事项台账" and workbook.properties.creator == "信访工作平台"
    sheet = workbook["台账"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(max_row=3)] == [
        ["登记编号", "日期", "人次", "反映问题"],
        ["410421-2026-00001", dt.datetime(2026, 11, 19), 3, "拖欠工资\n多次反映"],
        ["A&B <c>", dt.datetime(2026, 1, 2, 12, 0), 2.5, None],
    ]
    assert sheet["D5"].value is None and sheet["A5"].value == "表格以外的说明"
    assert all(cell.font.b for cell in sheet[1]) and not sheet["A2"].font.b
    assert sheet["A1"].fill.fgColor.rgb == "FFDDE4EE"
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["B3"].is_date  # a date in a TEXT column takes the date style
    assert sheet["D2"].alignment.wrap_text and not sheet["A2"].alignment.wrap_text
    assert sheet["A2"].alignment.vertical == "top"
    assert [sheet.column_dimensions[letter].width for letter in "ABCD"] == [19, 12, 8.5, 50]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.oddHeader.center.text == "宝丰县信访事项台账（脱敏）"
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert workbook["说明"]["A1"].font.b and workbook["说明"].freeze_panes is None

    calamine = CalamineWorkbook.from_filelike(io.BytesIO(written(build)))
    rows = calamine.get_sheet_by_name("台账").to_python()
    assert rows[1][:3] == ["410421-2026-00001", dt.date(2026, 11, 19), 3]


def test_sheet_names_are_made_acceptable_and_unique():
    assert sheet_name("a/b:c*d?[e]\\f") == "abcdef"
    assert sheet_name("很" * 40) == "很" * 31
    assert sheet_name("'") == "Sheet"

    def build(book: XlsxBook) -> None:
        book.sheet("台账")
        book.sheet("台账")

    assert load_workbook(io.BytesIO(written(build))).sheetnames == ["台账", "台账_2"]


def test_columns_are_lettered_as_excel_letters_them():
    letters = [column_letter(index) for index in (0, 25, 26, 30, 701, 702)]
    assert letters == ["A", "Z", "AA", "AE", "ZZ", "AAA"]


def test_a_cell_never_exceeds_what_excel_holds():
    book_bytes = written(lambda book: book.sheet("x").row(["长" * (MAX_CELL_TEXT + 10)]))
    assert load_workbook(io.BytesIO(book_bytes)).active["A1"].value == "长" * MAX_CELL_TEXT


def test_a_value_it_cannot_write_is_refused():
    with pytest.raises(TypeError):
        written(lambda book: book.sheet("x").row([object()]))
    with pytest.raises(ValueError, match="naive"):
        written(lambda book: book.sheet("x").row([dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]))


@given(st.text(max_size=60))
@example("_x000D_ and _X0041_ \r\n 1\r2 ")
@example("  =SUM(A1) <b>&amp;</b>\t")
@example("\x00\x1b")
def test_any_text_reads_back_as_itself_less_what_xml_cannot_hold(text):
    """Whatever is stored — XML's special characters, CR and LF, spaces at either end, text that looks
    like Excel's own escape of a character (_x000D_, read by Excel and calamine as a CR) — comes back as
    it was; characters no XML file can hold are dropped, and the file stays readable."""
    expected = "".join(
        char for char in text
        if char in "\t\n\r" or not (char < " " or "\ud800" <= char <= "\udfff" or char in "\ufffe\uffff")
    )  # fmt: skip
    content = written(lambda book: book.sheet("x").row(["start", text]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows == [["start", expected] if expected else ["start"]]
    assert load_workbook(io.BytesIO(content)).active["A1"].value == "start"
