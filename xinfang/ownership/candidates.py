"""The week's candidates for a batch: the matters a county leader should own, each with why.

The rule is in the settings (docs/ownership.md): events of the week at an over-county level
(XINFANG_OWNERSHIP_OVER_LEVELS) or collective; repeat visits (a visit in the week that makes at least
XINFANG_OWNERSHIP_REPEAT_VISITS within XINFANG_OWNERSHIP_REPEAT_DAYS); matters whose handling deadline passed
in the week; a county leader's 批示 on the matter given in the week and not done; and the units' requests to
escalate (pending, whenever made). XINFANG_OWNERSHIP_REASONS switches each kind on or off. Matters finished,
owned already, or in another draft are never proposed.

Every reason is read by an index on the week's rows (events by county and date, deadlines by clock and
due date), so a county of a million matters drafts its week in well under a second (bench/ownership.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xinfang.core.queries import in_batches
from xinfang.directory.models import County
from xinfang.ownership.models import Batch, BatchEntry, Escalation
from xinfang.petitions import todo
from xinfang.petitions.models import Event, Level, Matter, Ownership
from xinfang.supervision.models import SupervisionItem

REASON_KINDS = ("over_level", "collective", "repeat", "overdue", "instruction", "escalation")
# The most serious first: a matter's reasons are listed in this order, and so are the candidates.
_LEVEL_RANK: dict[str, int] = {Level.BEIJING: 0, Level.PROVINCE: 1, Level.CITY: 2, Level.COUNTY: 3}


@dataclass(frozen=True)
class Candidate:
    matter_id: int
    reasons: tuple[str, ...]
    rank: tuple[int, int]  # (most serious reason kind, its level): candidates sort by it, then newest


def reasons_enabled() -> frozenset[str]:
    return frozenset(kind.strip() for kind in settings.XINFANG_OWNERSHIP_REASONS.split(",") if kind.strip())


def over_levels() -> frozenset[str]:
    return frozenset(
        level.strip() for level in settings.XINFANG_OWNERSHIP_OVER_LEVELS.split(",") if level.strip()
    )


def week_candidates(*, county: County, week_from: dt.date, week_to: dt.date) -> list[Candidate]:
    """The candidates of the week [week_from, week_to], the most serious first (see the module)."""
    enabled = reasons_enabled()
    found: dict[int, list[tuple[int, int, str]]] = defaultdict(list)  # matter -> (kind rank, level, text)
    week = Event.objects.filter(county=county, date__gte=week_from, date__lte=week_to)
    # The week's matters that may be proposed, with their newest event's date, read through the week's
    # events (tens of thousands at a million matters: no list of ids); the week's reasons look at these only.
    eligible = dict(_eligible(county, Matter.objects.filter(pk__in=week.values("matter_id"))))
    levels: dict[str, str] = dict(Level.choices)
    over = over_levels()
    if "over_level" in enabled or "collective" in enabled:
        serious = Q(level__in=over) if "over_level" in enabled else Q(pk__in=[])
        if "collective" in enabled:
            serious |= Q(is_collective=True)
        rows = week.filter(serious).values_list("matter_id", "date", "level", "is_collective", "persons")
        for matter_id, day, level, collective, persons in rows.order_by("date", "pk"):
            if matter_id not in eligible:
                continue
            rank = _LEVEL_RANK.get(level, 3)
            if level in over and "over_level" in enabled:
                found[matter_id].append((0, rank, f"{day:%m月%d日}{levels[level]}访"))
            if collective and "collective" in enabled:
                found[matter_id].append((1, rank, f"{day:%m月%d日}集体访{persons}人"))
    if "repeat" in enabled:
        visits, days = settings.XINFANG_OWNERSHIP_REPEAT_VISITS, settings.XINFANG_OWNERSHIP_REPEAT_DAYS
        since = week_to - dt.timedelta(days=days - 1)

        def repeated(ids: Sequence[int]) -> Iterable[tuple[int, int]]:
            return (
                Event.objects.filter(county=county, date__gte=since, date__lte=week_to, matter_id__in=ids)
                .values("matter_id")
                .annotate(visits=Count("*"))  # not the id: PostgreSQL then reads event_stats_idx alone
                .filter(visits__gte=visits)
                .values_list("matter_id", "visits")
            )

        for matter_id, count in in_batches(eligible, repeated):
            found[matter_id].append((2, 3, f"{days}日内来访{count}次"))
    if "overdue" in enabled:
        due = Matter.objects.filter(county=county, due_date__gte=week_from, due_date__lte=week_to)
        late = todo.running(due).filter(due_date__lt=timezone.localdate())
        for matter_id, due_on in late.values_list("pk", "due_date"):
            found[matter_id].append((3, 3, f"办理期限{due_on:%m月%d日}已过"))
    if "instruction" in enabled:
        items = SupervisionItem.objects.filter(
            county=county, matter__isnull=False, instructed_at__gte=week_from, instructed_at__lte=week_to
        ).exclude(state=SupervisionItem.State.DONE)
        for matter_id, leader in items.values_list("matter_id", "instructed_by__name"):
            found[matter_id].append((4, 3, f"{leader or '县领导'}批示"))
    if "escalation" in enabled:
        pending = Escalation.objects.filter(matter__county=county, state=Escalation.State.PENDING)
        for matter_id, unit, reason in pending.values_list("matter_id", "unit__name", "reason"):
            found[matter_id].append((5, 3, f"{unit}提请：{reason}"))
    if not found:
        return []
    # The other reasons' matters (overdue, 批示, requests: a few) are checked by their ids.
    rest = [matter_id for matter_id in found if matter_id not in eligible]
    eligible |= dict(in_batches(rest, lambda ids: _eligible(county, Matter.objects.filter(pk__in=ids))))
    eligible = {matter_id: day for matter_id, day in eligible.items() if matter_id in found}
    candidates = [
        Candidate(matter_id, tuple(text for *_, text in sorted(found[matter_id])), min(found[matter_id])[:2])
        for matter_id in eligible
    ]
    return sorted(candidates, key=lambda c: (c.rank, -eligible[c.matter_id].toordinal(), c.matter_id))


def _eligible(county: County, matters: QuerySet[Matter]) -> Iterable[tuple[int, dt.date]]:
    """Of `matters`, those of the county not finished, not owned now and in no draft, with their newest
    event's date."""
    owned = Ownership.objects.filter(matter=OuterRef("pk"), is_current=True)
    drafted = BatchEntry.objects.filter(matter=OuterRef("pk"), batch__state=Batch.State.DRAFT)
    return (
        matters.filter(county=county)
        .exclude(status__in=todo.FINISHED)
        .exclude(Exists(owned))
        .exclude(Exists(drafted))
        .values_list("pk", "last_event_date")
    )
