"""The figures of the weekly analysis (每周访情分析, SPEC §5.2): a week's statistics and 环比 with the week
before, counted exactly as `xinfang stats` counts (stats/selectors.py, docs/statistics.md), and the week's
key matters (重点事项). Reads only; `weekly_services.py` drafts, approves and issues.

A week starts on XINFANG_WEEK_STARTS (Monday by default) and has seven days, whatever the holidays: the
Spring Festival week is a week like any other. Key matters are the matters with an over-level (到市, 赴省,
进京) or collective event in the week, or flagged 扬言 with an event in it, and the matters whose handling
deadline had passed by the end of the week and still runs (超期) — the most serious first, at most
XINFANG_WEEKLY_KEY_MATTERS of them (`key_matters_total` says how many there were). Petitioners are named
masked (张*等3人) and never by ID number or phone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from xinfang.directory.models import County, Unit
from xinfang.lib.masking import masked_people
from xinfang.lib.schedule import week_start
from xinfang.petitions.models import (
    COLLECTIVE_PERSONS,
    LEVEL_RANK,
    OVER_LEVELS,
    Event,
    Level,
    Matter,
    Ownership,
    Petitioner,
)
from xinfang.petitions.todo import running
from xinfang.stats.selectors import FIGURES, event_statistics

BREAKDOWNS = ("by_level", "by_channel", "by_category", "by_township", "by_unit")
NO_UNIT = "未交办"  # events of matters without a responsible unit yet
LEVEL_LABELS = dict(Level.choices)
STATUS_LABELS = dict(Matter.Status.choices)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the week containing `day` (weeks start on XINFANG_WEEK_STARTS)."""
    start = week_start(day, settings.XINFANG_WEEK_STARTS - 1)
    return start, start + dt.timedelta(days=6)


def previous_week(day: dt.date) -> tuple[dt.date, dt.date]:
    """The last whole week before the week containing `day`: what the Monday job drafts."""
    return week_of(week_of(day)[0] - dt.timedelta(days=1))


def totals_of(figures: dict[str, Any]) -> dict[str, int]:
    return {name: figures[name] for name in FIGURES}


def figures_by_unit(*, county: County, date_from: dt.date, date_to: dt.date) -> dict[str, dict[str, int]]:
    """The period's figures by the matters' responsible unit (责任单位), townships and departments in the
    directory's order, then the events of matters not yet assigned."""
    rows = (
        Event.objects.filter(county=county, date__gte=date_from, date__lte=date_to)
        .values("matter__responsible_unit_id")
        .annotate(
            n_matters=Count("matter_id", distinct=True),
            n_events=Count("pk"),
            n_persons=Coalesce(Sum("persons"), 0),
        )
        .order_by()
        .values_list("matter__responsible_unit_id", "n_matters", "n_events", "n_persons")
    )
    counts: dict[int | None, dict[str, int]] = {
        unit_id: dict(zip(FIGURES, (int(matters), int(events), int(persons)), strict=True))
        for unit_id, matters, events, persons in rows
    }
    names = Unit.objects.filter(county=county, pk__in=[key for key in counts if key is not None])
    result = {
        name: counts[pk] for pk, name in names.order_by("kind", "order", "pk").values_list("pk", "name")
    }
    if None in counts:
        result[NO_UNIT] = counts[None]
    return result


def period_figures(*, county: County, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """`event_statistics` of the period plus its figures by responsible unit and its over-level events:
    what the weekly and the monthly analyses count a period by."""
    figures = event_statistics(county=county, date_from=date_from, date_to=date_to)
    figures["by_unit"] = figures_by_unit(county=county, date_from=date_from, date_to=date_to)
    figures["over_level_events"] = sum(
        row["events"] for level, row in figures["by_level"].items() if level != LEVEL_LABELS[Level.COUNTY]
    )
    return figures


def weekly_figures(*, county: County, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The weekly analysis's figures for the week from `date_from` to `date_to` (dates included), in the
    shape of `xinfang report weekly --format json`."""
    current = period_figures(county=county, date_from=date_from, date_to=date_to)
    days = (date_to - date_from).days + 1
    before_to = date_from - dt.timedelta(days=1)
    before_from = before_to - dt.timedelta(days=days - 1)
    before = period_figures(county=county, date_from=before_from, date_to=before_to)
    keys, total = key_matters(county=county, date_from=date_from, date_to=date_to)
    return {
        "county": county.code,
        "number": None,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "totals": totals_of(current),
        "previous": totals_of(before),
        "previous_from": before["from"],
        "previous_to": before["to"],
        **{key: current[key] for key in BREAKDOWNS},
        "previous_by": {key: before[key] for key in BREAKDOWNS},
        "collective_events": current["collective_events"],
        "repeat_events": current["repeat_events"],
        "over_level_events": current["over_level_events"],
        "previous_collective_events": before["collective_events"],
        "previous_repeat_events": before["repeat_events"],
        "previous_over_level_events": before["over_level_events"],
        "key_matters": keys,
        "key_matters_total": total,
    }


# Why a matter is a key matter, the most serious first; a matter is listed under its most serious reason.
REASONS = ("进京", "赴省", "到市", "集体访", "扬言", "超期")


def key_matters(
    *, county: County, date_from: dt.date, date_to: dt.date, limit: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The week's key matters, the most serious first (reason, then persons, then number), at most
    `limit` (XINFANG_WEEKLY_KEY_MATTERS), with how many there were in all."""
    limit = settings.XINFANG_WEEKLY_KEY_MATTERS if limit is None else limit
    reasons: dict[int, set[str]] = defaultdict(set)
    levels: dict[int, str] = {}
    persons: dict[int, int] = defaultdict(int)
    flagged = Event.objects.filter(county=county, date__gte=date_from, date__lte=date_to).filter(
        Q(level__in=[str(level) for level in OVER_LEVELS])
        | Q(persons__gte=COLLECTIVE_PERSONS)
        | Q(matter__is_threat=True)
    )
    rows = flagged.values_list("matter_id", "level", "persons", "matter__is_threat")
    for matter_id, level, count, threat in rows:
        if level != Level.COUNTY:
            reasons[matter_id].add(LEVEL_LABELS[level])
        if count >= COLLECTIVE_PERSONS:
            reasons[matter_id].add("集体访")
        if threat:
            reasons[matter_id].add("扬言")
        if LEVEL_RANK[Level(level)] >= LEVEL_RANK[Level(levels.get(matter_id, level))]:
            levels[matter_id] = level
        persons[matter_id] = max(persons[matter_id], count)
    late = running(Matter.objects.filter(county=county)).filter(due_date__lte=date_to)
    for matter_id in late.values_list("pk", flat=True):
        reasons[matter_id].add("超期")

    def severity(matter_id: int) -> tuple[int, int, int]:
        first = min(REASONS.index(reason) for reason in reasons[matter_id])
        return first, -persons[matter_id], matter_id

    chosen = sorted(reasons, key=severity)[:limit]
    return _key_rows(chosen, reasons, levels), len(reasons)


def _key_rows(ids: list[int], reasons: dict[int, set[str]], levels: dict[int, str]) -> list[dict[str, Any]]:
    named = Petitioner.objects.filter(matter_id=OuterRef("pk")).exclude(name="")
    first_name = named.order_by("order", "id").values("name")
    owner = Ownership.objects.filter(matter_id=OuterRef("pk"), is_current=True).values("leader__name")
    rows = (
        Matter.objects.filter(pk__in=ids)
        .annotate(owner_name=Subquery(owner[:1]), petitioner=Subquery(first_name[:1]))
        .values(
            "pk", "number", "status", "top_level", "person_count", "due_date", "owner_name", "petitioner",
            "origin_township__name", "responsible_unit__name", "category__name",
        )
    )  # fmt: skip
    by_id = {row["pk"]: row for row in rows}
    result = []
    for matter_id in ids:
        row = by_id[matter_id]
        level = levels.get(matter_id, row["top_level"])
        name = row["petitioner"]
        result.append({
            "number": row["number"],
            "level": LEVEL_LABELS[level],
            "owner": row["owner_name"] or "",
            "status": STATUS_LABELS[row["status"]],
            "reasons": [reason for reason in REASONS if reason in reasons[matter_id]],
            "township": row["origin_township__name"] or "",
            "unit": row["responsible_unit__name"] or "",
            "category": row["category__name"] or "",
            "petitioner": masked_people([name], row["person_count"]) if name else "匿名",
            "due_date": row["due_date"].isoformat() if row["due_date"] else None,
            "matter_id": matter_id,
        })  # fmt: skip
    return result


def change(current: int, previous: int) -> str:
    """环比 as the report writes it: "+12.5%", "-3.0%", "持平", or "—" when the week before had none."""
    if previous == 0:
        return "—" if current else "持平"
    if current == previous:
        return "持平"
    return f"{(current - previous) / previous * 100:+.1f}%"
