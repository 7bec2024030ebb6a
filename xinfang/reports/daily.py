"""Composing the daily situation report (每日访情报告, SPEC §5.1): the day's events by level, who gets
which part, and the text of each person's messages. Reads only; `services.py` queues and records.

Counted by event date. A report covers its day and, when reports go out on working days only, the rest
days before it, day by day. An event of an earlier day registered after the previous report went out is
the next report's 补报, however old its date — unless a ledger import brought it in: imported rows are
history, counted on their own date but never news. Levels count visits (来访); letters, calls, online and
SMS petitions are one line of their own. A matter is one line a day. The main leaders get the whole
day; each owning leader the summary and their matters; each responsible unit's head their unit's part;
one person in several roles (matched by mobile) one set of messages. A matter reporting (检举/控告) a
unit or a person never reaches that unit's head or that person, not even as a count (Art. 46)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery

from xinfang.directory.models import Category, County, Leader, Unit, UnitOfficial
from xinfang.lib.masking import mask_phone, masked_people
from xinfang.lib.sms_text import capped, sms_parts, split_messages
from xinfang.petitions.models import COLLECTIVE_PERSONS, Channel, Event, Level, Matter, Ownership, Petitioner

# The order of the report: the over-level visits first, the highest first.
LEVEL_ORDER = (Level.BEIJING, Level.PROVINCE, Level.CITY, Level.COUNTY)
LEVEL_LABELS = {str(level.value): str(level.label) for level in LEVEL_ORDER}
COLLECTIVE = "集体访"
OTHER_CHANNELS = "来信来电网上"  # letters, calls, online and SMS petitions: not visits
ID_CHUNK = 10_000  # ids per IN list (SQLite allows 32,766 parameters, PostgreSQL 65,535)
ROLE_LABELS = {"main_leader": "主要领导", "owner": "包案领导", "unit_head": "责任单位一把手"}


class ReportEvent(NamedTuple):  # a tuple: tens of thousands are built on a busy day
    matter_id: int
    number: str
    date: dt.date
    level: str
    persons: int
    is_collective: bool
    is_visit: bool  # 来访 (走访); letters, calls, online and SMS are counted apart
    late: bool  # 补报: an earlier day's event registered after the previous report
    township: str
    unit_id: int | None
    unit: str
    category: str
    petitioner: str  # masked: 张*等3人
    owner_id: int | None
    reported_units: frozenset[int]
    reported_accounts: frozenset[int]

    def line(self) -> str:
        late = f"补报{self.date.month}月{self.date.day}日 " if self.late else ""
        flag = "集体" if self.is_collective else ""
        kind = LEVEL_LABELS[self.level] if self.is_visit else OTHER_CHANNELS
        who = f"{self.number} {self.township} {self.petitioner}"
        return f"{late}{who} {kind}{flag}{self.persons}人 {self.category}"


@dataclass
class Recipient:
    key: str  # the first role's person: "leader:12", "official:40"
    name: str
    mobile: str
    title: str
    roles: list[str] = field(default_factory=list)
    owner_of: set[int] = field(default_factory=set)  # leader ids whose owned matters they get
    heads: dict[int, str] = field(default_factory=dict)  # unit id → name of the units they head
    accounts: set[int] = field(default_factory=set)  # their user accounts (for the Art. 46 rule)

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[role] for role in self.roles]

    def sees(self, event: ReportEvent) -> bool:
        return not (event.reported_units & self.heads.keys() or event.reported_accounts & self.accounts)


@dataclass
class Message:
    recipient: Recipient
    body: str  # the signature and the text
    index: int  # 1, 2 … when one person's report needs several messages

    @property
    def text(self) -> str:
        return self.body.removeprefix(settings.XINFANG_SMS_SIGNATURE)

    @property
    def parts(self) -> int:
        return sms_parts(self.body)

    @property
    def to(self) -> str:
        return mask_phone(self.recipient.mobile)

    def as_dict(self) -> dict[str, object]:
        return {"to": self.to, "name": self.recipient.name,
                "roles": self.recipient.roles, "body": self.body, "parts": self.parts}  # fmt: skip


@dataclass
class DailyDraft:
    county: County
    date: dt.date
    first_day: dt.date  # the first day it covers: `date`, or the first of the rest days before it
    events: list[ReportEvent]
    messages: list[Message]
    missing_mobile: list[Recipient]

    @property
    def day_events(self) -> list[ReportEvent]:
        return [event for event in self.events if not event.late]

    @property
    def late_events(self) -> list[ReportEvent]:
        return [event for event in self.events if event.late]

    def counts(self) -> dict[str, dict[str, int]]:
        return level_counts(self.day_events)

    def as_dict(self) -> dict[str, object]:
        late = self.late_events
        prefix = f"{self.county.code}-"
        return {
            "date": self.date.isoformat(),
            "county": self.county.code,
            "covers": [day.isoformat() for day in _days(self.first_day, self.date)],
            "counts": self.counts(),
            "late": {
                "matters": len({event.matter_id for event in late}),
                "persons": sum(e.persons for e in late),
            },
            "late_items": [
                {"matter": _full_number(event.number, prefix), "date": event.date.isoformat()}
                for event in late
            ],
            "messages": [message.as_dict() for message in self.messages],
            "missing_mobile": [
                {"name": r.name, "title": r.title, "roles": r.roles} for r in self.missing_mobile
            ],
        }


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def _full_number(number: str, prefix: str) -> str:
    """A matter's registration number as stored (lines drop the county code before it)."""
    return number if number.startswith(prefix) or "-" not in number else prefix + number


def level_counts(events: Iterable[ReportEvent]) -> dict[str, dict[str, int]]:
    """起 (distinct matters) and 人 (persons) of the visits per level, then collective visits, then the
    other channels (letters, calls, online, SMS) together."""
    matters: dict[str, set[int]] = defaultdict(set)
    persons: dict[str, int] = defaultdict(int)
    for event in events:
        label = LEVEL_LABELS[event.level] if event.is_visit else OTHER_CHANNELS
        matters[label].add(event.matter_id)
        persons[label] += event.persons
        if event.is_collective and event.is_visit:
            matters[COLLECTIVE].add(event.matter_id)
            persons[COLLECTIVE] += event.persons
    keys = [*LEVEL_LABELS.values(), COLLECTIVE, OTHER_CHANNELS]
    return {key: {"matters": len(matters[key]), "persons": persons[key]} for key in keys}


def report_events(
    *, county: County, day: dt.date, first_day: dt.date, cutoff: dt.datetime, since: dt.datetime | None
) -> list[ReportEvent]:
    """The covered days' events registered by the cutoff, and the 补报 of earlier days, a matter one line
    a day (visits and other channels apart); five queries at most."""
    wanted = Q(date__gte=first_day, date__lte=day, registered_at__lte=cutoff)
    if since is not None:
        # 补报: whatever was registered since the previous report, however old its date, but not the rows
        # of a ledger import: a ledger of past years imported today is history, not news for the leaders.
        wanted |= Q(date__lt=first_day, registered_at__gt=since, registered_at__lte=cutoff, imported=False)
    reported_units, reported_accounts = Matter.reported_units.through, Matter.reported_accounts.through
    # One query: the current owner, the first named petitioner and whether the matter reports anyone come
    # with each event (correlated lookups by matter, on indexes); who is reported is read for those few.
    rows = list(
        Event.objects.filter(wanted, county=county)
        .annotate(
            owner=Subquery(
                Ownership.objects.filter(matter_id=OuterRef("matter_id"), is_current=True).values(
                    "leader_id"
                )[:1]
            ),
            petitioner=Subquery(
                Petitioner.objects.filter(matter_id=OuterRef("matter_id"))
                .exclude(name="")
                .order_by("order", "id")
                .values("name")[:1]
            ),
            reports=Exists(reported_units.objects.filter(matter_id=OuterRef("matter_id")))
            | Exists(reported_accounts.objects.filter(matter_id=OuterRef("matter_id"))),
        )
        .order_by("date", "matter_id", "id")
        .values_list(
            "matter_id", "date", "level", "persons", "is_collective", "matter__number",
            "matter__origin_township_id", "matter__responsible_unit_id", "matter__category_id", "owner",
            "petitioner", "reports", "channel", "id",
        )
    )  # fmt: skip
    lines = _one_line_a_day(rows, _visitors([row[13] for row in rows]))
    flagged = {row[0] for row in rows if row[11]}
    units_reported = _reported(reported_units, "unit_id", flagged)
    accounts_reported = _reported(reported_accounts, "user_id", flagged)
    units = dict(Unit.objects.filter(county=county).values_list("id", "name"))
    categories = dict(Category.objects.filter(pk__in={row[8] for row in rows}).values_list("id", "name"))
    prefix, nobody = f"{county.code}-", frozenset[int]()
    return [
        ReportEvent(
            matter_id=matter_id, number=number.removeprefix(prefix), date=date, level=level, persons=persons,
            is_collective=collective, is_visit=channel == Channel.VISIT, late=date < first_day,
            township=units[township_id], unit_id=unit_id,
            unit=units.get(unit_id or 0, ""), category=categories[category_id],
            petitioner=_petitioner_text(petitioner, persons, came), owner_id=owner,
            reported_units=units_reported.get(matter_id, nobody),
            reported_accounts=accounts_reported.get(matter_id, nobody),
        )
        for (matter_id, date, level, persons, collective, number, township_id, unit_id, category_id, owner,
             petitioner, _reports, channel, _id, came) in lines
    ]  # fmt: skip


def _visitors(event_ids: list[int]) -> dict[int, list[str]]:
    """The names of who came at each event, where it records them."""
    through = Event.visitors.through
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(event_ids), ID_CHUNK):
        chunk = event_ids[start : start + ID_CHUNK]
        names = through.objects.filter(event_id__in=chunk).order_by("petitioner__order", "petitioner_id")
        for event_id, name in names.values_list("event_id", "petitioner__name"):
            if name:
                found[event_id].append(name)
    return found


def _one_line_a_day(rows: list[Any], visitors: dict[int, list[str]]) -> list[Any]:
    """A matter's visits of one day are one line (their persons added, the highest level, collective if
    any was, who came), and so are its other petitions of that day; rows come in (date, matter) order.
    Each row gains the names of who came."""
    merged: dict[tuple[int, dt.date, bool], list[Any]] = {}
    for row in rows:
        key = (row[0], row[1], row[12] == Channel.VISIT)
        came = visitors.get(row[13], [])
        same = merged.get(key)
        if same is None:
            merged[key] = [*row, list(came)]
            continue
        same[3] += row[3]
        if LEVEL_ORDER.index(row[2]) < LEVEL_ORDER.index(same[2]):
            same[2] = row[2]
        same[4] = same[4] or row[4] or same[3] >= COLLECTIVE_PERSONS
        same[14] += [name for name in came if name not in same[14]]
    return [tuple(row) for row in merged.values()]


def _reported(through: Any, column: str, matter_ids: set[int]) -> dict[int, frozenset[int]]:
    """Who each of the given matters reports (检举/控告), as the units' or accounts' ids."""
    found: dict[int, set[int]] = defaultdict(set)
    ids = sorted(matter_ids)
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        for matter_id, target in through.objects.filter(matter_id__in=chunk).values_list("matter_id", column):
            found[matter_id].add(target)
    return {matter_id: frozenset(targets) for matter_id, targets in found.items()}


def _petitioner_text(first: str | None, persons: int, came: list[str]) -> str:
    """Who came, masked (at most two names), and how many: 张*军、李*等5人. Where the event does not
    record who came, the matter's first named petitioner: 张*等3人."""
    names = came[:2] or ([first] if first else [])
    if not names:
        return "匿名" + (f"{persons}人" if persons > 1 else "")
    return masked_people(names, persons)


def report_recipients(*, county: County, events: list[ReportEvent]) -> list[Recipient]:
    """Main leaders, then the owning leaders, then the heads of the responsible units involved; people
    with the same mobile merged into one recipient."""
    owner_ids = {event.owner_id for event in events if event.owner_id}
    leaders = (
        Leader.objects.filter(county=county, is_active=True)
        .filter(Q(post_kind__in=Leader.MAIN_POSTS) | Q(pk__in=owner_ids))
        .select_related("account")
        .order_by("protocol_order", "id")
    )
    unit_ids = {event.unit_id for event in events if event.unit_id}
    heads = UnitOfficial.objects.filter(unit_id__in=unit_ids, is_head=True, is_active=True).select_related(
        "unit"
    )
    people: list[Recipient] = []
    for leader in leaders:
        account = getattr(leader, "account", None)
        person = Recipient(f"leader:{leader.pk}", leader.name, leader.mobile.strip(), leader.post,
                           accounts={account.pk} if account else set())  # fmt: skip
        if leader.post_kind in Leader.MAIN_POSTS:
            person.roles.append("main_leader")
        if leader.pk in owner_ids:
            person.roles.append("owner")
            person.owner_of.add(leader.pk)
        people.append(person)
    for official in sorted(heads, key=lambda official: (official.unit.order, official.unit_id)):
        person = Recipient(f"official:{official.pk}", official.name, official.mobile.strip(),
                           f"{official.unit.name}{official.title or '主要负责人'}", roles=["unit_head"],
                           heads={official.unit_id: official.unit.name})  # fmt: skip
        people.append(person)
    merged: dict[str, Recipient] = {}
    result: list[Recipient] = []
    for person in people:
        same = merged.get(person.mobile) if person.mobile else None
        if same is None:
            if person.mobile:
                merged[person.mobile] = person
            result.append(person)
            continue
        same.roles += [role for role in person.roles if role not in same.roles]
        same.owner_of |= person.owner_of
        same.heads.update(person.heads)
        same.accounts |= person.accounts
    return result


def _date_text(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _span_text(first_day: dt.date, day: dt.date) -> str:
    return _date_text(day) if first_day == day else f"{_date_text(first_day)}至{_date_text(day)}"


def _counts_text(events: list[ReportEvent]) -> str:
    counts = level_counts(events)
    levels = "来访" + "，".join(
        f"{label}{counts[label]['matters']}起{counts[label]['persons']}人" for label in LEVEL_LABELS.values()
    )
    collective, others = counts[COLLECTIVE], counts[OTHER_CHANNELS]
    return (
        levels
        + (f"；其中集体访{collective['matters']}起{collective['persons']}人" if collective["matters"] else "")
        + (f"；{OTHER_CHANNELS}{others['matters']}起{others['persons']}人" if others["matters"] else "")
    )


def _involved_text(events: list[ReportEvent]) -> str:
    def ranked(names: Iterable[tuple[int, str]]) -> str:
        matters: dict[str, set[int]] = defaultdict(set)
        for matter_id, name in names:
            matters[name].add(matter_id)
        return "、".join(
            f"{name}{len(ids)}起" for name, ids in sorted(matters.items(), key=lambda i: -len(i[1]))
        )

    townships = ranked((event.matter_id, event.township) for event in events)
    units = ranked((event.matter_id, event.unit) for event in events if event.unit)
    return f"涉及乡镇：{townships}" + (f"；责任单位：{units}" if units else "") + "。"


def _late_text(events: list[ReportEvent]) -> str:
    by_day: dict[dt.date, list[ReportEvent]] = defaultdict(list)
    for event in events:
        by_day[event.date].append(event)
    return (
        "补报："
        + "；".join(
            f"{_date_text(day)}{_counts_brief(day_events)}" for day, day_events in sorted(by_day.items())
        )
        + "。"
    )


def _counts_brief(events: list[ReportEvent]) -> str:
    counts = level_counts(events)
    return "，".join(
        f"{label}{counts[label]['matters']}起{counts[label]['persons']}人"
        for label in (*LEVEL_LABELS.values(), OTHER_CHANNELS)
        if counts[label]["matters"]
    )


def item_lines(events: list[ReportEvent], *, dated: bool = False) -> list[str]:
    """A line per matter and day; `dated` (a report covering several days) puts the day before each."""
    if dated:
        return capped(
            events,
            settings.XINFANG_SMS_MAX_ITEMS,
            lambda event: event.line() if event.late else f"{_date_text(event.date)} {event.line()}",
        )
    return capped(events, settings.XINFANG_SMS_MAX_ITEMS, ReportEvent.line)


def summary_lines(first_day: dt.date, day: dt.date, events: list[ReportEvent], *, whole: bool) -> list[str]:
    """The figures of the days covered (each day's after rest days); `whole` (the main leaders) adds the
    townships and units involved and a line per over-level or collective visit."""
    covered = [event for event in events if not event.late]
    late = [event for event in events if event.late]
    span = _span_text(first_day, day)
    if not covered:
        lines = [f"{span}全县无新增信访。"]
    else:
        lines = [f"{span}访情：{_counts_text(covered)}。"]
        if first_day != day:
            for each in _days(first_day, day):
                brief = _counts_brief([event for event in covered if event.date == each])
                lines.append(f"{_date_text(each)}：{brief or '无新增'}。")
        if whole:
            lines.append(_involved_text(covered))
            notable = [
                event
                for event in covered
                if event.is_visit and (event.level != Level.COUNTY or event.is_collective)
            ]
            lines += item_lines(notable, dated=first_day != day)
    if late:
        lines.append(_late_text(late))
    return lines


class _DayIndex:
    """The events grouped once for all recipients: by owning leader and responsible unit, with the few
    that report someone set apart, and each distinct summary composed once."""

    def __init__(self, first_day: dt.date, day: dt.date, events: list[ReportEvent]) -> None:
        self.first_day, self.day, self.events = first_day, day, events
        self.by_owner: dict[int, list[ReportEvent]] = defaultdict(list)
        self.by_unit: dict[int, list[ReportEvent]] = defaultdict(list)
        for event in events:
            if event.owner_id:
                self.by_owner[event.owner_id].append(event)
            if event.unit_id:
                self.by_unit[event.unit_id].append(event)
        self.reporting = [event for event in events if event.reported_units or event.reported_accounts]
        self._summaries: dict[tuple[frozenset[ReportEvent], bool], list[str]] = {}

    def hidden_from(self, person: Recipient) -> frozenset[ReportEvent]:
        return frozenset(event for event in self.reporting if not person.sees(event))

    def summary(self, hidden: frozenset[ReportEvent], *, whole: bool) -> list[str]:
        key = (hidden, whole)
        if key not in self._summaries:
            visible = [event for event in self.events if event not in hidden] if hidden else self.events
            self._summaries[key] = summary_lines(self.first_day, self.day, visible, whole=whole)
        return self._summaries[key]


def recipient_lines(index: _DayIndex, person: Recipient) -> list[str]:
    hidden = index.hidden_from(person)

    def visible(events: list[ReportEvent]) -> list[ReportEvent]:
        return [event for event in events if event not in hidden] if hidden else events

    lines: list[str] = []
    if "main_leader" in person.roles or "owner" in person.roles:
        lines += index.summary(hidden, whole="main_leader" in person.roles)
    owned = [event for leader_id in sorted(person.owner_of) for event in visible(index.by_owner[leader_id])]
    dated = index.first_day != index.day
    if owned:
        lines.append("您包案的事项：")
        lines += item_lines(owned, dated=dated)
    shown = set(owned)
    for unit_id, unit in person.heads.items():
        mine = visible(index.by_unit[unit_id])
        today = [event for event in mine if not event.late]
        head = f"{_span_text(index.first_day, index.day)}访情，" if not lines else ""
        brief = _counts_brief(today) if today else "无新增"
        lines.append(f"{head}{unit}（责任单位）：{brief}。")
        lines += item_lines([event for event in mine if event not in shown], dated=dated)
    return lines


def daily_draft(
    *, county: County, day: dt.date, first_day: dt.date, cutoff: dt.datetime, since: dt.datetime | None
) -> DailyDraft:
    events = report_events(county=county, day=day, first_day=first_day, cutoff=cutoff, since=since)
    recipients = report_recipients(county=county, events=events)
    index, messages = _DayIndex(first_day, day, events), []
    for person in recipients:
        if not person.mobile:
            continue
        lines = recipient_lines(index, person)
        bodies = split_messages(lines, settings.XINFANG_SMS_SIGNATURE, settings.XINFANG_SMS_MAX_PARTS)
        messages += [Message(person, body, index) for index, body in enumerate(bodies, start=1)]
    missing = [person for person in recipients if not person.mobile]
    return DailyDraft(county, day, first_day, events, messages, missing)
