from __future__ import annotations

import datetime as dt

from xinfang.calendars.models import CalendarDay, ClosedYear
from xinfang.lib.workdays import WorkCalendar


def work_calendar() -> WorkCalendar:
    """The official calendar with the bureau's overrides and closed years (two small queries)."""
    overrides = dict(CalendarDay.objects.values_list("day", "is_workday"))
    closed = frozenset(ClosedYear.objects.values_list("year", flat=True))
    return WorkCalendar(overrides, closed)


def calendar_year_days(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(day__year=year).order_by("day"))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
