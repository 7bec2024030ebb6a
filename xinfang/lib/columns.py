"""Plain-text tables for the command line, aligned by display width (no Django).

A terminal gives a Chinese character two columns (Unicode East Asian Width W or F), so format specs and
`str.ljust`, which count characters, misalign every column after one holding Chinese text. Every table the
`xinfang` command prints goes through `table_lines`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence


def display_width(text: str) -> int:
    """The columns `text` takes in a terminal: wide and fullwidth characters two, combining marks none,
    everything else one."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` filled with spaces to `width` display columns (on the left when `right`); never cut."""
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def table_lines(
    rows: Iterable[Sequence[str]], *, align: str = "", indent: str = "", gap: str = "  "
) -> list[str]:
    """The rows as lines with their columns aligned by display width. `align` has one character per
    column, `<` (left, the default for columns it does not cover) or `>` (right, for numbers); lines carry
    no trailing spaces."""
    rows = [list(row) for row in rows]
    columns = max((len(row) for row in rows), default=0)
    widths = [max((display_width(row[i]) for row in rows if i < len(row)), default=0) for i in range(columns)]
    lines = []
    for row in rows:
        cells = [pad(cell, widths[i], right=align[i : i + 1] == ">") for i, cell in enumerate(row)]
        lines.append((indent + gap.join(cells)).rstrip())
    return lines
