"""Deadline warnings (到期预警): every working morning, an SMS to the head of each responsible unit and
to each owning leader listing their matters whose statutory deadline falls within
XINFANG_DEADLINE_WARNING_DAYS or has passed. Windows in which only the petitioner may act are left
out; a matter reporting a unit never reaches that unit's head (Art. 46)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

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
    lines: list[str] = field(default_factory=list)


def _line(matter: Matter, prefix: str, today: dt.date) -> str:
    number = matter.number.removeprefix(f"{prefix}-")
    clock = CLOCK_LABELS.get(matter.clock, "")  # type: ignore[call-overload]
    due = matter.due_date or today
    late = (today - due).days
    when = f"已超期{late}天" if late > 0 else "今日到期" if late == 0 else f"{due.month}月{due.day}日到期"
    return f"{number} {matter.origin_township.name} {clock}{when}"


def deadline_warnings_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    horizon = day + dt.timedelta(days=settings.XINFANG_DEADLINE_WARNING_DAYS)
    matters = list(
        Matter.objects.filter(county=county, due_date__isnull=False, due_date__lte=horizon)
        .exclude(clock="")
        .exclude(clock__in=[str(clock) for clock in PETITIONER_CLOCKS])
        .select_related("origin_township")
        .prefetch_related("reported_units")
        .order_by("due_date", "id")
    )
    if not matters:
        return "没有临期或超期事项"
    owners = dict(
        Ownership.objects.filter(matter__in=matters, is_current=True).values_list("matter_id", "leader_id")
    )
    leaders = {
        leader.pk: leader for leader in Leader.objects.filter(pk__in=set(owners.values()), is_active=True)
    }
    heads = {
        official.unit_id: official
        for official in UnitOfficial.objects.filter(
            unit_id__in={matter.responsible_unit_id for matter in matters}, is_head=True, is_active=True
        )
    }
    people: dict[str, _Person] = {}
    for matter in matters:
        line = _line(matter, county.code, day)
        reported = {unit.pk for unit in matter.reported_units.all()}
        head = heads.get(matter.responsible_unit_id or 0)
        if head is not None and head.mobile and head.unit_id not in reported:
            people.setdefault(
                head.mobile, _Person(f"official:{head.pk}", head.name, head.mobile)
            ).lines.append(line)
        leader = leaders.get(owners.get(matter.pk, 0))
        if leader is not None and leader.mobile:
            person = people.setdefault(
                leader.mobile, _Person(f"leader:{leader.pk}", leader.name, leader.mobile)
            )
            if line not in person.lines:
                person.lines.append(line)
    topic = f"deadline_warning:{county.code}:{day.isoformat()}"
    drafts = []
    for person in people.values():
        lines = [
            f"您有{len(person.lines)}件信访事项临期或超期，请抓紧办理：",
            *capped(person.lines, settings.XINFANG_SMS_MAX_ITEMS, str),
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
    return f"{len(matters)} 件临期或超期事项，已生成 {queued} 条短信"
