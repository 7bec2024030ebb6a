"""A county's monthly event counts as the forecast and 同比 read them (lib.forecast): the registry's counts by
the rules of docs/statistics.md, the imported history (stats.models.MonthlyHistory) for the months before
the registry's records, None for months nobody knows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, Sum

from xinfang.directory.models import County
from xinfang.lib.periods import Month, month_of, months_between
from xinfang.petitions.models import Event
from xinfang.stats.models import MonthlyHistory
from xinfang.stats.selectors import ROW, counted_events


def monthly_events(
    *,
    county: County,
    first: Month,
    last: Month,
    start_day: int,
    level: str = "",
    category_id: int | None = None,
) -> list[int | None]:
    """Per statistical month from `first` to `last` (each `Month.range(start_day)`), the events (批次) of
    the county, of `level` and of the first-level category `category_id` when given:

    - a month in which the registry has any event of the county counts the registry's events (the counting
      rules: an event counts in the month of its date), even when none is of the level or category asked;
    - otherwise the imported history's total for the month when it has any (0 when none of its rows is of
      the level or category asked);
    - otherwise None when the month ends before the county's first event, else 0.

    At most three queries whatever the number of months: the events grouped by day (folded into months
    here), the history grouped by month, and, only when a month has neither, the county's first event date.
    """
    months = months_between(first, last)
    if not months:
        return []
    date_from, date_to = first.range(start_day)[0], last.range(start_day)[1]
    asked = Q()
    if level:
        asked &= Q(level=level)
    if category_id is not None:
        asked &= Q(category_top_id=category_id)
    by_day = (
        counted_events(county=county, date_from=date_from, date_to=date_to)
        .values_list("date")
        .annotate(total=Count(ROW), chosen=Count(ROW, filter=asked) if asked else Count(ROW))
        .order_by()
    )
    registry: dict[Month, int] = defaultdict(int)
    for day, _total, chosen in by_day:
        registry[month_of(day, start_day)] += chosen

    history_asked = Q()
    if level:
        history_asked &= Q(level=level)
    if category_id is not None:
        history_asked &= Q(category_id=category_id)
    history_rows = (
        MonthlyHistory.objects.filter(county=county, month__gte=str(first), month__lte=str(last))
        .values_list("month")
        .annotate(chosen=Sum("events", filter=history_asked) if history_asked else Sum("events"))
        .order_by()
    )
    history = {month: chosen or 0 for month, chosen in history_rows}

    counts: list[int | None] = []
    started: dt.date | None = None  # the county's first event, read when a month has neither source
    looked = False
    for month in months:
        if month in registry:
            counts.append(registry[month])
        elif str(month) in history:
            counts.append(history[str(month)])
        else:
            if not looked:
                events = Event.objects.filter(county=county).order_by("date")
                started = events.values_list("date", flat=True).first()
                looked = True
            counts.append(None if started is None or month.range(start_day)[1] < started else 0)
    return counts
