"""The figures of receptions held (docs/reception.md, "Figures"): the article's
"94 人次, 273 起 526 人, 成功化解 246 起" for open reception and "72 人次, 79 起 132 人" for going down,
of any period, with the breakdowns the pages drill into (per leader, per place, per month).

- **receptions** (人次): leaders present at a reception in the period, one per leader per reception; a
  leader recorded as not come does not count.
- **matters** (起): the matters received, one per matter per reception (a matter received at two
  receptions counts twice, as two visits); **persons** (人): their persons.
- **resolved**: received matters resolved on the spot (当场化解), or resolved later (the matter 已化解 or with
  a 化解日期 now); **resolved_rate** = resolved / matters (0 when none).
- **open** (公开接访): receptions at the centre, on Wednesdays and in the townships; **down** (下沉接访).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from xinfang.directory.models import County
from xinfang.petitions.models import Matter
from xinfang.reception.models import Attendance, ReceivedMatter, Reception

GROUPS: dict[str, tuple[str, ...]] = {
    "open": tuple(Reception.OPEN_KINDS),
    "down": (Reception.Kind.DOWN,),
}
GROUP_LABELS = {"open": "公开接访", "down": "下沉接访"}
BREAKDOWNS = {"leader": "接访领导", "place": "接访地点", "township": "信访人所在乡镇", "month": "月份"}


@dataclass
class Figures:
    receptions: int = 0
    matters: int = 0
    persons: int = 0
    resolved: int = 0

    @property
    def resolved_rate(self) -> float:
        return self.resolved / self.matters if self.matters else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "receptions": self.receptions, "matters": self.matters, "persons": self.persons,
            "resolved": self.resolved, "resolved_rate": round(self.resolved_rate, 4),
        }  # fmt: skip


@dataclass
class Row:
    """One line of a breakdown: its key (a leader's name, a place, a month's first day) and figures."""

    key: Any
    figures: Figures = field(default_factory=Figures)


def resolved_q(prefix: str = "") -> Q:
    """A received matter resolved on the spot or since."""
    return (
        Q(**{f"{prefix}outcome": ReceivedMatter.Outcome.RESOLVED})
        | Q(**{f"{prefix}matter__resolved_on__isnull": False})
        | Q(**{f"{prefix}matter__status": Matter.Status.RESOLVED})
    )


def attendances_in(county: County, start: dt.date, end: dt.date, group: str) -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        reception__county=county, reception__date__gte=start, reception__date__lte=end,
        reception__kind__in=GROUPS[group], present=True,
    )  # fmt: skip


def received_in(county: County, start: dt.date, end: dt.date, group: str) -> QuerySet[ReceivedMatter]:
    return ReceivedMatter.objects.filter(
        reception__county=county, reception__date__gte=start, reception__date__lte=end,
        reception__kind__in=GROUPS[group],
    )  # fmt: skip


def matter_totals() -> dict[str, Any]:
    return {
        "matters": Count("id"),
        "persons": Sum("persons"),
        "resolved": Count("id", filter=resolved_q()),
    }


def figures(county: County, start: dt.date, end: dt.date, group: str) -> Figures:
    received = received_in(county, start, end, group)
    totals = received.aggregate(**matter_totals())
    return Figures(
        receptions=attendances_in(county, start, end, group).count(),
        matters=totals["matters"] or 0,
        persons=totals["persons"] or 0,
        resolved=totals["resolved"] or 0,
    )


def reception_stats(county: County, start: dt.date, end: dt.date) -> dict[str, dict[str, Any]]:
    """`xinfang reception stats`: {"open": {...}, "down": {...}} (keys of `Figures.as_dict`)."""
    return {group: figures(county, start, end, group).as_dict() for group in GROUPS}


# The breakdowns: by whom the attendance was (the name as recorded, history included), by the place, by the
# petitioners' township (matters only: a leader receives people of any township), by the calendar month. A
# matter counts for the leader who received it.
_ATTENDANCE_KEYS = {"leader": "name", "place": "reception__place", "month": "month_key"}
_MATTER_KEYS = {
    "leader": "attendance__name", "place": "reception__place", "township": "matter__origin_township__name",
    "month": "month_key",
}  # fmt: skip


def breakdown(county: County, start: dt.date, end: dt.date, group: str, by: str) -> list[Row]:
    """The figures per leader, place or month, largest first (months in order)."""
    attendances: QuerySet[Any] = attendances_in(county, start, end, group)
    received: QuerySet[Any] = received_in(county, start, end, group)
    if by == "month":
        attendances = attendances.annotate(month_key=TruncMonth("reception__date"))
        received = received.annotate(month_key=TruncMonth("reception__date"))
    rows: dict[Any, Row] = {}
    if by in _ATTENDANCE_KEYS:
        for item in attendances.values(_ATTENDANCE_KEYS[by]).annotate(n=Count("id")).order_by():
            key = _key(item[_ATTENDANCE_KEYS[by]])
            rows.setdefault(key, Row(key)).figures.receptions = item["n"]
    totals = received.values(_MATTER_KEYS[by]).annotate(**matter_totals()).order_by()
    for item in totals:
        key = _key(item[_MATTER_KEYS[by]])
        row = rows.setdefault(key, Row(key)).figures
        row.matters, row.persons, row.resolved = item["matters"], item["persons"] or 0, item["resolved"]
    return _ordered(rows.values(), by)


def _key(value: Any) -> Any:
    """A month's key as a date (TruncMonth of a DateField gives a date or, on some backends, a datetime)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return "" if value is None else value


def _ordered(rows: Iterable[Row], by: str) -> list[Row]:
    if by == "month":
        return sorted(rows, key=lambda row: row.key or dt.date.min)
    return sorted(rows, key=lambda row: (-row.figures.receptions, -row.figures.matters, str(row.key)))


def counts_receptions(by: str) -> bool:
    """Whether a breakdown counts 人次 (not by the petitioners' township)."""
    return by in _ATTENDANCE_KEYS
