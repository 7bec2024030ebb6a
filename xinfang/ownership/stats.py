"""包案化解率 (resolved owned matters / owned matters) of a period, for the county and per leader: the
batches issued in the period and the matters in them (docs/ownership.md, "Statistics").

- A batch counts when it was issued within [from, to] (an imported one by its 印发日期, the latest
  信访日期 of its ledger rows); drafts never count.
- Its matters count once each however many of the period's batches hold them.
- **Resolved** (化解): `stats.kpi.is_resolved`, the one definition the KPIs use too — the matter is 已化解,
  or has a 化解日期 (it was resolved, then a review was asked). An imported ledger's rows with 是否化解 = 是
  are exactly these (是 with any other 办理状态 is refused, and 已化解 is what 是 imports as). A matter 办结
  or 终结 without 化解 is finished but not resolved.
- **Open**: neither resolved nor finished otherwise (不予受理, 办结, 终结); **overdue**: open and past the
  deadline of its batch entry (the latest, when the leader's entries of the matter are several), today
  by the local date.
- Per leader (the entry's 包案领导): the leader's distinct matters in those batches; a matter handed to
  two leaders in two batches counts for each, and once for the county.

The figures are of the matters as they are now: a period chooses the batches, not the day of 化解.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from xinfang.directory.models import County
from xinfang.ownership.models import Batch, BatchEntry
from xinfang.petitions import todo
from xinfang.stats.kpi import is_resolved


@dataclass(frozen=True)
class LeaderFigures:
    leader_id: int
    leader: str
    matters: int
    resolved: int
    open: int
    overdue: int

    @property
    def resolved_rate(self) -> float:
        return _rate(self.resolved, self.matters)

    def as_dict(self) -> dict[str, Any]:
        return {
            "leader": self.leader,
            "matters": self.matters,
            "resolved": self.resolved,
            "open": self.open,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class OwnershipStats:
    date_from: dt.date
    date_to: dt.date
    batches: int
    matters: int
    resolved: int
    by_leader: tuple[LeaderFigures, ...]  # most matters first, then by name

    @property
    def resolved_rate(self) -> float:
        return _rate(self.resolved, self.matters)

    def as_dict(self) -> dict[str, Any]:
        """The figures as `xinfang ownership stats --format json` prints them."""
        return {
            "batches": self.batches,
            "matters": self.matters,
            "resolved": self.resolved,
            "resolved_rate": self.resolved_rate,
            "by_leader": [row.as_dict() for row in self.by_leader],
        }


def _rate(part: int, whole: int) -> float:
    """A fraction 0–1 to four places; 0.0 of nothing."""
    return round(part / whole, 4) if whole else 0.0


def ownership_stats(
    *, county: County, date_from: dt.date, date_to: dt.date, today: dt.date | None = None
) -> OwnershipStats:
    """The county's 包案 figures of the batches issued from `date_from` to `date_to` (both included), as
    the module says; `today` (the local date by default) decides what is overdue. Two queries."""
    today = today or timezone.localdate()
    issued = Batch.objects.filter(
        county=county, state=Batch.State.ISSUED, issued_on__gte=date_from, issued_on__lte=date_to
    )
    batches = issued.count()
    rows = BatchEntry.objects.filter(batch__in=issued).values_list(
        "matter_id", "leader_id", "leader__name", "deadline", "matter__status", "matter__resolved_on"
    )
    states: dict[int, tuple[bool, bool]] = {}  # matter -> (resolved, open)
    owned: dict[int, str] = {}  # leader -> name
    deadlines: dict[tuple[int, int], dt.date | None] = {}  # (leader, matter) -> its latest deadline
    for matter_id, leader_id, name, deadline, status, resolved_on in rows:
        resolved = is_resolved(status, resolved_on)
        states[matter_id] = (resolved, not resolved and status not in todo.FINISHED)
        if leader_id is None:  # a batch is issued with every owner chosen; kept safe all the same
            continue
        owned[leader_id] = name
        key = (leader_id, matter_id)
        latest = deadlines.get(key)
        deadlines[key] = max(filter(None, (latest, deadline)), default=None)
    figures: dict[int, list[int]] = {leader_id: [0, 0, 0, 0] for leader_id in owned}
    for (leader_id, matter_id), deadline in deadlines.items():
        resolved, is_open = states[matter_id]
        counts = figures[leader_id]
        counts[0] += 1
        counts[1] += resolved
        counts[2] += is_open
        counts[3] += is_open and deadline is not None and deadline < today
    by_leader = sorted(
        (LeaderFigures(leader_id, owned[leader_id], *counts) for leader_id, counts in figures.items()),
        key=lambda row: (-row.matters, row.leader, row.leader_id),
    )
    return OwnershipStats(
        date_from=date_from,
        date_to=date_to,
        batches=batches,
        matters=len(states),
        resolved=sum(resolved for resolved, _ in states.values()),
        by_leader=tuple(by_leader),
    )
