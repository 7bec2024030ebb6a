"""Petition statistics, counted exactly by the rules of docs/statistics.md.

An event counts when its date is in the period. 起 (matters) are the distinct matters with a counted
event; 批次 (events) the counted events; 人次 (persons) the sum of their persons. A breakdown counts per
event, so a matter appears once under each level (channel, …) at which it had a counted event.
Collective: an event of 5 or more persons. Repeat: an event that is not its matter's earliest (ties by
registration order).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from xinfang.directory.models import Category, County, Unit
from xinfang.petitions.models import COLLECTIVE_PERSONS, Channel, Event, Level, Matter

FIGURES = ("matters", "events", "persons")


def _opens(field: str, date_from: dt.date) -> Q:
    """The event that opens its matter's count in the period (see the module docstring)."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": date_from})


def counted_events(
    *, county: County, date_from: dt.date, date_to: dt.date, matters: QuerySet[Matter] | None = None
) -> QuerySet[Event]:
    """The events a period counts: of the county, dated within it (inclusive), of the given matters."""
    events = Event.objects.filter(county=county, date__gte=date_from, date__lte=date_to)
    if matters is not None:
        events = events.filter(matter__in=matters.values("pk"))
    return events


def _breakdown(events: QuerySet[Event], key: str, opens: Q) -> dict[Any, dict[str, int]]:
    grouped = events.values(key).annotate(
        n_matters=Count("pk", filter=opens), n_events=Count("pk"), n_persons=Coalesce(Sum("persons"), 0)
    )
    rows = cast(list[dict[str, Any]], list(grouped.order_by()))
    return {row[key]: {name: int(row[f"n_{name}"]) for name in FIGURES} for row in rows if row["n_events"]}


def _named(counts: dict[Any, dict[str, int]], names: dict[Any, str]) -> dict[str, dict[str, int]]:
    """Keys replaced by names, in the order of `names`; empty entries are already left out."""
    return {name: counts[key] for key, name in names.items() if key in counts}


def event_statistics(
    *, county: County, date_from: dt.date, date_to: dt.date, matters: QuerySet[Matter] | None = None
) -> dict[str, Any]:
    """Every figure of the statistics page and of `xinfang stats`: five grouped index-only scans.

    Distinct matters are counted without COUNT(DISTINCT): each event records the date of its matter's
    previous event (overall, at its level, by its channel), so exactly one event per matter and group
    "opens" it in the period — the first one inside it.
    """
    events = counted_events(county=county, date_from=date_from, date_to=date_to, matters=matters)
    opens = _opens("prev_date", date_from)
    totals = events.aggregate(
        n_matters=Count("pk", filter=opens),
        n_events=Count("pk"),
        n_persons=Coalesce(Sum("persons"), 0),
        collective=Count("pk", filter=Q(persons__gte=COLLECTIVE_PERSONS)),
        repeat=Count("pk", filter=Q(is_repeat=True)),
    )
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
        "matters": int(totals["n_matters"]),
        "events": int(totals["n_events"]),
        "persons": int(totals["n_persons"]),
        "by_level": _named(
            _breakdown(events, "level", _opens("prev_level_date", date_from)), dict(Level.choices)
        ),
        "by_channel": _named(
            _breakdown(events, "channel", _opens("prev_channel_date", date_from)), dict(Channel.choices)
        ),
        "by_category": _named(_breakdown(events, "category_top_id", opens), categories),
        "by_township": _named(_breakdown(events, "township_id", opens), townships),
        "collective_events": int(totals["collective"]),
        "repeat_events": int(totals["repeat"]),
    }
