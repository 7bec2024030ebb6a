"""The dashboard's bar charts as plain geometry for an inline SVG (no chart library, no request to render
a picture): each bar a link to the events it counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 360  # the SVG's own units; it scales to the card's width
HEIGHT = 120
AXIS = 16  # room under the bars for the labels


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar, "" when left out to keep the labels readable
    title: str  # the tooltip and the accessible name: the period and its count
    value: int | None
    url: str
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    top: int  # the largest value, printed at the top of the axis
    baseline: int  # the y of the bars' foot


def bar_chart(rows: Sequence[tuple[str, str, int | None, str]], *, label_every: int = 1) -> Chart:
    """`rows` as (label, title, value or None, url), left to right, laid out in WIDTH × HEIGHT; the last
    label shown and every `label_every`-th one before it."""
    baseline = HEIGHT - AXIS
    top = max((value or 0 for _, _, value, _ in rows), default=0)
    slot = WIDTH / max(len(rows), 1)
    gap = min(2.0, slot / 4)
    bars = []
    for index, (label, title, value, url) in enumerate(rows):
        height = (value or 0) / top * (baseline - 4) if top else 0.0
        shown = (len(rows) - 1 - index) % label_every == 0  # counted back from the newest bar
        bars.append(
            Bar(
                label=label if shown else "", title=title, value=value, url=url,
                x=round(index * slot + gap / 2, 2), y=round(baseline - height, 2),
                width=round(slot - gap, 2), height=round(height, 2),
            )
        )  # fmt: skip
    return Chart(bars=bars, width=WIDTH, height=HEIGHT, top=top, baseline=baseline)
