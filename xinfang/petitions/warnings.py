"""Deadline warnings (到期预警): every working morning, an SMS to the head of each responsible unit and
to each owning leader listing their matters whose statutory deadline falls within
XINFANG_DEADLINE_WARNING_DAYS or has passed. Windows in which only the petitioner may act are left
out; a matter reporting a unit never reaches that unit's head (Art. 46)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery

from xinfang.directory.models import County, Leader, UnitOfficial
from xinfang.lib.deadlines import CLOCK_LABELS, PETITIONER_CLOCKS
from xinfang.lib.sms_text import capped, split_messages
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.petitions.models import Matter, Ownership


@dataclass
class _Person:
    key: str
    name: str
    mobile: str
    lines: dict[str, None] = field(default_factory=dict)  # in order, each once


def _when(due: dt.date, today: dt.date) -> str:
    late = (today - due).days
    return f"已超期{late}天" if late > 0 else "今日到期" if late == 0 else f"{due.month}月{due.day}日到期"


def deadline_warnings_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    horizon = day + dt.timedelta(days=settings.XINFANG_DEADLINE_WARNING_DAYS)
    # One query: each matter due with its current owner, and whether it reports its own responsible unit
    # (then that unit's head is not told, Art. 46).
    rows = list(
        Matter.objects.filter(county=county, due_date__isnull=False, due_date__lte=horizon)
        .exclude(clock="")
        .exclude(clock__in=[str(clock) for clock in PETITIONER_CLOCKS])
        .annotate(
            owner=Subquery(
                Ownership.objects.filter(matter_id=OuterRef("pk"), is_current=True).values("leader_id")[:1]
            ),
            reports_unit=Exists(
                Matter.reported_units.through.objects.filter(
                    matter_id=OuterRef("pk"), unit_id=OuterRef("responsible_unit_id")
                )
            ),
        )
        .order_by("due_date", "id")
        .values_list(
            "number", "origin_township__name", "clock", "due_date", "responsible_unit_id", "owner",
            "reports_unit",
        )
    )  # fmt: skip
    if not rows:
        return "没有临期或超期事项"
    leaders = Leader.objects.filter(pk__in={row[5] for row in rows if row[5]}, is_active=True).exclude(
        mobile=""
    )
    owners = {leader.pk: _Person(f"leader:{leader.pk}", leader.name, leader.mobile) for leader in leaders}
    heads = {
        official.unit_id: _Person(f"official:{official.pk}", official.name, official.mobile)
        for official in UnitOfficial.objects.filter(
            unit_id__in={row[4] for row in rows if row[4]}, is_head=True, is_active=True
        ).exclude(mobile="")
    }
    people: dict[str, _Person] = {}  # by mobile: one message set for someone both owner and head
    for number, township, clock, due_date, unit_id, owner_id, reports_unit in rows:
        clock_label = CLOCK_LABELS.get(clock, "")  # type: ignore[call-overload]
        line = (
            f"{number.removeprefix(f'{county.code}-')} {township} {clock_label}{_when(due_date or day, day)}"
        )
        targets = [owners.get(owner_id or 0), None if reports_unit else heads.get(unit_id or 0)]
        for target in targets:
            if target is not None:
                people.setdefault(target.mobile, target).lines[line] = None
    topic = f"deadline_warning:{county.code}:{day.isoformat()}"
    drafts = []
    for person in people.values():
        lines = [
            f"您有{len(person.lines)}件信访事项临期或超期，请抓紧办理：",
            *capped(list(person.lines), settings.XINFANG_SMS_MAX_ITEMS, str),
        ]
        bodies = split_messages(lines, settings.XINFANG_SMS_SIGNATURE, settings.XINFANG_SMS_MAX_PARTS)
        drafts += [
            SmsDraft(
                recipient_key=person.key,
                recipient_name=person.name,
                mobile=person.mobile,
                template="deadline_warning",
                params={"content": body.removeprefix(settings.XINFANG_SMS_SIGNATURE)},
                dedupe_key=f"{topic}:{person.key}:{index}",
                topic=topic,
            )
            for index, body in enumerate(bodies, start=1)
        ]
    queued = sms_queue(county=county, drafts=drafts)
    return f"{len(rows)} 件临期或超期事项，已生成 {queued} 条短信"
