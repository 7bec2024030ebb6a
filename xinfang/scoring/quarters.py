"""Calendar quarters (the competition's periods, docs/competition.md "季度"). Calendar, not the statistical
months of XINFANG_MONTH_START_DAY: the city's assessment and the article's "比拼四季" run by calendar
quarters, and an event's date alone places it. (reception/duty.py has its own for the duty of going
down: two feature apps share no code; a third user would move it to lib/.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from xinfang.lib.schedule import Rule, quarter_last_day
from xinfang.lib.workdays import WorkCalendar


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> dt.date:
        return quarter_last_day(self.first)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def __str__(self) -> str:
        return self.code


def quarter_of(day: dt.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarter_parse(text: str) -> Quarter:
    """`2026Q1` → Quarter(2026, 1); ValueError in Chinese otherwise."""
    year, sep, number = text.strip().upper().partition("Q")
    if sep and year.isdecimal() and number in ("1", "2", "3", "4") and 2000 <= int(year) <= 2100:
        return Quarter(int(year), int(number))
    raise ValueError(f"季度应写作 YYYYQn，例如 2026Q1：{text}")


def year_quarters(year: int) -> list[Quarter]:
    return [Quarter(year, number) for number in range(1, 5)]


@dataclass(frozen=True)
class QuarterStartRule(Rule):
    """The first working day of each quarter (the day after one closes): the competition's draft day. A
    Rule of its own kind here, as lib/schedule.py's kinds are each used by their own feature."""

    kind: str = "quarter_first_workday"

    def days_between(self, start: dt.date, end: dt.date, calendar: WorkCalendar) -> Iterator[dt.date]:
        quarter = quarter_of(start)
        while quarter.first <= end:
            day = calendar.next_workday(quarter.first)
            if start <= day <= end:
                yield day
            quarter = quarter.next()

    def picks(self, day: dt.date) -> bool:  # only days_between is used with a calendar
        return False

    def describe(self) -> str:
        return "每季度第一个工作日"
