"""Plain text for the terminal laid out by display width (no Django): tables and wrapped paragraphs.

A terminal gives a Chinese character two columns (Unicode East Asian Width W or F), so format specs,
`str.ljust` and `textwrap`, which count characters, misalign every column after one holding Chinese text
and let Chinese lines run twice as wide as asked. Every table the `xinfang` command prints goes through
`table_lines`; its help text is wrapped by `wrap`.
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


# Chinese punctuation that may not start a line, and brackets that may not end one.
_CLOSING = "，。、；：！？）」』》”’"
_OPENING = "（「『《“‘"


def _breaks_between(before: str, after: str) -> bool:
    if before.isspace() != after.isspace():
        return True
    if after in _CLOSING or before in _OPENING:
        return False
    return display_width(before) == 2 or display_width(after) == 2


def wrap(text: str, width: int) -> list[str]:
    """`text` (one paragraph, whitespace runs as single spaces) in lines of at most `width` display
    columns. Lines break at spaces and between Chinese characters, never inside a Latin word or number and
    never before closing or after opening punctuation; a word wider than `width` gets a line of its own."""
    text = " ".join(text.split())
    pieces, start = [], 0
    for index in range(1, len(text)):
        if _breaks_between(text[index - 1], text[index]):
            pieces.append(text[start:index])
            start = index
    pieces.append(text[start:])
    lines, line = [], ""
    for piece in pieces:
        if piece == " ":
            line += " " if line else ""
        elif line and display_width(line + piece) > width:
            lines.append(line.rstrip())
            line = piece
        else:
            line += piece
    if line:
        lines.append(line.rstrip())
    return lines
