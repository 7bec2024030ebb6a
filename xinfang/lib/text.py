"""The one text sanitiser (no Django): every input — forms, the API, the public pages, imported cells —
passes through `clean_text`, and exports and SMS pass stored text through it again, so a control
character planted anywhere never reaches a spreadsheet, a phone or a page.

Removed: the C0 controls except TAB, LF and CR (kept in multi-line text, turned into spaces in a single
line), DEL, the C1 controls, and the bidirectional formatting characters that make text display in an
order other than its own (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F, U+061C).
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_LINE_BREAKS = re.compile("[\t\r\n]")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """`value` without control and bidirectional formatting characters. A single line keeps its words
    apart: TAB, CR and LF become spaces there; other removed characters leave nothing."""
    if value.isprintable():  # the common case: nothing to remove (TAB, CR and LF are not printable)
        return value
    if multiline:
        return _UNSAFE_MULTILINE.sub("", value)
    return _UNSAFE_SINGLE_LINE.sub("", _LINE_BREAKS.sub(" ", value))
