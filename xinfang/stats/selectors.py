"""Petition statistics, counted exactly by the rules of docs/statistics.md.

An event counts when its date is in the period. 起 (matters) are the distinct matters with a counted
event; 批次 (events) the counted events; 人次 (persons) the sum of their persons. A breakdown counts per
event, so a matter appears once under each level (channel, …) at which it had a counted event.
Collective: an event of 5 or more persons. Repeat: an event that is not its matter's earliest (ties by
registration order).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from xinfang.accounts.models import User
from xinfang.core.queries import regrouped
from xinfang.directory.models import Category, County, Unit
from xinfang.petitions.models import COLLECTIVE_PERSONS, OVER_LEVELS, Channel, Event, Level
from xinfang.petitions.selectors import events_visible

FIGURES = ("matters", "events", "persons")
# What the scan counts rows by: the event's date, never null and in the statistics index, so PostgreSQL
# answers from the index alone (the id is not in it; SQLite keeps the rowid in every index anyway).
ROW = "date"


def _opens(field: str, date_from: dt.date) -> Q:
    """The event that opens its matter's count in the period (see the module docstring)."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": date_from})


def counted_events(
    *, county: County, date_from: dt.date, date_to: dt.date, user: User | None = None
) -> QuerySet[Event]:
    """The events a period counts: of the county, dated within it (inclusive), of the matters the user
    may see when a user is given."""
    events = Event.objects.filter(county=county, date__gte=date_from, date__lte=date_to)
    return events_visible(user=user, events=events) if user is not None else events


def _named(counts: dict[Any, dict[str, int]], names: dict[Any, str]) -> dict[str, dict[str, int]]:
    """Keys replaced by names, in the order of `names`; empty entries are already left out."""
    return {name: counts[key] for key, name in names.items() if key in counts}


def event_statistics(
    *, county: County, date_from: dt.date, date_to: dt.date, user: User | None = None
) -> dict[str, Any]:
    """Every figure of the statistics page and of `xinfang stats`, from one index-only scan.

    Distinct matters are counted without COUNT(DISTINCT): each event records the date of its matter's
    previous event (overall, at its level, by its channel), so exactly one event per matter and group
    "opens" it in the period — the first one inside it. The scan groups by day and every breakdown key,
    in the statistics index's own order, so the database never sorts the period's events (a month of a
    million-matter county sorted took twice as long); an outer grouping merges the days in the database
    (`regrouped`: only the day-cells are sorted, and a few thousand rows come back), and the breakdowns
    are folded here.
    """
    events = counted_events(county=county, date_from=date_from, date_to=date_to, user=user)
    by_day = events.values_list("date", "level", "channel", "township_id", "category_top_id").annotate(
        opens=Count(ROW, filter=_opens("prev_date", date_from)),
        opens_level=Count(ROW, filter=_opens("prev_level_date", date_from)),
        opens_channel=Count(ROW, filter=_opens("prev_channel_date", date_from)),
        n_events=Count(ROW),
        n_persons=Coalesce(Sum("persons"), 0),
        collective=Count(ROW, filter=Q(persons__gte=COLLECTIVE_PERSONS)),
        repeat=Count(ROW, filter=Q(is_repeat=True)),
    )
    # The days folded in the database: some thousand cells come back rather than a cell a day.
    grouping = ("level", "channel", "township_id", "category_top_id")
    cells = {
        # (level, channel, township, category) → CELL_FIGURES
        tuple(row[:4]): [int(value or 0) for value in row[4:]]
        for row in regrouped(by_day.order_by(), grouping, CELL_FIGURES)
    }
    totals = dict.fromkeys(("opens", "n_events", "n_persons", "collective", "repeat"), 0)
    breakdowns: dict[str, dict[Any, dict[str, int]]] = {key: {} for key in BREAKDOWN_KEYS}
    for (level, channel, township, category), sums in cells.items():
        cell = dict(zip(CELL_FIGURES, sums, strict=True))
        keys = {"level": level, "channel": channel, "township_id": township, "category_top_id": category}
        for name in totals:
            totals[name] += cell[name]
        for key, (column, opens) in BREAKDOWN_KEYS.items():
            entry = breakdowns[key].setdefault(keys[column], dict.fromkeys(FIGURES, 0))
            entry["matters"] += cell[opens]
            entry["events"] += cell["n_events"]
            entry["persons"] += cell["n_persons"]
    categories = dict(
        Category.objects.filter(county=county, parent__isnull=True).order_by("code").values_list("pk", "name")
    )
    townships = dict(
        Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP)
        .order_by("order", "pk")
        .values_list("pk", "name")
    )
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "county": county.code,
        "matters": totals["opens"],
        "events": totals["n_events"],
        "persons": totals["n_persons"],
        "by_level": _named(breakdowns["by_level"], dict(Level.choices)),
        "by_channel": _named(breakdowns["by_channel"], dict(Channel.choices)),
        "by_category": _named(breakdowns["by_category"], categories),
        "by_township": _named(breakdowns["by_township"], townships),
        "collective_events": totals["collective"],
        "repeat_events": totals["repeat"],
    }


# What a cell of the scan counts, in the order of its annotations.
CELL_FIGURES = ("opens", "opens_level", "opens_channel", "n_events", "n_persons", "collective", "repeat")
# breakdown -> (the event column it groups by, which opening count gives its distinct matters)
BREAKDOWN_KEYS = {
    "by_level": ("level", "opens_level"),
    "by_channel": ("channel", "opens_channel"),
    "by_category": ("category_top_id", "opens"),
    "by_township": ("township_id", "opens"),
}


def events_for_user(
    *,
    user: User,
    date_from: dt.date,
    date_to: dt.date,
    level: str = "",
    channel: str = "",
    category_top_id: int | None = None,
    township_id: int | None = None,
    collective: bool = False,
    repeat: bool = False,
    over_level: bool = False,
) -> QuerySet[Event]:
    """The events behind a statistics figure, within the user's scope, newest first."""
    if user.county is None:
        return Event.objects.none()
    events = counted_events(county=user.county, date_from=date_from, date_to=date_to, user=user)
    if level:
        events = events.filter(level=level)
    if channel:
        events = events.filter(channel=channel)
    if category_top_id:
        events = events.filter(category_top_id=category_top_id)
    if township_id:
        events = events.filter(township_id=township_id)
    if collective:
        events = events.filter(persons__gte=COLLECTIVE_PERSONS)
    if repeat:
        events = events.filter(is_repeat=True)
    if over_level:  # 越级: 到市, 赴省 and 进京 (the dashboard's figure)
        events = events.filter(level__in=OVER_LEVELS)
    return events.order_by("-date", "-id")


@dataclass(frozen=True)
class FigureRow:
    label: str
    matters: int
    events: int
    persons: int
    link: str  # the query string of the events behind the row
    bar: int  # the bar's length, 0–100, proportional to the events


def statistics_tables(
    county: County, figures: dict[str, Any], date_from: dt.date, date_to: dt.date
) -> list[tuple[str, list[FigureRow]]]:
    """The four breakdowns as titled tables whose rows link to their events (two small queries)."""
    period = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    params: dict[str, tuple[str, str, dict[str, Any]]] = {
        "by_level": ("访别", "level", {label: value for value, label in Level.choices}),
        "by_channel": ("信访形式", "channel", {label: value for value, label in Channel.choices}),
        "by_category": ("问题类别", "category", dict(
            Category.objects.filter(county=county, parent__isnull=True).values_list("name", "pk"))),
        "by_township": ("乡镇", "township", dict(
            Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP).values_list("name", "pk"))),
    }  # fmt: skip
    tables: list[tuple[str, list[FigureRow]]] = []
    for key, (title, name, values) in params.items():
        rows = figures[key]
        most = max((row["events"] for row in rows.values()), default=0) or 1
        tables.append((title, [
            FigureRow(label, row["matters"], row["events"], row["persons"],
                      urlencode({**period, name: values[label]}), round(100 * row["events"] / most))
            for label, row in rows.items()
        ]))  # fmt: skip
    return tables
