"""What feature apps add to a matter's page without petitions importing them: a card of their own and
lines in the matter's timeline (办理记录). Each app registers a provider in its AppConfig.ready(); the
matter page asks every provider, in the order registered.

A provider takes the user and the matter (already through the permission gate) and returns MatterExtras;
it reads only what that user may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TimelineLine:
    at: dt.datetime | dt.date
    what: str  # 见面约谈, 包案（2026年第3期）…
    by: str = ""
    note: str = ""
    url: str = ""


@dataclass(frozen=True)
class MatterCard:
    template: str  # rendered with `context` and the page's own context
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MatterExtras:
    cards: tuple[MatterCard, ...] = ()
    timeline: tuple[TimelineLine, ...] = ()


Provider = Callable[[Any, Any], MatterExtras]
_providers: dict[str, Provider] = {}


def matter_extras_register(name: str, provider: Provider) -> None:
    """Register (or replace, by name) a provider of cards and timeline lines on the matter page."""
    _providers[name] = provider


def matter_extras(user: Any, matter: Any) -> MatterExtras:
    """Every provider's cards and timeline lines for this user and matter."""
    cards: list[MatterCard] = []
    timeline: list[TimelineLine] = []
    for provider in _providers.values():
        extras = provider(user, matter)
        cards.extend(extras.cards)
        timeline.extend(extras.timeline)
    return MatterExtras(tuple(cards), tuple(timeline))
