"""The suggested owner of a matter (分级负责、属地管理，谁主管、谁负责): the county leader whose portfolio
covers the matter's category or responsible department, else a liaison leader of its township; among
several, the one with the fewest open owned matters. Never a leader the matter reports, never one
unavailable or out of office. Plain data in, plain data out: the rules are tested as properties
(tests/ownership)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass


@dataclass(frozen=True)
class LeaderFacts:
    id: int
    name: str
    order: int  # protocol order: the tie-break after the load
    categories: frozenset[int]  # portfolio categories (a first-level one covers its children)
    departments: frozenset[int]  # portfolio departments
    townships: frozenset[int]  # liaison townships


@dataclass(frozen=True)
class MatterFacts:
    category_id: int
    category_parent_id: int | None
    category_name: str
    unit_id: int | None  # responsible unit
    unit_name: str
    township_id: int
    township_name: str
    reported_leaders: frozenset[int]  # leaders whose account the matter reports (Art. 46)


@dataclass(frozen=True)
class Suggestion:
    leader_id: int | None
    reason: str


def suggest_owner(
    matter: MatterFacts,
    leaders: Iterable[LeaderFacts],
    *,
    unavailable: frozenset[int],
    load: MutableMapping[int, int],
    count: bool = True,
) -> Suggestion:
    """The suggestion for one matter. `leaders` are the county's leaders in office; `load` their open owned
    matters, raised by one for the leader suggested when `count` (so a batch spreads over the pool)."""
    eligible = [
        leader
        for leader in leaders
        if leader.id not in unavailable and leader.id not in matter.reported_leaders
    ]
    categories = {matter.category_id, matter.category_parent_id} - {None}
    domain = [leader for leader in eligible if leader.categories & categories]
    departments = (
        [leader for leader in eligible if matter.unit_id in leader.departments] if matter.unit_id else []
    )
    liaison = [leader for leader in eligible if matter.township_id in leader.townships]
    for pool, basis in (
        (_union(domain, departments), _portfolio_basis(matter, domain, departments)),
        (liaison, f"联系乡镇“{matter.township_name}”（属地管理）"),
    ):
        if pool:
            chosen = min(pool, key=lambda leader: (load.get(leader.id, 0), leader.order, leader.id))
            current = load.get(chosen.id, 0)
            if count:
                load[chosen.id] = current + 1
            others = f"，{len(pool)}位领导中最少" if len(pool) > 1 else ""
            return Suggestion(chosen.id, f"{basis}；当前包案{current}件{others}")
    return Suggestion(None, "无分管或联系该事项的可包案领导，请指定")


def _union(first: list[LeaderFacts], second: list[LeaderFacts]) -> list[LeaderFacts]:
    seen = {leader.id for leader in first}
    return [*first, *(leader for leader in second if leader.id not in seen)]


def _portfolio_basis(matter: MatterFacts, domain: list[LeaderFacts], departments: list[LeaderFacts]) -> str:
    parts = []
    if domain:
        parts.append(f"分管领域“{matter.category_name}”")
    if departments:
        parts.append(f"分管单位“{matter.unit_name}”")
    return "、".join(parts) + "（谁主管、谁负责）"


def loads_of(open_owned: Mapping[int, int], leaders: Iterable[LeaderFacts]) -> dict[int, int]:
    """Every leader's load, zero for those who own nothing open."""
    return {leader.id: open_owned.get(leader.id, 0) for leader in leaders}
