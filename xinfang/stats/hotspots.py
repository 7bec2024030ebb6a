"""Hotspot warnings (热点预警, issue 18): township × problem-category cells whose recent events are well above
their own history.

The rule, for each cell (the events' origin township × first-level category):
- its count is the events dated in the 14 days ending on `day` (the day included);
- its expected count is its mean 14-day count over the 365 days before those 14: events then × 14 / 365;
- it is a hotspot when the count is at least 5 AND a one-sided Poisson test says so high a count is unlikely
  at the expected rate: P[X ≥ count] < 0.01 for X ~ Poisson(expected) (`lib.trends.poisson_upper_tail`, the
  same tail as the monthly analysis's rising categories). A cell without history (expected 0) is a hotspot
  from 5 events (P = 0); its ratio is None ("—").

Example: a cell with 26 events in the year before (expected 26 × 14 / 365 ≈ 1.0) and 6 in the last 14 days:
P ≈ 0.0006, a hotspot of 6.0 times its usual rate; 3 events would not be (fewer than 5), nor 5 events at an
expected 2.0 (P ≈ 0.053).

The job `hotspot_warnings` texts the bureau's staff (bureau accounts with a mobile) every working day the new
hotspots: those that were not hotspots on the previous working day; nothing when there are none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from xinfang.accounts.models import User
from xinfang.calendars.selectors import work_calendar
from xinfang.core.roles import BUREAU_ROLES
from xinfang.directory.models import Category, County, Unit
from xinfang.lib.sms_text import capped, split_messages
from xinfang.lib.trends import poisson_upper_tail
from xinfang.lib.workdays import UnknownYear
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.petitions.models import Event
from xinfang.petitions.selectors import events_visible

WINDOW_DAYS = 14
HISTORY_DAYS = 365
MIN_EVENTS = 5
ALPHA = 0.01


@dataclass(frozen=True)
class Hotspot:
    """A cell above its history: `count` events in the 14 days, `expected` its mean 14-day count over the
    year before, `ratio` count / expected (None without history), `p_value` P[X ≥ count]."""

    township_id: int
    township: str
    category_id: int
    category: str
    count: int
    expected: float
    ratio: float | None
    p_value: float

    @property
    def key(self) -> tuple[int, int]:
        return self.township_id, self.category_id

    @property
    def line(self) -> str:
        usual = f"，常年约{self.expected:.1f}批" if self.expected else "，此前一年无"
        return f"{self.township}·{self.category} 近14天{self.count}批{usual}"


def hotspots(*, county: County, day: dt.date, scope_user: User | None = None) -> list[Hotspot]:
    """The county's hotspots on `day` by the rule of the module docstring, most significant first (then
    the larger count), within the user's scope when one is given. One grouped query over the events'
    statistics index, then the names."""
    window = day - dt.timedelta(days=WINDOW_DAYS - 1)
    since = window - dt.timedelta(days=HISTORY_DAYS)
    events = Event.objects.filter(
        county=county, date__gte=since, date__lte=day, township__isnull=False, category_top__isnull=False
    )
    if scope_user is not None:
        events = events_visible(user=scope_user, events=events)
    cells = (
        events.values_list("township_id", "category_top_id")
        .annotate(
            recent=Count("date", filter=Q(date__gte=window)), past=Count("date", filter=Q(date__lt=window))
        )
        .filter(recent__gte=MIN_EVENTS)
        .order_by()
    )
    found = []
    for township, category, recent, past in cells:
        expected = past * WINDOW_DAYS / HISTORY_DAYS
        p_value = poisson_upper_tail(recent, expected)
        if p_value < ALPHA:
            found.append((township, category, recent, expected, p_value))
    if not found:
        return []
    townships = dict(Unit.objects.filter(pk__in={row[0] for row in found}).values_list("pk", "name"))
    categories = dict(Category.objects.filter(pk__in={row[1] for row in found}).values_list("pk", "name"))
    result = [
        Hotspot(
            township_id=township, township=townships.get(township, ""), category_id=category,
            category=categories.get(category, ""), count=recent, expected=round(expected, 2),
            ratio=round(recent / expected, 2) if expected else None, p_value=p_value,
        )
        for township, category, recent, expected, p_value in found
    ]  # fmt: skip
    result.sort(key=lambda hotspot: (hotspot.p_value, -hotspot.count, hotspot.township, hotspot.category))
    return result


def _previous_working_day(day: dt.date) -> dt.date:
    """The working day before `day` (the day before when the calendar does not know the year)."""
    calendar = work_calendar()
    previous = day - dt.timedelta(days=1)
    try:
        for _ in range(30):
            if calendar.is_workday(previous):
                return previous
            previous -= dt.timedelta(days=1)
    except UnknownYear:
        pass
    return day - dt.timedelta(days=1)


def hotspots_new(*, county: County, day: dt.date) -> list[Hotspot]:
    """The hotspots on `day` that were not hotspots on the previous working day."""
    before = {hotspot.key for hotspot in hotspots(county=county, day=_previous_working_day(day))}
    return [hotspot for hotspot in hotspots(county=county, day=day) if hotspot.key not in before]


def bureau_recipients(county: County) -> list[User]:
    """The bureau's staff and head with a mobile, each number once."""
    users = (
        User.objects.filter(county=county, role__in=BUREAU_ROLES, is_active=True)
        .exclude(mobile="")
        .order_by("pk")
    )
    seen: dict[str, User] = {}
    for user in users:
        seen.setdefault(user.mobile.strip(), user)
    return list(seen.values())


def hotspot_warnings_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """Text the bureau the day's new hotspots. One message set per person and day (the outbox's dedupe
    key), so a run repeated on the same day sends nothing again."""
    new = hotspots_new(county=county, day=day)
    if not new:
        return "今日没有新增热点"
    people = bureau_recipients(county)
    if not people:
        return f"新增热点 {len(new)} 个，信访局无人登记手机号，未发短信"
    text = [
        f"今日新增热点{len(new)}个（近14天信访量明显高于该乡镇该类问题常年水平）：",
        *capped([hotspot.line for hotspot in new], settings.XINFANG_SMS_MAX_ITEMS, str),
    ]
    bodies = split_messages(text, settings.XINFANG_SMS_SIGNATURE, settings.XINFANG_SMS_MAX_PARTS)
    topic = f"hotspot_warning:{county.code}:{day.isoformat()}"
    drafts = [
        SmsDraft(
            recipient_key=f"user:{user.pk}",
            recipient_name=user.display_name,
            mobile=user.mobile.strip(),
            template="hotspot_warning",
            params={"content": body.removeprefix(settings.XINFANG_SMS_SIGNATURE)},
            dedupe_key=f"{topic}:user:{user.pk}:{index}",
            topic=topic,
        )
        for user in people
        for index, body in enumerate(bodies, start=1)
    ]
    queued = sms_queue(county=county, drafts=drafts)
    return f"新增热点 {len(new)} 个，已生成 {queued} 条短信"
