"""PDF from the app's own HTML, laid out by WeasyPrint. Text is set in the system's Noto CJK fonts, which
the PDF embeds, so a reader without them never sees boxes; nothing is fetched: a document carries its
styles as a string (`css`) and its PNG images as bytes by the address its HTML gives them (`images`), and
any other URL in it is refused rather than looked up on a network an intranet lacks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def _fetcher(images: Mapping[str, bytes]) -> Callable[..., dict[str, Any]]:
    def fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if url in images:
            return {"string": images[url], "mime_type": "image/png"}
        raise ValueError(f"documents fetch nothing: {url[:80]}")

    return fetch


def pdf_from_html(html: str, *, css: str = "", images: Mapping[str, bytes] | None = None) -> bytes:
    # Loaded here: Pango costs time no page needs.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]

    fetch = _fetcher(images or {})
    stylesheets = [CSS(string=css, url_fetcher=fetch)] if css else []
    return HTML(string=html, url_fetcher=fetch).write_pdf(stylesheets=stylesheets)
