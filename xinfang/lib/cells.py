"""Spreadsheet cell and header normalisation shared by every importer (no ORM here)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from xinfang.lib.text import clean_text

# Full-width ASCII (！ to ～) maps to ASCII by a fixed offset; the ideographic space to a space.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_LIST_SEPARATORS = re.compile(r"[、,，;；/]+")
_SPACES = re.compile(r"\s+")


def fold_fullwidth(text: str) -> str:
    """Fold full-width letters, digits, brackets and spaces to their ASCII forms."""
    return text.translate(_FULLWIDTH)


def normalize_header(value: Any) -> str:
    """A header as matched: trimmed, spaces removed, full-width brackets folded."""
    if value is None:
        return ""
    return _SPACES.sub("", fold_fullwidth(str(value)))


def cell_text(value: Any) -> str:
    """A cell as text: trimmed, full-width digits folded, integral numbers without '.0', control and
    bidirectional formatting characters removed (`clean_text`)."""
    if isinstance(value, str):  # the common case first: an importer calls this for every cell
        return clean_text(value.translate(_FULLWIDTH)).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return str(int(value)) if value == int(value) else str(value)
    return clean_text(fold_fullwidth(str(value))).strip()


def split_list(text: str) -> list[str]:
    """Split a cell holding several names: 、 , ， ; ； / all separate."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]


def parse_yes_no(text: str) -> bool | None:
    """是/否 (and the usual variants); None when the text is neither."""
    folded = text.strip().lower()
    if folded in {"是", "y", "yes", "true", "1", "√", "✓"}:
        return True
    if folded in {"否", "", "n", "no", "false", "0", "×"}:
        return False
    return None
