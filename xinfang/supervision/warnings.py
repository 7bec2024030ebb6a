"""督办 deadline warnings: every working morning, beside the matters' deadline warnings, an SMS to the
leader and the units' heads of each supervision item not done whose deadline falls within
XINFANG_DEADLINE_WARNING_DAYS or has passed. One message set per person per day (the outbox's dedupe key),
so a run repeated on the same day sends nothing again; Art. 46 as for every item SMS (`item_recipients`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from xinfang.directory.models import County
from xinfang.lib.sms_text import capped, split_messages
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.supervision.models import SupervisionItem
from xinfang.supervision.services import Recipient, item_recipients, quoted


def _when(deadline: dt.date, day: dt.date) -> str:
    late = (day - deadline).days
    return (
        f"已超期{late}天"
        if late > 0
        else "今日到期"
        if late == 0
        else f"{deadline.month}月{deadline.day}日到期"
    )


def supervision_warnings_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    horizon = day + dt.timedelta(days=settings.XINFANG_DEADLINE_WARNING_DAYS)
    items = list(
        SupervisionItem.objects.filter(county=county, deadline__lte=horizon)
        .exclude(state=SupervisionItem.State.DONE)
        .select_related("leader")
        .prefetch_related("units")
        .order_by("deadline", "id")
    )
    if not items:
        return "没有临期或超期的督办事项"
    people: dict[str, tuple[Recipient, dict[str, None]]] = {}  # by mobile, lines in order, each once
    for item in items:
        line = f"“{quoted(item.instruction, 20)}”{_when(item.deadline, day)}"
        for person in item_recipients(item, units=list(item.units.all()), to_leader=True):
            people.setdefault(person.mobile, (person, {}))[1][line] = None
    topic = f"supervision_warning:{county.code}:{day.isoformat()}"
    drafts = []
    for person, lines in people.values():
        text = [
            f"您有{len(lines)}项督办事项临期或超期，请抓紧办理并反馈：",
            *capped(list(lines), settings.XINFANG_SMS_MAX_ITEMS, str),
        ]
        bodies = split_messages(text, settings.XINFANG_SMS_SIGNATURE, settings.XINFANG_SMS_MAX_PARTS)
        drafts += [
            SmsDraft(
                recipient_key=person.key,
                recipient_name=person.name,
                mobile=person.mobile,
                template="supervision_warning",
                params={"content": body.removeprefix(settings.XINFANG_SMS_SIGNATURE)},
                dedupe_key=f"{topic}:{person.key}:{index}",
                topic=topic,
            )
            for index, body in enumerate(bodies, start=1)
        ]
    queued = sms_queue(county=county, drafts=drafts)
    return f"{len(items)} 项临期或超期督办事项，已生成 {queued} 条短信"
