"""Character bigrams for Chinese substring search and similarity (no ORM).

Chinese has no spaces, so words are not tokens; every run of two adjacent characters is. A query of
two or more characters matches a text containing all the query's bigrams (then confirmed by a
substring test); a one-character query falls back to a plain substring scan.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """NFKC (folds full-width forms), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def bigrams(text: str) -> set[str]:
    """The set of adjacent character pairs within each run of word characters."""
    grams: set[str] = set()
    for run in _SEPARATORS.split(normalize(text)):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 when both are empty."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0
