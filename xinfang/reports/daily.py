"""Composing the daily situation report (每日访情报告, SPEC §5.1): the day's events by level, who gets
which part, and the text of each person's messages. Reads only; `services.py` queues and records.

Counted by event date. An event of an earlier day registered after the previous report went out is
the next report's 补报. The main leaders get the whole day; each owning leader the summary and their
matters; each responsible unit's head their unit's part; one person in several roles (matched by
mobile) one set of messages. A matter reporting (检举/控告) a unit or a person never reaches that
unit's head or that person, not even as a count (《信访工作条例》 Art. 46)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from xinfang.directory.models import County, Leader, UnitOfficial
from xinfang.lib.masking import mask_name, mask_phone
from xinfang.lib.sms_text import capped, sms_parts, split_messages
from xinfang.petitions.models import Event, Level, Matter, Ownership, Petitioner

# The order of the report: the over-level visits first, the highest first.
LEVEL_ORDER = (Level.BEIJING, Level.PROVINCE, Level.CITY, Level.COUNTY)
COLLECTIVE = "集体访"
ROLE_LABELS = {"main_leader": "主要领导", "owner": "包案领导", "unit_head": "责任单位一把手"}


@dataclass(frozen=True)
class ReportEvent:
    matter_id: int
    number: str
    date: dt.date
    level: str
    persons: int
    is_collective: bool
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
        return (
            f"{late}{self.number} {self.township} {self.petitioner} {Level(self.level).label}{flag}"
            f"{self.persons}人 {self.category}"
        )


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
    cutoff: dt.datetime
    since: dt.datetime | None
    events: list[ReportEvent]
    recipients: list[Recipient]
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
        return {
            "date": self.date.isoformat(),
            "county": self.county.code,
            "counts": self.counts(),
            "late": {
                "matters": len({event.matter_id for event in late}),
                "persons": sum(e.persons for e in late),
            },
            "messages": [message.as_dict() for message in self.messages],
            "missing_mobile": [
                {"name": r.name, "title": r.title, "roles": r.roles} for r in self.missing_mobile
            ],
        }


def level_counts(events: Iterable[ReportEvent]) -> dict[str, dict[str, int]]:
    """起 (distinct matters) and 人 (persons) per level, then collective visits."""
    matters: dict[str, set[int]] = defaultdict(set)
    persons: dict[str, int] = defaultdict(int)
    for event in events:
        for key in (Level(event.level).label, *([COLLECTIVE] if event.is_collective else [])):
            matters[key].add(event.matter_id)
            persons[key] += event.persons
    keys = [Level(level).label for level in LEVEL_ORDER] + [COLLECTIVE]
    return {key: {"matters": len(matters[key]), "persons": persons[key]} for key in keys}


def report_events(
    *, county: County, day: dt.date, cutoff: dt.datetime, since: dt.datetime | None
) -> list[ReportEvent]:
    """The day's events registered by the cutoff, and the 补报 of earlier days; five queries."""
    wanted = Q(date=day, registered_at__lte=cutoff)
    if since is not None:
        # 补报 reaches back XINFANG_LATE_REPORT_DAYS: a ledger of past years imported today is history,
        # not a late registration to text the leaders about.
        earliest = day - dt.timedelta(days=settings.XINFANG_LATE_REPORT_DAYS)
        wanted |= Q(date__gte=earliest, date__lt=day, registered_at__gt=since, registered_at__lte=cutoff)
    rows = list(
        Event.objects.filter(wanted, county=county)
        .order_by("date", "matter_id", "id")
        .values_list(
            "matter_id",
            "date",
            "level",
            "persons",
            "is_collective",
            "matter__number",
            "matter__origin_township__name",
            "matter__responsible_unit_id",
            "matter__responsible_unit__name",
            "matter__category__name",
        )
    )
    matter_ids = {row[0] for row in rows}
    owners = dict(
        Ownership.objects.filter(matter_id__in=matter_ids, is_current=True).values_list(
            "matter_id", "leader_id"
        )
    )
    petitioners: dict[int, list[str]] = defaultdict(list)
    for matter_id, name in Petitioner.objects.filter(matter_id__in=matter_ids).values_list(
        "matter_id", "name"
    ):
        petitioners[matter_id].append(name)
    reported_units: dict[int, set[int]] = defaultdict(set)
    for matter_id, unit_id in Matter.reported_units.through.objects.filter(
        matter_id__in=matter_ids
    ).values_list("matter_id", "unit_id"):
        reported_units[matter_id].add(unit_id)
    reported_accounts: dict[int, set[int]] = defaultdict(set)
    for matter_id, user_id in Matter.reported_accounts.through.objects.filter(
        matter_id__in=matter_ids
    ).values_list("matter_id", "user_id"):
        reported_accounts[matter_id].add(user_id)
    prefix = f"{county.code}-"
    return [
        ReportEvent(
            matter_id=matter_id,
            number=number.removeprefix(prefix),
            date=date,
            level=level,
            persons=persons,
            is_collective=collective,
            late=date < day,
            township=township,
            unit_id=unit_id,
            unit=unit or "",
            category=category,
            petitioner=_petitioner_text(petitioners[matter_id], persons),
            owner_id=owners.get(matter_id),
            reported_units=frozenset(reported_units[matter_id]),
            reported_accounts=frozenset(reported_accounts[matter_id]),
        )
        for matter_id, date, level, persons, collective, number, township, unit_id, unit, category in rows
    ]


def _petitioner_text(names: list[str], persons: int) -> str:
    named = [name for name in names if name]
    if not named:
        return "匿名"
    return mask_name(named[0]) + (f"等{persons}人" if persons > 1 else "")


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


def _counts_text(events: list[ReportEvent]) -> str:
    counts = level_counts(events)
    levels = "，".join(
        f"{label}{counts[label]['matters']}起{counts[label]['persons']}人"
        for label in (Level(level).label for level in LEVEL_ORDER)
    )
    collective = counts[COLLECTIVE]
    return levels + (
        f"；其中集体访{collective['matters']}起{collective['persons']}人" if collective["matters"] else ""
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
        for label in (Level(level).label for level in LEVEL_ORDER)
        if counts[label]["matters"]
    )


def item_lines(events: list[ReportEvent]) -> list[str]:
    return capped([event.line() for event in events], settings.XINFANG_SMS_MAX_ITEMS)


def summary_lines(day: dt.date, events: list[ReportEvent], *, whole: bool) -> list[str]:
    """The day's figures; `whole` (the main leaders) adds the townships and units involved and a line
    per over-level or collective matter."""
    today = [event for event in events if not event.late]
    late = [event for event in events if event.late]
    if not today:
        lines = [f"{_date_text(day)}全县无新增信访。"]
    else:
        lines = [f"{_date_text(day)}访情：{_counts_text(today)}。"]
        if whole:
            lines.append(_involved_text(today))
            lines += item_lines(
                [event for event in today if event.level != Level.COUNTY or event.is_collective]
            )
    if late:
        lines.append(_late_text(late))
    return lines


def recipient_lines(day: dt.date, person: Recipient, events: list[ReportEvent]) -> list[str]:
    visible = [event for event in events if person.sees(event)]
    lines: list[str] = []
    if "main_leader" in person.roles or "owner" in person.roles:
        lines += summary_lines(day, visible, whole="main_leader" in person.roles)
    shown: set[ReportEvent] = set()
    owned = [event for event in visible if event.owner_id in person.owner_of]
    if owned:
        lines.append("您包案的事项：")
        lines += item_lines(owned)
        shown.update(owned)
    for unit_id, unit in person.heads.items():
        mine = [event for event in visible if event.unit_id == unit_id]
        today = [event for event in mine if not event.late]
        head = f"{_date_text(day)}访情，" if not lines else ""
        brief = _counts_brief(today) if today else "无新增"
        lines.append(f"{head}{unit}（责任单位）：{brief}。")
        lines += item_lines([event for event in mine if event not in shown])
    return lines


def daily_draft(
    *, county: County, day: dt.date, cutoff: dt.datetime, since: dt.datetime | None
) -> DailyDraft:
    events = report_events(county=county, day=day, cutoff=cutoff, since=since)
    recipients = report_recipients(county=county, events=events)
    messages = []
    for person in recipients:
        if not person.mobile:
            continue
        lines = recipient_lines(day, person, events)
        bodies = split_messages(lines, settings.XINFANG_SMS_SIGNATURE, settings.XINFANG_SMS_MAX_PARTS)
        messages += [Message(person, body, index) for index, body in enumerate(bodies, start=1)]
    missing = [person for person in recipients if not person.mobile]
    return DailyDraft(county, day, cutoff, since, events, recipients, messages, missing)
