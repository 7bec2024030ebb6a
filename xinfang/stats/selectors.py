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

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from xinfang.directory.models import Category, County, Unit
from xinfang.petitions.models import COLLECTIVE_PERSONS, Channel, Event, Level, Matter

FIGURES = ("matters", "events", "persons")


def _figures() -> dict[str, Any]:
    # Aliases differ from the field names: an aggregate may not shadow the column it sums.
    return {
        "n_matters": Count("matter_id", distinct=True),
        "n_events": Count("pk"),
        "n_persons": Coalesce(Sum("persons"), 0),
    }


def counted_events(
    *, county: County, date_from: dt.date, date_to: dt.date, matters: QuerySet[Matter] | None = None
) -> QuerySet[Event]:
    """The events a period counts: of the county, dated within it (inclusive), of the given matters."""
    events = Event.objects.filter(county=county, date__gte=date_from, date__lte=date_to)
    if matters is not None:
        events = events.filter(matter__in=matters.values("pk"))
    return events


def _breakdown(events: QuerySet[Event], key: Any, order: list[str]) -> dict[str, dict[str, int]]:
    grouped = events.values(key=key).annotate(**_figures()).order_by()
    rows = cast(list[dict[str, Any]], list(grouped))
    found: dict[str, dict[str, int]] = {
        row["key"]: {name: int(row[f"n_{name}"]) for name in FIGURES} for row in rows if row["n_events"]
    }
    ordered = {name: found.pop(name) for name in order if name in found}
    return {**ordered, **dict(sorted(found.items()))}


def event_statistics(
    *, county: County, date_from: dt.date, date_to: dt.date, matters: QuerySet[Matter] | None = None
) -> dict[str, Any]:
    """Every figure of the statistics page and of `xinfang stats`, in six grouped queries."""
    events = counted_events(county=county, date_from=date_from, date_to=date_to, matters=matters)
    totals = events.aggregate(
        **_figures(),
        collective=Count("pk", filter=Q(persons__gte=COLLECTIVE_PERSONS)),
        repeat=Count("pk", filter=Q(is_repeat=True)),
    )
    level_names = dict(Level.choices)
    channel_names = dict(Channel.choices)
    by_level = _breakdown(events, F("level"), [str(value) for value in Level.values])
    by_channel = _breakdown(events, F("channel"), [str(value) for value in Channel.values])
    categories = list(
        Category.objects.filter(county=county, parent__isnull=True)
        .order_by("code")
        .values_list("name", flat=True)
    )
    townships = list(
        Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP)
        .order_by("order", "id")
        .values_list("name", flat=True)
    )
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "county": county.code,
        "matters": int(totals["n_matters"]),
        "events": int(totals["n_events"]),
        "persons": int(totals["n_persons"]),
        "by_level": {level_names[key]: value for key, value in by_level.items()},
        "by_channel": {channel_names[key]: value for key, value in by_channel.items()},
        "by_category": _breakdown(
            events, Coalesce("matter__category__parent__name", "matter__category__name"), categories
        ),
        "by_township": _breakdown(events, F("matter__origin_township__name"), townships),
        "collective_events": int(totals["collective"]),
        "repeat_events": int(totals["repeat"]),
    }
