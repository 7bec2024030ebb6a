"""Escalation risk (越级风险, issue 18): which open matters are most likely to go 赴省/进京 next.

The one place the score is computed: the monthly analysis's at_risk list, the leaders' dashboard and the
joint meeting's screening all call `risk_ranking`. The score is a sum of transparent factors, each a whole
number of points (weight × evidence, rounded half up), so the factors add up exactly to the score:

- over_level: the matter's 到市 events in the last 365 days, and its 赴省/进京 ones (8 and 20 points each);
- repeat: its events in the last 90 days (5 each);
- collective: the persons of its largest visit in the last 365 days when ≥ 5, at most 50 (0.5 a person);
- days_open: days since its first event (1 point per 30 days, at most two years);
- overdue: days past its deadline, at most 60 (0.5 a day); the petitioner's own windows never count;
- threat: 扬言 (20);
- dissatisfied: a rating 不满意, to the bureau or the unit, given before `as_of` (15);
- category: the over-level share of its first-level category's events in the last year, from 10 events
  (50 × the share).

A matter is open at `as_of` when its first event is dated before it and its status at the start of that day
(the last status change before it; 登记 when there was none) is not finished (`todo.FINISHED`). Only what
was known then counts: events dated before `as_of`, ratings given before it, the deadline of a clock that
was already running. Imported status changes carry the import's time, not the day the status changed:
they are left out of the history, so an imported matter counts with its imported status throughout.

Weights: XINFANG_RISK_WEIGHTS ("threat=30,province=25", the rest default), checked by xinfang.E017.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.directory.models import Category, County
from xinfang.lib.deadlines import PETITIONER_CLOCKS
from xinfang.petitions.models import (
    COLLECTIVE_PERSONS,
    OVER_LEVELS,
    Event,
    Level,
    Matter,
    Rating,
    Transition,
)
from xinfang.petitions.selectors import matters_for_user
from xinfang.petitions.todo import FINISHED

DEFAULT_WEIGHTS: dict[str, float] = {
    "city": 8,  # a point count per 到市 event in the last year
    "province": 20,  # per 赴省 or 进京 event in the last year
    "repeat": 5,  # per repeat event in the last 90 days
    "collective": 0.5,  # per person of the largest collective visit in the last year
    "days_open": 1,  # per 30 days open
    "overdue": 0.5,  # per day overdue
    "threat": 20,  # 扬言
    "dissatisfied": 15,  # a 不满意 rating
    "category": 50,  # times the over-level share of the category's events in the last year
}
# The score's factors, in the order pages show them, with their Chinese names.
FACTORS: dict[str, str] = {
    "over_level": "越级访",
    "repeat": "重复访",
    "collective": "集体访",
    "days_open": "办理时长",
    "overdue": "超期",
    "threat": "扬言",
    "dissatisfied": "不满意评价",
    "category": "同类问题",
}
HIGH_LEVELS = frozenset({Level.PROVINCE, Level.BEIJING})
YEAR_DAYS = 365
REPEAT_DAYS = 90
COLLECTIVE_CAP = 50  # persons
DAYS_OPEN_CAP = 730
OVERDUE_CAP = 60  # days
CATEGORY_MIN_EVENTS = 10  # a category's share counts from this many events in the year
FEW = 100  # ids narrowed by a plain IN list on every database (a matter scored alone)


def risk_weights(text: str | None = None) -> dict[str, float]:
    """The weights: the defaults, overridden by "name=value" pairs (XINFANG_RISK_WEIGHTS when `text` is
    None). Raises ValueError with a Chinese message on an unknown name or a value not a number ≥ 0."""
    if text is None:
        text = getattr(settings, "XINFANG_RISK_WEIGHTS", "")
    weights = dict(DEFAULT_WEIGHTS)
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in DEFAULT_WEIGHTS:
            known = "、".join(DEFAULT_WEIGHTS)
            raise ValueError(f"无法识别的权重“{part.strip()}”，应为 名称=数值，名称为 {known} 之一")
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"权重 {name} 应为不小于 0 的数：{value.strip()}")
        weights[name] = number
    return weights


def _points(value: float) -> int:
    """Half up, the way a person rounds (Python's round() goes to even)."""
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class Risk:
    """A matter's score: `factors` name → points (every factor, zeros included, in FACTORS order), summing
    exactly to `score`; `reasons` the evidence in Chinese, for the factors that scored."""

    matter_id: int
    number: str
    score: int
    factors: dict[str, int]
    reasons: list[str] = field(default_factory=list)


# A matter's events of the last year: (到市, 赴省/进京, those of the last 90 days, the largest visit).
_Evidence = tuple[int, int, int, int]
_NOTHING: _Evidence = (0, 0, 0, 0)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _base(county: County, scope_user: User | None) -> QuerySet[Matter]:
    if scope_user is None:
        return Matter.objects.filter(county=county)
    return matters_for_user(user=scope_user).filter(county=county)


def among(column: str, ids: list[int]) -> RawSQL:
    """PostgreSQL only: `column = ANY(ids)`, the ids as one array parameter (a hashed lookup per row), passed
    as its text (adapting a list checks every element: a quarter of a second for 120,000)."""
    sql = f"{column} = ANY(%s::bigint[])"
    array = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    return RawSQL(sql, (array,), output_field=BooleanField())  # noqa: S611 - a constant column; ids a parameter


def open_matters(
    *, county: County, as_of: dt.date, scope_user: User | None = None, matter_id: int | None = None
) -> list[tuple[int, dt.date, dt.date | None, str, dt.date | None, bool, int]]:
    """The matters open at the start of `as_of` (see the module docstring), as rows (id, first event date,
    due date, clock, clock start, threat, category id); only the matter `matter_id` when given. Three
    queries: the matters changed since `as_of` (a range of the status changes' time index), the matters
    open now (less those), the changed ones with their status then."""
    base = _base(county, scope_user).filter(first_event_date__lt=as_of)
    start = _start_of(as_of)
    columns = ("pk", "first_event_date", "due_date", "clock", "clock_started", "is_threat", "category_id")
    since = Transition.objects.filter(at__gte=start, imported=False)
    if matter_id is not None:
        base, since = base.filter(pk=matter_id), since.filter(matter_id=matter_id)
    changed = set(since.values_list("matter_id", flat=True).distinct().order_by())
    unchanged = base.exclude(status__in=FINISHED).values_list(*columns).order_by()
    rows = [row for row in unchanged if row[0] not in changed]
    if not changed:
        return rows
    if matter_id is not None:
        touched = base
    elif connection.vendor == "postgresql":
        touched = base.filter(among('"petitions_matter"."id"', sorted(changed)))
    else:
        touched = base.filter(Exists(since.filter(matter_id=OuterRef("pk"))))
    then = (
        Transition.objects.filter(matter_id=OuterRef("pk"), at__lt=start, imported=False)
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    states = touched.annotate(then=Subquery(then)).values_list(*columns, "then").order_by()
    rows += [row[:-1] for row in states if row[-1] not in FINISHED]  # None: 登记 then
    return rows


def _evidence(county: County, as_of: dt.date, matter_ids: list[int] | None = None) -> dict[int, _Evidence]:
    """Per matter, its events of the last year before `as_of`: one grouped query on the events' range.

    Only the events that can score are read: over level, in the last 90 days, or collective (a largest
    visit below COLLECTIVE_PERSONS scores nothing, so its exact size does not matter); a matter without
    such an event has no evidence. On PostgreSQL `matter_ids` (the open matters) narrows it further with
    one array parameter (a hashed lookup per event), so that only their rows come back; a few ids (one
    matter scored alone) narrow it on every database."""
    since = as_of - dt.timedelta(days=YEAR_DAYS)
    recent = as_of - dt.timedelta(days=REPEAT_DAYS)
    events = Event.objects.filter(county=county, date__gte=since, date__lt=as_of).filter(
        Q(level__in=OVER_LEVELS) | Q(date__gte=recent) | Q(persons__gte=COLLECTIVE_PERSONS)
    )
    if matter_ids is not None and len(matter_ids) <= FEW:
        events = events.filter(matter_id__in=matter_ids)
    elif matter_ids is not None and connection.vendor == "postgresql":
        events = events.filter(among('"petitions_event"."matter_id"', matter_ids))
    grouped = (
        events.values_list("matter_id")
        .annotate(
            city=Count("date", filter=Q(level=Level.CITY)),
            high=Count("date", filter=Q(level__in=HIGH_LEVELS)),
            repeat=Count("date", filter=Q(date__gte=recent)),
            largest=Max("persons"),
        )
        .order_by()
    )
    # Integers as the database returns them: the ORM's converters per value cost more than the query.
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {pk: (city, high, repeat, largest or 0) for pk, city, high, repeat, largest in rows}


def _category_shares(county: County, as_of: dt.date, top: int | None = None) -> dict[int, tuple[int, int]]:
    """Per first-level category (only `top` when given), (over-level events, events) in the last year
    before `as_of`."""
    since = as_of - dt.timedelta(days=YEAR_DAYS)
    events = Event.objects.filter(county=county, date__gte=since, date__lt=as_of)
    if top is not None:
        events = events.filter(category_top_id=top)
    rows = (
        events.values_list("category_top_id")
        .annotate(over=Count("date", filter=Q(level__in=OVER_LEVELS)), total=Count("date"))
        .order_by()
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in rows if row[0] is not None}


def _dissatisfied(as_of: dt.date, matter_id: int | None = None) -> set[int]:
    """The matters with a 不满意 rating given before `as_of` (of any county)."""
    unhappy = Q(bureau_score=Rating.Score.DISSATISFIED) | Q(unit_score=Rating.Score.DISSATISFIED)
    # Every county's: the caller asks about its own matters, and a join to their county would read every
    # matter of it; the 不满意 ratings are a small index of their own.
    ratings = Rating.objects.filter(unhappy, rated_at__lt=_start_of(as_of))
    if matter_id is not None:
        ratings = ratings.filter(matter_id=matter_id)
    return set(ratings.values_list("matter_id", flat=True))


def _tops(county: County) -> dict[int, int]:
    """Each category's first-level category (itself at the first level)."""
    return {
        pk: parent or pk
        for pk, parent in Category.objects.filter(county=county).values_list("pk", "parent_id")
    }


def _factor_points(
    weights: Mapping[str, float],
    evidence: _Evidence,
    days_open: int,
    overdue: int,
    threat: bool,
    dissatisfied: bool,
    share: tuple[int, int],
) -> tuple[int, int, int, int, int, int, int, int]:
    """The factors' points, in FACTORS order, for one matter: the one place of the arithmetic."""
    city, high, repeat, largest = evidence
    over, total = share
    return (
        _points(weights["city"] * city + weights["province"] * high) if city or high else 0,
        _points(weights["repeat"] * repeat) if repeat else 0,
        _points(weights["collective"] * min(largest, COLLECTIVE_CAP)) if largest >= COLLECTIVE_PERSONS else 0,
        _points(weights["days_open"] * min(days_open, DAYS_OPEN_CAP) / 30),
        _points(weights["overdue"] * min(overdue, OVERDUE_CAP)) if overdue > 0 else 0,
        _points(weights["threat"]) if threat else 0,
        _points(weights["dissatisfied"]) if dissatisfied else 0,
        _points(weights["category"] * over / total) if total >= CATEGORY_MIN_EVENTS and over else 0,
    )


def _score(
    *,
    weights: Mapping[str, float],
    evidence: _Evidence,
    days_open: int,
    overdue: int,
    threat: bool,
    dissatisfied: bool,
    share: tuple[int, int],
) -> tuple[dict[str, int], list[str]]:
    """The factors' points and the reasons, for one matter."""
    points = _factor_points(weights, evidence, days_open, overdue, threat, dissatisfied, share)
    factors = dict(zip(FACTORS, points, strict=True))
    city, high, repeat, largest = evidence
    reasons: list[str] = []
    if high:
        reasons.append(f"近一年赴省进京{high}次")
    if city:
        reasons.append(f"近一年到市访{city}次")
    if repeat:
        reasons.append(f"近90天来访{repeat}次")
    if largest >= COLLECTIVE_PERSONS:
        reasons.append(f"集体访{largest}人")
    if factors["days_open"]:
        reasons.append(f"已历时{days_open}天")
    if overdue > 0:
        reasons.append(f"超期{overdue}天")
    if threat:
        reasons.append("扬言")
    if dissatisfied:
        reasons.append("不满意评价1次")
    over, total = share
    if total >= CATEGORY_MIN_EVENTS and over:
        reasons.append(f"同类问题近一年越级访{over}批，占{round(100 * over / total)}%")
    return factors, reasons


# A matter's inputs to its score: (id, evidence, days open, days overdue, threat, dissatisfied, share).
_Facts = tuple[int, _Evidence, int, int, bool, bool, tuple[int, int]]


def _facts(
    *, county: County, as_of: dt.date, scope_user: User | None, matter_id: int | None = None
) -> list[_Facts]:
    """Every open matter's inputs to the score, unordered (only `matter_id`'s, when given and open). Five
    queries whatever the number of matters: the open matters (two), their events' evidence, the
    categories' history, the dissatisfied ratings (plus the categories' tree)."""
    rows = open_matters(county=county, as_of=as_of, scope_user=scope_user, matter_id=matter_id)
    if not rows:
        return []
    tops = _tops(county)
    evidence = _evidence(county, as_of, [row[0] for row in rows])
    only = None if matter_id is None else tops.get(rows[0][6], rows[0][6])
    shares = _category_shares(county, as_of, only)
    unhappy = _dissatisfied(as_of, matter_id)
    running = as_of >= timezone.localdate()  # every running clock was already running on `as_of`
    petitioners = {str(clock) for clock in PETITIONER_CLOCKS}
    none = (0, 0)
    facts = []
    for pk, first, due, clock, started, threat, category in rows:
        # A past deadline counts when its clock was already running on `as_of` (known then).
        known = running or (started is not None and started < as_of)
        overdue = (as_of - due).days if due and clock and known and clock not in petitioners else 0
        share = shares.get(tops.get(category, category), none)
        facts.append(
            (pk, evidence.get(pk, _NOTHING), (as_of - first).days, overdue, threat, pk in unhappy, share)
        )
    return facts


def risk_scores(
    *, county: County, as_of: dt.date, scope_user: User | None = None
) -> list[tuple[int, dict[str, int], list[str]]]:
    """Every open matter's (id, factors, reasons), unordered; `risk_ranking` ranks them."""
    weights = risk_weights()
    scored = []
    for pk, evidence, days_open, overdue, threat, dissatisfied, share in _facts(
        county=county, as_of=as_of, scope_user=scope_user
    ):
        factors, reasons = _score(
            weights=weights, evidence=evidence, days_open=days_open, overdue=overdue, threat=threat,
            dissatisfied=dissatisfied, share=share,
        )  # fmt: skip
        scored.append((pk, factors, reasons))
    return scored


def risk_totals(*, county: County, as_of: dt.date) -> list[tuple[int, int, dt.date]]:
    """Every open matter's (id, score, first event date), unordered: the ranking's arithmetic without
    factors, reasons or numbers (the joint meeting's screening reads every open matter's score)."""
    weights = risk_weights()
    return [
        (item[0], sum(_factor_points(weights, *item[1:])), as_of - dt.timedelta(days=item[2]))
        for item in _facts(county=county, as_of=as_of, scope_user=None)
    ]


def risk_for(*, matter: Matter, as_of: dt.date) -> Risk | None:
    """One matter's risk at `as_of`, as the ranking scores it (None when it was not open then): its
    queries read that matter's rows and its category's year only."""
    weights = risk_weights()
    facts = _facts(county=matter.county, as_of=as_of, scope_user=None, matter_id=matter.pk)
    if not facts:
        return None
    pk, evidence, days_open, overdue, threat, dissatisfied, share = facts[0]
    factors, reasons = _score(
        weights=weights, evidence=evidence, days_open=days_open, overdue=overdue, threat=threat,
        dissatisfied=dissatisfied, share=share,
    )  # fmt: skip
    return Risk(
        matter_id=pk, number=matter.number, score=sum(factors.values()), factors=factors, reasons=reasons
    )


def risk_ranking(
    *, county: County, as_of: dt.date, limit: int | None = 20, scope_user: User | None = None
) -> list[Risk]:
    """The open matters at `as_of` (of the user's scope when given, Art. 46 included), highest score first
    (ties: the larger over-level factor, then the older matter), at most `limit` (None: all).

    Every matter's points come from `_factor_points` (no reasons, no dictionaries); only the matters shown
    get their factors and reasons (`_score`), from the same arithmetic."""
    weights = risk_weights()
    facts = _facts(county=county, as_of=as_of, scope_user=scope_user)
    keyed = []
    for item in facts:
        points = _factor_points(weights, *item[1:])
        keyed.append((-sum(points), -points[0], item[0], item))
    if limit is None:
        keyed.sort()
        chosen = [entry[3] for entry in keyed]
    else:
        chosen = [entry[3] for entry in heapq.nsmallest(max(limit, 0), keyed)]
    numbers = dict(Matter.objects.filter(pk__in=[item[0] for item in chosen]).values_list("pk", "number"))
    ranked = []
    for pk, evidence, days_open, overdue, threat, dissatisfied, share in chosen:
        factors, reasons = _score(
            weights=weights, evidence=evidence, days_open=days_open, overdue=overdue, threat=threat,
            dissatisfied=dissatisfied, share=share,
        )  # fmt: skip
        ranked.append(
            Risk(matter_id=pk, number=numbers.get(pk, ""), score=sum(factors.values()), factors=factors,
                 reasons=reasons)
        )  # fmt: skip
    return ranked


# The back-test


@dataclass(frozen=True)
class BacktestMonth:
    """One past month: ranked at its first day, the open matters then (`open`), how many of them had a
    赴省/进京 event in the month (`base_high`) and a 到市-or-above one (`base_over`); of the top 20 and of
    20 drawn at random, how many did; the expected hits of a random 20 (20 × the base rate)."""

    month: str
    open: int
    base_high: int
    base_over: int
    top_high: int
    top_over: int
    random_high: int
    random_over: int
    expected_high: float
    expected_over: float


@dataclass(frozen=True)
class Backtest:
    months: list[BacktestMonth]
    size: int

    def total(self, name: str) -> float:
        return sum(getattr(month, name) for month in self.months)

    def lift(self, kind: str) -> float | None:
        """Top-20 hits over the expected hits of a random 20 (None when nothing was expected)."""
        expected = self.total(f"expected_{kind}")
        return self.total(f"top_{kind}") / expected if expected else None


def _months(until: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The `count` calendar months ending before the month of `until`, oldest first, as (first, last)."""
    spans = []
    first = until.replace(day=1)
    for _ in range(count):
        last = first - dt.timedelta(days=1)
        first = last.replace(day=1)
        spans.append((first, last))
    return spans[::-1]


def _went(county: County, first: dt.date, last: dt.date, levels: Iterable[str]) -> set[int]:
    events = Event.objects.filter(county=county, date__gte=first, date__lte=last, level__in=list(levels))
    return set(events.values_list("matter_id", flat=True).distinct())


def risk_backtest(
    *, county: County, months: int, seed: int, size: int = 20, until: dt.date | None = None
) -> Backtest:
    """For each of the `months` calendar months before the month of `until` (today): the ranking at its
    first day, and how many of its top `size` went 赴省/进京 (and 到市 or above) during the month, against
    `size` open matters drawn at random (random.Random(seed), one draw a month) and the exact expectation
    of a random draw."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    until = until or timezone.localdate()
    results = []
    for first, last in _months(until, months):
        scored = risk_scores(county=county, as_of=first)
        scored.sort(key=lambda item: (-sum(item[1].values()), -item[1]["over_level"], item[0]))
        ids = [item[0] for item in scored]
        top = set(ids[:size])
        drawn = set(rng.sample(sorted(ids), min(size, len(ids))))
        high = _went(county, first, last, HIGH_LEVELS) & set(ids)
        over = _went(county, first, last, OVER_LEVELS) & set(ids)
        share = min(size, len(ids)) / len(ids) if ids else 0.0
        results.append(
            BacktestMonth(
                month=f"{first:%Y-%m}", open=len(ids), base_high=len(high), base_over=len(over),
                top_high=len(top & high), top_over=len(top & over),
                random_high=len(drawn & high), random_over=len(drawn & over),
                expected_high=share * len(high), expected_over=share * len(over),
            )
        )  # fmt: skip
    return Backtest(months=results, size=size)


def risk_as_json(risk: Risk) -> dict[str, Any]:
    """What a report or the API shows of a matter's risk."""
    return {
        "number": risk.number,
        "score": risk.score,
        "factors": risk.factors,
        "reasons": risk.reasons,
    }
