"""The bureau's KPIs (考核指标, issue 18): seven rates, each with its numerator, denominator, the matters left
out for want of dates (`excluded`) and its definition with the rule it rests on (docs/statistics.md,
"考核指标"). This module is the one place the rates are computed: the command, the page, the monthly report
and the dashboard all read them from `kpis` and `kpis_by_unit`.

When a matter enters a rate of the period [date_from, date_to] (both included):

- 及时受理率 — each step whose time limit fell due in the period, decided within it: the disposal (Art. 22:
  转送/交办, the bureau's own 受理 or 不予受理; the clock runs from the first 信访日期) and the handling
  unit's acceptance decision (Art. 23: 受理, the clock runs from the day of the current 转送/交办). A
  matter may enter twice (once for each step).
- 按期办结率 — matters whose handling deadline (Art. 34, from 受理日期, lengthened by an approved
  extension) fell in the period, or whose first answer was given in it; on time when answered by the
  deadline. A late answer enters both the period it fell due in and the one it was given in.
- 参评率 — answered matters whose rating window (from the first answer) closed in the period; rated.
- 满意率 / 单位满意率 — ratings made in the period; 满意 + 基本满意 of the bureau's (of the responsible
  unit's) score.
- 化解率 — matters closed in the period: 已化解 by its 化解日期, 办结 and 终结 by the day of the status
  change; resolved (`is_resolved`). 包案化解率 — the same over owned matters (an Ownership, current or
  ended by 销号).

Deadlines are `lib.deadlines.due_date` under the rule profile in force on the day each clock started, with
the official calendar's rest-day shift: the same dates the matter's page shows. Imported history counts
where it carries the dates; an imported matter whose 信访日期 is in the period and which lacks the date a
rate needs (a step it took without a recorded day) is counted in that rate's `excluded`. Figures are of the
matters as they are now. A unit's figures are those of the matters whose responsible unit (责任单位) it is.

Database work: `kpis` and `kpis_by_unit` read the roll-up (kept with every write by stats/kpi_facts.py): the
period's day counts (`KpiDay`), less two short reads of the facts (`KpiFact`; `_read`). `kpis_recount` and
`kpis_by_unit_recount` count the same from the petitions tables — the reference the roll-up is proved equal
to, and what a read falls back on while a large recomputation is pending: twelve grouped queries whatever
the size of the county, each set-based (joins and anti-joins, no lookup per matter): dates grouped per unit
for the deadline rates, conditional counts for the rest; Python maps each distinct start day to its due date
once and adds up the groups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.calendars.selectors import work_calendar
from xinfang.core.roles import COUNTY_WIDE_ROLES, Role
from xinfang.directory.models import County, Unit
from xinfang.lib.deadlines import Clock, RuleProfile, due_date, profile_on
from xinfang.lib.workdays import WorkCalendar
from xinfang.petitions.models import (
    Assignment,
    Matter,
    Ownership,
    Rating,
    RuleProfileAssignment,
    Stage,
    Transition,
)
from xinfang.stats.models import KpiDay, KpiFact, KpiPending

Status = Matter.Status

TIMELY_ACCEPTANCE = "及时受理率"
ON_TIME_HANDLING = "按期办结率"
RATING_RATE = "参评率"
SATISFACTION = "满意率"
UNIT_SATISFACTION = "单位满意率"
RESOLUTION = "化解率"
OWNED_RESOLUTION = "包案化解率"
NAMES = (
    TIMELY_ACCEPTANCE,
    ON_TIME_HANDLING,
    RATING_RATE,
    SATISFACTION,
    UNIT_SATISFACTION,
    RESOLUTION,
    OWNED_RESOLUTION,
)

# Statuses a matter reaches only after its first answer.
ANSWERED_STATUSES = (
    Status.ANSWERED, Status.RESOLVED, Status.REVIEW, Status.RE_REVIEW, Status.CONCLUDED, Status.CLOSED,
)  # fmt: skip
# Statuses that close a matter by a status change of their own (已化解 closes by its 化解日期).
ENDING_STATUSES = (Status.CONCLUDED, Status.CLOSED)
SATISFIED = (Rating.Score.SATISFIED, Rating.Score.BASICALLY)
# How far before the period a clock may start and still fall due in it: the longest limit of any profile,
# an extension, and a holiday's rest-day shift.
SLACK_DAYS = 20


def is_resolved(status: str, resolved_on: dt.date | None) -> bool:
    """化解: the matter is 已化解, or has a 化解日期 (it was resolved, then a review was asked). An imported
    ledger's 是否化解 = 是 is exactly this. 办结 or 终结 without 化解 is finished but not resolved."""
    return status == Status.RESOLVED or resolved_on is not None


def resolved_q(prefix: str = "") -> Q:
    """`is_resolved` as a query condition on a matter (reached through `prefix`, e.g. "matter__")."""
    return Q(**{f"{prefix}status": Status.RESOLVED}) | Q(**{f"{prefix}resolved_on__isnull": False})


@dataclass(frozen=True)
class Kpi:
    name: str
    numerator: int
    denominator: int
    excluded: int
    definition: str  # in Chinese, with its source

    @property
    def rate(self) -> float | None:
        """A fraction 0–1 to four places; None when nothing entered the rate."""
        return round(self.numerator / self.denominator, 4) if self.denominator else None

    def as_dict(self) -> dict[str, Any]:
        """The figures as `xinfang kpi --format json` prints them."""
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": self.rate,
            "excluded": self.excluded,
        }


@dataclass(frozen=True)
class UnitKpis:
    unit: Unit
    kpis: dict[str, Kpi]


def definitions(profile: RuleProfile) -> dict[str, str]:
    """Each KPI's definition and source under `profile` (the one in force at the end of the period)."""
    return {
        TIMELY_ACCEPTANCE: (
            f"期内到期的转送交办/受理决定（{profile.dispose_days}日，{profile.basis_of(Clock.DISPOSE)}）"
            f"和承办单位受理决定（{profile.accept_notice_days}日，{profile.basis_of(Clock.ACCEPT_NOTICE)}）中，"
            "在期限内作出的比例"
        ),
        ON_TIME_HANDLING: (
            f"办理期限（受理后{profile.handle_days}日，经批准延期的按延长后期限；"
            f"{profile.basis_of(Clock.HANDLE)}）在期内届满或期内答复的事项中，按期答复的比例"
        ),
        RATING_RATE: (
            f"答复后{profile.rating_window_days}日评价期在期内届满的事项中，信访人已评价的比例"
            f"（{profile.basis_of(Clock.RATING)}）"
        ),
        SATISFACTION: "期内评价中，对信访部门“满意”和“基本满意”的比例（本县满意度评价规则）",
        UNIT_SATISFACTION: "期内评价中，对责任单位“满意”和“基本满意”的比例（本县满意度评价规则）",
        RESOLUTION: "期内办结、终结或化解的事项中，已化解（含有化解日期）的比例（本县信访考核规则）",
        OWNED_RESOLUTION: "期内办结、终结或化解的包案事项（含已销号）中，已化解的比例（本县领导包案规则）",
    }


Counts = dict[str, list[int]]  # KPI -> [numerator, denominator, excluded]


class _Tally:
    """Counts per responsible unit (None: no unit yet) and KPI."""

    def __init__(self) -> None:
        self.by_unit: dict[int | None, Counts] = defaultdict(lambda: {name: [0, 0, 0] for name in NAMES})

    def add(self, unit: int | None, name: str, *, numerator: int = 0, denominator: int = 0,
            excluded: int = 0) -> None:  # fmt: skip
        counts = self.by_unit[unit][name]
        counts[0] += numerator
        counts[1] += denominator
        counts[2] += excluded

    def total(self) -> Counts:
        total = {name: [0, 0, 0] for name in NAMES}
        for counts in self.by_unit.values():
            for name, values in counts.items():
                total[name] = [a + b for a, b in zip(total[name], values, strict=True)]
        return total


def _rule_profiles(county: County) -> list[tuple[dt.date, str]]:
    # petitions.rows.rule_profiles' query, read here: importing petitions.rows (and petitions.selectors,
    # below, only where a user narrows the figures) brings the field cipher, 0.15 s of `xinfang kpi`.
    return list(RuleProfileAssignment.objects.filter(county=county).values_list("effective_from", "profile"))


def _reported(user: User) -> list[int]:
    """The matters that report the user or the user's unit (Art. 46): short lists, read once."""
    from xinfang.petitions.selectors import matters_reporting  # lazily: see _rule_profiles

    return sorted({pk for ids in matters_reporting(user) for pk in ids.values_list("matter_id", flat=True)})


REPORTED_CHUNK = 5000  # ids a query takes away at once (SQLite's parameters stay far below its limit)


def _matters_for_user(user: User) -> QuerySet[Matter]:
    from xinfang.petitions.selectors import matters_for_user

    return matters_for_user(user=user)


class _Deadlines:
    """Due dates of a clock by its start day, under the profile in force that day; each day computed once."""

    def __init__(self, county: County, calendar: WorkCalendar) -> None:
        self.profiles = _rule_profiles(county)
        self.calendar = calendar
        self.cache: dict[tuple[Clock, dt.date, int], dt.date] = {}

    def due(self, clock: Clock, start: dt.date, extra_days: int = 0) -> dt.date:
        key = (clock, start, extra_days)
        if key not in self.cache:
            profile = profile_on(start, self.profiles)
            self.cache[key] = due_date(clock, start, profile, self.calendar, extra_days=extra_days)
        return self.cache[key]


def _day_of(queryset: QuerySet[Any], field: str) -> Subquery:
    """The local date of the first row's `field` (a datetime)."""
    return Subquery(queryset.annotate(day=TruncDate(field)).values("day")[:1])


def _first_answers(
    matters: QuerySet[Matter], through: Q, condition: Callable[[str], Q], keys: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """(responsible unit, *keys, day of the first answer or None, matters, rated ones) of the matters that
    meet `condition` (given the prefix to the matter's fields). The first answer's day is 答复日期 while a
    matter is at its first answer; once a review's decision has replaced it, the day the first answer was
    recorded (a set-based query on the status records, not a lookup per matter)."""
    initial = (
        matters.filter(condition(""), stage=Stage.INITIAL)
        .values_list("responsible_unit_id", *keys, "answered_on")
        .annotate(n=Count("pk"), rated=Count("rating"))
        .order_by()
    )
    earlier = Transition.objects.filter(
        matter=OuterRef("matter"), to_status=Status.ANSWERED, imported=False, at__lt=OuterRef("at")
    )
    reviewed = (
        Transition.objects.filter(through, condition("matter__"), to_status=Status.ANSWERED, imported=False)
        .exclude(matter__stage=Stage.INITIAL)
        .filter(~Exists(earlier))
        .annotate(day=TruncDate("at"))
        .values_list("matter__responsible_unit_id", *(f"matter__{key}" for key in keys), "day")
        .annotate(n=Count("pk"), rated=Count("matter__rating"))
        .order_by()
    )
    return [*initial, *reviewed]


def _owned_matters() -> QuerySet[Any]:
    """包案: the matters with an ownership, current or ended by 销号 (not one handed to another leader
    only: the new owner's row is current)."""
    return Ownership.objects.filter(Q(is_current=True) | Q(end_reason=Ownership.EndReason.CLOSED)).values(
        "matter_id"
    )


def _scope(county: County, unit: Unit | None, scope_user: User | None) -> tuple[QuerySet[Matter], Q]:
    """The matters the figures count — the county's, or those the user may see (Art. 46 too); a unit
    user's are their unit's — and the same as a condition on a row with a `matter` (a join, not a
    subquery, when no user narrows them)."""
    if scope_user is not None and scope_user.role == Role.UNIT_USER:
        if unit is not None and unit.pk != scope_user.unit_id:
            return Matter.objects.none(), Q(pk__in=[])
        unit = scope_user.unit
    matters = Matter.objects.filter(county=county)
    through = Q(matter__county=county)
    if scope_user is not None:
        matters = _matters_for_user(scope_user).filter(county=county)
        through = Q(matter__in=matters)
    if unit is not None:
        matters = matters.filter(responsible_unit=unit)
        through &= Q(matter__responsible_unit=unit)
    return matters, through


def _tally(
    *, county: County, date_from: dt.date, date_to: dt.date, unit: Unit | None, scope_user: User | None
) -> _Tally:
    """From the roll-up when it is current (refreshing the few matters pending first), else a recount."""
    from xinfang.stats.kpi_facts import READ_FLUSH_LIMIT, pending_flush  # it builds on this module

    if KpiPending.objects.exists() and pending_flush(READ_FLUSH_LIMIT) is None:
        return _recount(county=county, date_from=date_from, date_to=date_to, unit=unit, scope_user=scope_user)
    return _read(county=county, date_from=date_from, date_to=date_to, unit=unit, scope_user=scope_user)


def _read(
    *, county: County, date_from: dt.date, date_to: dt.date, unit: Unit | None, scope_user: User | None
) -> _Tally:
    """The period's figures from the roll-up, in the scope `_scope` gives. The county's, a unit's, and what
    a county-wide role or a unit's user sees: the day counts (`KpiDay`, a row per day, unit and KPI),
    less the late answers' second rows whose due day is in the period too (a matter enters a period
    once), less the facts of the matters that report the user (Art. 46, short lists). Other roles (a
    leader's owned matters): the facts of the matters in their scope."""
    tally = _Tally()
    if scope_user is not None and scope_user.role == Role.UNIT_USER:
        if scope_user.unit is None or (unit is not None and unit.pk != scope_user.unit_id):
            return tally
        unit = scope_user.unit
    facts = KpiFact.objects.filter(county=county, day__gte=date_from, day__lte=date_to)
    days = KpiDay.objects.filter(county=county, day__gte=date_from, day__lte=date_to)
    if unit is not None:
        facts, days = facts.filter(unit=unit), days.filter(unit=unit.pk)
    counted = facts.filter(Q(other_day__isnull=True) | Q(other_day__lt=date_from) | Q(other_day__gt=date_to))
    if (
        scope_user is not None
        and scope_user.role not in COUNTY_WIDE_ROLES
        and scope_user.role != Role.UNIT_USER
    ):
        scope = _matters_for_user(scope_user).filter(county=county).values("pk")
        _tally_facts(tally, counted.filter(matter__in=scope))
        return tally
    sums = days.values_list("unit", "kpi").annotate(
        numerator=Sum("numerator"), denominator=Sum("denominator"), excluded=Sum("excluded")
    )
    for unit_id, kpi, numerator, denominator, excluded in sums.order_by():
        tally.add(unit_id or None, NAMES[kpi], numerator=numerator, denominator=denominator,
                  excluded=excluded)  # fmt: skip
    _tally_facts(tally, facts.filter(other_day__gte=date_from, other_day__lte=date_to), sign=-1)
    reported = _reported(scope_user) if scope_user is not None else []
    for start in range(0, len(reported), REPORTED_CHUNK):
        _tally_facts(tally, counted.filter(matter_id__in=reported[start : start + REPORTED_CHUNK]), sign=-1)
    return tally


def _tally_facts(tally: _Tally, facts: QuerySet[KpiFact], sign: int = 1) -> None:
    """Add (or with `sign` −1 take away) these facts' counts per unit and KPI: one grouped query."""
    rows = facts.values_list("unit_id", "kpi").annotate(
        # Counted on `kpi` (never null), not the id: the read indexes hold it and every other column read
        # here, so PostgreSQL answers from an index alone.
        numerator=Count("kpi", filter=Q(numerator=True)),
        denominator=Count("kpi", filter=Q(excluded=False)),
        excluded=Count("kpi", filter=Q(excluded=True)),
    )
    for unit_id, kpi, numerator, denominator, excluded in rows.order_by():
        tally.add(unit_id, NAMES[kpi], numerator=sign * numerator, denominator=sign * denominator,
                  excluded=sign * excluded)  # fmt: skip


def _recount(
    *, county: County, date_from: dt.date, date_to: dt.date, unit: Unit | None, scope_user: User | None
) -> _Tally:
    matters, through = _scope(county, unit, scope_user)
    deadlines = _Deadlines(county, work_calendar())
    tally = _Tally()
    early = date_from - dt.timedelta(days=SLACK_DAYS + 15)  # 15: the longest disposal / acceptance limit
    within = _within(date_from, date_to)

    # 及时受理率, the disposal (Art. 22): from the first visit to the first 转送/交办 (the matters with an
    # assignment), or to the bureau's own 受理 or 不予受理 (those without).
    visited = Q(matter__first_event_date__gte=early, matter__first_event_date__lte=date_to)
    earlier = Assignment.objects.filter(matter=OuterRef("matter"), sent_at__lt=OuterRef("sent_at"))
    transfers = (
        Assignment.objects.filter(through, visited)
        .filter(~Exists(earlier))
        .annotate(day=TruncDate("sent_at"))
        .values_list("matter__responsible_unit_id", "matter__first_event_date", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for unit_id, start, transferred, n in transfers:
        due = deadlines.due(Clock.DISPOSE, start)
        _timely(tally, unit_id, TIMELY_ACCEPTANCE, due, transferred, within, n)
    own = (
        matters.filter(first_event_date__gte=early, first_event_date__lte=date_to)
        .filter(~Exists(Assignment.objects.filter(matter=OuterRef("pk"))))
        .exclude(status=Status.REJECTED)
        .annotate(registered=Case(When(status=Status.REGISTERED, then=True), default=False))
        .values_list("responsible_unit_id", "first_event_date", "accepted_on", "registered")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for unit_id, start, accepted, registered, n in own:
        if accepted is None and not registered:
            continue  # past 登记 on a day nobody recorded (imported): in `excluded`
        _timely(tally, unit_id, TIMELY_ACCEPTANCE, deadlines.due(Clock.DISPOSE, start), accepted, within, n)
    refusals = (
        Transition.objects.filter(
            through, visited, matter__status=Status.REJECTED, to_status=Status.REJECTED, imported=False
        )
        .annotate(day=TruncDate("at"))
        .values_list("matter__responsible_unit_id", "matter__first_event_date", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for unit_id, start, refused, n in refusals:
        _timely(tally, unit_id, TIMELY_ACCEPTANCE, deadlines.due(Clock.DISPOSE, start), refused, within, n)

    # 及时受理率, the acceptance decision (Art. 23): from the current 转送/交办 to the unit's 受理.
    acceptances = (
        Assignment.objects.filter(
            through, is_current=True, sent_at__gte=_start_of(early), sent_at__lt=_end_of(date_to)
        )
        .annotate(day=TruncDate("sent_at"))
        .values_list("matter__responsible_unit_id", "day", "matter__accepted_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for unit_id, start, accepted, n in acceptances:
        decided = accepted if accepted is not None and accepted >= start else None
        _timely(
            tally, unit_id, TIMELY_ACCEPTANCE, deadlines.due(Clock.ACCEPT_NOTICE, start), decided, within, n
        )

    # 按期办结率: the handling deadline in the period, or the first answer given in it.
    handled = _first_answers(
        matters,
        through,
        lambda p: (
            Q(**{f"{p}accepted_on__lte": date_to})
            & (
                Q(**{f"{p}accepted_on__gte": early - dt.timedelta(days=150)})
                | Q(**{f"{p}answered_on__gte": date_from})
            )
        ),
        ("accepted_on", "extension_days"),
    )
    for unit_id, accepted, extension, answered, n, _rated in handled:
        due = deadlines.due(Clock.HANDLE, accepted, extension)
        if within(due) or (answered is not None and within(answered)):
            on_time = answered is not None and answered <= due
            tally.add(unit_id, ON_TIME_HANDLING, numerator=n * on_time, denominator=n)

    # 参评率: the rating window (from the first answer) closed in the period.
    windows = _first_answers(matters, through, lambda p: Q(**{f"{p}answered_on__gte": early}), ())
    for unit_id, answered, n, rated in windows:
        if answered is not None and within(deadlines.due(Clock.RATING, answered)):
            tally.add(unit_id, RATING_RATE, numerator=rated, denominator=n)

    # 满意率 and 单位满意率: the ratings made in the period.
    ratings = (
        Rating.objects.filter(through, rated_at__gte=_start_of(date_from), rated_at__lt=_end_of(date_to))
        .values_list("matter__responsible_unit_id")
        .annotate(
            n=Count("pk"),
            bureau=Count("pk", filter=Q(bureau_score__in=SATISFIED)),
            unit=Count("pk", filter=Q(unit_score__in=SATISFIED)),
        )
        .order_by()
    )
    for unit_id, n, bureau, unit_ok in ratings:
        tally.add(unit_id, SATISFACTION, numerator=bureau, denominator=n)
        tally.add(unit_id, UNIT_SATISFACTION, numerator=unit_ok, denominator=n)

    # 化解率 and 包案化解率: 已化解 by its 化解日期; 办结 and 终结 by the day of their status change.
    closing = _closing_counts(matters.filter(status=Status.RESOLVED, resolved_on__range=(date_from, date_to)))
    ended = Transition.objects.filter(
        through,
        matter__status__in=ENDING_STATUSES,
        to_status=F("matter__status"),
        imported=False,
        at__gte=_start_of(date_from),
        at__lt=_end_of(date_to),
    )
    for rows in (closing, _closing_counts(ended, prefix="matter__")):
        for unit_id, n, resolved, owned, owned_resolved in rows:
            tally.add(unit_id, RESOLUTION, numerator=resolved, denominator=n)
            tally.add(unit_id, OWNED_RESOLUTION, numerator=owned_resolved, denominator=owned)

    _excluded(tally, matters, date_from, date_to)
    return tally


def _start_of(day: dt.date) -> dt.datetime:
    """The first moment of a local day: ranges on datetimes use the index, not a date cast per row."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after a local day."""
    return _start_of(day + dt.timedelta(days=1))


def _within(date_from: dt.date, date_to: dt.date) -> Callable[[dt.date], bool]:
    return lambda day: date_from <= day <= date_to


def _timely(
    tally: _Tally, unit_id: int | None, name: str, due: dt.date, decided: dt.date | None,
    within: Callable[[dt.date], bool], n: int,
) -> None:  # fmt: skip
    if within(due):
        tally.add(unit_id, name, numerator=n * (decided is not None and decided <= due), denominator=n)


def _closing_counts(rows: QuerySet[Any], prefix: str = "") -> Iterable[tuple[Any, ...]]:
    """Per responsible unit: the closed matters, the resolved ones, the owned ones, the owned resolved."""
    owned = Q(**{f"{prefix}pk__in": _owned_matters()})
    resolved = resolved_q(prefix)
    return (
        rows.values_list(f"{prefix}responsible_unit_id")
        .annotate(
            n=Count("pk"),
            resolved=Count("pk", filter=resolved),
            owned_n=Count("pk", filter=owned),
            owned_resolved=Count("pk", filter=owned & resolved),
        )
        .order_by()
    )


def _excluded(tally: _Tally, matters: QuerySet[Matter], date_from: dt.date, date_to: dt.date) -> None:
    """Imported matters of the period (by 信访日期) that took a step whose day is not recorded."""
    ended_here = Exists(
        Transition.objects.filter(matter=OuterRef("pk"), to_status=OuterRef("status"), imported=False)
    )
    answered = Q(status__in=ANSWERED_STATUSES)
    undated_end = (Q(status__in=ENDING_STATUSES) & Q(ended_here=False)) | Q(
        status=Status.RESOLVED, resolved_on__isnull=True
    )
    rows = (
        matters.filter(first_event_date__gte=date_from, first_event_date__lte=date_to)
        .filter(pk__in=Transition.objects.filter(imported=True).values("matter_id"))
        .annotate(
            assigned=Exists(Assignment.objects.filter(matter=OuterRef("pk"))),
            ended_here=ended_here,
        )
        .values_list("responsible_unit_id")
        .annotate(
            accept=Count("pk", filter=~Q(status=Status.REGISTERED) & Q(assigned=False, accepted_on=None)),
            handle=Count("pk", filter=answered & (Q(accepted_on=None) | Q(answered_on=None))),
            rate=Count("pk", filter=answered & Q(answered_on=None)),
            close=Count("pk", filter=undated_end),
            owned_close=Count("pk", filter=undated_end & Q(pk__in=_owned_matters())),
        )
        .order_by()
    )
    for unit_id, accept, handle, rate, close, owned_close in rows:
        tally.add(unit_id, TIMELY_ACCEPTANCE, excluded=accept)
        tally.add(unit_id, ON_TIME_HANDLING, excluded=handle)
        tally.add(unit_id, RATING_RATE, excluded=rate)
        tally.add(unit_id, RESOLUTION, excluded=close)
        tally.add(unit_id, OWNED_RESOLUTION, excluded=owned_close)


def _kpis(counts: Counts, texts: dict[str, str]) -> dict[str, Kpi]:
    return {
        name: Kpi(name, numerator, denominator, excluded, texts[name])
        for name in NAMES
        for numerator, denominator, excluded in [counts[name]]
    }


def _texts(county: County, date_to: dt.date) -> dict[str, str]:
    return definitions(profile_on(date_to, _rule_profiles(county)))


def kpis(
    *,
    county: County,
    date_from: dt.date,
    date_to: dt.date,
    unit: Unit | None = None,
    scope_user: User | None = None,
) -> dict[str, Kpi]:
    """The seven KPIs of the county (of `unit`'s matters when given; of what `scope_user` may see, a unit
    user's own unit only) for the period, in the order of NAMES."""
    tally = _tally(county=county, date_from=date_from, date_to=date_to, unit=unit, scope_user=scope_user)
    return _kpis(tally.total(), _texts(county, date_to))


def kpis_recount(
    *,
    county: County,
    date_from: dt.date,
    date_to: dt.date,
    unit: Unit | None = None,
    scope_user: User | None = None,
) -> dict[str, Kpi]:
    """`kpis` counted from the petitions tables, not the roll-up: the reference it equals."""
    tally = _recount(county=county, date_from=date_from, date_to=date_to, unit=unit, scope_user=scope_user)
    return _kpis(tally.total(), _texts(county, date_to))


def kpis_by_unit(
    *,
    county: County,
    date_from: dt.date,
    date_to: dt.date,
    unit: Unit | None = None,
    scope_user: User | None = None,
) -> tuple[dict[str, Kpi], list[UnitKpis]]:
    """The county's KPIs and each responsible unit's (townships, then departments, in the directory's
    order; units with no matter entering any rate are left out), from the same query as `kpis`."""
    tally = _tally(county=county, date_from=date_from, date_to=date_to, unit=unit, scope_user=scope_user)
    return _by_unit(tally, _texts(county, date_to))


def kpis_by_unit_recount(
    *,
    county: County,
    date_from: dt.date,
    date_to: dt.date,
    unit: Unit | None = None,
    scope_user: User | None = None,
) -> tuple[dict[str, Kpi], list[UnitKpis]]:
    """`kpis_by_unit` counted from the petitions tables, not the roll-up."""
    tally = _recount(county=county, date_from=date_from, date_to=date_to, unit=unit, scope_user=scope_user)
    return _by_unit(tally, _texts(county, date_to))


def _by_unit(tally: _Tally, texts: dict[str, str]) -> tuple[dict[str, Kpi], list[UnitKpis]]:
    ids = [
        unit_id
        for unit_id, counts in tally.by_unit.items()
        if unit_id is not None and any(any(values) for values in counts.values())
    ]
    units = Unit.objects.filter(pk__in=ids).order_by("kind", "order", "id")
    kind_order = {str(Unit.Kind.TOWNSHIP): 0, str(Unit.Kind.DEPARTMENT): 1}
    rows = [UnitKpis(row, _kpis(tally.by_unit[row.pk], texts)) for row in units]
    rows.sort(key=lambda row: (kind_order.get(row.unit.kind, 2), row.unit.order, row.unit.pk))
    return _kpis(tally.total(), texts), rows
