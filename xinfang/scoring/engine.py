"""The scoring engine (docs/competition.md): rules and event rows in, tables out. No ORM here, so that a
published quarter can be recomputed from its frozen inputs and the village star ratings (part 2) charge
the same events under the same rules.

Two steps, each usable alone:

- `charges(rules, events, key)`: every event that carries points under the rules, charged to the unit
  (or village, or any holder) `key` names for it — None charges it to nobody. The township table keys by
  the origin township, the department table by the responsible unit when it is a department, a village's
  petition star by the origin village.
- `score_table(rules, units, charged, additions, vetoes, waived)`: each unit's base, deductions by level,
  additions, score, veto and rank; units without deductions are listed too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

# The levels that carry points, highest first (the JSON's and the tables' column order), by their codes in
# petitions.models.Level; 到县 never does.
LEVELS: tuple[tuple[str, str], ...] = (("beijing", "进京"), ("province", "赴省"), ("city", "到市"))
LEVEL_LABELS = dict(LEVELS)
PER_EVENT, PER_PERSON = "event", "person"

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Rules:
    """The county's rules in force for a quarter. Points are deducted per event (批次) or per person; a
    collective event (`collective_persons` or more) counts once and weighs `collective_factor` times."""

    base: Decimal = Decimal(100)
    per: str = PER_EVENT
    points: Mapping[str, Decimal] = field(
        default_factory=lambda: {"beijing": Decimal(5), "province": Decimal(3), "city": Decimal(1)}
    )
    collective_persons: int = 5
    collective_factor: Decimal = Decimal(2)
    version: int = 0  # the RuleSet's id; 0 the defaults

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version, "base": number(self.base), "per": self.per,
            "points": {level: number(self.points.get(level, Decimal(0))) for level, _ in LEVELS},
            "collective_persons": self.collective_persons,
            "collective_factor": number(self.collective_factor),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rules:
        return cls(
            base=Decimal(str(data["base"])), per=data["per"],
            points={level: Decimal(str(value)) for level, value in data["points"].items()},
            collective_persons=int(data["collective_persons"]),
            collective_factor=Decimal(str(data["collective_factor"])), version=int(data.get("version", 0)),
        )  # fmt: skip


class EventRow(NamedTuple):
    """One event as the engine reads it (petitions.models.Event with its matter's responsible unit). A
    named tuple, as Charge: a quarter of a large county charges about a hundred thousand of them, and a
    frozen dataclass costs several times as much to make."""

    id: int
    matter_id: int
    matter_number: str
    date: dt.date
    level: str
    persons: int
    township_id: int | None
    responsible_unit_id: int | None = None
    responsible_is_department: bool = False
    village_id: int | None = None


class Charge(NamedTuple):
    """An event's deduction charged to one holder: every point traceable to its event."""

    event: EventRow
    collective: bool
    points: Decimal
    waived: bool = False
    waived_reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        # Unpacked rather than read field by field: a quarter's tables write about a hundred thousand.
        event, collective, points, waived, waived_reason = self
        pk, matter, matter_number, day, level, persons = event[:6]
        return {
            "event": pk, "matter": matter, "matter_number": matter_number, "date": _iso(day), "level": level,
            "level_label": LEVEL_LABELS[level], "persons": persons, "collective": collective,
            "points": number(points), "waived": waived, "waived_reason": waived_reason,
        }  # fmt: skip

    def as_row(self) -> list[Any]:
        """The charge as a compact JSON row in `CHARGE_COLUMNS` order (how a quarter's stored tables keep
        each unit's charges: a third of the dict's size, and no key repeated ninety thousand times)."""
        event, collective, points, waived, waived_reason = self
        pk, matter, matter_number, day, level, persons = event[:6]
        return [pk, matter, matter_number, _iso(day), level, persons, collective, number(points), waived,
                waived_reason]  # fmt: skip


# The columns of a charge's compact row (Charge.as_row); charge_dict turns one back into Charge.as_dict's.
CHARGE_COLUMNS = (
    "event", "matter", "matter_number", "date", "level", "persons", "collective", "points", "waived",
    "waived_reason",
)  # fmt: skip


def charge_dict(row: Sequence[Any]) -> dict[str, Any]:
    """A stored compact row as the dict Charge.as_dict gives."""
    charge = dict(zip(CHARGE_COLUMNS, row, strict=True))
    charge["level_label"] = LEVEL_LABELS[charge["level"]]
    return charge


@lru_cache(maxsize=1024)
def _iso(day: dt.date) -> str:
    return day.isoformat()


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str


@dataclass(frozen=True)
class AdditionRow:
    id: int
    unit_id: int
    points: Decimal
    reason: str


@dataclass(frozen=True)
class VetoRow:
    unit_id: int
    reason: str
    document_number: str


@lru_cache(maxsize=1024)
def number(value: Decimal) -> int | float:
    """A JSON number: whole values as integers, others as floats (a few distinct values, each charge's)."""
    return int(value) if value == value.to_integral_value() else float(value)


def event_points(rules: Rules, event: EventRow) -> tuple[Decimal, bool]:
    """The points an event carries under the rules, and whether it is collective (points × the factor)."""
    per_unit = rules.points.get(event.level, Decimal(0))
    collective = event.persons >= rules.collective_persons
    points = per_unit * (event.persons if rules.per == PER_PERSON else 1)
    return (points * rules.collective_factor if collective else points), collective


def charges(
    rules: Rules, events: Iterable[EventRow], key: Callable[[EventRow], K | None]
) -> dict[K, list[Charge]]:
    """The events carrying points, charged to the holder `key` gives each (None: to nobody), in date order."""
    charged: dict[K, list[Charge]] = {}
    for event in sorted(events, key=lambda row: (row.date, row.id)):
        holder = key(event)
        if holder is None:
            continue
        points, collective = event_points(rules, event)
        if points:
            charged.setdefault(holder, []).append(Charge(event, collective, points))
    return charged


def township_key(event: EventRow) -> int | None:
    """The township table charges an event to its origin township (属地)."""
    return event.township_id


def department_key(event: EventRow) -> int | None:
    """The department table charges an event to its responsible unit when that is a department (an event a
    township is responsible for is charged once, in the township table)."""
    return event.responsible_unit_id if event.responsible_is_department else None


def score_table(
    rules: Rules,
    units: Sequence[UnitRef],
    charged: Mapping[int, list[Charge]],
    additions: Iterable[AdditionRow] = (),
    vetoes: Iterable[VetoRow] = (),
    waived: Mapping[tuple[int, int], str] | None = None,
    *,
    compact: bool = False,
) -> list[dict[str, Any]]:
    """Each unit's row, sorted by rank. `waived` maps (unit id, event id) to the reason an upheld appeal
    gave: the charge stays listed, marked waived, without points. A vetoed unit ranks after every unit not
    vetoed, whatever its score; equal scores share a rank. `compact`: each row's charges as compact rows
    (Charge.as_row), else as dicts."""
    waived = waived or {}
    added: dict[int, list[AdditionRow]] = {}
    for addition in additions:
        added.setdefault(addition.unit_id, []).append(addition)
    vetoed = {veto.unit_id: veto for veto in vetoes}
    rows = []
    for order, unit in enumerate(units):
        unit_charges = []
        for charge in charged.get(unit.id, []):
            reason = waived.get((unit.id, charge.event.id))
            unit_charges.append(
                charge
                if reason is None
                else Charge(charge.event, charge.collective, charge.points, True, reason)
            )
        counts = {label: 0 for _, label in LEVELS}
        points = {label: Decimal(0) for _, label in LEVELS}
        for charge in unit_charges:
            if not charge.waived:
                counts[LEVEL_LABELS[charge.event.level]] += 1
                points[LEVEL_LABELS[charge.event.level]] += charge.points
        plus = sum((addition.points for addition in added.get(unit.id, [])), Decimal(0))
        score = rules.base - sum(points.values(), Decimal(0)) + plus
        veto = vetoed.get(unit.id)
        rows.append(
            {
                "unit": unit.name, "unit_id": unit.id, "order": order, "base": number(rules.base),
                "deductions": {
                    label: {"events": counts[label], "points": number(points[label])} for label in counts
                },
                "additions": number(plus), "score": float(score), "vetoed": veto is not None,
                "veto": {"reason": veto.reason, "document_number": veto.document_number} if veto else None,
                "charges": [charge.as_row() if compact else charge.as_dict() for charge in unit_charges],
                "addition_records": [
                    {"id": addition.id, "points": number(addition.points), "reason": addition.reason}
                    for addition in added.get(unit.id, [])
                ],
            }
        )  # fmt: skip
    return ranked(rows)


def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows sorted (not vetoed first, then score high to low, then the directory's order) and ranked."""
    rows = sorted(rows, key=lambda row: (row["vetoed"], -row["score"], row["order"]))
    previous: tuple[bool, float] | None = None
    for position, row in enumerate(rows, start=1):
        current = (row["vetoed"], row["score"])
        if current != previous:
            rank = position
        row["rank"] = rank
        previous = current
    return rows


JSON_KEYS = ("unit", "base", "deductions", "additions", "score", "vetoed", "rank")


def table_json(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A table as `xinfang competition score` prints it."""
    return [{key: row[key] for key in JSON_KEYS} for row in rows]
