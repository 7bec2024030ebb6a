"""The joint meeting's screening (联席会议筛选, issue 20): a transparent score per matter open at the end of
the month screened, so that the bureau proposes the 10 to 20 hardest matters that need the county level.

Each factor is weight × evidence, rounded half up to one decimal; the score is the sum of the rounded
factors, so the factors add up to it exactly. The evidence, all of it known at the end of the month
(`as_of`, the day after the month's last day by XINFANG_MONTH_START_DAY; only what happened before it):

- days_open: days since the matter's first event (per 30 days, at most two years);
- repeat: its events marked 重复访;
- over_level: its 到市 / 赴省 / 进京 events;
- collective: the persons of its largest visit, when 5 or more (at most 50);
- units: the units it was sent to (转交/交办) beyond the first, when several are involved;
- dissatisfied: a rating 不满意, to the bureau or the unit;
- risk: its escalation-risk score (`stats.risk`, used as it is);
- instruction: a 批示 outstanding, an open supervision item of the weekly analysis's 批示 on it.

A matter qualifies when it is open at `as_of` (the risk ranking's definition) and its score is above 0.
Weights: XINFANG_MEETING_WEIGHTS ("risk=1,instruction=30", the rest default), checked by xinfang.E020.
Queries are grouped: a fixed number per screening, none per matter; `candidate_for` scores one matter
alone from that matter's rows. The screening of a month is stored (`Screening`, services.screening_run).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from xinfang.directory.models import County
from xinfang.lib.periods import Month
from xinfang.petitions.models import (
    COLLECTIVE_PERSONS,
    OVER_LEVELS,
    Assignment,
    Event,
    Matter,
    Ownership,
    Rating,
)
from xinfang.stats.risk import FEW, among, risk_for, risk_totals
from xinfang.supervision.models import SupervisionItem

DEFAULT_WEIGHTS: dict[str, float] = {
    "days_open": 1,  # per 30 days open
    "repeat": 3,  # per repeat event
    "over_level": 10,  # per 到市/赴省/进京 event
    "collective": 0.5,  # per person of the largest collective visit
    "units": 5,  # per unit involved beyond the first
    "dissatisfied": 10,  # a 不满意 rating
    "risk": 0.5,  # per point of the escalation-risk score
    "instruction": 20,  # a 批示 outstanding
}
# The factors in the order pages and the JSON show them, with their Chinese names.
FACTORS: dict[str, str] = {
    "days_open": "办理时长",
    "repeat": "重复访",
    "over_level": "越级访",
    "collective": "集体访",
    "units": "多单位涉及",
    "dissatisfied": "不满意评价",
    "risk": "越级风险",
    "instruction": "批示未办结",
}
DAYS_OPEN_CAP = 730
COLLECTIVE_CAP = 50
CHUNK = 5000
AGENDA_MAX = 20
AGENDA_MIN = 10
TENTH = Decimal("0.1")


def meeting_weights(text: str | None = None) -> dict[str, float]:
    """The defaults overridden by "name=value" pairs (XINFANG_MEETING_WEIGHTS when `text` is None).
    ValueError with a Chinese message on an unknown name or a value that is not a number ≥ 0."""
    if text is None:
        text = getattr(settings, "XINFANG_MEETING_WEIGHTS", "")
    weights = dict(DEFAULT_WEIGHTS)
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in DEFAULT_WEIGHTS:
            raise ValueError(
                f"无法识别的权重“{part.strip()}”，应为 名称=数值，名称为 {'、'.join(DEFAULT_WEIGHTS)} 之一"
            )
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"权重 {name} 应为不小于 0 的数：{value.strip()}")
        weights[name] = number
    return weights


@functools.lru_cache(maxsize=8192)
def points(value: float) -> Decimal:
    """One decimal, half up (the way a person rounds). Remembered: a screening rounds the same few values
    (days, counts, risk scores times a weight) for every open matter."""
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Evidence:
    days_open: int = 0
    repeat: int = 0
    over_level: int = 0
    largest: int = 0
    units: int = 0
    dissatisfied: bool = False
    risk: int = 0
    instruction: bool = False


def factor_points(weights: dict[str, float], evidence: Evidence) -> dict[str, Decimal]:
    """The factors' points for one matter, in FACTORS order: the one place of the arithmetic."""
    collective = min(evidence.largest, COLLECTIVE_CAP) if evidence.largest >= COLLECTIVE_PERSONS else 0
    return {
        "days_open": points(weights["days_open"] * min(evidence.days_open, DAYS_OPEN_CAP) / 30),
        "repeat": points(weights["repeat"] * evidence.repeat),
        "over_level": points(weights["over_level"] * evidence.over_level),
        "collective": points(weights["collective"] * collective),
        "units": points(weights["units"] * max(evidence.units - 1, 0)),
        "dissatisfied": points(weights["dissatisfied"]) if evidence.dissatisfied else Decimal("0.0"),
        "risk": points(weights["risk"] * evidence.risk),
        "instruction": points(weights["instruction"]) if evidence.instruction else Decimal("0.0"),
    }


def reasons(evidence: Evidence) -> list[str]:
    """The evidence in Chinese, for the factors that have any."""
    said = []
    if evidence.days_open:
        said.append(f"已历时{evidence.days_open}天")
    if evidence.repeat:
        said.append(f"重复访{evidence.repeat}次")
    if evidence.over_level:
        said.append(f"越级访{evidence.over_level}次")
    if evidence.largest >= COLLECTIVE_PERSONS:
        said.append(f"集体访{evidence.largest}人")
    if evidence.units > 1:
        said.append(f"涉及{evidence.units}个单位")
    if evidence.dissatisfied:
        said.append("不满意评价")
    if evidence.risk:
        said.append(f"越级风险{evidence.risk}分")
    if evidence.instruction:
        said.append("领导批示未办结")
    return said


@dataclass(frozen=True)
class Candidate:
    matter_id: int
    number: str
    score: Decimal
    factors: dict[str, Decimal]
    evidence: Evidence
    owner: str = ""

    @property
    def reasons(self) -> list[str]:
        return reasons(self.evidence)

    def as_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "score": float(self.score),
            "factors": {name: float(value) for name, value in self.factors.items()},
            "owner": self.owner,
        }


def month_end(month: Month) -> dt.date:
    """The month's last day by the county's statistical month (XINFANG_MONTH_START_DAY)."""
    return month.range(settings.XINFANG_MONTH_START_DAY)[1]


def _narrowed(queryset: QuerySet[Any], column: str, matter_ids: list[int] | None) -> QuerySet[Any]:
    """Only the rows of `matter_ids` (the open matters) when given: a plain IN list for a few (a matter
    scored alone), one array parameter on PostgreSQL for many (a hashed lookup per row); SQLite reads
    the county's rows and the caller keeps the open ones."""
    if matter_ids is None:
        return queryset
    if len(matter_ids) <= FEW:
        return queryset.filter(matter_id__in=matter_ids)
    if connection.vendor == "postgresql":
        return queryset.filter(among(column, matter_ids))
    return queryset


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows as the database returns them: the ORM's converters per value cost more than the query."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _events(
    county: County, as_of: dt.date, matter_ids: list[int] | None = None
) -> dict[int, tuple[int, int, int]]:
    """Per matter, (repeat events, over-level events, largest visit of 5 or more) before `as_of`: one
    grouped query over the events that can score."""
    events = Event.objects.filter(county=county, date__lt=as_of).filter(
        Q(is_repeat=True) | Q(level__in=OVER_LEVELS) | Q(persons__gte=COLLECTIVE_PERSONS)
    )
    rows = (
        _narrowed(events, '"petitions_event"."matter_id"', matter_ids)
        .values_list("matter_id")
        .annotate(
            repeat=Count("date", filter=Q(is_repeat=True)),
            over=Count("date", filter=Q(level__in=OVER_LEVELS)),
            largest=Max("persons", filter=Q(persons__gte=COLLECTIVE_PERSONS)),
        )
        .order_by()
    )
    return {pk: (repeat, over, largest or 0) for pk, repeat, over, largest in _rows(rows)}


def _units(county: County, start: dt.datetime, matter_ids: list[int] | None = None) -> dict[int, int]:
    """Per matter sent to two units or more before `start`, how many."""
    assignments = Assignment.objects.filter(sent_at__lt=start)
    narrowed = _narrowed(assignments, '"petitions_assignment"."matter_id"', matter_ids)
    if narrowed is assignments:  # the county's, when not narrowed to its open matters
        narrowed = assignments.filter(matter__county=county)
    rows = (
        narrowed.values_list("matter_id")
        .annotate(units=Count("unit", distinct=True))
        .filter(units__gte=2)
        .order_by()
    )
    return dict(_rows(rows))


def _dissatisfied(start: dt.datetime, matter_ids: list[int] | None = None) -> set[int]:
    """The matters with a 不满意 rating given before `start`, of any county (the caller asks about its
    own; the ratings' index of 不满意 ones is small, a join to the county would read all its matters)."""
    unhappy = Q(bureau_score=Rating.Score.DISSATISFIED) | Q(unit_score=Rating.Score.DISSATISFIED)
    ratings = Rating.objects.filter(unhappy, rated_at__lt=start)
    if matter_ids is not None and len(matter_ids) <= FEW:
        ratings = ratings.filter(matter_id__in=matter_ids)
    return set(ratings.values_list("matter_id", flat=True))


def _instructions(county: County, start: dt.datetime, matter_ids: list[int] | None = None) -> set[int]:
    """Matters with a 批示 given before `start` that was not done then."""
    items = SupervisionItem.objects.filter(
        county=county,
        source_kind=SupervisionItem.SourceKind.WEEKLY,
        matter__isnull=False,
        created_at__lt=start,
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    if matter_ids is not None and len(matter_ids) <= FEW:
        items = items.filter(matter_id__in=matter_ids)
    return set(items.values_list("matter_id", flat=True))


def owners(matter_ids: Iterable[int]) -> dict[int, str]:
    """Each matter's owning leader now (包案领导), by name."""
    rows = Ownership.objects.filter(matter_id__in=list(matter_ids), is_current=True).values_list(
        "matter_id", "leader__name"
    )
    return dict(rows)


def _as_of(month: Month) -> tuple[dt.date, dt.datetime]:
    as_of = month_end(month) + dt.timedelta(days=1)
    return as_of, timezone.make_aware(dt.datetime.combine(as_of, dt.time.min))


# An open matter's screening: (id, first event date, score, factors, evidence).
_Scored = tuple[int, dt.date, Decimal, dict[str, Decimal], Evidence]


def _scored(
    county: County, as_of: dt.date, start: dt.datetime, risks: list[tuple[int, int, dt.date]]
) -> list[_Scored]:
    """The screening of the open matters `risks` ((id, risk score, first event date), as
    `stats.risk.risk_totals` gives them): four grouped queries over their rows, then the arithmetic."""
    weights = meeting_weights()
    ids = [pk for pk, _, _ in risks]
    events = _events(county, as_of, ids)
    units = _units(county, start, ids)
    unhappy = _dissatisfied(start, ids)
    instructed = _instructions(county, start, ids)
    scored = []
    for pk, risk, first in risks:
        repeat, over, largest = events.get(pk, (0, 0, 0))
        evidence = Evidence(
            days_open=(as_of - first).days, repeat=repeat, over_level=over, largest=largest,
            units=units.get(pk, 0), dissatisfied=pk in unhappy, risk=risk, instruction=pk in instructed,
        )  # fmt: skip
        factors = factor_points(weights, evidence)
        scored.append((pk, first, sum(factors.values(), Decimal("0.0")), factors, evidence))
    return scored


def screen(*, county: County, month: Month, limit: int | None = AGENDA_MAX) -> tuple[list[Candidate], int]:
    """The qualifying matters of `month`, best first (ties: the older matter first, then the number), at
    most `limit` (None: all), and how many qualify.

    Every open matter's score comes from grouped queries (`stats.risk.risk_totals` and `_scored`); the
    registration numbers, which only break ties, are read for the matters shown and those tied with the
    last of them, the owners for the matters shown."""
    as_of, start = _as_of(month)
    risks = risk_totals(county=county, as_of=as_of)
    if not risks:
        return [], 0
    qualifying = [row for row in _scored(county, as_of, start, risks) if row[2] > 0]
    qualifying.sort(key=lambda row: (-row[2], row[1]))
    chosen = qualifying if limit is None else qualifying[: max(limit, 0)]
    numbers: dict[int, str] = {}
    if chosen:
        last = (chosen[-1][2], chosen[-1][1])
        tied = [row for row in qualifying[len(chosen) :] if (row[2], row[1]) == last]
        ids = [row[0] for row in chosen + tied]
        for offset in range(0, len(ids), CHUNK):
            part = ids[offset : offset + CHUNK]
            numbers.update(Matter.objects.filter(pk__in=part).values_list("pk", "number").order_by())
        ranked = sorted(chosen + tied, key=lambda row: (-row[2], row[1], numbers[row[0]]))
        chosen = ranked[: len(chosen)]
    names = owners(row[0] for row in chosen)
    return [
        Candidate(matter_id=pk, number=numbers[pk], score=score, factors=factors, evidence=evidence,
                  owner=names.get(pk, ""))
        for pk, _, score, factors, evidence in chosen
    ], len(qualifying)  # fmt: skip


def candidate_for(*, county: County, month: Month, matter: Matter) -> Candidate:
    """One matter's score for `month`, as the whole screening scores it (a matter staff add by hand: it
    may not qualify, and then every factor is 0). Its queries read that matter's rows only, and its
    category's year for the risk score."""
    as_of, start = _as_of(month)
    risk = risk_for(matter=matter, as_of=as_of) if matter.county_id == county.pk else None
    owner = owners([matter.pk]).get(matter.pk, "")
    if risk is not None:
        first = matter.first_event_date or as_of  # open at as_of: it has a first event before it
        [(pk, _, score, factors, evidence)] = _scored(county, as_of, start, [(matter.pk, risk.score, first)])
        if score > 0:
            return Candidate(pk, matter.number, score, factors, evidence, owner)
    zero = {name: Decimal("0.0") for name in FACTORS}
    return Candidate(matter.pk, matter.number, Decimal("0.0"), zero, Evidence(), owner)
