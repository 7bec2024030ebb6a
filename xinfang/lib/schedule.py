"""Schedule rules of the scheduled jobs, evaluated on the county's working calendar. No ORM here.

A rule yields the days a job runs; with its time of day that gives the planned runs. The worker keys
each run by (job, county, period), so a run is never done twice (issue 6)."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from xinfang.lib.workdays import WorkCalendar

WEEKDAYS = "一二三四五六日"
ORDINALS = "一二三四五"


@dataclass(frozen=True)
class Rule:
    """One of: every working day; every day; a weekday every week; given days of every month; the n-th given
    weekday of every month; the first working day of every week (a week starting on `weekday`); a number of
    days (`nth`) before each quarter's last day."""

    # "workdays", "days", "weekday", "monthdays", "nth_weekday", "week_first_workday", "quarter_end",
    # "month_workday" (the `nth` working day from day `days[0]` of every month, that day counted),
    # "quarter_first_workday" (the first working day of each quarter: the day after one closes, or later)
    kind: str
    weekday: int = 0  # Monday is 0
    days: tuple[int, ...] = ()
    nth: int = 1

    def days_between(self, start: dt.date, end: dt.date, calendar: WorkCalendar) -> Iterator[dt.date]:
        """The days from start to end (both included) the rule picks; raises UnknownYear for a working-day
        rule reaching a year the calendar does not know."""
        if self.kind == "workdays":
            yield from calendar.workdays(start, end)
            return
        if self.kind == "week_first_workday":
            # A week without a working day (the Spring Festival's) has no run; the job catches up.
            taken: set[dt.date] = set()
            for day in calendar.workdays(week_start(start, self.weekday), end):
                week = week_start(day, self.weekday)
                if week not in taken:
                    taken.add(week)
                    if day >= start:
                        yield day
            return
        if self.kind == "month_workday":
            yield from self._month_workdays(start, end, calendar)
            return
        if self.kind == "quarter_first_workday":
            first = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
            while first <= end:
                day = calendar.next_workday(first)
                if start <= day <= end:
                    yield day
                first = quarter_last_day(first) + dt.timedelta(days=1)
            return
        day = start
        while day <= end:
            if self.picks(day):
                yield day
            day += dt.timedelta(days=1)

    def _month_workdays(self, start: dt.date, end: dt.date, calendar: WorkCalendar) -> Iterator[dt.date]:
        anchor_day = self.days[0] if self.days else 1
        year, month = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
        while (anchor := dt.date(year, month, anchor_day)) <= end:
            day, seen = anchor, 0
            while True:  # a month always has working days: the walk ends within weeks
                if calendar.is_workday(day):
                    seen += 1
                    if seen == self.nth:
                        break
                day += dt.timedelta(days=1)
            if start <= day <= end:
                yield day
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)

    def picks(self, day: dt.date) -> bool:
        if self.kind == "days":
            return True
        if self.kind == "weekday":
            return day.weekday() == self.weekday
        if self.kind == "monthdays":
            last = month_calendar.monthrange(day.year, day.month)[1]
            return day.day in self.days or (day.day == last and any(wanted > last for wanted in self.days))
        if self.kind == "nth_weekday":
            return day.weekday() == self.weekday and (day.day - 1) // 7 + 1 == self.nth
        if self.kind == "quarter_end":
            return day == quarter_last_day(day) - dt.timedelta(days=self.nth)
        raise ValueError(f"unknown rule kind {self.kind!r}")

    def describe(self) -> str:
        if self.kind == "workdays":
            return "每个工作日"
        if self.kind == "days":
            return "每天"
        if self.kind == "week_first_workday":
            start = "" if self.weekday == 0 else f"（自星期{WEEKDAYS[self.weekday]}起）"
            return f"每周{start}第一个工作日"
        if self.kind == "weekday":
            return f"每周{WEEKDAYS[self.weekday]}"
        if self.kind == "monthdays":
            return "每月" + "、".join(f"{day}日" for day in self.days)
        if self.kind == "quarter_end":
            return f"每季度最后一天前{self.nth}天"
        if self.kind == "quarter_first_workday":
            return "每季度第一个工作日"
        if self.kind == "month_workday":
            anchor = self.days[0] if self.days else 1
            return f"每月{'' if anchor == 1 else f'{anchor}日起'}第{self.nth}个工作日"
        return f"每月第{ORDINALS[self.nth - 1]}个星期{WEEKDAYS[self.weekday]}"


def every_working_day() -> Rule:
    return Rule("workdays")


def every_day() -> Rule:
    return Rule("days")


def every_week_on(weekday: int) -> Rule:
    return Rule("weekday", weekday=weekday)


def first_working_day_of_week(week_starts: int = 0) -> Rule:
    """The first working day of each week, a week starting on `week_starts` (Monday is 0)."""
    return Rule("week_first_workday", weekday=week_starts)


def week_start(day: dt.date, weekday: int = 0) -> dt.date:
    """The first day of the week containing `day`, a week starting on `weekday` (Monday is 0)."""
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def monthly_on(*days: int) -> Rule:
    """The given days of each month; a day the month does not have (the 31st in April) falls on its last."""
    return Rule("monthdays", days=tuple(sorted(days)))


def nth_working_day_from(day: int, nth: int = 1) -> Rule:
    """The `nth` working day of each month counted from its day `day` (1–28), that day included: with
    `day` the first day after a statistical month closes, the `nth` working day after the close."""
    return Rule("month_workday", days=(day,), nth=nth)


def quarter_first_working_day() -> Rule:
    """The first working day of each quarter (the day after a quarter closes, or the next working day)."""
    return Rule("quarter_first_workday")


def nth_weekday(nth: int, weekday: int) -> Rule:
    return Rule("nth_weekday", weekday=weekday, nth=nth)


def days_before_quarter_end(days: int) -> Rule:
    """The day `days` days before each quarter's last day (17 December for 14 days)."""
    return Rule("quarter_end", nth=days)


def quarter_last_day(day: dt.date) -> dt.date:
    """The last day of the quarter holding `day`."""
    month = (day.month - 1) // 3 * 3 + 3
    return dt.date(day.year, month, month_calendar.monthrange(day.year, month)[1])


def parse_time(text: str) -> dt.time:
    """`17:30` → 17:30; a clear error for anything else (settings are read at start-up)."""
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
        return dt.time(hours, minutes)
    except ValueError:
        raise ValueError(f"时间应写作 时:分，例如 17:30：{text!r}") from None


def runs_between(
    rule: Rule, at: dt.time, start: dt.date, end: dt.date, calendar: WorkCalendar, zone: ZoneInfo
) -> list[dt.datetime]:
    """The planned runs of a rule from start to end (dates included), as aware datetimes."""
    return [dt.datetime.combine(day, at, tzinfo=zone) for day in rule.days_between(start, end, calendar)]
