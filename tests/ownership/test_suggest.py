"""The suggested owner (分级负责、属地管理，谁主管、谁负责), as properties over generated directories."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.ownership.suggest import LeaderFacts, MatterFacts, suggest_owner

CATEGORIES = st.integers(1, 6)
UNITS = st.integers(10, 14)
TOWNSHIPS = st.integers(20, 24)


@st.composite
def leaders(draw: st.DrawFn) -> list[LeaderFacts]:
    count = draw(st.integers(0, 8))
    return [
        LeaderFacts(
            id=100 + index,
            name=f"领导{index}",
            order=draw(st.integers(0, 20)),
            categories=frozenset(draw(st.sets(CATEGORIES, max_size=2))),
            departments=frozenset(draw(st.sets(UNITS, max_size=2))),
            townships=frozenset(draw(st.sets(TOWNSHIPS, max_size=2))),
        )
        for index in range(count)
    ]


@st.composite
def matters(draw: st.DrawFn, ids: list[int]) -> MatterFacts:
    return MatterFacts(
        category_id=draw(CATEGORIES), category_parent_id=draw(st.none() | CATEGORIES), category_name="类别",
        unit_id=draw(st.none() | UNITS), unit_name="单位", township_id=draw(TOWNSHIPS), township_name="乡镇",
        reported_leaders=frozenset(draw(st.sets(st.sampled_from(ids), max_size=2)) if ids else ()),
    )  # fmt: skip


@st.composite
def cases(draw: st.DrawFn) -> tuple[MatterFacts, list[LeaderFacts], frozenset[int], dict[int, int]]:
    pool = draw(leaders())
    ids = [leader.id for leader in pool]
    matter = draw(matters(ids))
    unavailable = frozenset(draw(st.sets(st.sampled_from(ids), max_size=2))) if ids else frozenset()
    load = {leader_id: draw(st.integers(0, 30)) for leader_id in ids}
    return matter, pool, unavailable, load


def covers(leader: LeaderFacts, matter: MatterFacts) -> bool:
    categories = {matter.category_id, matter.category_parent_id} - {None}
    return bool(leader.categories & categories) or (
        matter.unit_id is not None and matter.unit_id in leader.departments
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_it_never_suggests_a_reported_or_absent_leader(case):
    matter, pool, unavailable, load = case
    chosen = suggest_owner(matter, pool, unavailable=unavailable, load=dict(load)).leader_id
    assert chosen not in matter.reported_leaders and chosen not in unavailable


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_portfolio_comes_first_then_the_liaison_township_then_nobody(case):
    matter, pool, unavailable, load = case
    suggestion = suggest_owner(matter, pool, unavailable=unavailable, load=dict(load))
    eligible = [
        leader for leader in pool if leader.id not in unavailable and leader.id not in matter.reported_leaders
    ]
    portfolio = [leader for leader in eligible if covers(leader, matter)]
    liaison = [leader for leader in eligible if matter.township_id in leader.townships]
    pool_used = portfolio or liaison
    if not pool_used:
        assert suggestion.leader_id is None and "请指定" in suggestion.reason
        return
    chosen = next(leader for leader in pool_used if leader.id == suggestion.leader_id)
    assert ("分管" if portfolio else "联系乡镇") in suggestion.reason
    # Balanced by load: nobody in the pool has fewer open cases (ties go by protocol order).
    assert all((load[chosen.id], chosen.order, chosen.id) <= (load[o.id], o.order, o.id) for o in pool_used)


@settings(max_examples=200, deadline=None)
@given(cases(), st.integers(2, 12), st.integers(0, 5))
def test_a_batch_spreads_evenly_over_leaders_starting_level(case, repeat, start):
    matter, pool, unavailable, _ = case
    counted = {leader.id: start for leader in pool}
    chosen = [
        suggest_owner(matter, pool, unavailable=unavailable, load=counted).leader_id for _ in range(repeat)
    ]
    if chosen[0] is None:
        return
    # One pool serves every suggestion of the same matter: it is filled round-robin, so its leaders end
    # within one case of each other, and each suggestion added exactly one case.
    shown = [counted[leader_id] for leader_id in {*chosen}]
    assert max(shown) - min(shown) <= 1
    assert sum(counted.values()) == start * len(pool) + repeat


def test_it_names_why_with_the_category_and_the_load():
    du = LeaderFacts(id=1, name="杜文博", order=5, categories=frozenset({7}), departments=frozenset(),
                     townships=frozenset({20}))  # fmt: skip
    wei = LeaderFacts(id=2, name="魏振华", order=6, categories=frozenset(), departments=frozenset(),
                      townships=frozenset({20}))  # fmt: skip
    wages = MatterFacts(category_id=70, category_parent_id=7, category_name="拖欠工资", unit_id=None,
                        unit_name="", township_id=20, township_name="周庄镇",
                        reported_leaders=frozenset())  # fmt: skip
    suggestion = suggest_owner(wages, [du, wei], unavailable=frozenset(), load={1: 3, 2: 0})
    assert suggestion.leader_id == 1
    assert suggestion.reason == "分管领域“拖欠工资”（谁主管、谁负责）；当前包案3件"
    reported = MatterFacts(**{**wages.__dict__, "reported_leaders": frozenset({1})})
    other = suggest_owner(reported, [du, wei], unavailable=frozenset(), load={1: 3, 2: 0})
    assert other.leader_id == 2 and other.reason.startswith("联系乡镇“周庄镇”（属地管理）")
