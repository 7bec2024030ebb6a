"""What apps above petitions keep in step with each write to a matter, without petitions importing them:
after its writes, a petitions service (or a bulk writer) calls `matters_changed(ids)` inside its
transaction, and every refresher registered (in an AppConfig.ready()) recomputes what it keeps for those
matters — stats' KPI roll-up (stats/kpi_facts.py) — in that same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable

Refresher = Callable[[list[int]], object]
_refreshers: dict[str, Refresher] = {}


def matters_changed_register(name: str, refresher: Refresher) -> None:
    """Register (or replace, by name) a refresher called with the ids of the matters written."""
    _refreshers[name] = refresher


def matters_changed(ids: Iterable[int]) -> None:
    """These matters were written (their rows, status records, assignments, ratings, ownerships)."""
    changed = sorted({pk for pk in ids if pk is not None})
    if changed:
        for refresher in _refreshers.values():
            refresher(changed)
