"""The fonts of GB/T 9704 by their official names, and where the server finds a free stand-in for each.

Word files name the official fonts (an office PC has them). PDFs are laid out by WeasyPrint through
fontconfig, which maps each official name to Noto CJK with the aliases of `fonts.conf` beside this file;
charts are drawn by matplotlib in Noto Sans CJK SC, located once, on the first chart.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path

logger = logging.getLogger(__name__)

TITLE_FONT = "方正小标宋简体"  # masthead and title
BODY_FONT = "仿宋_GB2312"  # body, tables, 版记
HEADING_FONT = "黑体"  # level-1 headings
SUBHEADING_FONT = "楷体_GB2312"  # level-2 headings
PAGE_NUMBER_FONT = "宋体"  # the footer's "— 1 —"

FONTS_CONF = Path(__file__).resolve().with_name("fonts.conf")
CHART_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC")


def use_font_aliases() -> None:
    """Point fontconfig at `fonts.conf` (the system's configuration plus the official names' aliases).

    WeasyPrint loads a fresh fontconfig configuration for every PDF (FcInitLoadConfigAndFonts reads
    FONTCONFIG_FILE each time), but Pango also matches through fontconfig's process-wide configuration,
    which the first PDF of the process loads once: when a PDF without the aliases (a receipt) came first,
    that one is reloaded here (FcInitReinitialize), once, so that the aliases hold whatever the process
    rendered before. The file includes the system's configuration, so every other PDF lays out as before.
    An operator's own FONTCONFIG_FILE is kept: it should then include this file (docs/documents.md)."""
    with _lock:
        current = os.environ.get("FONTCONFIG_FILE")
        if current is None:
            os.environ["FONTCONFIG_FILE"] = str(FONTS_CONF)
            _reload_fontconfig()
        elif Path(current).resolve() != FONTS_CONF:
            _warn_foreign_fontconfig(current)


_lock = threading.Lock()


def _reload_fontconfig() -> None:
    name = ctypes.util.find_library("fontconfig")
    if name is None:  # WeasyPrint cannot run without it either; its own error says so
        return
    # The library WeasyPrint loaded (or will load): dlopen gives the one instance of the process.
    ctypes.CDLL(name).FcInitReinitialize()


@cache
def _warn_foreign_fontconfig(path: str) -> None:
    logger.warning(
        "FONTCONFIG_FILE=%s is not %s: official font names may not map to Noto CJK", path, FONTS_CONF
    )


def _fc_match_file(family: str) -> str | None:
    """The font file fontconfig picks for `family`, if it is that family (not a fallback)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    result = subprocess.run(  # noqa: S603 - a fixed program and our own family names
        [fc_match, "-f", "%{family}\n%{file}", family],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    families, _, path = result.stdout.partition("\n")
    return path if result.returncode == 0 and family in families.split(",") and path else None


@cache
def chart_font_family() -> str:
    """The family charts are drawn in: Noto Sans CJK SC (Serif if only that is installed), registered
    with matplotlib's font manager if its cache predates the fonts; "sans-serif" (and a warning) if no
    Noto CJK font is installed, when Chinese would show as boxes."""
    from matplotlib import font_manager

    for family in CHART_FAMILIES:
        try:
            font_manager.fontManager.findfont(
                font_manager.FontProperties(family=family),
                fallback_to_default=False,
                rebuild_if_missing=False,
            )
        except ValueError:
            path = _fc_match_file(family)
            if path is None:
                continue
            font_manager.fontManager.addfont(path)
        return family
    logger.warning("no Noto CJK font found for charts: install fonts-noto-cjk")
    return "sans-serif"
