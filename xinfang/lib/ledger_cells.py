"""Cell parsers of the petition ledger (台账) import, following SPEC §4's column table. No ORM here.

Each parser takes the cell as read from the workbook (text already trimmed and full-width folded by
`lib.cells.cell_text`, or an Excel date/number) and returns the value, or raises `CellError` with the
Chinese reason shown to the user for that cell.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from xinfang.lib.cells import fold_fullwidth

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year quirk included)


class CellError(ValueError):
    """The cell cannot be used; the message is the Chinese reason."""


T = TypeVar("T")


@dataclass(frozen=True)
class Parsed(Generic[T]):
    value: T
    warning: str = ""


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)

CHANNELS = {
    "来访": "visit", "走访": "visit",
    "来信": "letter", "书信": "letter",
    "来电": "call", "电话": "call",
    "网上": "online", "网信": "online", "网上信访": "online",
    "短信": "sms",
}  # fmt: skip
LEVELS = {
    "到县": "county", "县": "county", "到县访": "county",
    "到市": "city", "市": "city", "到市访": "city",
    "赴省": "province", "省": "province", "到省": "province", "赴省访": "province",
    "进京": "beijing", "赴京": "beijing", "进京访": "beijing",
}  # fmt: skip


def parse_date(value: object, *, today: dt.date, label: str = "信访日期") -> dt.date:
    """2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, an Excel date cell or an Excel serial number.

    `label` names the column in the messages."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:  # Excel's last day is 9999-12-31
            raise CellError(f"日期不正确：{value}")
        day = EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        text = fold_fullwidth(str(value or "")).strip().replace(" ", "")
        if not text:
            raise CellError(f"{label}不能为空")
        if re.fullmatch(r"[0-9]{5}(\.0+)?", text):  # a serial number read as text
            return parse_date(int(float(text)), today=today, label=label)
        day = _date_from_text(text)
    if day > today:
        raise CellError(f"{label}不能晚于今天：{day.isoformat()}")
    if day.year < 1980:
        raise CellError(f"{label}不正确：{day.isoformat()}")
    return day


def _date_from_text(text: str) -> dt.date:
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise CellError(f"不存在的日期：{text}") from None
    raise CellError(f"无法识别的日期：{text}（应写作 2026-03-05 或 2026年3月5日）")


def parse_channel(text: str) -> str:
    value = CHANNELS.get(text.strip())
    if value is None:
        raise CellError(
            f"未知信访形式：{text}（应为来访、来信、来电、网上或短信）" if text else "信访形式不能为空"
        )
    return value


def parse_level(text: str) -> str:
    value = LEVELS.get(text.strip())
    if value is None:
        raise CellError(f"未知访别：{text}（应为到县、到市、赴省或进京）" if text else "访别不能为空")
    return value


def parse_persons(text: str) -> Parsed[int]:
    """An integer ≥ 1; blank is 1 with a warning; 0, negative or not a number is an error."""
    text = text.strip()
    if not text:
        return Parsed(1, "人数为空，按1人计")
    if re.fullmatch(r"[0-9]+(\.0+)?", text) and int(float(text)) >= 1:
        persons = int(float(text))
        if persons > 100000:
            raise CellError(f"人数过大：{text}")
        return Parsed(persons)
    raise CellError(f"人数应为不小于1的整数：{text}")


def parse_names(text: str) -> Parsed[list[str]]:
    """Names separated by 、 or a comma; none is an anonymous letter (a warning)."""
    names = [name.strip() for name in re.split(r"[、,，]", text) if name.strip()]
    return Parsed(names, "" if names else "信访人为空（匿名）")


def parse_yes_no(text: str) -> bool | None:
    """是/否 for 是否化解; blank is unknown (None)."""
    folded = text.strip()
    if not folded:
        return None
    if folded in ("是", "已化解", "Y", "y"):
        return True
    if folded in ("否", "未化解", "N", "n"):
        return False
    raise CellError(f"是否化解应填“是”或“否”：{text}")


BATCH_MAX = 999  # a county issues a batch a week: a larger number is a typing error, not a batch
_BATCH = re.compile(r"(?:(\d{4})年)?第?(.+?)期?")
_BATCH_NUMBER = re.compile(r"[0-9]+(\.0+)?")


@dataclass(frozen=True)
class BatchLabel:
    """A 包案期次 as written: the year (None: the year of the row's 信访日期) and the batch number."""

    year: int | None
    number: int


def parse_batch(text: str) -> BatchLabel | None:
    """包案期次: `2026年第3期`, `第3期` or `3` (spaces anywhere and full-width digits allowed); blank is
    None. A number that is not a positive integer is an error."""
    folded = re.sub(r"\s+", "", fold_fullwidth(text))
    if not folded:
        return None
    match = _BATCH.fullmatch(folded)
    number = match.group(2) if match else ""
    if not _BATCH_NUMBER.fullmatch(number) or int(float(number)) < 1:
        raise CellError(f"包案期次应为正整数，写作“2026年第3期”“第3期”或“3”：{text}")
    if int(float(number)) > BATCH_MAX:
        raise CellError(f"包案期次过大（每年不超过{BATCH_MAX}期）：{text}")
    assert match is not None
    return BatchLabel(int(match.group(1)) if match.group(1) else None, int(float(number)))
