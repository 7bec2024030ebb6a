"""What the weekly and the monthly analyses' documents share: their masthead and distribution, days as
they write them, counts linked to their events, and staff's text as paragraphs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from xinfang.core.documents import Link, Masthead, Paragraph

EVENTS_URL = "/stats/events/"
DISTRIBUTION = "报：县委书记、县长　　送：县委常委"


def day_label(text: str) -> str:
    """An ISO day as the documents write it: 3月1日."""
    day = dt.date.fromisoformat(text)
    return f"{day.month}月{day.day}日"


def events_link(figures: Mapping[str, Any], number: int, **filters: str) -> Link:
    """`number` linked to its events: /stats/events/ over the figures' days with `filters`."""
    query = urlencode({"date_from": figures["from"], "date_to": figures["to"], **filters})
    return Link(str(number), f"{EVENTS_URL}?{query}")


def text_paragraphs(text: str) -> list[Paragraph]:
    """Staff's text, a paragraph a non-blank line; （暂无） when there is none."""
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return [Paragraph.of(line) for line in paragraphs] or [Paragraph.of("（暂无）")]


def analysis_masthead(
    *, county_name: str, title: str, number: int | None, year: int, issued_on: dt.date
) -> Masthead:
    """The bureau's masthead; a draft (`number` None) has no issue number."""
    return Masthead(
        organ=f"{county_name}信访局",
        title=title,
        number=f"{year}年第{number}期" if number else "",
        date=issued_on,
    )
