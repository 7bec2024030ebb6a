"""The PDF: the document's printed HTML (page.py) laid out by WeasyPrint through core/pdf.py, which
fetches nothing but the charts' PNGs it is handed, in the official fonts' Noto CJK stand-ins
(fonts.conf)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.utils.html import escape

from xinfang.core.documents.charts import render_png
from xinfang.core.documents.fonts import use_font_aliases
from xinfang.core.documents.model import Chart, Document
from xinfang.core.documents.page import printed_chart_url, render_html

_HERE = Path(__file__).resolve().parent


@cache
def _css(draft: bool) -> str:
    css = (_HERE / "print.css").read_text(encoding="utf-8")
    return css + (_HERE / "draft.css").read_text(encoding="utf-8") if draft else css


def render_pdf(document: Document) -> bytes:
    """`document` (already prepared) as a PDF."""
    from xinfang.core.pdf import pdf_from_html

    use_font_aliases()
    title = escape(document.title or document.masthead.title)
    html = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="author" content="{escape(document.masthead.organ)}"></head>'
        f"<body>{render_html(document, printed=True)}</body></html>"
    )
    images = {
        printed_chart_url(index): render_png(block)
        for index, block in enumerate(document.blocks)
        if isinstance(block, Chart)
    }
    return pdf_from_html(html, css=_css(document.draft), images=images)
