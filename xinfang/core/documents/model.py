"""A document as plain data: the blocks every report builds and every output (Word, PDF, page) renders.

`prepared` is the one place where input is made safe for all three outputs: text loses control and
bidirectional characters and anything XML cannot hold, links keep only site-relative addresses, and sizes
are bounded (a `ValueError` in Chinese names what is too large, so a caller's bug is never a half-written
file).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from dataclasses import dataclass
from typing import Any

from xinfang.lib.text import clean_text


@dataclass(frozen=True)
class Link:
    """A figure that drills down: the page links it; Word and PDF print the text only."""

    text: str
    href: str  # a site-relative URL such as /stats/events/?from=...


Inline = str | Link


@dataclass(frozen=True)
class Masthead:
    organ: str  # the issuing organ, e.g. 宝丰县信访局
    title: str  # the publication, e.g. 每周访情分析: the red masthead
    number: str  # 2026年第12期; "" while a draft
    date: datetime.date


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 黑体 (一、…); 2: 楷体 ((一)…); the caller writes the numbering into the text


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Inline, ...]

    @classmethod
    def of(cls, *parts: Inline) -> Paragraph:
        return cls(tuple(parts))


Cell = Inline | int | float | None  # None prints "—"; numbers are right-aligned


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""


CHART_KINDS = ("bar", "line", "barh")


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # "bar" | "line" | "barh"
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (series name, one value per category)
    unit: str = ""  # the value axis' label, such as 批次


Block = Heading | Paragraph | Table | Chart


@dataclass(frozen=True)
class Document:
    masthead: Masthead
    title: str  # the document's own title under the masthead
    blocks: tuple[Block, ...]
    draft: bool = False  # drafts are visibly marked 草稿 in every output
    distribution: str = ""  # the 版记 line at the end, e.g. 报：县委书记、县长  送：县委常委 ("" = none)


# Bounds: far above any report (a weekly one has ~6 tables of ≤ 30 rows), low enough that a runaway
# caller gets an error at once instead of a worker spending minutes on a 100 MB Word file.
MAX_BLOCKS = 2_000
MAX_TABLE_ROWS = 5_000
MAX_TABLE_COLUMNS = 30
MAX_TEXT = 20_000  # characters in one text (a paragraph part, a title); more is refused
# A table cell holds figures and short text: longer text is cut here ("…"), in every output alike, since
# WeasyPrint's time for a cell grows with the square of its text (2 s for 1,000 characters, 80 s for 5,000).
MAX_CELL_TEXT = 300
MAX_CHART_CATEGORIES = 400
MAX_CHART_SERIES = 12

DASH = "—"
NONE_TEXT = "无"  # what an empty table shows

# XML 1.0 cannot hold these at all (lxml refuses them, a browser shows garbage): surrogates and the two
# non-characters; clean_text already removed the controls.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
# A figure a table cell right-aligns, whether given as a number or already formatted ("12.5%", "+3").
_NUMERIC = re.compile(r"[+\-−]?\d[\d,]*(\.\d+)?\s*(%|‰|倍)?")


def text_of(value: str) -> str:
    """`value` as one safe line: no controls (TAB and line breaks become spaces), nothing XML refuses."""
    if len(value) > MAX_TEXT:
        raise ValueError(f"文书中一段文字过长（{len(value)} 字，上限 {MAX_TEXT} 字）")
    return _NOT_XML.sub("", clean_text(value, multiline=False))


def _href_of(href: str) -> str:
    """A site-relative address, or "" (the link then prints as text): never another site or a scheme
    such as javascript:."""
    href = text_of(href).strip()
    if not href.startswith("/") or href.startswith(("//", "/\\")):
        return ""
    return href


def _inline(value: Inline) -> Inline:
    if isinstance(value, Link):
        return Link(text_of(value.text), _href_of(value.href))
    return text_of(str(value))


def _short(text: str) -> str:
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


def _cell(value: Cell) -> Cell:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, Link):
        return Link(_short(text_of(value.text)), _href_of(value.href))
    return _short(text_of(str(value)))


def _table(table: Table) -> Table:
    if len(table.rows) > MAX_TABLE_ROWS:
        raise ValueError(
            f"表格行数过多（{len(table.rows)} 行，上限 {MAX_TABLE_ROWS} 行），请分表或改为附件导出"
        )
    width = max([len(table.header), *(len(row) for row in table.rows)])
    if width > MAX_TABLE_COLUMNS:
        raise ValueError(f"表格列数过多（{width} 列，上限 {MAX_TABLE_COLUMNS} 列）")
    header = tuple(_short(text_of(str(name))) for name in table.header)
    # Ragged rows are padded with blanks (not "—", which means "no figure").
    rows = tuple(tuple(_cell(cell) for cell in row) + ("",) * (width - len(row)) for row in table.rows)
    if header:
        header += ("",) * (width - len(header))
    return Table(header, rows, text_of(table.caption))


def prepared_chart(chart: Chart) -> Chart:
    if chart.kind not in CHART_KINDS:
        raise ValueError(f"不支持的图表类型：{chart.kind[:20]!r}（可用：bar、line、barh）")
    if len(chart.categories) > MAX_CHART_CATEGORIES:
        raise ValueError(f"图表分类过多（{len(chart.categories)} 个，上限 {MAX_CHART_CATEGORIES} 个）")
    if len(chart.series) > MAX_CHART_SERIES:
        raise ValueError(f"图表系列过多（{len(chart.series)} 个，上限 {MAX_CHART_SERIES} 个）")
    series = []
    for name, values in chart.series:
        if len(values) != len(chart.categories):
            raise ValueError(
                f"图表“{text_of(chart.title)}”的系列“{text_of(name)}”有 {len(values)} 个数值，"
                f"应与分类数 {len(chart.categories)} 相同"
            )
        series.append((text_of(name), tuple(float(value) for value in values)))
    return Chart(
        title=text_of(chart.title),
        kind=chart.kind,
        categories=tuple(text_of(str(category)) for category in chart.categories),
        series=tuple(series),
        unit=text_of(chart.unit),
    )


def _block(block: Block) -> Block:
    match block:
        case Heading(text, level):
            if level not in (1, 2):
                raise ValueError(f"标题层级只能是 1 或 2（收到 {level!r}）")
            return Heading(text_of(text), level)
        case Paragraph(parts):
            return Paragraph(tuple(_inline(part) for part in parts))
        case Table():
            return _table(block)
        case Chart():
            return prepared_chart(block)
    raise TypeError(f"not a document block: {type(block).__name__}")


def prepared(document: Document) -> Document:
    """`document` made safe for every output (see the module's docstring); raises ValueError (in Chinese)
    when it is larger than any report should be."""
    if len(document.blocks) > MAX_BLOCKS:
        raise ValueError(f"文书内容块过多（{len(document.blocks)} 个，上限 {MAX_BLOCKS} 个）")
    masthead = document.masthead
    return dataclasses.replace(
        document,
        masthead=Masthead(
            text_of(masthead.organ), text_of(masthead.title), text_of(masthead.number), masthead.date
        ),
        title=text_of(document.title),
        blocks=tuple(_block(block) for block in document.blocks),
        distribution=text_of(document.distribution),
    )


# A run of letters with no break opportunity (CJK text breaks between any two characters): a URL, an
# ID, a pasted string. WeasyPrint breaks such a run itself (overflow-wrap) but spends time quadratic in
# its length on it (80 s for a 5,000-letter cell), so the PDF gets a zero-width space every 24 letters.
_NOT_CJK = "[^\\s\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]"
_LONG_RUN = re.compile(f"{_NOT_CJK}{{24}}(?={_NOT_CJK})")


def breakable(value: Any) -> Any:
    """`value` (a prepared document or any part of it) with long runs of letters made breakable; links'
    addresses and charts (drawn, not laid out) stay as they are."""
    match value:
        case str():
            return _LONG_RUN.sub(lambda run: run[0] + "\u200b", value)
        case Link(text, href):
            return Link(breakable(text), href)
        case Chart():
            return value
        case tuple():
            return tuple(breakable(item) for item in value)
        case _ if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                field.name: breakable(getattr(value, field.name)) for field in dataclasses.fields(value)
            }
            return dataclasses.replace(value, **changes)
    return value


def cell_text(cell: Cell) -> str:
    """What a table cell prints: "—" for no figure, numbers without a needless ".0"."""
    if cell is None:
        return DASH
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        if not math.isfinite(cell):
            return DASH
        return f"{cell:.2f}".rstrip("0").rstrip(".")
    return inline_text(cell)


def cell_is_numeric(cell: Cell) -> bool:
    """Right-aligned: numbers, figures written as text, and "—" (no figure) in their columns."""
    if cell is None:
        return True
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return True
    if isinstance(cell, str | Link):
        return _NUMERIC.fullmatch(inline_text(cell).strip()) is not None
    return False


def inline_text(part: Inline) -> str:
    return part.text if isinstance(part, Link) else part


def chinese_date(date: datetime.date) -> str:
    """2026年3月9日, as GB/T 9704 writes dates (Arabic numerals, no leading zeros)."""
    return f"{date.year}年{date.month}月{date.day}日"
