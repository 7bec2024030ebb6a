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
- risk: its escalation-risk score (`stats.risk.risk_ranking`, used as it is);
- instruction: a 批示 outstanding, an open supervision item of the weekly analysis's 批示 on it.

A matter qualifies when it is open at `as_of` (the risk ranking's definition) and its score is above 0.
Weights: XINFANG_MEETING_WEIGHTS ("risk=1,instruction=30", the rest default), checked by xinfang.E020.
Queries are grouped: a fixed number per screening plus one per 5,000 open matters, none per matter.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Max, Q
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
from xinfang.stats.risk import risk_ranking
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


def points(value: float) -> Decimal:
    """One decimal, half up (the way a person rounds)."""
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


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _first_dates(ids: list[int]) -> dict[int, dt.date]:
    found: dict[int, dt.date] = {}
    for chunk in _chunks(ids):
        found.update(Matter.objects.filter(pk__in=chunk).values_list("pk", "first_event_date").order_by())
    return found


def _events(county: County, as_of: dt.date) -> dict[int, tuple[int, int, int]]:
    """Per matter, (repeat events, over-level events, largest visit of 5 or more) before `as_of`: one
    grouped query over the events that can score."""
    rows = (
        Event.objects.filter(county=county, date__lt=as_of)
        .filter(Q(is_repeat=True) | Q(level__in=OVER_LEVELS) | Q(persons__gte=COLLECTIVE_PERSONS))
        .values_list("matter_id")
        .annotate(
            repeat=Count("pk", filter=Q(is_repeat=True)),
            over=Count("pk", filter=Q(level__in=OVER_LEVELS)),
            largest=Max("persons", filter=Q(persons__gte=COLLECTIVE_PERSONS)),
        )
        .order_by()
    )
    return {pk: (repeat, over, largest or 0) for pk, repeat, over, largest in rows}


def _units(county: County, start: dt.datetime) -> dict[int, int]:
    """Per matter sent to two units or more before `start`, how many."""
    rows = (
        Assignment.objects.filter(matter__county=county, sent_at__lt=start)
        .values_list("matter_id")
        .annotate(units=Count("unit", distinct=True))
        .filter(units__gte=2)
        .order_by()
    )
    return dict(rows)


def _dissatisfied(county: County, start: dt.datetime) -> set[int]:
    unhappy = Q(bureau_score=Rating.Score.DISSATISFIED) | Q(unit_score=Rating.Score.DISSATISFIED)
    return set(
        Rating.objects.filter(unhappy, matter__county=county, rated_at__lt=start).values_list(
            "matter_id", flat=True
        )
    )


def _instructions(county: County, start: dt.datetime) -> set[int]:
    """Matters with a 批示 given before `start` that was not done then."""
    items = SupervisionItem.objects.filter(
        county=county,
        source_kind=SupervisionItem.SourceKind.WEEKLY,
        matter__isnull=False,
        created_at__lt=start,
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    return set(items.values_list("matter_id", flat=True))


def owners(matter_ids: Iterable[int]) -> dict[int, str]:
    """Each matter's owning leader now (包案领导), by name."""
    rows = Ownership.objects.filter(matter_id__in=list(matter_ids), is_current=True).values_list(
        "matter_id", "leader__name"
    )
    return dict(rows)


def screen(*, county: County, month: Month, limit: int | None = AGENDA_MAX) -> tuple[list[Candidate], int]:
    """The qualifying matters of `month`, best first (ties: the older matter first, then the number), at
    most `limit` (None: all), and how many qualify."""
    as_of = month_end(month) + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(as_of, dt.time.min))
    weights = meeting_weights()
    risks = {risk.matter_id: risk for risk in risk_ranking(county=county, as_of=as_of, limit=None)}
    if not risks:
        return [], 0
    firsts = _first_dates(sorted(risks))
    events = _events(county, as_of)
    units = _units(county, start)
    unhappy = _dissatisfied(county, start)
    instructed = _instructions(county, start)
    scored = []
    for pk, risk in risks.items():
        repeat, over, largest = events.get(pk, (0, 0, 0))
        first = firsts.get(pk)
        evidence = Evidence(
            days_open=(as_of - first).days if first else 0, repeat=repeat, over_level=over, largest=largest,
            units=units.get(pk, 0), dissatisfied=pk in unhappy, risk=int(risk.score),
            instruction=pk in instructed,
        )  # fmt: skip
        factors = factor_points(weights, evidence)
        score = sum(factors.values(), Decimal("0.0"))
        if score > 0:
            scored.append((-score, first or as_of, risk.number, pk, factors, evidence))
    scored.sort()
    qualifying = len(scored)
    chosen = scored if limit is None else scored[:limit]
    names = owners(row[3] for row in chosen)
    return [
        Candidate(matter_id=pk, number=number, score=-negative, factors=factors, evidence=evidence,
                  owner=names.get(pk, ""))
        for negative, _, number, pk, factors, evidence in chosen
    ], qualifying  # fmt: skip


def candidate_for(*, county: County, month: Month, matter: Matter) -> Candidate:
    """One matter's score for `month` (a matter staff add by hand: it may not qualify)."""
    ranked, _ = screen(county=county, month=month, limit=None)
    found = next((candidate for candidate in ranked if candidate.matter_id == matter.pk), None)
    if found is not None:
        return found
    zero = {name: Decimal("0.0") for name in FACTORS}
    return Candidate(
        matter.pk, matter.number, Decimal("0.0"), zero, Evidence(), owners([matter.pk]).get(matter.pk, "")
    )
