"""Official working days: the `chinese-calendar` library plus the bureau's own override table.

A year is known when the library covers it or the bureau has closed it (declared its arrangement fully
entered). Asking about an unknown year raises `UnknownYear` with a Chinese message that names the
commands fixing it: the State Council publishes next year's holidays late in the year, after which the
library or the override table must catch up; the software must never guess. No ORM here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import cache

import chinese_calendar


class UnknownYear(Exception):
    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的节假日安排尚未录入，无法计算工作日。请用 xinfang calendar set / "
            f"xinfang calendar import 录入{year}年的放假和调休安排，再用 "
            f"xinfang calendar close-year {year} 确认该年已录入完整"
            f"（可用 xinfang calendar show {year} 核对）。"
        )


@cache
def library_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Working-day questions answered from overrides first, then the library or a closed year."""

    def __init__(
        self, overrides: Mapping[dt.date, bool] | None = None, closed_years: frozenset[int] = frozenset()
    ):
        self.overrides = dict(overrides or {})
        self.closed_years = closed_years

    def knows(self, year: int) -> bool:
        return year in self.closed_years or library_covers(year)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if library_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        if day.year in self.closed_years:
            # A closed year's holidays and make-up working days are all in the overrides.
            return day.weekday() < 5
        raise UnknownYear(day.year)

    def check_range(self, start: dt.date, end: dt.date) -> None:
        """Raise UnknownYear for the first year between start and end that is not known."""
        for year in range(start.year, end.year + 1):
            if not self.knows(year):
                raise UnknownYear(year)

    def workdays(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        """Working days from start to end, both inclusive."""
        day = start
        while day <= end:
            if self.is_workday(day):
                yield day
            day += dt.timedelta(days=1)

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (start itself not counted); count ≥ 1."""
        if count < 1:
            raise ValueError("count must be at least 1")
        day, seen = start, 0
        while seen < count:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                seen += 1
        return day

    def next_workday(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the next one."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day
