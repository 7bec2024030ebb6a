"""What the meetings app adds to a matter's page (`core.matter_extras`): the card of the joint meeting's
decisions on the matter (plan, responsible leader and units, deadline, the follow-up from the supervision
item) and a timeline line per decision. County-wide roles and the county leaders who see the matter; unit
users see none (the minutes leave out what reports them, and the bureau sends them their part)."""

from __future__ import annotations

from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.matter_extras import MatterCard, MatterExtras, TimelineLine
from xinfang.core.roles import COUNTY_WIDE_ROLES, LEADER_ROLES
from xinfang.meetings.models import AgendaItem, Meeting
from xinfang.meetings.selectors import decision_state
from xinfang.petitions.models import Matter

CARD_TEMPLATE = "meetings/_matter_card.html"


def meeting_extras(user: User, matter: Matter) -> MatterExtras:
    if user.role not in COUNTY_WIDE_ROLES and user.role not in LEADER_ROLES:
        return MatterExtras()
    items = list(
        AgendaItem.objects.filter(matter=matter, removed=False, decided_at__isnull=False)
        .select_related("meeting", "leader", "supervision")
        .prefetch_related("units")
        .order_by("meeting__month", "pk")
    )
    if not items:
        return MatterExtras()
    today = timezone.localdate()
    decisions = []
    timeline = []
    for item in items:
        approved = item.meeting.state == Meeting.State.APPROVED
        code, label = decision_state(item.supervision, today)
        decisions.append({"item": item, "approved": approved, "code": code, "label": label,
                          "units": "、".join(unit.name for unit in item.units.all())})  # fmt: skip
        if approved:
            timeline.append(
                TimelineLine(
                    at=item.meeting.held_on,
                    what=f"联席会议决定（{item.meeting.label}）",
                    by=item.leader.name if item.leader else "",
                    note=item.plan[:120],
                    url=item.supervision.get_absolute_url() if item.supervision else "",
                )
            )
    bureau = user.role in COUNTY_WIDE_ROLES
    return MatterExtras(
        cards=(MatterCard(CARD_TEMPLATE, {"meeting_decisions": decisions, "meeting_links": bureau}),),
        timeline=tuple(timeline),
    )
