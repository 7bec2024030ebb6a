"""What the ownership app adds to a matter's page (`core.matter_extras`): the 领导包案 card — the owner,
the batch, the five 包 and the way to the case for those who may open it; for a unit whose scope has the
matter, the request to escalate it — and the timeline's lines: each 包案 with its batch, each 见面约谈,
each 销号. Unit users see no case details (selectors' rule), only their own request."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.matter_extras import MatterCard, MatterExtras, TimelineLine
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES, Role
from xinfang.ownership.forms import EscalationForm
from xinfang.ownership.models import BatchEntry, Closure, Escalation, OwnerMeeting
from xinfang.ownership.pages import package_tags
from xinfang.petitions import todo
from xinfang.petitions.models import Matter, Ownership
from xinfang.petitions.pages import matter_detail_context

CARD_TEMPLATE = "ownership/_matter_card.html"
NOTE_MAX = 120


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or getattr(user, "username", ""))


def _short(text: str) -> str:
    return text if len(text) <= NOTE_MAX else f"{text[: NOTE_MAX - 1]}…"


def ownership_extras(user: User, matter: Matter) -> MatterExtras:
    card, timeline = _read(user, matter, None)
    return MatterExtras(cards=(card,) if card else (), timeline=tuple(timeline))


def escalation_card(user: User, matter: Matter, form: EscalationForm) -> MatterCard | None:
    """The card with a unit's request form as typed, its errors beside the field."""
    return _read(user, matter, form)[0]


def matter_page_with(user: User, matter: Matter, form: EscalationForm) -> dict[str, Any]:
    """The matter page's context with this app's card showing the failed request form."""
    context = matter_detail_context(user, matter)
    card = escalation_card(user, matter, form)
    cards = list(context.get("extra_cards", ()))
    mine = next((index for index, item in enumerate(cards) if item.template == CARD_TEMPLATE), None)
    if mine is not None:  # in its place among the other apps' cards
        cards[mine : mine + 1] = [card] if card else []
    elif card is not None:
        cards.append(card)
    context["extra_cards"] = cards
    return context


def _read(
    user: User, matter: Matter, form: EscalationForm | None
) -> tuple[MatterCard | None, list[TimelineLine]]:
    ownerships = list(matter.ownerships.select_related("leader", "assigned_by").order_by("since", "pk"))
    current = next((ownership for ownership in ownerships if ownership.is_current), None)
    if user.role == Role.UNIT_USER:
        return _unit_card(user, matter, current, form), []
    if user.role not in COUNTY_WIDE_ROLES and user.role != Role.COUNTY_LEADER:
        return None, []
    ids = [ownership.pk for ownership in ownerships]
    rows = BatchEntry.objects.filter(ownership_id__in=ids).select_related("batch") if ids else []
    entries = {entry.ownership_id: entry for entry in rows if entry.ownership_id is not None}
    sees_batches = user.role in COUNTY_WIDE_ROLES
    timeline = _timeline(ownerships, entries, sees_batches) if ids else []
    escalations = (
        list(
            Escalation.objects.filter(matter=matter, state=Escalation.State.PENDING)
            .select_related("unit")
            .order_by("requested_at")
        )
        if user.role in BUREAU_ROLES and current is None  # an owned matter's requests were met on issue
        else []
    )
    if current is None and not escalations:
        return None, timeline
    context: dict[str, Any] = {"owner": current, "escalations": escalations, "sees_batches": sees_batches}
    if current is not None:
        entry = entries.get(current.pk)
        context |= {
            "entry": entry,
            "packages": package_tags([current.pk])[current.pk],
            "case_url": reverse("ownership:case", args=[current.pk])
            if sees_batches or user.leader_id == current.leader_id
            else "",
            "overdue": entry is not None
            and entry.deadline is not None
            and matter.status not in todo.FINISHED
            and entry.deadline < timezone.localdate(),
        }
    return MatterCard(CARD_TEMPLATE, context), timeline


def _unit_card(
    user: User, matter: Matter, current: Ownership | None, form: EscalationForm | None
) -> MatterCard | None:
    """A unit's card: its request pending, or the form to make one while the matter needs a leader."""
    pending = (
        Escalation.objects.filter(matter=matter, unit_id=user.unit_id or 0, state=Escalation.State.PENDING)
        .order_by("-requested_at")
        .first()
    )
    may_ask = current is None and matter.status not in todo.FINISHED and pending is None
    if form is None and may_ask:
        form = EscalationForm(auto_id="escalate_%s")
    if pending is None and form is None:
        return None
    return MatterCard(
        CARD_TEMPLATE,
        {
            "unit_view": True,
            "pending": pending,
            "escalation_form": form,  # a refused request comes back as typed, whatever the state
            "escalate_url": reverse("ownership:escalate", args=[matter.pk]),
        },
    )


def _timeline(
    ownerships: list[Ownership], entries: dict[int, BatchEntry], sees_batches: bool
) -> list[TimelineLine]:
    ids = [ownership.pk for ownership in ownerships]
    lines = []
    for ownership in ownerships:
        entry = entries.get(ownership.pk)
        batch = f"（{entry.batch.label}）" if entry is not None else ""
        lines.append(
            TimelineLine(
                at=ownership.since,
                what=f"包案：{ownership.leader.name}{batch}",
                by=_name(ownership.assigned_by),
                url=reverse("ownership:batch", args=[entry.batch_id])
                if entry is not None and sees_batches
                else "",
            )
        )
    for meeting in OwnerMeeting.objects.filter(ownership_id__in=ids).select_related(
        "by", "ownership__leader"
    ):
        lines.append(
            TimelineLine(
                at=meeting.date,
                what=f"见面约谈（{meeting.ownership.leader.name}，{meeting.place}）",
                by=_name(meeting.by),
                note=_short(meeting.agreed),
            )
        )
    confirmed = Closure.objects.filter(ownership_id__in=ids, state=Closure.State.CONFIRMED).select_related(
        "decided_by", "ownership__leader"
    )
    for closure in confirmed:
        assert closure.decided_at is not None
        lines.append(
            TimelineLine(
                at=closure.decided_at,
                what=f"包案销号（{closure.ownership.leader.name}）",
                by=_name(closure.decided_by),
                note=_short(closure.note),
            )
        )
    return lines
