"""What the home pages show: each role's to-do cards, built from the queues of the apps below; and the
leaders' dashboard (态势): the situation with its changes, the day's snapshot, the charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.dashboard.charts import Chart, bar_chart
from xinfang.dashboard.snapshot import hotspot_day, kpi_period, past_months, snapshot_for
from xinfang.documents.models import Delivery
from xinfang.documents.selectors import inbox_for_user
from xinfang.ledger.models import LedgerImport
from xinfang.ledger.selectors import ledger_imports_for_user
from xinfang.lib.periods import Month, month_of, month_parse, quarter_of
from xinfang.ownership.pages import my_cases
from xinfang.ownership.selectors import closures_pending_for_user
from xinfang.petitions.models import COLLECTIVE_PERSONS, OVER_LEVELS, Event, OnlineSubmission
from xinfang.petitions.selectors import (
    MatterFilter,
    matters_reporting,
    matters_total,
    online_submissions_for_user,
    todo_counts,
)
from xinfang.reception.duty import duty_missing
from xinfang.reports.models import WeeklyReport
from xinfang.stats.hotspots import WINDOW_DAYS, hotspots
from xinfang.stats.kpi import kpis
from xinfang.stats.risk import FACTORS, risk_ranking
from xinfang.stats.selectors import ROW, counted_events
from xinfang.supervision.selectors import item_counts

# Imports that wait for someone: checked and not yet confirmed, or still being checked or written.
WAITING_IMPORTS = (
    LedgerImport.State.CHECKING,
    LedgerImport.State.CHECKED,
    LedgerImport.State.QUEUED,
    LedgerImport.State.WRITING,
)


@dataclass(frozen=True)
class Card:
    label: str
    scope: str
    count: int
    url: str
    alert: bool = False
    note: str = ""


def todo_cards(*, user: User) -> list[Card]:
    """Every to-do card of the user's role, each shown even at 0 and linking to exactly what it counts."""
    matters = reverse("petitions:list")
    cards = [
        Card(
            item.queue.label,
            item.queue.scope,
            item.count,
            f"{matters}?todo={item.queue.key}",
            item.queue.alert,
            item.queue.note,
        )
        for item in todo_counts(user=user)
    ]
    if user.role in BUREAU_ROLES:
        pending = online_submissions_for_user(user=user).filter(state=OnlineSubmission.State.PENDING)
        waiting = ledger_imports_for_user(user=user).filter(state__in=WAITING_IMPORTS)
        cards += [
            Card(
                "网上信访待审核",
                "全县",
                pending.count(),
                f"{reverse('petitions:online_list')}?state=pending",
                note="审核后登记为事项",
            ),
            Card(
                "台账导入待处理",
                "全县",
                waiting.count(),
                reverse("ledger:list"),
                note="检查中、待确认或写入中",
            ),
        ]
    return (
        cards
        + document_cards(user=user)
        + supervision_cards(user=user)
        + ownership_cards(user=user)
        + duty_cards(user=user)
    )


def document_cards(*, user: User) -> list[Card]:
    """Documents waiting for the reader: a leader's to sign off and unread; the bureau's weekly drafts."""
    if user.role in BUREAU_ROLES and user.county is not None:
        drafts = WeeklyReport.objects.filter(county=user.county, state=WeeklyReport.State.DRAFT).count()
        return [
            Card(
                "每周访情分析待印发", "全县", drafts, reverse("reports:weekly"), note="草稿待补充、待局长审定"
            )
        ]
    # The reports go to the main leaders and the standing-committee members; other leaders get none.
    recipient = user.leader is not None and (user.leader.is_main_leader or user.leader.is_standing_committee)
    if user.role not in (Role.MAIN_LEADER, Role.COUNTY_LEADER) or not recipient:
        return []
    inbox = reverse("documents:inbox")
    deliveries = inbox_for_user(user=user)
    cards = [Card("文件未读", "报送本人", deliveries.filter(read_at__isnull=True).count(), inbox)]
    if user.role == Role.MAIN_LEADER:
        to_sign = deliveries.filter(purpose=Delivery.Purpose.SIGN, signed_at__isnull=True).count()
        cards.insert(0, Card("文件待签批", "报送本人", to_sign, inbox, alert=True, note="每周访情分析等"))
    return cards


def supervision_cards(*, user: User) -> list[Card]:
    """The role's 督办 cards: a county leader's items they lead, a unit's own, the bureau's waiting for its
    decision; and the overdue ones of each scope (overdue items are counted among the open ones too)."""
    items = reverse("supervision:list")
    if user.role not in (Role.COUNTY_LEADER, Role.UNIT_USER, *BUREAU_ROLES, Role.MAIN_LEADER):
        return []
    counts = item_counts(user=user)
    overdue_note = "未办结且已过办理期限"
    if user.role == Role.COUNTY_LEADER:
        return [
            Card("督办：本人牵头", "本人牵头", counts.open, f"{items}?state=open", note="未办结的督办事项"),
            Card("督办已超期", "本人牵头", counts.overdue, f"{items}?state=overdue", True, overdue_note),
        ]
    if user.role == Role.UNIT_USER:
        return [
            Card("督办：本单位待办", "本单位", counts.open, f"{items}?state=open", note="未办结的督办事项"),
            Card("督办已超期", "本单位", counts.overdue, f"{items}?state=overdue", True, overdue_note),
        ]
    overdue = Card("督办已超期", "全县", counts.overdue, f"{items}?state=overdue", True, overdue_note)
    if user.role == Role.MAIN_LEADER:
        return [overdue]
    awaiting_note = "单位已报送、尚未验收或退回"
    return [
        Card("督办待验收", "全县", counts.awaiting, f"{items}?state=awaiting", note=awaiting_note),
        overdue,
    ]


def ownership_cards(*, user: User) -> list[Card]:
    """领导包案: the bureau's 销号 requests to confirm; a leader's own cases with a 包 still empty."""
    if user.role in BUREAU_ROLES:
        waiting = closures_pending_for_user(user=user).count()
        url = f"{reverse('ownership:index')}#closures"
        return [Card("包案销号待确认", "全县", waiting, url, note="包案领导已申请销号")]
    if user.role in (Role.MAIN_LEADER, Role.COUNTY_LEADER) and user.leader_id is not None:
        empty = my_cases(user=user, empty_only=True).count()
        url = f"{reverse('ownership:mine')}?todo=empty"
        return [Card("包案五包未填全", "本人包案", empty, url, note="五包中尚有未开展的")]
    return []


def duty_cards(*, user: User) -> list[Card]:
    """季度下沉任务: the bureau's leaders neither gone down nor planned this quarter; a bound leader's own."""
    county, today = user.county, timezone.localdate()
    if county is None:
        return []
    quarter = quarter_of(today)
    deadline = f"{quarter.label}，{quarter.last.month}月{quarter.last.day}日截止"
    missing = duty_missing(county=county, quarter=quarter, today=today)
    if user.role in BUREAU_ROLES:
        return [Card("下沉接访未安排", "全县", missing.count(), reverse("reception:duty"), note=deadline)]
    leader = user.leader if user.role in (Role.MAIN_LEADER, Role.COUNTY_LEADER) else None
    if leader is not None and leader.is_active and not leader.is_top_six:
        mine = int(missing.filter(pk=leader.pk).exists())
        return [Card("本季度下沉接访", "本人", mine, reverse("reception:duty_mine"), True, deadline)]
    return []


# The leaders' dashboard (态势, issue 18): docs/dashboard.md says what each figure counts and where it links.

TODAY_LIST = 20  # today's over-level and collective visits listed by name; the figure links to all
RISKS_SHOWN = 10
DAILY_DAYS = 30


@dataclass(frozen=True)
class Tile:
    """One figure of a period and its change against the previous period of the same length."""

    key: str  # events, persons, over_level, collective
    label: str
    value: int
    url: str
    previous: int
    previous_url: str

    @property
    def change(self) -> str:
        """ "+3（+25%）", "−2（−40%）", "持平"; the percentage "—" when the previous period had none."""
        delta = self.value - self.previous
        if delta == 0:
            return "持平"
        sign = "+" if delta > 0 else "−"
        percent = f"{sign}{abs(delta) / self.previous:.0%}" if self.previous else "—"
        return f"{sign}{abs(delta)}（{percent}）"

    @property
    def rising(self) -> bool:
        return self.value > self.previous


@dataclass(frozen=True)
class Span:
    """Today, this week or this statistical month so far, with the previous period it is compared with."""

    key: str
    label: str
    date_from: dt.date
    date_to: dt.date
    previous_from: dt.date
    previous_to: dt.date
    previous_label: str
    tiles: list[Tile]


def _events_url(date_from: dt.date, date_to: dt.date, **extra: str | int) -> str:
    """The events page (/stats/events/) filtered to exactly the events a figure counts."""
    query = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), **extra}
    return f"{reverse('stats:events')}?{urlencode(query)}"


def periods(today: dt.date, start_day: int) -> list[tuple[str, str, dt.date, dt.date, dt.date, dt.date, str]]:
    """(key, label, from, to, previous from, previous to, previous label) of today, this week (from Monday)
    and this statistical month so far. The previous period has the same length: yesterday; last week's same
    days; the previous statistical month's first days as many as this month's so far (at most that whole
    month)."""
    week_start = today - dt.timedelta(days=today.weekday())
    month_start = month_of(today, start_day).range(start_day)[0]
    before_start, before_end = month_of(month_start - dt.timedelta(days=1), start_day).range(start_day)
    before_to = min(before_start + (today - month_start), before_end)
    week = dt.timedelta(days=7)
    yesterday = today - dt.timedelta(days=1)
    return [
        ("today", f"今日（{today.month}月{today.day}日）", today, today, yesterday, yesterday, "昨日"),
        ("week", f"本周（{week_start.month}月{week_start.day}日起）", week_start, today,
         week_start - week, today - week, "上周同期"),
        ("month", f"本月（{month_start.month}月{month_start.day}日起）", month_start, today,
         before_start, before_to, "上月同期"),
    ]  # fmt: skip


@dataclass(frozen=True)
class DayFigures:
    events: int = 0
    persons: int = 0
    over_level: int = 0
    collective: int = 0


def daily_figures(*, user: User, date_from: dt.date, date_to: dt.date) -> dict[dt.date, DayFigures]:
    """Per day of the period, the events of the matters the user may see: one grouped query on the
    statistics index (stats.selectors.counted_events), some sixty rows back."""
    if user.county is None:
        return {}
    events = counted_events(county=user.county, date_from=date_from, date_to=date_to, user=user)
    rows = (
        events.values_list("date")
        .annotate(
            n_events=Count(ROW),
            n_persons=Coalesce(Sum("persons"), 0),
            n_over_level=Count(ROW, filter=Q(level__in=OVER_LEVELS)),
            n_collective=Count(ROW, filter=Q(persons__gte=COLLECTIVE_PERSONS)),
        )
        .order_by()
    )
    return {row[0]: DayFigures(*(int(value or 0) for value in row[1:])) for row in rows}


def _summed(days: dict[dt.date, DayFigures], date_from: dt.date, date_to: dt.date) -> DayFigures:
    chosen = [figures for day, figures in days.items() if date_from <= day <= date_to]
    return DayFigures(
        sum(f.events for f in chosen), sum(f.persons for f in chosen),
        sum(f.over_level for f in chosen), sum(f.collective for f in chosen),
    )  # fmt: skip


def situation_spans(days: dict[dt.date, DayFigures], today: dt.date, start_day: int) -> list[Span]:
    """The three periods' tiles (events, persons, over-level, collective), each linking to its events."""
    spans = []
    for key, label, start, end, before_from, before_to, before_label in periods(today, start_day):
        now, then = _summed(days, start, end), _summed(days, before_from, before_to)
        tiles = [
            Tile(field, name, getattr(now, field), _events_url(start, end, **extra), getattr(then, field),
                 _events_url(before_from, before_to, **extra))
            for name, field, extra in (
                ("信访批次", "events", {}),
                ("人次", "persons", {}),
                ("越级访", "over_level", {"over_level": "on"}),
                ("集体访", "collective", {"collective": "on"}),
            )
        ]  # fmt: skip
        spans.append(Span(key, label, start, end, before_from, before_to, before_label, tiles))
    return spans


def todays_alerts(*, user: User, today: dt.date) -> list[Event]:
    """Today's over-level (到市/赴省/进京) and collective (5 persons or more) visits of the matters the user
    may see, newest first, at most TODAY_LIST."""
    if user.county is None:
        return []
    events = counted_events(county=user.county, date_from=today, date_to=today, user=user)
    alerting = events.filter(Q(level__in=OVER_LEVELS) | Q(persons__gte=COLLECTIVE_PERSONS))
    return list(alerting.select_related("matter", "township", "category_top").order_by("-id")[:TODAY_LIST])


def has_exclusions(user: User) -> bool:
    """Whether a matter reports the user or their unit (Art. 46): the county-wide snapshot is then not
    theirs, and their figures are computed for them."""
    return any(reported.exists() for reported in matters_reporting(user))


@dataclass(frozen=True)
class KpiTile:
    name: str
    percent: str
    numerator: int
    denominator: int
    url: str


@dataclass(frozen=True)
class HotspotRow:
    township: str
    category: str
    count: int
    expected: float
    ratio: float | None
    url: str


@dataclass(frozen=True)
class RiskRow:
    matter_id: int
    number: str
    score: int
    reasons: list[str]
    factors: list[tuple[str, int]]  # the factors that scored, with their Chinese names


@dataclass(frozen=True)
class Snapshotted:
    """The slow figures: from the day's county-wide snapshot, or computed for a reader with exclusions."""

    as_of: dt.datetime | None  # the snapshot's time; None when computed for this request
    risks: list[RiskRow]
    hotspots: list[HotspotRow]
    hotspot_from: dt.date
    hotspot_to: dt.date
    kpis: list[KpiTile]
    kpi_from: dt.date
    kpi_to: dt.date
    months: list[tuple[Month, int | None]]


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _snapshotted(
    *, risks: list[dict[str, Any]], hotspots: list[dict[str, Any]], kpis: dict[str, dict[str, Any]],
    kpi_from: dt.date, kpi_to: dt.date, months: list[tuple[Month, int | None]], day: dt.date,
    as_of: dt.datetime | None,
) -> Snapshotted:  # fmt: skip
    hot_to = hotspot_day(day)
    hot_from = hot_to - dt.timedelta(days=WINDOW_DAYS - 1)
    kpi_url = f"{reverse('stats:kpi')}?{urlencode({'date_from': kpi_from, 'date_to': kpi_to})}"
    return Snapshotted(
        as_of=as_of,
        risks=[
            RiskRow(risk["matter_id"], risk["number"], risk["score"], risk["reasons"],
                    [(FACTORS[name], points) for name, points in risk["factors"].items() if points])
            for risk in risks[:RISKS_SHOWN]
        ],
        hotspots=[
            HotspotRow(spot["township"], spot["category"], spot["count"], spot["expected"], spot["ratio"],
                       _events_url(hot_from, hot_to, township=spot["township_id"],
                                   category=spot["category_id"]))
            for spot in hotspots
        ],
        hotspot_from=hot_from,
        hotspot_to=hot_to,
        kpis=[KpiTile(name, _percent(kpi["rate"]), kpi["numerator"], kpi["denominator"], kpi_url)
              for name, kpi in kpis.items()],
        kpi_from=kpi_from,
        kpi_to=kpi_to,
        months=months,
    )  # fmt: skip


def snapshotted(*, user: User, day: dt.date) -> Snapshotted:
    """The day's snapshot (stored, else computed once and stored), or for a reader whom some matter
    reports (Art. 46) the same figures computed now within their scope."""
    county = user.county
    assert county is not None
    if not has_exclusions(user):
        snapshot = snapshot_for(county=county, day=day)
        return _snapshotted(
            risks=snapshot.risks, hotspots=snapshot.hotspots, kpis=snapshot.kpis["figures"],
            kpi_from=dt.date.fromisoformat(snapshot.kpis["from"]),
            kpi_to=dt.date.fromisoformat(snapshot.kpis["to"]),
            months=[(month_parse(name), events) for name, events in snapshot.months],
            day=day, as_of=snapshot.computed_at,
        )  # fmt: skip
    risks = risk_ranking(county=county, as_of=day, limit=RISKS_SHOWN, scope_user=user)
    kpi_from, kpi_to = kpi_period(day)
    figures = kpis(county=county, date_from=kpi_from, date_to=kpi_to, scope_user=user)
    months = past_months(day)
    start_day = settings.XINFANG_MONTH_START_DAY
    first, last = months[0].range(start_day)[0], months[-1].range(start_day)[1]
    by_day = daily_figures(user=user, date_from=first, date_to=last)
    counted: dict[Month, int] = dict.fromkeys(months, 0)
    for date, figures_of_day in by_day.items():
        counted[month_of(date, start_day)] += figures_of_day.events
    return _snapshotted(
        risks=[asdict(risk) for risk in risks],
        hotspots=[asdict(spot) for spot in hotspots(county=county, day=hotspot_day(day), scope_user=user)],
        kpis={name: kpi.as_dict() for name, kpi in figures.items()},
        kpi_from=kpi_from, kpi_to=kpi_to, months=list(counted.items()), day=day, as_of=None,
    )  # fmt: skip


def charts(
    *, days: dict[dt.date, DayFigures], today: dt.date, months: list[tuple[Month, int | None]], start_day: int
) -> tuple[Chart, Chart]:
    """Events per day over the last 30 days and per statistical month over 12 (this one so far), each bar
    linking to its events."""
    daily = []
    for offset in range(DAILY_DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=offset)
        events = days.get(day, DayFigures()).events
        title = f"{day:%Y-%m-%d}：{events} 批次"
        daily.append((f"{day.month}/{day.day}", title, events, _events_url(day, day)))
    current = month_of(today, start_day)
    monthly = []
    for month, counted in [*months, (current, _summed(days, current.range(start_day)[0], today).events)]:
        start, end = month.range(start_day)
        end = min(end, today)
        shown = "无数据" if counted is None else f"{counted} 批次"
        monthly.append((f"{month.month}月", f"{month.label}：{shown}", counted, _events_url(start, end)))
    return bar_chart(daily, label_every=7), bar_chart(monthly, label_every=1)


def dashboard_figures(*, user: User) -> dict[str, Any]:
    """Everything the leaders' dashboard shows, for a county-wide reader (the bureau, the main leaders)."""
    today = timezone.localdate()
    start_day = settings.XINFANG_MONTH_START_DAY
    spans_from = min(periods(today, start_day)[2][4], today - dt.timedelta(days=DAILY_DAYS - 1))
    days = daily_figures(user=user, date_from=spans_from, date_to=today)
    slow = snapshotted(user=user, day=today)
    daily_chart, monthly_chart = charts(days=days, today=today, months=slow.months, start_day=start_day)
    supervision = item_counts(user=user, today=today)
    items = reverse("supervision:list")
    matters = reverse("petitions:list")
    return {
        "today": today,
        "spans": situation_spans(days, today, start_day),
        "alerts": todays_alerts(user=user, today=today),
        "alerts_url": _events_url(today, today),
        "overdue": matters_total(user=user, filters=MatterFilter(overdue=True)),
        "overdue_url": f"{matters}?overdue=on",
        "supervision_open": supervision.open,
        "supervision_overdue": supervision.overdue,
        "supervision_open_url": f"{items}?state=open",
        "supervision_overdue_url": f"{items}?state=overdue",
        "slow": slow,
        "daily_chart": daily_chart,
        "monthly_chart": monthly_chart,
    }
