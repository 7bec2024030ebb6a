"""PDF from the app's own HTML, laid out by WeasyPrint. Text is set in the system's Noto CJK fonts, which
the PDF embeds, so a reader without them never sees boxes; nothing is fetched: a document carries its
styles as a string (`css`), and any URL in it is refused rather than looked up on a network an intranet
lacks."""

from __future__ import annotations

from typing import Any, NoReturn


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"documents fetch nothing: {url[:80]}")


def pdf_from_html(html: str, *, css: str = "") -> bytes:
    # Loaded here: Pango costs time no page needs.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]

    stylesheets = [CSS(string=css, url_fetcher=_refuse)] if css else []
    return HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=stylesheets)
