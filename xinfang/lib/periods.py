"""Statistical months (SPEC §4): calendar months by default; a county may count a business month from a
given day, e.g. the 21st to the 20th. No Django here: callers pass the start day
(settings.XINFANG_MONTH_START_DAY). And calendar quarters (the duty of going down, the competition).

A business month is named by the calendar month it ends in: with the 21st as start day, 2026-03 runs from
2026-02-21 to 2026-03-20, and 2026-03-25 belongs to 2026-04. With start day 1 it is the calendar month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
START_DAYS = range(1, 29)  # every month has the start day: 29–31 would not


@dataclass(frozen=True, order=True)
class Month:
    """A statistical month, named "YYYY-MM"."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"月份无效：{self.year}-{self.month}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """The month as a report names it: 2026年3月."""
        return f"{self.year}年{self.month}月"

    def shifted(self, months: int) -> Month:
        """The month `months` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def range(self, start_day: int = 1) -> tuple[dt.date, dt.date]:
        """The first and last day of the month, both included, counted from `start_day`."""
        _check(start_day)
        if start_day == 1:
            after = self.shifted(1)
            last = dt.date(after.year, after.month, 1) - dt.timedelta(days=1)
            return dt.date(self.year, self.month, 1), last
        before = self.shifted(-1)
        return dt.date(before.year, before.month, start_day), dt.date(self.year, self.month, start_day - 1)


def month_parse(text: str) -> Month:
    """ "2026-03" as a Month; ValueError with a Chinese message otherwise."""
    found = MONTH_RE.match(text.strip())
    if not found:
        raise ValueError(f"月份应写作 YYYY-MM，例如 2026-03：{text}")
    return Month(int(found[1]), int(found[2]))


def month_of(day: dt.date, start_day: int = 1) -> Month:
    """The statistical month holding `day`."""
    _check(start_day)
    month = Month(day.year, day.month)
    return month.shifted(1) if start_day > 1 and day.day >= start_day else month


def months_between(first: Month, last: Month) -> list[Month]:
    """The months from `first` to `last`, both included (empty when `last` is before `first`)."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [first.shifted(offset) for offset in range(max(count, 0))]


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, named "2026Q1"."""

    year: int
    number: int  # 1–4

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> dt.date:
        after = self.next().first
        return after - dt.timedelta(days=1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last

    def __str__(self) -> str:
        return self.code


def quarter_of(day: dt.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarter_parse(text: str) -> Quarter:
    """ "2026Q1" as a Quarter; ValueError with a Chinese message otherwise."""
    year, sep, number = text.strip().upper().partition("Q")
    if sep and year.isdecimal() and number in ("1", "2", "3", "4") and 2000 <= int(year) <= 2100:
        return Quarter(int(year), int(number))
    raise ValueError(f"季度应写作 YYYYQn，例如 2026Q1：{text}")


def year_quarters(year: int) -> list[Quarter]:
    return [Quarter(year, number) for number in range(1, 5)]


def _check(start_day: int) -> None:
    if start_day not in START_DAYS:
        raise ValueError(f"统计月起始日应为 1 到 28：{start_day}")
