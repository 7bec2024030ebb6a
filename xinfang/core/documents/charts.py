"""Charts drawn by matplotlib (Agg, never a GUI; loaded on the first chart): SVG for pages, PNG at print
resolution for Word. Text is drawn in Noto CJK and, in SVG, as paths, so a page shows the same letters
whatever fonts its reader has; both outputs are byte-for-byte the same for the same chart.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from xinfang.core.documents.fonts import chart_font_family
from xinfang.core.documents.model import Chart

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

# The text block of an A4 page in GB/T 9704 is 156 mm wide: a chart fills it.
WIDTH_MM = 156.0
WIDTH_IN = WIDTH_MM / 25.4
HEIGHT_IN = 3.2
# Red for the first series (the bureau's colour), then colours that stay apart when printed in grey.
COLOURS = ("#b3261e", "#2f5d8a", "#d08c2c", "#4f8a3c", "#7a4e9c", "#6b6b6b", "#1b8a8a", "#a35a7a")
INK = "#222222"
GRID = "#d9d9d9"


def _rc() -> Any:  # matplotlib's stubs type the keys as a Literal of every name
    return {
        "font.family": [chart_font_family()],
        "font.size": 9,
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "xinfang-chart",  # fixed ids inside the SVG: the same chart, the same bytes
        "axes.edgecolor": INK,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "text.color": INK,
    }


def _values(values: tuple[float, ...]) -> list[float]:
    return [value if math.isfinite(value) else math.nan for value in values]


def _label(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.1f}".removesuffix(".0")


def _height(chart: Chart) -> float:
    if chart.kind == "barh":  # one row a category, however many there are
        return min(
            max(HEIGHT_IN, 0.9 + 0.26 * len(chart.categories) * max(1, len(chart.series)) ** 0.5), 14.0
        )
    return HEIGHT_IN


def _figure(chart: Chart) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_IN, _height(chart)), layout="constrained")
    axes = figure.subplots()
    axes.set_title(chart.title, fontsize=11, loc="center")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if not chart.categories or not chart.series:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "无数据", ha="center", va="center", transform=axes.transAxes, fontsize=11)
        return figure
    positions = list(range(len(chart.categories)))
    value_axis: Axis
    count = len(chart.series)
    labelled = count == 1 and len(chart.categories) <= 24
    if chart.kind == "line":
        for index, (name, values) in enumerate(chart.series):
            colour = COLOURS[index % len(COLOURS)]
            axes.plot(
                positions, _values(values), marker="o", markersize=3, linewidth=1.6, color=colour, label=name
            )
        axes.set_xticks(positions, chart.categories)
        axes.grid(axis="y", color=GRID, linewidth=0.6)
        value_axis = axes.yaxis
    else:
        band = 0.8 / count
        draw = axes.barh if chart.kind == "barh" else axes.bar
        for index, (name, values) in enumerate(chart.series):
            offsets = [position - 0.4 + band * (index + 0.5) for position in positions]
            bars = draw(offsets, _values(values), band, color=COLOURS[index % len(COLOURS)], label=name)
            if labelled:
                axes.bar_label(
                    bars, labels=[_label(value) for value in _values(values)], padding=2, fontsize=8
                )
        if chart.kind == "barh":
            axes.set_yticks(positions, chart.categories)
            axes.invert_yaxis()  # the first category on top, as a ranked table reads
            axes.grid(axis="x", color=GRID, linewidth=0.6)
            value_axis = axes.xaxis
        else:
            axes.set_xticks(positions, chart.categories)
            axes.grid(axis="y", color=GRID, linewidth=0.6)
            value_axis = axes.yaxis
    axes.set_axisbelow(True)
    figures = [value for _, series in chart.series for value in _values(series) if not math.isnan(value)]
    if figures and min(figures) >= 0:  # volumes: the axis starts at zero, not at the smallest week
        if chart.kind == "barh":
            axes.set_xlim(left=0)
        else:
            axes.set_ylim(bottom=0)
    if figures and all(value == int(value) for value in figures):
        value_axis.set_major_locator(MaxNLocator(integer=True))
    if chart.kind != "barh" and (
        len(chart.categories) > 8 or max(map(len, chart.categories)) * len(positions) > 48
    ):
        axes.tick_params(axis="x", labelrotation=45)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
    if chart.unit:
        value_axis.set_label_text(chart.unit)
    if count > 1:
        figure.legend(frameon=False, fontsize=8, loc="outside lower center", ncols=min(count, 6))
    return figure


def _render(chart: Chart, *, format: str, dpi: int) -> bytes:
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(_rc()):
        figure = _figure(chart)
        # No date or software in the file: the same chart is the same bytes (an archived document's hash).
        metadata: dict[str, Any] = {"Date": None} if format == "svg" else {"Software": None}
        figure.savefig(buffer, format=format, dpi=dpi, metadata=metadata, facecolor="white")
    return buffer.getvalue()


# A report's charts are drawn for its page, its PDF and its Word file, often within seconds: each
# drawing is kept for the next (a few dozen, some 100–200 kB each).
@lru_cache(maxsize=32)
def render_svg(chart: Chart) -> str:
    return _render(chart, format="svg", dpi=72).decode("utf-8")


@lru_cache(maxsize=32)
def render_png(chart: Chart, *, dpi: int = 300) -> bytes:
    if not 50 <= dpi <= 1200:
        raise ValueError(f"图表分辨率应在 50–1200 dpi 之间（收到 {dpi}）")
    return _render(chart, format="png", dpi=dpi)
