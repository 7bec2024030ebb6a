"""Immediate alerts (紧急访情): a 进京 or 赴省 visit, or a collective visit of XINFANG_ALERT_PERSONS (50) or
more, texts the county's main leaders and the matter's owning leader as soon as it is registered, any day
and hour, once per event, in the registration's own transaction (a registration that fails alerts nobody).
Each recipient gets at most XINFANG_ALERT_HOURLY_CAP alerts an hour; the event is in the next daily report
as usual whether or not an alert went out. A ledger import's rows are history and alert nobody; a leader
the matter reports (检举/控告) is never told of it (Art. 46)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from xinfang.core.cipher import field_cipher
from xinfang.directory.models import Leader
from xinfang.lib.masking import masked_people
from xinfang.notifications.models import SmsMessage
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.petitions.models import Channel, Event, Level, Matter, Ownership

ALERT_LEVELS = frozenset({Level.BEIJING, Level.PROVINCE})
TEMPLATE = "visit_alert"


def alert_due(event: Event) -> bool:
    if event.channel != Channel.VISIT or event.imported:
        return False
    return event.level in ALERT_LEVELS or event.persons >= settings.XINFANG_ALERT_PERSONS


def visit_alert_queue(*, matter: Matter, event: Event) -> int:
    """Queue the alert of one newly registered event, if it calls for one; returns how many messages."""
    if not alert_due(event):
        return 0
    owner = Ownership.objects.filter(matter=matter, is_current=True).values_list("leader_id", flat=True)
    reported = set(matter.reported_accounts.values_list("pk", flat=True))
    leaders = (
        Leader.objects.filter(county_id=matter.county_id, is_active=True)
        .filter(Q(post_kind__in=Leader.MAIN_POSTS) | Q(pk__in=list(owner)))
        .exclude(mobile="")
        .select_related("account")
        .order_by("protocol_order", "id")
    )
    text = _alert_text(matter, event)
    topic = f"{TEMPLATE}:{matter.county.code}:{event.pk}"
    drafts, mobiles = [], set()
    for leader in leaders:
        account = getattr(leader, "account", None)
        mobile = leader.mobile.strip()
        if (account is not None and account.pk in reported) or mobile in mobiles or _capped(mobile):
            continue
        mobiles.add(mobile)
        drafts.append(
            SmsDraft(
                recipient_key=f"leader:{leader.pk}",
                recipient_name=leader.name,
                mobile=mobile,
                template=TEMPLATE,
                params={"content": text},
                dedupe_key=f"{topic}:leader:{leader.pk}",
                topic=topic,
            )
        )
    return sms_queue(county=matter.county, drafts=drafts)


def _capped(mobile: str) -> bool:
    """Whether this number has had its hour's worth of alerts."""
    since = timezone.now() - dt.timedelta(hours=1)
    index = field_cipher().blind_index(mobile, domain="sms")
    sent = SmsMessage.objects.filter(template=TEMPLATE, mobile_index=index, created_at__gte=since).count()
    return sent >= settings.XINFANG_ALERT_HOURLY_CAP


def _alert_text(matter: Matter, event: Event) -> str:
    """Who came (masked; else the matter's first petitioner), where to, how many; never a number."""
    people = event.visitors.exclude(name="") if event.pk else matter.petitioners.none()
    first = people.order_by("order", "id").values_list("name", flat=True).first() or (
        matter.petitioners.exclude(name="").order_by("order", "id").values_list("name", flat=True).first()
    )
    who = masked_people([first], event.persons) if first else "匿名"
    kind = "集体" if event.persons >= settings.XINFANG_ALERT_PERSONS else ""
    return (
        f"紧急访情：{event.date.month}月{event.date.day}日 {matter.origin_township.name} {who} "
        f"{event.get_level_display()}{kind}{event.persons}人，事项{matter.number}（{matter.category.name}）。"
        "请关注，详情请登录信访工作平台查看。"
    )
