"""What a matter's events add up to, as pure functions (no queries): the facts each event records for
statistics (docs/statistics.md) and the event summary kept on the matter. The registry services, the
ledger import and the data generator all derive them here, so the three cannot drift apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from xinfang.lib.deadlines import Clock
from xinfang.petitions.models import COLLECTIVE_PERSONS, LEVEL_RANK, Level, Matter

Status = Matter.Status

# The statutory clock running while a matter is in an open status (for matters whose history was not
# lived through the workflow: imported or generated ones). Closed statuses run no clock.
OPEN_STATUS_CLOCKS: dict[str, Clock] = {
    Status.REGISTERED: Clock.DISPOSE,
    Status.TRANSFERRED: Clock.ACCEPT_NOTICE,
    Status.ACCEPTED: Clock.HANDLE,
    Status.IN_PROGRESS: Clock.HANDLE,
    Status.ANSWERED: Clock.REVIEW_REQUEST,
    Status.REVIEW: Clock.REVIEW_DECIDE,
    Status.RE_REVIEW: Clock.RE_REVIEW_DECIDE,
}


class EventLike(Protocol):
    @property
    def date(self) -> dt.date: ...
    @property
    def channel(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def persons(self) -> int: ...


@dataclass(frozen=True)
class EventFacts:
    is_repeat: bool  # not the earliest event of its matter
    prev_date: dt.date | None  # the matter's previous event: overall,
    prev_level_date: dt.date | None  # at the same level,
    prev_channel_date: dt.date | None  # by the same channel (None: there is none)

    def as_dict(self) -> dict[str, Any]:
        return {
            "is_repeat": self.is_repeat,
            "prev_date": self.prev_date,
            "prev_level_date": self.prev_level_date,
            "prev_channel_date": self.prev_channel_date,
        }


def event_facts(events: Iterable[EventLike]) -> list[EventFacts]:
    """The facts of each event of one matter; `events` in date order, ties in registration order."""
    last: dict[str, dt.date] = {}
    facts = []
    for event in events:
        level, channel = f"level:{event.level}", f"channel:{event.channel}"
        facts.append(EventFacts("any" in last, last.get("any"), last.get(level), last.get(channel)))
        last["any"] = last[level] = last[channel] = event.date
    return facts


def matter_summary(events: Sequence[EventLike]) -> dict[str, Any]:
    """The matter fields denormalised from its events (in date order), for lists and filters."""
    return {
        "first_event_date": events[0].date,
        "last_event_date": max(event.date for event in events),
        "event_count": len(events),
        "person_count": sum(event.persons for event in events),
        "channel": events[0].channel,
        "top_level": max((event.level for event in events), key=lambda level: LEVEL_RANK[Level(level)]),
        "is_collective": any(event.persons >= COLLECTIVE_PERSONS for event in events),
    }
