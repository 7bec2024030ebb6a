"""The schedule's rules (xinfang/reception/planning.py) as properties over random directories and absences,
and the 2026 calendar in fixed cases."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.lib.workdays import WorkCalendar
from xinfang.reception.planning import (
    Carry,
    Kind,
    Person,
    TownshipTeam,
    WednesdayMode,
    carry_from,
    month_days,
    next_month,
    plan_month,
)

CALENDAR = WorkCalendar()


def workdays(month: dt.date) -> list[dt.date]:
    return [day for day in month_days(month) if CALENDAR.is_workday(day)]


MONTHS = st.sampled_from([dt.date(2026, m, 1) for m in range(1, 13)])


@st.composite
def directories(draw: st.DrawFn) -> tuple[dt.date, list[Person], list[TownshipTeam], WednesdayMode]:
    month = draw(MONTHS)
    days = month_days(month)
    count = draw(st.integers(min_value=1, max_value=14))
    mains = draw(st.integers(min_value=0, max_value=min(4, count)))
    leaders = []
    for index in range(count):
        away = draw(st.frozensets(st.sampled_from(days), max_size=12)) if draw(st.booleans()) else frozenset()
        leaders.append(Person(index + 1, f"领导{index + 1}", "县委书记" if index < mains else "副县长", index,
                              away, index < mains))  # fmt: skip
    teams = []
    for unit in range(draw(st.integers(min_value=0, max_value=3))):
        base = 100 * (unit + 1)
        secretaries = tuple(
            Person(base + 1, f"书记{unit}", "党委书记") for _ in range(draw(st.integers(0, 1)))
        )
        heads = tuple(Person(base + 2, f"镇长{unit}", "镇长") for _ in range(draw(st.integers(0, 1))))
        members = tuple(
            Person(base + 10 + i, f"成员{unit}-{i}", "副镇长", i) for i in range(draw(st.integers(0, 5)))
        )
        teams.append(TownshipTeam(base, f"乡镇{unit}", unit, secretaries, heads, members))
    mode = draw(st.sampled_from(list(WednesdayMode)))
    return month, leaders, teams, mode


@settings(max_examples=150, deadline=None)
@given(directories())
def test_it_gives_every_working_day_one_daily_leader_and_no_slot_on_a_rest_day(directory):
    month, leaders, teams, mode = directory
    days = workdays(month)
    slots = plan_month(days, leaders, teams, Carry(), mode)
    assert {slot.date for slot in slots} <= set(days)
    daily = Counter(slot.date for slot in slots if slot.kind == Kind.DAILY)
    for day in days:
        free = [leader for leader in leaders if day not in leader.away]
        receiving_wednesday = {s.person_id for s in slots if s.date == day and s.kind == Kind.WEDNESDAY}
        if any(leader.id not in receiving_wednesday for leader in free):
            assert daily[day] == 1
        assert daily[day] <= 1
    for slot in slots:
        leader = next((leader for leader in leaders if leader.id == slot.person_id), None)
        if slot.level == "county":
            assert leader is not None and slot.date not in leader.away


@settings(max_examples=150, deadline=None)
@given(directories())
def test_it_keeps_the_fully_available_leaders_within_one_turn_of_each_other(directory):
    month, leaders, teams, mode = directory
    slots = plan_month(workdays(month), leaders, teams, Carry(), mode)
    busy_wednesday = {slot.person_id for slot in slots if slot.kind == Kind.WEDNESDAY}
    fully = [leader.id for leader in leaders if not leader.away and leader.id not in busy_wednesday]
    turns = Counter(slot.person_id for slot in slots if slot.kind == Kind.DAILY)
    counts = [turns[leader_id] for leader_id in fully]
    if counts:
        assert max(counts) - min(counts) <= 1


@settings(max_examples=150, deadline=None)
@given(directories())
def test_it_has_the_main_leaders_receive_on_wednesdays_or_says_who_stands_in(directory):
    month, leaders, teams, mode = directory
    slots = plan_month(workdays(month), leaders, teams, Carry(), mode)
    mains = [leader for leader in leaders if leader.main]
    for day in workdays(month):
        wednesday = [slot for slot in slots if slot.date == day and slot.kind == Kind.WEDNESDAY]
        if day.weekday() != 2:
            assert wednesday == []
            continue
        present = [leader for leader in mains if day not in leader.away]
        if present:
            ids = {slot.person_id for slot in wednesday}
            if mode == WednesdayMode.ALL:
                assert ids == {leader.id for leader in present}
            else:
                assert len(ids) == 1 and ids <= {leader.id for leader in present}
            daily = [slot for slot in slots if slot.date == day and slot.kind == Kind.DAILY]
            assert not ids & {slot.person_id for slot in daily}
        elif any(day not in leader.away for leader in leaders):
            assert len(wednesday) == 1 and "代为接访" in wednesday[0].note
        for leader in mains:
            if day in leader.away and mode == WednesdayMode.ALL:
                assert all(leader.name in slot.note for slot in wednesday)


@settings(max_examples=150, deadline=None)
@given(directories())
def test_it_alternates_the_township_main_leaders_on_mondays(directory):
    month, leaders, teams, mode = directory
    slots = plan_month(workdays(month), leaders, teams, Carry(), mode)
    for team in teams:
        own = [slot for slot in slots if slot.unit_id == team.id]
        assert len(own) == (
            len(workdays(month)) if team.party_secretaries or team.heads or team.members else 0
        )
        mondays = [slot.person_id for slot in own if slot.kind == Kind.MONDAY]
        assert all(slot.date.weekday() == 0 for slot in own if slot.kind == Kind.MONDAY)
        if team.party_secretaries and team.heads:
            assert all(a != b for a, b in pairwise(mondays))
        rotation = Counter(slot.person_id for slot in own if slot.kind == Kind.ROTATION)
        if team.members:
            assert set(rotation) <= {member.id for member in team.members}
            counts = [rotation[member.id] for member in team.members]
            assert max(counts) - min(counts) <= 1


def test_it_carries_the_rotation_into_the_next_month():
    leaders = [Person(i, f"领导{i}", "副县长", i) for i in range(1, 8)]
    october = plan_month(workdays(dt.date(2026, 10, 1)), leaders, [], Carry(), WednesdayMode.ALL)
    november = plan_month(workdays(dt.date(2026, 11, 1)), leaders, [], carry_from(october), WednesdayMode.ALL)
    # No main leader on file: each Wednesday's stand-in comes from the same rotation.
    last_turn = {slot.person_id: slot.date for slot in october}
    first_november = [slot.person_id for slot in november][:7]
    # The rotation goes on: November starts with whoever waited longest, not with the first in protocol order.
    assert first_november == sorted(last_turn, key=last_turn.__getitem__)
    both = Counter(slot.person_id for slot in october + november)
    assert max(both.values()) - min(both.values()) <= 1


# The 2026 calendar: National Day 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 make-up working days;
# Spring Festival 02-15..02-23 off, Saturdays 02-14 and 02-28 working.


def test_it_skips_the_national_day_week_and_includes_the_make_up_saturday():
    leaders = [Person(i, f"领导{i}", "副县长", i, main=i <= 2) for i in range(1, 9)]
    township = TownshipTeam(50, "周庄镇", 1, (Person(51, "甲", "党委书记"),), (Person(52, "乙", "镇长"),),
                            (Person(53, "丙", "副镇长"), Person(54, "丁", "副镇长")))  # fmt: skip
    slots = plan_month(workdays(dt.date(2026, 10, 1)), leaders, [township])
    dates = {slot.date for slot in slots}
    assert not dates & {dt.date(2026, 10, day) for day in range(1, 8)}
    assert dt.date(2026, 10, 10) in dates  # 调休 Saturday
    assert dt.date(2026, 10, 11) not in dates  # an ordinary Sunday
    saturday = [slot for slot in slots if slot.date == dt.date(2026, 10, 10)]
    assert sorted(slot.kind for slot in saturday) == [Kind.DAILY, Kind.ROTATION]
    # The first Wednesday after the holiday (10-14): the two main leaders on file, one entry each.
    wednesday = [slot for slot in slots if slot.date == dt.date(2026, 10, 14) and slot.kind == Kind.WEDNESDAY]
    assert [slot.person_id for slot in wednesday] == [1, 2]
    mondays = [slot for slot in slots if slot.kind == Kind.MONDAY]
    assert [slot.date.day for slot in mondays] == [12, 19, 26]
    assert [slot.person_id for slot in mondays] == [51, 52, 51]


def test_it_skips_the_spring_festival():
    slots = plan_month(workdays(dt.date(2026, 2, 1)), [Person(1, "甲", "副县长")], [])
    dates = {slot.date for slot in slots}
    assert not dates & {dt.date(2026, 2, day) for day in range(15, 24)}
    assert {dt.date(2026, 2, 14), dt.date(2026, 2, 28)} <= dates


def test_it_names_the_away_main_leader_and_falls_back_when_all_are_away():
    wednesday = dt.date(2026, 12, 2)
    away = frozenset({wednesday})
    leaders = [
        Person(1, "王书记", "县委书记", 1, away, True),
        Person(2, "李县长", "县长", 2, frozenset(), True),
        Person(3, "赵副县长", "副县长", 3),
    ]
    slots = [slot for slot in plan_month([wednesday], leaders, []) if slot.kind == Kind.WEDNESDAY]
    assert [slot.person for slot in slots] == ["李县长"]
    assert slots[0].note == "县委书记王书记因事不能接访"
    leaders[1] = Person(2, "李县长", "县长", 2, away, True)
    slots = plan_month([wednesday], leaders, [])
    assert [(slot.kind, slot.person) for slot in slots] == [(Kind.WEDNESDAY, "赵副县长")]
    assert "由赵副县长代为接访" in slots[0].note


def test_next_month_wraps_the_year():
    assert next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
