"""Township officials' unavailable days: the rules as properties over random teams and absences (the
Monday goes to the other main leader, a rotation day to the next team member, the slot says who is away),
and the directory's edit on the official's page feeding the month's plan."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reception.test_planning import MONTHS, workdays
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import OfficialUnavailability, Unit, UnitOfficial
from xinfang.reception.planning import Carry, Kind, Person, TownshipTeam, month_days, plan_township
from xinfang.reception.selectors import month_plan

Position = UnitOfficial.Position


@st.composite
def teams(draw: st.DrawFn) -> tuple[dt.date, TownshipTeam]:
    month = draw(MONTHS)
    days = month_days(month)

    def away() -> frozenset[dt.date]:
        return draw(st.frozensets(st.sampled_from(days), max_size=15)) if draw(st.booleans()) else frozenset()

    secretaries = tuple(Person(1, "书记", "党委书记", 0, away()) for _ in range(draw(st.integers(0, 1))))
    heads = tuple(Person(2, "镇长", "镇长", 1, away()) for _ in range(draw(st.integers(0, 1))))
    members = tuple(Person(10 + i, f"成员{i}", "副镇长", i, away()) for i in range(draw(st.integers(0, 5))))
    return month, TownshipTeam(100, "乡镇", 1, secretaries, heads, members)


@settings(max_examples=200, deadline=None)
@given(teams())
def test_it_never_gives_a_slot_to_an_official_away_that_day(case):
    month, team = case
    slots = plan_township(workdays(month), team, Carry())
    people = {p.id: p for p in (*team.party_secretaries, *team.heads, *team.members)}
    for slot in slots:
        assert slot.person_id is not None and slot.date not in people[slot.person_id].away
        # The note names only people away that day.
        for person in people.values():
            if f"{person.post}{person.name}因事" in slot.note or f"、{person.post}{person.name}" in slot.note:
                assert slot.date in person.away
    # A day is left without a slot only when everyone who could take it is away.
    planned = {slot.date for slot in slots}
    for day in workdays(month):
        if day not in planned:
            assert all(day in person.away for person in people.values())


@settings(max_examples=200, deadline=None)
@given(teams())
def test_it_gives_the_monday_to_the_other_main_leader_and_says_who_is_away(case):
    month, team = case
    mains = [*team.party_secretaries, *team.heads]
    slots = plan_township(workdays(month), team, Carry())
    for slot in slots:
        if slot.date.weekday() != 0 or not mains:
            continue
        free = [person for person in mains if slot.date not in person.away]
        if free:
            assert slot.kind == Kind.MONDAY and slot.person_id in {person.id for person in free}
            away = [person for person in mains if slot.date in person.away]
            if slot.note:
                assert all(person.name in slot.note for person in away) or "因事不能接访" in slot.note
        else:
            # Both main leaders away: a team member stands in and the slot says why.
            assert slot.kind == Kind.MONDAY and "因事不能接访" in slot.note and "代为接访" in slot.note


@settings(max_examples=200, deadline=None)
@given(teams())
def test_it_passes_a_rotation_day_to_the_next_member_and_keeps_the_free_ones_even(case):
    month, team = case
    slots = plan_township(workdays(month), team, Carry())
    rotation = [slot for slot in slots if slot.kind == Kind.ROTATION]
    if team.members:
        members = {member.id for member in team.members}
        for slot in rotation:
            free = [member for member in team.members if slot.date not in member.away]
            if free:
                assert slot.person_id in {member.id for member in free}
            else:  # every member away: a main leader stands in and the slot names the members away
                assert slot.person_id not in members and "代为接访" in slot.note
                assert all(member.name in slot.note for member in team.members)
        always = [member.id for member in team.members if not member.away]
        # A member standing in for both main leaders on a Monday takes a turn of the rotation too.
        turns = Counter(slot.person_id for slot in slots if slot.person_id in members)
        if always:
            counts = [turns[member_id] for member_id in always]
            assert max(counts) - min(counts) <= 1
            # Nobody receives more often than a member free all month, give or take one turn.
            assert max(turns.values()) <= max(counts) + 1


def test_the_secretary_away_on_his_monday_is_named_and_the_head_receives():
    month = dt.date(2026, 12, 1)
    days = workdays(month)
    mondays = [day for day in days if day.weekday() == 0]
    secretary = Person(1, "甲", "党委书记", 0, frozenset({mondays[0]}))
    team = TownshipTeam(100, "周庄镇", 1, (secretary,), (Person(2, "乙", "镇长", 1),),
                        (Person(3, "丙", "副镇长", 0, frozenset({mondays[0] + dt.timedelta(days=1)})),
                         Person(4, "丁", "副镇长", 1)))  # fmt: skip
    slots = {(slot.date, slot.kind): slot for slot in plan_township(days, team, Carry())}
    first = slots[(mondays[0], Kind.MONDAY)]
    assert (first.person, first.note) == ("乙", "党委书记甲因事不能接访")
    assert slots[(mondays[1], Kind.MONDAY)].person == "甲"  # the alternation goes on
    tuesday = slots[(mondays[0] + dt.timedelta(days=1), Kind.ROTATION)]
    assert tuesday.person == "丁" and tuesday.note == "副镇长丙因事不能接访"


# ---------------------------------------------------------------------------------------------------------
# The directory: the official's page, the service, and the month's plan


def official(township: str, position: str) -> UnitOfficial:
    officials = UnitOfficial.objects.filter(unit__name=township, position=position, is_active=True)
    return officials.earliest("order")


@pytest.mark.django_db
def test_the_bureau_records_an_officials_absence_and_the_plan_skips_it(county, client_for):
    secretary = official("周庄镇", Position.PARTY_SECRETARY)
    month = dt.date(2026, 12, 1)
    staff = client_for("bureau")
    page = staff.get(f"/directory/officials/{secretary.pk}/edit/")
    assert page.status_code == 200 and b'data-testid="unavailable-form"' in page.content
    response = staff.post(
        f"/directory/officials/{secretary.pk}/unavailable/",
        {"start": "2026-12-01", "end": "2026-12-31", "reason": "赴省学习"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#unavailable")
    period = OfficialUnavailability.objects.get(official=secretary)
    record = AuditRecord.objects.get(action="officialunavailability.create", object_id=str(period.pk))
    assert record.changes["official"] == secretary.name and record.changes["unit"] == "周庄镇"
    assert "赴省学习" in staff.get(f"/directory/officials/{secretary.pk}/edit/").content.decode()

    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    slots = [slot for slot in month_plan(county, month) if slot.unit_id == zhouzhuang.pk]
    assert slots and secretary.pk not in {slot.person_id for slot in slots}
    mondays = [slot for slot in slots if slot.kind == Kind.MONDAY]
    # Away all month, the secretary is always first in the Monday queue: every Monday names him.
    assert mondays and all(f"{secretary.name}因事不能接访" in slot.note for slot in mondays)

    # Overlapping days are refused beside the form; removing the period restores the secretary's Mondays.
    again = staff.post(
        f"/directory/officials/{secretary.pk}/unavailable/", {"start": "2026-12-10", "end": "2026-12-11"}
    )
    assert again.status_code == 422 and "重叠" in again.content.decode()
    assert staff.post(f"/directory/official-unavailable/{period.pk}/remove/").status_code == 302
    assert not OfficialUnavailability.objects.filter(pk=period.pk).exists()
    deleted = AuditRecord.objects.filter(action="officialunavailability.delete", object_id=str(period.pk))
    assert deleted.exists()
    slots = [slot for slot in month_plan(county, month) if slot.unit_id == zhouzhuang.pk]
    assert secretary.pk in {slot.person_id for slot in slots}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["secretary", "leader", "zhouzhuang", "auditor"])
def test_other_roles_cannot_record_an_absence(county, client_for, username):
    secretary = official("周庄镇", Position.PARTY_SECRETARY)
    response = client_for(username).post(
        f"/directory/officials/{secretary.pk}/unavailable/", {"start": "2026-12-01", "end": "2026-12-02"}
    )
    assert response.status_code in (302, 403)
    assert not OfficialUnavailability.objects.exists()


@pytest.mark.django_db
def test_another_countys_bureau_gets_404(county, client_for, outsider, bureau):
    from xinfang.directory.services import official_unavailability_add

    secretary = official("周庄镇", Position.PARTY_SECRETARY)
    period = official_unavailability_add(
        by=bureau, official=secretary, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 2)
    )
    other = client_for(outsider)
    assert other.get(f"/directory/officials/{secretary.pk}/edit/").status_code == 404
    url = f"/directory/officials/{secretary.pk}/unavailable/"
    assert other.post(url, {"start": "2026-12-05", "end": "2026-12-06"}).status_code == 404
    assert other.post(f"/directory/official-unavailable/{period.pk}/remove/").status_code == 404
    assert OfficialUnavailability.objects.filter(pk=period.pk).exists()
