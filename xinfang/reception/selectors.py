"""Reads of the reception schedules: the planning inputs from the directory and the calendar, the stored
schedules, the public view of the published ones, and the gate (404 when out of scope)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from xinfang.calendars.selectors import work_calendar
from xinfang.core.roles import BUREAU_ROLES
from xinfang.directory.models import (
    County,
    Leader,
    LeaderUnavailability,
    OfficialUnavailability,
    Unit,
    UnitOfficial,
)
from xinfang.reception.models import DownVisit, Reception, Schedule, Slot
from xinfang.reception.planning import (
    Carry,
    Person,
    PlannedSlot,
    TownshipTeam,
    WednesdayMode,
    carry_from,
    month_days,
    plan_month,
    previous_month,
)


def wednesday_mode() -> WednesdayMode:
    try:
        return WednesdayMode(settings.XINFANG_RECEPTION_WEDNESDAY_MODE)
    except ValueError:  # reported by the system check xinfang.E013
        return WednesdayMode.ALL


def month_workdays(month: dt.date) -> list[dt.date]:
    """The month's working days on the official calendar; raises UnknownYear for a year it does not know."""
    calendar = work_calendar()
    days = month_days(month)
    calendar.check_range(days[0], days[-1])
    return [day for day in days if calendar.is_workday(day)]


NONE: frozenset[dt.date] = frozenset()


def _away_days(
    periods: QuerySet[LeaderUnavailability] | QuerySet[OfficialUnavailability],
    owner: str,
    first: dt.date,
    last: dt.date,
) -> dict[int, frozenset[dt.date]]:
    """Each person's unavailable days within [first, last], by the id in the periods' `owner` column."""
    away: dict[int, set[dt.date]] = defaultdict(set)
    for person_id, start, end in periods.filter(start__lte=last, end__gte=first).values_list(
        owner, "start", "end"
    ):
        day = max(start, first)
        while day <= min(end, last):
            away[person_id].add(day)
            day += dt.timedelta(days=1)
    return {person_id: frozenset(days) for person_id, days in away.items()}


def county_leaders(county: County, month: dt.date) -> list[Person]:
    """The county-level leaders in office, with their unavailable days of the month."""
    days = month_days(month)
    periods = LeaderUnavailability.objects.filter(leader__county=county)
    away = _away_days(periods, "leader_id", days[0], days[-1])
    main = set(Leader.FOUR_BODIES_MAIN_POSTS)
    return [
        Person(leader.pk, leader.name, leader.post or leader.get_post_kind_display(), leader.protocol_order,
               away.get(leader.pk, frozenset()), leader.post_kind in main)
        for leader in Leader.objects.filter(county=county, is_active=True).order_by("protocol_order", "id")
    ]  # fmt: skip


def township_teams(county: County, month: dt.date) -> list[TownshipTeam]:
    """Each active township's 党委书记, 乡镇长 and team members in office, with their unavailable days of
    the month."""
    days = month_days(month)
    periods = OfficialUnavailability.objects.filter(official__unit__county=county)
    away = _away_days(periods, "official_id", days[0], days[-1])
    officials = UnitOfficial.objects.filter(is_active=True).order_by("order", "id")
    units = (
        Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP, is_active=True)
        .order_by("order", "id")
        .prefetch_related(Prefetch("officials", queryset=officials, to_attr="in_office"))
    )
    teams = []
    Position = UnitOfficial.Position
    for unit in units:

        def people(position: str, unit: Any = unit) -> tuple[Person, ...]:
            return tuple(
                Person(o.pk, o.name, o.title or o.get_position_display(), o.order, away.get(o.pk, NONE))
                for o in unit.in_office
                if o.position == position
            )

        teams.append(TownshipTeam(unit.pk, unit.name, unit.order, people(Position.PARTY_SECRETARY),
                                  people(Position.TOWNSHIP_HEAD), people(Position.TEAM_MEMBER)))  # fmt: skip
    return teams


def stored_carry(county: County, month: dt.date) -> Carry:
    """The rotation's memory from the stored schedule of the month before, if any."""
    previous = Schedule.objects.filter(county=county, month=previous_month(month)).first()
    if previous is None:
        return Carry()
    return carry_from(planned_of(slot) for slot in previous.slots.all())


def planned_of(slot: Slot) -> PlannedSlot:
    person = slot.leader_id if slot.level == Slot.Level.COUNTY else slot.official_id
    return PlannedSlot(slot.date, slot.level, slot.unit_id, None, person, slot.name, slot.post,
                       slot.kind, slot.note)  # type: ignore[arg-type]  # fmt: skip


def month_plan(county: County, month: dt.date) -> list[PlannedSlot]:
    """The month's slots as the rules give them today (nothing stored); raises UnknownYear."""
    days = month_workdays(month)
    return plan_month(
        days,
        county_leaders(county, month),
        township_teams(county, month),
        stored_carry(county, month),
        wednesday_mode(),
    )


# ---------------------------------------------------------------------------------------------------------
# Stored schedules


def schedule_of(county: County, month: dt.date) -> Schedule | None:
    return Schedule.objects.filter(county=county, month=month).first()


def slots_of(schedule: Schedule) -> list[Slot]:
    return list(
        schedule.slots.select_related("unit").order_by("date", "level", "unit__order", "unit_id", "id")
    )


def schedule_rows(county: County, month: dt.date) -> tuple[list[dict[str, Any]], bool]:
    """The CLI's rows: the stored schedule, or the computed one when none is stored (False)."""
    schedule = schedule_of(county, month)
    if schedule is not None:
        rows = [
            {"date": slot.date.isoformat(), "level": slot.level,
             "unit": slot.unit.name if slot.unit else None, "leader": slot.name, "post": slot.post,
             "kind": slot.kind, "note": slot.note, "adjusted": slot.adjusted}
            for slot in slots_of(schedule)
        ]  # fmt: skip
        return rows, True
    rows = [
        {"date": slot.date.isoformat(), "level": slot.level, "unit": slot.unit, "leader": slot.person,
         "post": slot.post, "kind": str(slot.kind), "note": slot.note, "adjusted": False}
        for slot in month_plan(county, month)
    ]  # fmt: skip
    return rows, False


def schedule_get_for_user(*, user: Any, schedule_id: int) -> Schedule:
    """The gate: the bureau of the schedule's county; anything else is a 404."""
    schedule = Schedule.objects.select_related("county").filter(pk=schedule_id).first()
    if schedule is None or user.role not in BUREAU_ROLES or user.county_id != schedule.county_id:
        raise Http404("没有找到该排班")
    return schedule


def slot_get_for_user(*, user: Any, slot_id: int) -> Slot:
    slot = Slot.objects.select_related("schedule", "unit").filter(pk=slot_id).first()
    if slot is None or user.role not in BUREAU_ROLES or user.county_id != slot.schedule.county_id:
        raise Http404("没有找到该接访安排")
    return slot


def reception_get_for_user(*, user: Any, reception_id: int) -> Reception:
    """The gate: a record of the bureau's own county; anything else is a 404."""
    found = Reception.objects.select_related("county", "township", "slot", "down_visit").filter(
        pk=reception_id
    )
    reception = found.first()
    if reception is None or user.role not in BUREAU_ROLES or user.county_id != reception.county_id:
        raise Http404("没有找到该接访记录")
    return reception


def downvisit_get_for_user(*, user: Any, visit_id: int) -> DownVisit:
    """The gate for a down-to-township visit: one of the bureau's own county, or 404."""
    visit = None
    if user.role in BUREAU_ROLES and user.county_id is not None:
        visit = (
            DownVisit.objects.filter(pk=visit_id, county_id=user.county_id)
            .select_related("township", "county", "leader")
            .first()
        )
    if visit is None:
        raise Http404("下沉接访安排不存在或不在您的管辖范围内")
    return visit


def slot_candidates(slot: Slot) -> list[tuple[str, str]]:
    """Who may take a slot: the county's leaders in office, or the township's officials in office."""
    if slot.level == Slot.Level.COUNTY:
        leaders = Leader.objects.filter(county_id=slot.schedule.county_id, is_active=True)
        return [(f"leader:{leader.pk}", f"{leader.name}（{leader.post}）") for leader in leaders]
    officials = UnitOfficial.objects.filter(unit_id=slot.unit_id or 0, is_active=True).order_by("order", "id")
    return [(f"official:{o.pk}", f"{o.name}（{o.title or o.get_position_display()}）") for o in officials]


# ---------------------------------------------------------------------------------------------------------
# The public page


@dataclass(frozen=True)
class PublicMonth:
    schedule: Schedule
    county_days: list[tuple[dt.date, list[Slot]]]
    township_days: list[tuple[dt.date, list[Slot]]]


def _by_day(slots: list[Slot]) -> list[tuple[dt.date, list[Slot]]]:
    days: dict[dt.date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.date, []).append(slot)
    return list(days.items())


def public_months(county: County, today: dt.date, township: Unit | None = None) -> list[PublicMonth]:
    """This month's and next month's published schedules (two queries each), one township's only if given."""
    months = [today.replace(day=1), (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)]
    schedules = Schedule.objects.filter(county=county, month__in=months, state=Schedule.State.PUBLISHED)
    out = []
    for schedule in schedules.order_by("month"):
        slots = slots_of(schedule)
        county_slots = [slot for slot in slots if slot.level == Slot.Level.COUNTY]
        township_slots = [
            slot for slot in slots
            if slot.level == Slot.Level.TOWNSHIP and (township is None or slot.unit_id == township.pk)
        ]  # fmt: skip
        out.append(PublicMonth(schedule, _by_day(county_slots), _by_day(township_slots)))
    return out


def public_townships(county: County) -> list[Unit]:
    return list(
        Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP, is_active=True).order_by("order", "id")
    )
