"""The figures of the 10-day progress summary (督办办理情况汇总, SPEC §5.2): compiled on the 1st, 11th and
21st of each month and sent to the main leaders. This module gives the figures only; the document, its
archive and its job are built on them elsewhere."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from xinfang.directory.models import County
from xinfang.supervision.models import OVERDUE, SupervisionItem, SupervisionProgress, state_label

DEFAULT_SUMMARY_DAYS = (1, 11, 21)


def parse_summary_days(text: str) -> tuple[int, ...]:
    """ "1,11,21" → (1, 11, 21); a clear error for anything but days of the month."""
    try:
        days = tuple(sorted({int(part) for part in text.replace("，", ",").split(",") if part.strip()}))
    except ValueError:
        raise ValueError(f"应写作以逗号分隔的日期，例如 1,11,21：{text!r}") from None
    if not days or not all(1 <= day <= 31 for day in days):
        raise ValueError(f"应为 1 到 31 之间的日期，例如 1,11,21：{text!r}")
    return days


def summary_days() -> tuple[int, ...]:
    """The days of the month the summary is compiled on (XINFANG_PROGRESS_SUMMARY_DAYS); a value the
    system checks refuse (xinfang.E011) falls back to the 1st, 11th and 21st."""
    try:
        return parse_summary_days(settings.XINFANG_PROGRESS_SUMMARY_DAYS)
    except ValueError:
        return DEFAULT_SUMMARY_DAYS


def summary_previous(day: dt.date) -> dt.date:
    """The summary date (by default the 1st, 11th or 21st) strictly before `day`; a day the month does not
    have (the 31st in April) falls on its last, as the job's rule does."""
    days = summary_days()
    for back in range(0, 62):
        candidate = day - dt.timedelta(days=back + 1)
        last = calendar.monthrange(candidate.year, candidate.month)[1]
        if candidate.day in days or (candidate.day == last and any(wanted > last for wanted in days)):
            return candidate
    raise ValueError("no summary day in two months")


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the county's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def progress_summary(*, county: County, day: dt.date) -> dict[str, Any]:
    """The summary as of the end of `day`, as plain JSON-ready values:

    `{"date", "open", "done", "overdue", "items": [{"instruction", "leader", "units", "deadline", "state",
    "latest_progress", "source_title", "matter_number", "id"}]}`.

    Definitions (each item counted as it stood at the end of `day`, so a summary compiled late says the
    same as one compiled on time):
    - the items are every item created by then and **open** (not accepted as done by then), and every
      item **recently closed**: accepted as done after the previous summary date (the 1st, 11th or 21st
      before `day`) and by `day` — so each closed item is in exactly one summary;
    - `open` counts the open items, overdue ones included; `overdue` those of them whose deadline
      passed before `day` (超期); `done` the recently closed ones;
    - `state` is 已办结, 超期, 办理中 (a progress report by then) or 待办;
    - `latest_progress` is the text of the newest progress report made by then ("" when none).

    Petitioners are never named here: an item names its matter by registration number only; the
    instruction and the reports are the leaders' and units' own words. Three queries, whatever the
    number of items."""
    end = _end_of(day)
    since = _end_of(summary_previous(day))  # closed on the previous summary date: in that summary
    reports = SupervisionProgress.objects.filter(item_id=OuterRef("pk"), created_at__lt=end).order_by(
        "-created_at", "-id"
    )
    items = list(
        SupervisionItem.objects.filter(county=county, created_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end) | Q(closed_at__gte=since))
        .annotate(latest=Subquery(reports.values("text")[:1]))
        .select_related("leader", "matter")
        .prefetch_related("units")
        .order_by("deadline", "id")
    )
    rows, counts = [], {"open": 0, "done": 0, "overdue": 0}
    for item in items:
        done = item.closed_at is not None and item.closed_at < end
        if done:
            state, counts["done"] = SupervisionItem.State.DONE.value, counts["done"] + 1
        else:
            counts["open"] += 1
            if item.deadline < day:
                state, counts["overdue"] = OVERDUE, counts["overdue"] + 1
            elif item.latest is not None:
                state = SupervisionItem.State.IN_PROGRESS.value
            else:
                state = SupervisionItem.State.TODO.value
        rows.append({
            "instruction": item.instruction,
            "leader": item.leader.name,
            "units": [unit.name for unit in item.units.all()],
            "deadline": item.deadline.isoformat(),
            "state": state_label(state),
            "latest_progress": item.latest or "",
            "source_title": item.source_title,
            "matter_number": item.matter.number if item.matter else "",
            "id": item.pk,
        })  # fmt: skip
    return {"date": day.isoformat(), **counts, "items": rows}
