"""The one builder of official documents (公文): a document given as plain data (`Document` of
`Heading`, `Paragraph`, `Table` and `Chart` blocks under a `Masthead`) becomes a Word file, a PDF and an
HTML fragment for pages, all in the look of GB/T 9704 (docs/documents.md). Infrastructure: it imports no
domain app; python-docx, WeasyPrint and matplotlib load on first use, never with the web app.

Every output first passes the document through `model.prepared`, the one place where text is cleaned
and sizes are bounded (ValueError in Chinese beyond them).
"""

from __future__ import annotations

from django.utils.safestring import SafeString

from xinfang.core.documents.model import (
    MAX_TABLE_ROWS,
    Block,
    Cell,
    Chart,
    Document,
    Heading,
    Inline,
    Link,
    Masthead,
    Paragraph,
    Table,
    prepared,
    prepared_chart,
)

__all__ = [
    "MAX_TABLE_ROWS",
    "Block",
    "Cell",
    "Chart",
    "Document",
    "Heading",
    "Inline",
    "Link",
    "Masthead",
    "Paragraph",
    "Table",
    "chart_png",
    "chart_svg",
    "document_docx",
    "document_html",
    "document_pdf",
    "libraries_load",
]


def libraries_load() -> None:
    """Import python-docx, matplotlib (and find the charts' font) and WeasyPrint now, not at the first
    document: a command that counts figures, then writes documents, runs this in a thread meanwhile (the
    counting waits on the database; the imports take a second or two of the processor)."""
    import docx  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import weasyprint  # type: ignore[import-untyped]  # noqa: F401

    from xinfang.core.documents.fonts import chart_font_family

    chart_font_family()


def document_docx(document: Document) -> bytes:
    """The Word file; the same document gives the same bytes (an archived file's SHA-256 is reproducible)."""
    from xinfang.core.documents.word import render_docx

    return render_docx(prepared(document))


def document_pdf(document: Document) -> bytes:
    """The PDF, with Noto CJK embedded under the official fonts' names' aliases."""
    from xinfang.core.documents.model import breakable
    from xinfang.core.documents.pdf import render_pdf

    return render_pdf(breakable(prepared(document)))


def document_html(document: Document) -> SafeString:
    """A fragment for a page (<article class="document">, styled by app.css): links are links, charts SVG
    images, no inline style (the pages' Content-Security-Policy)."""
    from xinfang.core.documents.page import render_html

    return render_html(prepared(document))


def chart_svg(chart: Chart) -> str:
    """The chart as an SVG document, text drawn as paths."""
    from xinfang.core.documents.charts import render_svg

    return render_svg(prepared_chart(chart))


def chart_png(chart: Chart, *, dpi: int = 300) -> bytes:
    """The chart as a PNG at `dpi` (recorded in the file), 156 mm wide: the text block's width."""
    from xinfang.core.documents.charts import render_png

    return render_png(prepared_chart(chart), dpi=dpi)
