"""The official-document builder (core/documents): the Word file as an office opens it, the PDF's fonts and
text, the page fragment under the pages' CSP, charts, hostile input and the fontconfig aliases."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
import time_machine
from docx.oxml.ns import qn
from docx.shared import Mm
from PIL import Image
from pypdf import PdfReader

from xinfang.core.documents import (
    MAX_TABLE_ROWS,
    Chart,
    Document,
    Heading,
    Link,
    Masthead,
    Paragraph,
    Table,
    chart_png,
    chart_svg,
    document_docx,
    document_html,
    document_pdf,
)
from xinfang.core.documents.fonts import FONTS_CONF
from xinfang.core.pdf import pdf_from_html

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_FONTS = {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}
HOSTILE = "控制\x00字符\x0b与\x1b转义\ud800\ufffe<script>alert(1)</script>&"
LONG_WORD = "A" * 3000 + "https://example.invalid/" + "x" * 2000

TREND = Chart(
    title="近12周信访量趋势",
    kind="line",
    categories=tuple(f"第{week}周" for week in range(1, 13)),
    series=(
        ("走访", tuple(float(20 + week % 7) for week in range(12))),
        ("网上", tuple(float(week) for week in range(12))),
    ),
    unit="批次",
)
TOWNSHIPS = Chart(
    title="各乡镇信访量",
    kind="barh",
    categories=("周庄镇", "杨庄镇", "赵庄镇", "大营镇"),
    series=(("本周", (12.0, 7.0, 3.0, 0.0)),),
    unit="件",
)


def weekly(*, draft: bool = False, tables: int = 6) -> Document:
    """A weekly analysis' size: tables of 30 rows, two charts, some ten paragraphs."""
    blocks: list[Heading | Paragraph | Table | Chart] = [
        Heading("一、总体情况"),
        Paragraph.of(
            "本周全县共登记信访事项",
            Link("128", "/stats/events/?from=2026-03-16&to=2026-03-22"),
            "件，环比下降12.5%。",
        ),
        Heading("（一）按层级", level=2),
    ]
    for number in range(1, tables + 1):
        rows = tuple(
            (
                Link(f"周庄镇{row}", f"/units/{row}/"),
                row * 3,
                row % 7,
                f"{row - 5:.1f}%",
                None if row % 4 == 0 else row,
                0.5 * row,
            )
            for row in range(30)
        )
        blocks.append(
            Table(
                ("单位", "本周", "上周", "环比", "重复访", "越级访"),
                rows,
                caption=f"表{number}  各乡镇信访情况",
            )
        )
        blocks.append(
            Paragraph.of("本周各单位信访总量总体平稳，部分乡镇有所上升，需要引起重视。Mixed English 2026。")
        )
    blocks += [
        TREND,
        TOWNSHIPS,
        Heading("二、下一步工作建议"),
        Paragraph.of("一是压实属地责任。二是加强研判预警。"),
    ]
    return Document(
        masthead=Masthead(
            "宝丰县信访局", "每周访情分析", "" if draft else "2026年第12期", datetime.date(2026, 3, 23)
        ),
        title="全县信访形势总体平稳",
        blocks=tuple(blocks),
        draft=draft,
        distribution="报：县委书记、县长  送：县委常委",
    )


def hostile() -> Document:
    return Document(
        masthead=Masthead(HOSTILE, HOSTILE, HOSTILE, datetime.date(2026, 1, 5)),
        title=HOSTILE + LONG_WORD,
        blocks=(
            Heading(HOSTILE),
            Heading(HOSTILE, level=2),
            Paragraph.of(
                HOSTILE, Link(HOSTILE, "javascript:alert(1)"), LONG_WORD, Link("外站", "//evil.example/")
            ),
            Table(
                (HOSTILE, "数"),
                ((HOSTILE, 1), (LONG_WORD, None), (Link(HOSTILE, "/x/?a=1\x00"), float("nan"))),
            ),
            Table(("单位", "数量"), (), caption="空表"),
            Table((), ()),
            Chart(HOSTILE, "bar", (HOSTILE, "乙"), ((HOSTILE, (1.0, float("inf"))),), unit=HOSTILE),
            Chart("无数据的图", "line", (), ()),
        ),
        draft=True,
        distribution=HOSTILE,
    )


@pytest.fixture(scope="module")
def weekly_docx() -> bytes:
    return document_docx(weekly())


@pytest.fixture(scope="module")
def weekly_pdf() -> bytes:
    return document_pdf(weekly())


def all_runs(word):
    """Every run of the body (tables included), headers and footers, with where it stands."""
    section = word.sections[0]
    parts = [("body", word.element.body)]
    for name in ("header", "even_page_header", "footer", "even_page_footer"):
        part = getattr(section, name)
        if not part.is_linked_to_previous:
            parts.append((name, part._element))
    return [(where, run) for where, element in parts for run in element.iter(qn("w:r"))]


def east_asian_font(run) -> str | None:
    fonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


# Word ------------------------------------------------------------------------------------------------


def test_it_names_an_official_east_asian_font_on_every_run(weekly_docx):
    word = docx.Document(io.BytesIO(weekly_docx))
    runs = all_runs(word)
    assert {where for where, _ in runs} == {"body", "footer", "even_page_footer"}
    assert len(runs) > 500  # the tables' cells are in it
    for where, run in runs:
        fonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        assert fonts is not None, where
        assert fonts.get(qn("w:eastAsia")) in OFFICIAL_FONTS, where
        assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == fonts.get(qn("w:eastAsia"))
    assert {east_asian_font(run) for _, run in runs} == OFFICIAL_FONTS
    # The table cells are in 仿宋, their header bold.
    table = word.tables[0]
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold
    assert east_asian_font(table.rows[1].cells[0].paragraphs[0].runs[0]._r) == "仿宋_GB2312"


def test_it_sets_the_styles_and_defaults_to_fangsong(weekly_docx):
    word = docx.Document(io.BytesIO(weekly_docx))
    styles = word.styles.element
    defaults = (
        styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    )
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert defaults.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over the name
    normal = word.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.font.size.pt == 16
    for style in word.styles:
        assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312", style.name


def test_it_lays_the_page_out_as_gb_t_9704(weekly_docx):
    word = docx.Document(io.BytesIO(weekly_docx))
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(margin.mm) for margin in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    line_pitch, char_space = int(grid.get(qn("w:linePitch"))), int(grid.get(qn("w:charSpace")))
    text_height, text_width = (Mm(297 - 37 - 35).pt, Mm(210 - 28 - 26).pt)
    assert int(text_height / (line_pitch / 20)) == 22  # lines a page
    assert int(text_width / (16 + char_space / 4096)) == 28  # characters a line
    body = next(p for p in word.paragraphs if p.text.startswith("本周全县"))
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.95)
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters of 16 pt
    assert body.runs[0].font.size.pt == 16
    title = next(p for p in word.paragraphs if p.text == "全县信访形势总体平稳")
    assert title.runs[0].font.size.pt == 22 and east_asian_font(title.runs[0]._r) == "方正小标宋简体"
    assert title.alignment == 1  # centred
    level_one = next(p for p in word.paragraphs if p.text == "一、总体情况")
    level_two = next(p for p in word.paragraphs if p.text == "（一）按层级")
    assert (
        east_asian_font(level_one.runs[0]._r) == "黑体"
        and east_asian_font(level_two.runs[0]._r) == "楷体_GB2312"
    )


def test_it_numbers_pages_with_dashes_right_on_odd_and_left_on_even_pages(weekly_docx):
    word = docx.Document(io.BytesIO(weekly_docx))
    assert word.settings.odd_and_even_pages_header_footer
    section = word.sections[0]
    for footer, alignment in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "— 1 —"  # the field's placeholder between the dashes
        instructions = "".join(element.text for element in paragraph._p.iter(qn("w:instrText")))
        assert instructions.strip() == "PAGE"
        assert [c.get(qn("w:fldCharType")) for c in paragraph._p.iter(qn("w:fldChar"))] == [
            "begin",
            "separate",
            "end",
        ]
        assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == alignment
        assert {run.font.size.pt for run in paragraph.runs} == {14}  # 4号


def test_it_prints_the_masthead_in_red_over_a_red_rule(weekly_docx):
    word = docx.Document(io.BytesIO(weekly_docx))
    publication, number, byline = word.paragraphs[:3]
    assert publication.text == "每周访情分析"
    assert str(publication.runs[0].font.color.rgb) == "FF0000"
    assert east_asian_font(publication.runs[0]._r) == "方正小标宋简体"
    assert number.text == "2026年第12期"
    assert byline.text == "宝丰县信访局\t2026年3月23日"
    rule = byline._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    assert word.core_properties.created == datetime.datetime(2026, 3, 23, tzinfo=datetime.UTC)


def test_it_prints_tables_with_borders_numbers_right_and_links_as_text(weekly_docx):
    word = docx.Document(io.BytesIO(weekly_docx))
    table = word.tables[0]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {child.get(qn("w:val")) for child in borders} == {"single"} and len(borders) == 6
    assert [cell.text for cell in table.rows[0].cells] == ["单位", "本周", "上周", "环比", "重复访", "越级访"]
    assert [cell.text for cell in table.rows[1].cells] == ["周庄镇0", "0", "0", "-5.0%", "—", "0"]
    aligned = [cell.paragraphs[0].alignment for cell in table.rows[2].cells]
    assert aligned[0] == 0 and set(aligned[1:]) == {2}  # text left, figures right
    assert "/stats/" not in weekly_docx.decode("latin-1")  # links print their text only
    assert "本周全县共登记信访事项128件" in "\n".join(p.text for p in word.paragraphs)


def test_it_inserts_charts_as_300_dpi_pictures_the_text_block_wide(weekly_docx):
    word = docx.Document(io.BytesIO(weekly_docx))
    shapes = word.inline_shapes
    assert len(shapes) == 2
    assert {round(shape.width.mm) for shape in shapes} == {156}
    with zipfile.ZipFile(io.BytesIO(weekly_docx)) as package:
        pictures = [name for name in package.namelist() if name.startswith("word/media/")]
        dpi = Image.open(io.BytesIO(package.read(pictures[0]))).info["dpi"]
    assert round(dpi[0]) == 300


def test_it_marks_drafts_on_every_page_and_not_issued_documents():
    draft = docx.Document(io.BytesIO(document_docx(weekly(draft=True, tables=1))))
    section = draft.sections[0]
    for header in (section.header, section.even_page_header):
        assert "草稿" in header.paragraphs[0].text
        assert all(east_asian_font(run) in OFFICIAL_FONTS for run in header._element.iter(qn("w:r")))
    assert "草稿" in draft.paragraphs[1].text  # in place of the number
    issued = docx.Document(io.BytesIO(document_docx(weekly(tables=1))))
    texts = [p.text for p in issued.paragraphs] + [p.text for p in issued.sections[0].header.paragraphs]
    assert not any("草稿" in text for text in texts)


def test_it_writes_the_same_bytes_for_the_same_document_at_any_time():
    with time_machine.travel(datetime.datetime(2026, 3, 23, 9, 0, tzinfo=datetime.UTC), tick=False):
        first = document_docx(weekly(tables=2))
    with time_machine.travel(datetime.datetime(2027, 7, 1, 18, 31, 7, tzinfo=datetime.UTC), tick=False):
        second = document_docx(weekly(tables=2))
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(2026, 3, 23, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in package.namelist()
    assert document_docx(weekly(tables=3)) != first


# PDF -------------------------------------------------------------------------------------------------


def pdf_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font the PDF's pages use, by base name (subset prefix dropped): whether its file is embedded."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            descriptor_owner = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descriptor_owner.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            # "ABCDEF+Noto-Serif-CJK-SC-Bold" → "NotoSerifCJKSCBold"
            fonts[str(font["/BaseFont"]).split("+", 1)[-1].replace("-", "")] = embedded
    return fonts


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_embeds_noto_cjk_under_the_official_names_and_nothing_else(weekly_pdf):
    fonts = pdf_fonts(weekly_pdf)
    assert any(name.startswith("NotoSerifCJK") for name in fonts)  # 仿宋_GB2312, 宋体, 方正小标宋简体
    assert any(name.startswith("NotoSansCJK") for name in fonts)  # 黑体
    assert all(fonts.values())  # every one embedded
    # Latin letters and digits too: without the aliases they would fall back to DejaVu.
    assert all(name.startswith(("NotoSerifCJK", "NotoSansCJK")) for name in fonts), fonts


def test_the_pdf_reads_as_the_chinese_input(weekly_pdf):
    text = pdf_text(weekly_pdf)
    for expected in (
        "每周访情分析",
        "2026年第12期",
        "全县信访形势总体平稳",
        "一、总体情况",
        "周庄镇29",
        "越级访",
    ):
        assert expected in text
    assert "— 1 —" in text and "— 2 —" in text  # the page numbers
    assert "草稿" not in text
    reader = PdfReader(io.BytesIO(weekly_pdf))
    width, height = (float(value) * 25.4 / 72 for value in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (210, 297)


def test_the_pdf_draws_the_charts_as_the_word_files_pictures(weekly_pdf):
    # WeasyPrint lists every picture in each page's resources: the distinct ones are the two charts.
    pictures = {
        image.data: image for page in PdfReader(io.BytesIO(weekly_pdf)).pages for image in page.images
    }
    assert sorted(picture.image.size for picture in pictures.values()) == sorted(
        Image.open(io.BytesIO(chart_png(chart))).size for chart in (TREND, TOWNSHIPS)
    )


def test_a_pdf_is_handed_its_pictures_and_fetches_nothing_else(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(chart_png(TREND, dpi=50))
    html = f'<img src="{secret.as_uri()}"><img src="chart:0"><img src="http://192.0.2.1/x.png">'
    pdf = pdf_from_html(html, images={"chart:0": chart_png(TOWNSHIPS, dpi=50)})
    pictures = {image.data: image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images}
    expected = Image.open(io.BytesIO(chart_png(TOWNSHIPS, dpi=50))).size
    assert [picture.image.size for picture in pictures.values()] == [expected]


def test_the_pdf_of_a_draft_says_so_on_every_page():
    pdf = document_pdf(weekly(draft=True, tables=3))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    assert all("草稿" in page.extract_text() for page in pages)


RECEIPT_FIRST = """
from xinfang.core.pdf import pdf_from_html
receipt = pdf_from_html("<!DOCTYPE html><html><body>" + "<p>回执 ABC 123</p>" * 40 + "</body></html>",
                        css="body { font-family: 'Noto Sans CJK SC'; }")
"""
DOCUMENT = """
import datetime
from xinfang.core.documents import Document, Masthead, Paragraph, document_pdf
document = document_pdf(Document(Masthead("宝丰县信访局", "每周访情分析", "", datetime.date(2026, 3, 23)),
                                 "标题 Title 2026", (Paragraph.of("正文 Latin text 123"),)))
"""
RECEIPT_AFTER = RECEIPT_FIRST.replace("receipt =", "receipt_after =")


@pytest.mark.parametrize(
    ("script", "name"),
    [
        (RECEIPT_FIRST + DOCUMENT, "document"),
        (DOCUMENT + RECEIPT_AFTER, "document"),
        (DOCUMENT + RECEIPT_AFTER, "receipt_after"),
    ],
    ids=["receipt-then-document", "document-then-receipt", "receipt-after-a-document"],
)
def test_the_aliases_hold_whatever_pdf_the_process_rendered_first(script, name, tmp_path):
    # A fresh process each: fontconfig's state is per process, and FONTCONFIG_FILE unset as in production.
    out = tmp_path / "out.pdf"
    code = script + f"\nopen({str(out)!r}, 'wb').write({name})\n"
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
    }
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, check=True, timeout=120)
    fonts = pdf_fonts(out.read_bytes())
    assert fonts and all(name.startswith(("NotoSerifCJK", "NotoSansCJK")) for name in fonts), fonts


# The page fragment ------------------------------------------------------------------------------------


def test_the_page_fragment_links_figures_and_carries_no_inline_style():
    html = str(document_html(weekly(tables=1)))
    assert html.startswith('<article class="document">') and html.endswith("</article>")
    assert '<a href="/stats/events/?from=2026-03-16&amp;to=2026-03-22">128</a>' in html
    assert '<a href="/units/3/">周庄镇3</a>' in html
    assert "style=" not in html and "<script" not in html and "<svg" not in html
    assert html.count('<img src="data:image/svg+xml;base64,') == 2
    assert 'alt="近12周信访量趋势"' in html
    assert '<div class="document-table-wrap"><table class="document-table document-table-wide">' in html
    assert '<td class="num">—</td>' in html and '<td class="num">1.5</td>' in html
    assert '<p class="document-publication">每周访情分析</p>' in html
    assert "document-draft" not in html


def test_hostile_text_is_cleaned_once_for_every_output():
    document = hostile()
    html = str(document_html(document))
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe]", html)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html
    assert "javascript:" not in html and "evil.example" not in html  # such links print as text
    assert '<a href="/x/?a=1">' in html
    assert '<td class="document-none" colspan="2">无</td>' in html  # the empty table
    assert "document-draft" in html
    word = docx.Document(io.BytesIO(document_docx(document)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "控制字符与转义<script>" in text and "\x00" not in text
    assert any(cell.text == "无" for table in word.tables for row in table.rows for cell in row.cells)
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "—" in cells
    assert any(len(cell) == 300 and cell.endswith("…") for cell in cells)  # a long cell is cut
    pdf = document_pdf(document)
    extracted = pdf_text(pdf).replace("\n", "").replace("\u200b", "")
    assert "控制字符与转义<script>" in extracted
    assert "AAAAAAAAAAAAAAAAAAAA" in extracted  # the long word is there, broken over lines
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) < 30


def test_a_long_word_wraps_inside_the_text_block():
    document = Document(Masthead("局", "刊", "", datetime.date(2026, 1, 5)), "", (Paragraph.of("W" * 400),))
    page = PdfReader(io.BytesIO(document_pdf(document))).pages[0]
    right_edges: list[float] = []

    def visitor(text, cm, tm, font, size):
        if text.strip("W\n") == "" and "W" in text:
            right_edges.append(tm[4] + len(text.strip()) * size * 0.6)

    page.extract_text(visitor_text=visitor)
    assert len(right_edges) > 3  # several lines
    assert max(tm for tm in right_edges) < float(Mm(210 - 26 + 10).pt)


def test_it_refuses_what_no_report_should_hold_in_chinese():
    masthead = Masthead("局", "刊", "", datetime.date(2026, 1, 5))
    huge = Table(("甲",), tuple((str(row),) for row in range(MAX_TABLE_ROWS + 1)))
    with pytest.raises(ValueError, match="表格行数过多"):
        document_html(Document(masthead, "", (huge,)))
    with pytest.raises(ValueError, match="标题层级"):
        document_docx(Document(masthead, "", (Heading("三级", level=3),)))
    with pytest.raises(ValueError, match="应与分类数"):
        chart_svg(Chart("图", "bar", ("甲", "乙"), (("系列", (1.0,)),)))
    with pytest.raises(ValueError, match="不支持的图表类型"):
        chart_png(Chart("图", "pie", ("甲",), (("系列", (1.0,)),)))


# Charts ------------------------------------------------------------------------------------------------


def test_charts_come_as_svg_with_text_as_paths_and_as_png_at_the_dpi_asked():
    svg = chart_svg(TREND)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<text" not in svg  # letters drawn as paths: no font needed to show them
    assert chart_svg(TREND) == svg  # and the same every time (no date, fixed ids)
    for dpi in (300, 150):
        image = Image.open(io.BytesIO(chart_png(TOWNSHIPS, dpi=dpi)))
        assert round(image.info["dpi"][0]) == dpi
        assert round(image.width / dpi * 25.4) == 156
    empty = chart_png(Chart("无数据", "bar", (), ()), dpi=100)
    assert empty.startswith(b"\x89PNG")


def test_importing_the_builder_loads_none_of_its_heavy_libraries():
    code = (
        "import sys, xinfang.core.documents;"
        "print(sorted(m for m in ('docx', 'matplotlib', 'weasyprint') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# Fontconfig --------------------------------------------------------------------------------------------


SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig's fc-match is not installed")
@pytest.mark.parametrize(
    ("official", "noto"),
    [
        ("仿宋_GB2312", SERIF),
        ("方正小标宋简体", SERIF),
        ("楷体_GB2312", SERIF),
        ("宋体", SERIF),
        ("黑体", SANS),
    ],
)
def test_fontconfig_maps_the_official_fonts_to_noto(official, noto):
    def family(config: str | None) -> str:
        environment = {"PATH": "/usr/bin:/bin"} | ({"FONTCONFIG_FILE": config} if config else {})
        result = subprocess.run(
            [shutil.which("fc-match") or "fc-match", "-f", "%{family}", official],
            capture_output=True,
            text=True,
            env=environment,
            check=True,
        )
        return result.stdout

    assert noto in family(str(FONTS_CONF)).split(",")
    assert "Noto" not in family(None)  # without the aliases the name means nothing to fontconfig
