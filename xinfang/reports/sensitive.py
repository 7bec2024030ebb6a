"""Sensitive periods ahead (敏感节点, the monthly analysis's 舆情预判): a configurable calendar of the periods
in which petitions are known to rise — the Spring Festival wage season, 全国两会, 国庆, the year's end.

XINFANG_SENSITIVE_PERIODS holds them as `名称=起..止` separated by `;`, each end a calendar day `MM-DD` or
a day relative to the lunar new year's day (正月初一), `春节-40` or `春节+15`. A period whose end comes
before its start runs into the next year (`12-20..01-10`).

The lunar new year's day comes from a table (`SPRING_FESTIVAL`): `chinese_calendar` knows the statutory
holidays only up to the year it was released and not 正月初一 itself. A Spring-Festival period of a year
beyond the table is left out (and named by `sensitive_periods_parse` when the table runs out soon).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DEFAULT_PERIODS = (
    "春节前后欠薪高发期=春节-40..春节+15;全国两会=03-01..03-15;国庆=10-01..10-07;年底=12-01..12-31"
)

# 正月初一, Gregorian.
SPRING_FESTIVAL: dict[int, dt.date] = {
    year: dt.date(year, month, day)
    for year, month, day in (
        (2015, 2, 19), (2016, 2, 8), (2017, 1, 28), (2018, 2, 16), (2019, 2, 5), (2020, 1, 25),
        (2021, 2, 12), (2022, 2, 1), (2023, 1, 22), (2024, 2, 10), (2025, 1, 29), (2026, 2, 17),
        (2027, 2, 6), (2028, 1, 26), (2029, 2, 13), (2030, 2, 3), (2031, 1, 23), (2032, 2, 11),
        (2033, 1, 31), (2034, 2, 19), (2035, 2, 8), (2036, 1, 28), (2037, 2, 15), (2038, 2, 4),
        (2039, 1, 24), (2040, 2, 12),
    )
}  # fmt: skip

_FIXED = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_SPRING = re.compile(r"^春节\s*(?:([+-])\s*(\d{1,3}))?$")


@dataclass(frozen=True)
class Anchor:
    """A period's end: a calendar day (`month`, `day`) or `offset` days from 正月初一 (`spring`)."""

    spring: bool
    month: int = 0
    day: int = 0
    offset: int = 0

    def on(self, year: int) -> dt.date | None:
        """The day in `year`'s occurrence (the lunar year starting in `year` for a 春节 anchor)."""
        if self.spring:
            festival = SPRING_FESTIVAL.get(year)
            return festival + dt.timedelta(days=self.offset) if festival else None
        return dt.date(year, self.month, self.day)


@dataclass(frozen=True)
class SensitivePeriod:
    name: str
    start: Anchor
    end: Anchor

    def occurrences(self, years: range) -> list[tuple[dt.date, dt.date]]:
        found = []
        for year in years:
            first, last = self.start.on(year), self.end.on(year)
            if first is None or last is None:
                continue
            if last < first and not (self.start.spring or self.end.spring):
                last = self.end.on(year + 1) or last  # runs into the next year
            found.append((first, last))
        return found


def _anchor(text: str) -> Anchor:
    text = text.strip()
    if found := _SPRING.match(text):
        offset = int(found[2] or 0) * (-1 if found[1] == "-" else 1)
        return Anchor(spring=True, offset=offset)
    if found := _FIXED.match(text):
        month, day = int(found[1]), int(found[2])
        try:
            dt.date(2024, month, day)  # a leap year: 02-29 is a day
        except ValueError:
            raise ValueError(f"日期无效：{text}") from None
        return Anchor(spring=False, month=month, day=day)
    raise ValueError(f"日期应写作 MM-DD 或 春节-N / 春节+N：{text}")


def sensitive_periods_parse(text: str) -> list[SensitivePeriod]:
    """The periods of XINFANG_SENSITIVE_PERIODS; ValueError in Chinese naming the bad entry."""
    periods = []
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        name, sep, span = entry.partition("=")
        start, dots, end = span.partition("..")
        if not sep or not dots or not name.strip():
            raise ValueError(f"应写作 名称=起..止（如 国庆=10-01..10-07）：{entry}")
        if len(name.strip()) > 30:
            raise ValueError(f"名称过长（不超过30字）：{name.strip()}")
        periods.append(SensitivePeriod(name.strip(), _anchor(start), _anchor(end)))
    return periods


def sensitive_periods_between(
    periods: list[SensitivePeriod], first: dt.date, last: dt.date
) -> list[dict[str, str]]:
    """The occurrences overlapping [first, last], in date order: {"name", "from", "to"}."""
    found = []
    for period in periods:
        for start, end in period.occurrences(range(first.year - 1, last.year + 2)):
            if start <= last and end >= first:
                found.append((start, end, period.name))
    found.sort()
    return [{"name": name, "from": start.isoformat(), "to": end.isoformat()} for start, end, name in found]
