"""A month's reception schedule (接访排班) computed from plain inputs: no ORM, no clock (docs/reception.md).

County level: every working day one county-level leader receives at the reception centre (kind `daily`),
in a rotation that picks, among the leaders free that day, the one with the fewest turns this month, then
the one who waited longest (the previous months' last turns carry the rotation on), then protocol order.
Every Wednesday that is a working day the main leaders of the four bodies receive (`wednesday`): all four,
one entry each, or one of them in rotation (`WednesdayMode`); those receiving on Wednesday are not drawn
for that day's daily turn. When all of them are away, the next leader of the rotation receives instead
and the entry says so.

Township level: every Monday that is a working day the township's main leader receives (`monday`), the
党委书记 and the 乡镇长 alternating (whoever received on a Monday less recently); on the other working days
one team member in rotation (`rotation`), by the same rule as the county's daily turn. An official away
is skipped: the other main leader takes the Monday, the next member the day; when all of them are away,
a team member stands in on the Monday and a main leader on the other days, and the slot says so.

Who is away is said in the slot's note. Picking "fewest turns first" keeps the counts of the leaders who are
free every day of the month within one of each other, whatever the others' absences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

WEDNESDAY, MONDAY = 2, 0
NEVER = dt.date.min


class WednesdayMode(StrEnum):
    ALL = "all"  # the four main leaders, one entry each
    ROTATION = "rotation"  # one of them per Wednesday, in rotation


class Kind(StrEnum):
    DAILY = "daily"
    WEDNESDAY = "wednesday"
    MONDAY = "monday"
    ROTATION = "rotation"


KIND_LABELS = {
    Kind.DAILY: "县级领导轮值",
    Kind.WEDNESDAY: "周三四大班子主要领导",
    Kind.MONDAY: "周一主要领导",
    Kind.ROTATION: "班子成员轮值",
}


@dataclass(frozen=True)
class Person:
    """A county leader or a township official: `id` is the directory row's, `order` its protocol order."""

    id: int
    name: str
    post: str
    order: int = 0
    away: frozenset[dt.date] = frozenset()
    main: bool = False  # county: one of the four bodies' main leaders


@dataclass(frozen=True)
class TownshipTeam:
    id: int
    name: str
    order: int
    party_secretaries: tuple[Person, ...] = ()
    heads: tuple[Person, ...] = ()
    members: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Carry:
    """The rotation's memory from the months before: the last day each person received, by rotation."""

    county_daily: Mapping[int, dt.date] = field(default_factory=dict)
    county_wednesday: Mapping[int, dt.date] = field(default_factory=dict)
    township_monday: Mapping[int, dt.date] = field(default_factory=dict)
    township_rotation: Mapping[int, dt.date] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedSlot:
    date: dt.date
    level: str  # "county" | "township"
    unit_id: int | None
    unit: str | None
    person_id: int | None
    person: str
    post: str
    kind: Kind
    note: str = ""

    def sort_key(self, unit_order: Mapping[int, int]) -> tuple[dt.date, int, int]:
        level = 0 if self.level == "county" else 1
        unit = unit_order.get(self.unit_id, 0) if self.unit_id else -1
        return (self.date, level, unit)


class Rotation:
    """Fewest turns this month first, then the longest wait (carried over months), then protocol order."""

    def __init__(self, people: Iterable[Person], last: Mapping[int, dt.date]):
        self.people = sorted(people, key=lambda person: (person.order, person.id))
        self.turns = {person.id: 0 for person in self.people}
        self.last = {person.id: last.get(person.id, NEVER) for person in self.people}

    def key(self, person: Person) -> tuple[int, dt.date, int, int]:
        return (self.turns[person.id], self.last[person.id], person.order, person.id)

    def queue(self) -> list[Person]:
        return sorted(self.people, key=self.key)

    def pick(self, day: dt.date, exclude: frozenset[int] = frozenset()) -> tuple[Person | None, list[Person]]:
        """The person whose turn it is on `day`, and those ahead of them who are away that day."""
        away: list[Person] = []
        for person in self.queue():
            if person.id in exclude:
                continue
            if day in person.away:
                away.append(person)
                continue
            self.turns[person.id] += 1
            self.last[person.id] = day
            return person, away
        return None, away


def away_note(people: Sequence[Person]) -> str:
    return "、".join(f"{person.post}{person.name}" for person in people) + "因事不能接访" if people else ""


def plan_county(
    days: Sequence[dt.date], leaders: Sequence[Person], carry: Carry, mode: WednesdayMode
) -> list[PlannedSlot]:
    """The county's slots of the month whose working days are `days` (in order)."""
    daily = Rotation(leaders, carry.county_daily)
    main = [leader for leader in leaders if leader.main]
    wednesday = Rotation(main, carry.county_wednesday)
    slots: list[PlannedSlot] = []

    def slot(day: dt.date, person: Person, kind: Kind, note: str = "") -> PlannedSlot:
        return PlannedSlot(day, "county", None, None, person.id, person.name, person.post, kind, note)

    for day in days:
        receiving: list[Person] = []
        note = ""
        if day.weekday() == WEDNESDAY:
            if mode == WednesdayMode.ALL:
                receiving = [leader for leader in main if day not in leader.away]
                note = away_note([leader for leader in main if day in leader.away])
            else:
                chosen, away = wednesday.pick(day)
                receiving = [chosen] if chosen else []
                note = away_note(away)
            slots.extend(slot(day, main_leader, Kind.WEDNESDAY, note) for main_leader in receiving)
            if not receiving:
                # Every main leader is away (or none is on file): the rotation's next leader stands in.
                stand_in, _ = daily.pick(day)
                if stand_in is not None:
                    why = note or "未设四大班子主要领导"
                    slots.append(slot(day, stand_in, Kind.WEDNESDAY, f"{why}，由{stand_in.name}代为接访"))
                    receiving = [stand_in]
        on_duty, away = daily.pick(day, exclude=frozenset(leader.id for leader in receiving))
        if on_duty is not None:
            slots.append(slot(day, on_duty, Kind.DAILY, away_note(away)))
    return slots


def plan_township(days: Sequence[dt.date], team: TownshipTeam, carry: Carry) -> list[PlannedSlot]:
    """One township's slots: the main leader on working Mondays, a team member on other working days."""
    main_people = [*team.party_secretaries[:1], *team.heads[:1]]
    monday = Rotation(main_people, carry.township_monday)
    # A township without team members on file rotates its main leaders on the other days too.
    rotation = Rotation(team.members or tuple(main_people), carry.township_rotation)
    stand_in = Rotation(main_people, {})
    slots: list[PlannedSlot] = []
    for day in days:
        if day.weekday() == MONDAY and main_people:
            person, away = monday.pick(day)
            kind, note = Kind.MONDAY, away_note(away)
            if person is None:  # both main leaders away: a team member receives and the slot says so
                person, _ = rotation.pick(day)
                note += f"，由{person.name}代为接访" if person else ""
        else:
            person, away = rotation.pick(day)
            kind, note = Kind.ROTATION, away_note(away)
            if person is None and team.members:  # every team member away: a main leader stands in
                person, _ = stand_in.pick(day)
                note += f"，由{person.name}代为接访" if person else ""
        if person is not None:
            slots.append(
                PlannedSlot(
                    day, "township", team.id, team.name, person.id, person.name, person.post, kind, note
                )
            )
    return slots


def plan_month(
    days: Sequence[dt.date],
    leaders: Sequence[Person],
    townships: Sequence[TownshipTeam],
    carry: Carry = Carry(),
    mode: WednesdayMode = WednesdayMode.ALL,
) -> list[PlannedSlot]:
    """Every slot of the month, sorted by date, then the county before the townships (in their order)."""
    slots = plan_county(days, leaders, carry, mode)
    for team in townships:
        slots.extend(plan_township(days, team, carry))
    order = {team.id: team.order for team in townships}
    return sorted(slots, key=lambda slot: slot.sort_key(order))


def carry_from(slots: Iterable[PlannedSlot]) -> Carry:
    """The memory a month leaves to the next: each person's last day in each rotation."""
    county_daily: dict[int, dt.date] = {}
    county_wednesday: dict[int, dt.date] = {}
    township_monday: dict[int, dt.date] = {}
    township_rotation: dict[int, dt.date] = {}
    target = {Kind.DAILY: county_daily, Kind.WEDNESDAY: county_wednesday, Kind.MONDAY: township_monday,
              Kind.ROTATION: township_rotation}  # fmt: skip
    for slot in slots:
        if slot.person_id is None:
            continue
        # A Wednesday stand-in is drawn from the daily rotation: every county turn counts there.
        memories = [target[slot.kind]] + ([county_daily] if slot.kind == Kind.WEDNESDAY else [])
        for memory in memories:
            memory[slot.person_id] = max(memory.get(slot.person_id, NEVER), slot.date)
    return Carry(county_daily, county_wednesday, township_monday, township_rotation)


def month_days(month: dt.date) -> list[dt.date]:
    """Every day of the month starting at `month` (its first day)."""
    days, day = [], month.replace(day=1)
    while day.month == month.month:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


FIRST_YEAR, LAST_YEAR = (
    1990,
    2100,
)  # the months a page or command may ask for (month arithmetic stays in range)


def parse_month(text: str) -> dt.date:
    """`2026-10` → 2026-10-01; ValueError in Chinese otherwise (also a year outside 1990–2100)."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError
        return dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"月份应写作 YYYY-MM（{FIRST_YEAR}—{LAST_YEAR}年），例如 2026-10：{text}") from None


def month_add(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(month: dt.date) -> dt.date:
    return month_add(month, 1)


def previous_month(month: dt.date) -> dt.date:
    return month_add(month, -1)
