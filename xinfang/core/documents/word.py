"""The Word file (python-docx, loaded on first use) in the look of GB/T 9704-2012 (党政机关公文格式).

A4, margins 37/35/28/26 mm (top, bottom, left, right): a text block of 156 × 225 mm holding 22 lines of
28 characters of 3号 (16 pt) type, kept by the section's document grid and an exact line spacing of
28.95 pt. The red masthead reads the publication's title in 方正小标宋简体 with the number, the organ and
the date, over a red rule; the title is 2号 小标宋, level-1 headings 3号 黑体, level-2 3号 楷体, the body
3号 仿宋 with a first-line indent of two characters. Page numbers "— 1 —" in 4号 宋体 sit right on odd
pages and left on even ones, a character in from the edge of the text block.

Every run, style and the document defaults name their font in w:eastAsia as well as w:ascii/w:hAnsi:
Word picks the East Asian slot for Chinese text, and python-docx's `font.name` leaves it unset. The
package is written with fixed dates and member times, so the same document is the same bytes.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from typing import TYPE_CHECKING, Any

from xinfang.core.documents import charts
from xinfang.core.documents.fonts import (
    BODY_FONT,
    HEADING_FONT,
    PAGE_NUMBER_FONT,
    SUBHEADING_FONT,
    TITLE_FONT,
)
from xinfang.core.documents.model import (
    NONE_TEXT,
    Chart,
    Document,
    Heading,
    Paragraph,
    Table,
    cell_is_numeric,
    cell_text,
    chinese_date,
    inline_text,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.text.paragraph import Paragraph as DocxParagraph

RED = "FF0000"
BODY_SIZE = 16.0  # 3号
TABLE_SIZE = 14.0  # 4号, 小4 (12 pt) for tables of more than five columns
SMALL_TABLE_SIZE = 12.0
TITLE_SIZE = 22.0  # 2号
PAGE_NUMBER_SIZE = 14.0  # 4号
LINE_TWIPS = 579  # 28.95 pt: 22 lines in the 225 mm text block
CHAR_SPACE = -849  # 1/4096 pt: 28 characters of 16 pt in the 156 mm text block
TEXT_WIDTH_TWIPS = 8844  # 156 mm


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _element(tag: str, **attributes: str) -> BaseOxmlElement:
    from docx.oxml import OxmlElement

    return OxmlElement(f"w:{tag}", attrs={_w(name): value for name, value in attributes.items()})


# The schema's order of a paragraph's and a table's properties: Word refuses a file that breaks it.
_PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)
_TBLPR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
)


def _put(parent: Any, element: Any, order: tuple[str, ...]) -> None:
    """`element` in `parent` at its place in the schema's `order`, replacing one of the same name."""
    name = element.tag.rpartition("}")[2]
    existing = parent.find(element.tag)
    if existing is not None:
        parent.remove(existing)
    later = set(order[order.index(name) + 1 :])
    for child in parent:
        if child.tag.rpartition("}")[2] in later:
            child.addprevious(element)
            return
    parent.append(element)


def _set_fonts(rpr: Any, font: str) -> None:
    """Name `font` in every slot of a run's (or style's) properties, theme fonts removed (they win)."""
    rfonts = rpr.find(_w("rFonts"))
    if rfonts is None:
        rfonts = _element("rFonts")
        rpr.insert(0, rfonts)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(_w(theme), None)
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(_w(slot), font)


def _run(
    paragraph: DocxParagraph,
    text: str,
    *,
    font: str,
    size: float,
    bold: bool = False,
    colour: str | None = None,
) -> Any:
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    _set_fonts(run._r.get_or_add_rPr(), font)
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return run


def _paragraph_format(
    paragraph: DocxParagraph,
    *,
    align: str = "both",
    line: int | None = LINE_TWIPS,
    indent_chars: int = 0,
    before: int = 0,
    after: int = 0,
) -> None:
    """Alignment, spacing (exact `line` twips, or single with no grid when None: pictures and tables) and
    a first-line indent of `indent_chars` characters (Word counts them; other programs read the twips)."""
    ppr = paragraph._p.get_or_add_pPr()
    if line is None:
        _put(ppr, _element("snapToGrid", val="0"), _PPR_ORDER)
        _put(
            ppr,
            _element("spacing", before=str(before), after=str(after), line="240", lineRule="auto"),
            _PPR_ORDER,
        )
    else:
        spacing = _element("spacing", before=str(before), after=str(after), line=str(line), lineRule="exact")
        _put(ppr, spacing, _PPR_ORDER)
    if indent_chars:
        indent = _element("ind", firstLineChars=str(indent_chars * 100), firstLine=str(indent_chars * 320))
        _put(ppr, indent, _PPR_ORDER)
    _put(ppr, _element("jc", val=align), _PPR_ORDER)


def _border(paragraph: DocxParagraph, *, side: str, size_eighths: int, colour: str = "000000") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(_w("pBdr"))
    if borders is None:
        borders = _element("pBdr")
        _put(ppr, borders, _PPR_ORDER)
    borders.append(_element(side, val="single", sz=str(size_eighths), space="1", color=colour))


def _styles(docx: DocxDocument) -> None:
    """The defaults, Normal and every style of the template in 仿宋 3号, Chinese as the language."""
    from docx.shared import Pt

    styles = docx.styles.element
    defaults = styles.find(_w("docDefaults"))
    rpr = defaults.find(_w("rPrDefault")).find(_w("rPr"))
    _set_fonts(rpr, BODY_FONT)
    language = rpr.find(_w("lang"))
    if language is not None:
        language.set(_w("eastAsia"), "zh-CN")
        language.set(_w("val"), "zh-CN")
    spacing = defaults.find(_w("pPrDefault")).find(_w("pPr")).find(_w("spacing"))
    if spacing is not None:
        spacing.set(_w("after"), "0")
    for style in docx.styles:
        _set_fonts(style.element.get_or_add_rPr(), BODY_FONT)
    docx.styles["Normal"].font.size = Pt(BODY_SIZE)


def _section(docx: DocxDocument) -> None:
    from docx.shared import Mm

    section = docx.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The numbers' top 7 mm under the text block (GB/T 9704 §7.5): 35 − 7 − one line of 4号.
    section.footer_distance = Mm(23)
    sectpr = section._sectPr
    grid = sectpr.find(_w("docGrid"))
    if grid is None:
        grid = _element("docGrid")
        sectpr.append(grid)
    grid.attrib.clear()
    grid.set(_w("type"), "linesAndChars")
    grid.set(_w("linePitch"), str(LINE_TWIPS))
    grid.set(_w("charSpace"), str(CHAR_SPACE))


def _page_number(paragraph: DocxParagraph) -> None:
    """ "— N —", N a PAGE field (Word fills in each page's number)."""

    def run(text: str = "") -> Any:
        return _run(paragraph, text, font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_SIZE)

    run("— ")
    run()._r.append(_element("fldChar", fldCharType="begin"))
    instruction = _element("instrText")
    instruction.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instruction.text = " PAGE "
    run()._r.append(instruction)
    run()._r.append(_element("fldChar", fldCharType="separate"))
    run("1")
    run()._r.append(_element("fldChar", fldCharType="end"))
    run(" —")


def _headers_and_footers(docx: DocxDocument, document: Document) -> None:
    from docx.shared import Pt

    docx.settings.odd_and_even_pages_header_footer = True
    section = docx.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        _paragraph_format(paragraph, align=align, line=None)
        # One character in from the text block's edge, on the outer side.
        paragraph.paragraph_format.right_indent = Pt(PAGE_NUMBER_SIZE) if align == "right" else None
        paragraph.paragraph_format.left_indent = Pt(PAGE_NUMBER_SIZE) if align == "left" else None
        _page_number(paragraph)
    if document.draft:
        for header in (section.header, section.even_page_header):
            header.is_linked_to_previous = False
            paragraph = header.paragraphs[0]
            _paragraph_format(paragraph, align="right", line=None)
            _run(paragraph, "草稿 · 未经审定，不得外传", font=HEADING_FONT, size=PAGE_NUMBER_SIZE, colour=RED)


def _masthead(docx: DocxDocument, document: Document) -> None:
    masthead = document.masthead
    # The publication's name fills the text block's width at most (156 mm ≈ 442 pt), 42 pt at most.
    size = float(max(22, min(42, int(430 / max(1, len(masthead.title))))))
    title = docx.add_paragraph()
    _paragraph_format(title, align="center", line=None, before=240, after=120)
    _run(title, masthead.title, font=TITLE_FONT, size=size, colour=RED)
    number = masthead.number or ("（草稿）" if document.draft else "")
    if number:
        line = docx.add_paragraph()
        _paragraph_format(line, align="center", after=0)
        _run(line, number, font=BODY_FONT, size=BODY_SIZE, colour=RED if not masthead.number else None)
    byline = docx.add_paragraph()
    _paragraph_format(byline, align="left", after=LINE_TWIPS)
    byline.paragraph_format.tab_stops.add_tab_stop(_twips(TEXT_WIDTH_TWIPS), alignment=2)  # right
    _run(byline, f"{masthead.organ}\t{chinese_date(masthead.date)}", font=BODY_FONT, size=BODY_SIZE)
    _border(byline, side="bottom", size_eighths=18, colour=RED)  # the red rule, 2.25 pt


def _twips(value: int) -> Any:
    from docx.shared import Twips

    return Twips(value)


def _title(docx: DocxDocument, text: str) -> None:
    if not text:
        return
    paragraph = docx.add_paragraph()
    _paragraph_format(paragraph, align="center", line=720, after=LINE_TWIPS)  # 36 pt lines, a blank line
    _run(paragraph, text, font=TITLE_FONT, size=TITLE_SIZE)


def _heading(docx: DocxDocument, heading: Heading) -> None:
    paragraph = docx.add_paragraph()
    _paragraph_format(paragraph, indent_chars=2)
    paragraph.paragraph_format.keep_with_next = True
    font = HEADING_FONT if heading.level == 1 else SUBHEADING_FONT
    _run(paragraph, heading.text, font=font, size=BODY_SIZE)


def _paragraph(docx: DocxDocument, block: Paragraph) -> None:
    paragraph = docx.add_paragraph()
    _paragraph_format(paragraph, indent_chars=2)
    for part in block.parts:
        text = inline_text(part)
        if text:
            _run(paragraph, text, font=BODY_FONT, size=BODY_SIZE)


def _table_borders(table: Any) -> None:
    tblpr = table._tbl.tblPr
    _put(tblpr, _element("tblW", type="pct", w="5000"), _TBLPR_ORDER)  # the text block's width
    _put(tblpr, _element("jc", val="center"), _TBLPR_ORDER)
    borders = _element("tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_element(side, val="single", sz="4", space="0", color="000000"))
    _put(tblpr, borders, _TBLPR_ORDER)


def _cell(cell: Any, text: str, *, size: float, align: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    _paragraph_format(paragraph, align=align, line=None, before=30, after=30)
    if text:
        _run(paragraph, text, font=BODY_FONT, size=size, bold=bold)


def _table(docx: DocxDocument, table: Table) -> None:
    if table.caption:
        caption = docx.add_paragraph()
        _paragraph_format(caption, align="center")
        caption.paragraph_format.keep_with_next = True
        _run(caption, table.caption, font=HEADING_FONT, size=TABLE_SIZE)
    width = max([len(table.header), *(len(row) for row in table.rows)])
    if width == 0:
        _paragraph(docx, Paragraph((NONE_TEXT,)))
        return
    size = TABLE_SIZE if width <= 5 else SMALL_TABLE_SIZE
    rows = len(table.rows) or 1
    grid = docx.add_table(rows=rows + (1 if table.header else 0), cols=width)
    grid.style = docx.styles["Table Grid"]
    _table_borders(grid)
    body = grid.rows
    if table.header:
        header = grid.rows[0]
        # Repeated at the top of every page the table runs onto.
        header._tr.get_or_add_trPr().append(_element("tblHeader"))  # trPr is new and empty
        for cell, name in zip(header.cells, table.header, strict=True):
            _cell(cell, name, size=size, align="center", bold=True)
        body = grid.rows[1:]
    if not table.rows:
        merged = body[0].cells[0].merge(body[0].cells[-1]) if width > 1 else body[0].cells[0]
        _cell(merged, NONE_TEXT, size=size, align="center")
        return
    for row, values in zip(body, table.rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            _cell(cell, cell_text(value), size=size, align="right" if cell_is_numeric(value) else "left")


def _chart(docx: DocxDocument, chart: Chart) -> None:
    from docx.shared import Mm

    paragraph = docx.add_paragraph()
    _paragraph_format(paragraph, align="center", line=None, before=120, after=120)
    run = paragraph.add_run()
    _set_fonts(run._r.get_or_add_rPr(), BODY_FONT)
    run.add_picture(io.BytesIO(charts.render_png(chart)), width=Mm(charts.WIDTH_MM))
    for description in run._r.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    ):
        description.set("descr", chart.title)


def _distribution(docx: DocxDocument, document: Document) -> None:
    """The 版记: the recipients between a thick and a thin rule, then the organ and the printing date
    over a thick rule."""
    if not document.distribution:
        return
    spacer = docx.add_paragraph()
    _paragraph_format(spacer)
    recipients = docx.add_paragraph()
    _paragraph_format(recipients, align="left")
    recipients.paragraph_format.left_indent = _twips(280)
    recipients.paragraph_format.right_indent = _twips(280)
    _border(recipients, side="top", size_eighths=8)
    _border(recipients, side="bottom", size_eighths=4)
    _run(recipients, document.distribution, font=BODY_FONT, size=TABLE_SIZE)
    printed = docx.add_paragraph()
    _paragraph_format(printed, align="left")
    printed.paragraph_format.left_indent = _twips(280)
    printed.paragraph_format.tab_stops.add_tab_stop(_twips(TEXT_WIDTH_TWIPS - 560), alignment=2)
    _border(printed, side="bottom", size_eighths=8)
    date = chinese_date(document.masthead.date)
    _run(printed, f"{document.masthead.organ}\t{date}印发", font=BODY_FONT, size=TABLE_SIZE)


def _properties(docx: DocxDocument, document: Document) -> None:
    properties = docx.core_properties
    moment = datetime.datetime.combine(document.masthead.date, datetime.time(), tzinfo=datetime.UTC)
    properties.created = properties.modified = properties.last_printed = moment
    # The package's properties hold 255 characters at most.
    properties.author = properties.last_modified_by = document.masthead.organ[:255]
    properties.title = (document.title or document.masthead.title)[:255]
    properties.subject = document.masthead.title[:255]
    properties.category = "公文"
    properties.content_status = "草稿" if document.draft else document.masthead.number[:255]
    properties.keywords = properties.comments = ""
    properties.revision = 1


_THUMBNAIL = "docProps/thumbnail.jpeg"
_THUMBNAIL_RELATIONSHIP = re.compile(rb'<Relationship [^>]*Target="docProps/thumbnail[.]jpeg"[^>]*>')


def _fixed_zip(data: bytes, date: datetime.date) -> bytes:
    """The package again, every member dated `date` (python-docx stamps the time of writing), without
    the template's thumbnail (a picture of some other document, which a file browser would show)."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename == _THUMBNAIL:
                continue
            content = source.read(info.filename)
            if info.filename == "_rels/.rels":
                content = _THUMBNAIL_RELATIONSHIP.sub(b"", content)
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, content)
    return out.getvalue()


def render_docx(document: Document) -> bytes:
    """`document` (already prepared) as a .docx file."""
    import docx

    word = docx.Document()
    # The template's one empty paragraph would stand before the masthead.
    body = word.element.body
    for paragraph in body.findall(_w("p")):
        body.remove(paragraph)
    _styles(word)
    _section(word)
    _headers_and_footers(word, document)
    _masthead(word, document)
    _title(word, document.title)
    for block in document.blocks:
        match block:
            case Heading():
                _heading(word, block)
            case Paragraph():
                _paragraph(word, block)
            case Table():
                _table(word, block)
            case Chart():
                _chart(word, block)
    _distribution(word, document)
    _properties(word, document)
    buffer = io.BytesIO()
    word.save(buffer)
    return _fixed_zip(buffer.getvalue(), document.masthead.date)
