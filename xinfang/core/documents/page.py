"""The document as HTML: a fragment for pages (class="document", styled by app.css) and, with `printed`,
the body WeasyPrint lays out as the PDF (styled by print.css).

The page runs under a strict Content-Security-Policy (no inline styles, images from 'self' and data:), so
nothing here carries a style attribute and a chart is an <img> of its SVG as a data: URI: the SVG's own
<style> then stays inside the image, where the page's policy does not reach. WeasyPrint fetches nothing
from outside (core/pdf.py refuses every URL, data: ones too, but the images it is handed), so the printed
body names each chart `chart:<index of its block>` and the PDF is handed the Word file's PNG of it (300 dpi,
drawn once for both; WeasyPrint lays out a PNG in a third of the time it draws the SVG).
"""

from __future__ import annotations

import base64
import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from xinfang.core.documents import charts
from xinfang.core.documents.model import (
    NONE_TEXT,
    Cell,
    Chart,
    Document,
    Heading,
    Inline,
    Link,
    Paragraph,
    Table,
    cell_is_numeric,
    cell_text,
    chinese_date,
)

_SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


def _inline(part: Inline, *, printed: bool) -> str:
    if isinstance(part, Link):
        if printed or not part.href:
            return escape(part.text)
        return format_html('<a href="{}">{}</a>', part.href, part.text)
    return escape(part)


def _publication_class(title: str) -> str:
    # The red name fills at most a line: smaller type for a longer name (no inline size on a page).
    if len(title) > 11:
        return "document-publication document-publication-longer"
    if len(title) > 8:
        return "document-publication document-publication-long"
    return "document-publication"


def _masthead(document: Document) -> str:
    masthead = document.masthead
    number = masthead.number or ("（草稿）" if document.draft else "")
    parts = [format_html('<p class="{}">{}</p>', _publication_class(masthead.title), masthead.title)]
    if number:
        parts.append(format_html('<p class="document-number">{}</p>', number))
    parts.append(
        format_html(
            '<p class="document-byline"><span class="document-organ">{}</span>'
            '<span class="document-date">{}</span></p>',
            masthead.organ,
            chinese_date(masthead.date),
        )
    )
    return '<header class="document-masthead">' + "".join(parts) + "</header>"


def _cell(tag: str, value: Cell, *, printed: bool) -> str:
    numeric = cell_is_numeric(value)
    text = _inline(value, printed=printed) if isinstance(value, str | Link) else escape(cell_text(value))
    return f'<{tag} class="num">{text}</{tag}>' if numeric else f"<{tag}>{text}</{tag}>"


def _table(table: Table, *, printed: bool) -> str:
    width = max([len(table.header), *(len(row) for row in table.rows)])
    caption = format_html("<caption>{}</caption>", table.caption) if table.caption else ""
    if width == 0:
        named = (
            format_html('<p class="document-table-caption">{}</p>', table.caption) if table.caption else ""
        )
        return named + f'<p class="document-paragraph document-none">{NONE_TEXT}</p>'
    head = ""
    if table.header:
        head = "<thead><tr>" + "".join(format_html('<th scope="col">{}</th>', name) for name in table.header)
        head += "</tr></thead>"
    if table.rows:
        rows = "".join(
            "<tr>" + "".join(_cell("td", value, printed=printed) for value in row) + "</tr>"
            for row in table.rows
        )
    else:
        rows = f'<tr><td class="document-none" colspan="{width}">{NONE_TEXT}</td></tr>'
    size = " document-table-wide" if width > 5 else ""
    return (
        f'<div class="document-table-wrap"><table class="document-table{size}">{caption}{head}'
        f"<tbody>{rows}</tbody></table></div>"
    )


def printed_chart_url(index: int) -> str:
    """The address the printed body gives the chart of block `index` (the PDF is handed its PNG)."""
    return f"chart:{index}"


def _chart(chart: Chart, *, printed: bool, index: int = 0) -> str:
    if printed:
        url = printed_chart_url(index)
        return format_html(
            '<figure class="document-chart"><img src="{}" alt="{}"></figure>', url, chart.title
        )
    svg = charts.render_svg(chart)
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    size = _SVG_SIZE.search(svg)
    if size is None:
        return format_html(
            '<figure class="document-chart"><img src="{}" alt="{}"></figure>', source, chart.title
        )
    # The size reserves the chart's place while it decodes (attributes, not styles: the CSP).
    width, height = (round(float(points) * 4 / 3) for points in size.groups())
    return format_html(
        '<figure class="document-chart"><img src="{}" alt="{}" width="{}" height="{}"></figure>',
        source,
        chart.title,
        width,
        height,
    )


def _block(block: Heading | Paragraph | Table | Chart, *, printed: bool, index: int) -> str:
    match block:
        case Heading(text, 1):
            return format_html('<h3 class="document-heading">{}</h3>', text)
        case Heading(text, _):
            return format_html('<h4 class="document-subheading">{}</h4>', text)
        case Paragraph(parts):
            return (
                '<p class="document-paragraph">'
                + "".join(_inline(p, printed=printed) for p in parts)
                + "</p>"
            )
        case Table():
            return _table(block, printed=printed)
        case Chart():
            return _chart(block, printed=printed, index=index)
    raise TypeError(f"not a document block: {type(block).__name__}")


def _distribution(document: Document) -> str:
    if not document.distribution:
        return ""
    return format_html(
        '<footer class="document-distribution"><p class="document-recipients">{}</p>'
        '<p class="document-printed"><span>{}</span><span>{}印发</span></p></footer>',
        document.distribution,
        document.masthead.organ,
        chinese_date(document.masthead.date),
    )


def render_html(document: Document, *, printed: bool = False) -> SafeString:
    """`document` (already prepared) as an <article class="document">; `printed`: for the PDF."""
    classes = "document document-draft" if document.draft else "document"
    parts = [f'<article class="{classes}">']
    if document.draft:
        parts.append('<p class="document-draft-mark">草稿 · 未经审定，不得外传</p>')
    parts.append(_masthead(document))
    if document.title:
        parts.append(format_html('<h2 class="document-title">{}</h2>', document.title))
    parts.extend(_block(block, printed=printed, index=index) for index, block in enumerate(document.blocks))
    parts.append(_distribution(document))
    parts.append("</article>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape or format_html
