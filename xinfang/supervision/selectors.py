"""Reads of supervision items and their permission gate: who may see which item, and who may report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.models import Attachment
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES, Role
from xinfang.petitions.models import Matter
from xinfang.supervision.models import (
    OVERDUE,
    SupervisionItem,
    SupervisionProgress,
    awaiting_q,
    overdue_q,
    with_display_state,
)

State = SupervisionItem.State


def items_for_user(*, user: User) -> QuerySet[SupervisionItem]:
    """Every supervision item the user may see: pages, API, cards.

    The bureau and the main leaders see their county's; a county leader the items they lead; a unit user
    the items of their unit. Nobody sees an item about a matter that reports them or their unit
    (《信访工作条例》 Art. 46) — read when asked, so an item created before the matter was found to report
    the unit disappears from the unit at once. Auditors and admins see none."""
    if not user.is_authenticated or user.county_id is None:
        return SupervisionItem.objects.none()
    items = SupervisionItem.objects.filter(county_id=user.county_id)
    items = items.exclude(
        matter_id__in=Matter.reported_accounts.through.objects.filter(user_id=user.pk).values("matter_id")
    )
    if user.unit_id:
        items = items.exclude(
            matter_id__in=Matter.reported_units.through.objects.filter(unit_id=user.unit_id).values(
                "matter_id"
            )
        )
    if user.role in COUNTY_WIDE_ROLES:
        return items
    if user.role == Role.COUNTY_LEADER and user.leader_id:
        return items.filter(leader_id=user.leader_id)
    if user.role == Role.UNIT_USER and user.unit_id:
        theirs = SupervisionItem.units.through.objects.filter(
            supervisionitem_id=OuterRef("pk"), unit_id=user.unit_id
        )
        return items.filter(Exists(theirs))
    return SupervisionItem.objects.none()


def item_get_for_user(*, user: User, item_id: int) -> SupervisionItem:
    """The gate: the item with what its page shows, or 404 when it is out of the user's scope."""
    item = (
        items_for_user(user=user)
        .select_related("county", "leader", "instructed_by", "matter", "created_by", "closed_by")
        .prefetch_related("units")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404("督办事项不存在或不在您的管辖范围内")
    return item


def can_report(*, user: User, item: SupervisionItem) -> bool:
    """Whether the user may report progress on the item: the bureau (on behalf of a unit or the leader),
    the responsible leader's own account, or a user of one of its units — each only within their scope.
    (Whether the item's state still takes a report is the service's question.)"""
    if not items_for_user(user=user).filter(pk=item.pk).exists():
        return False
    if user.role in BUREAU_ROLES:
        return True
    if user.leader_id and user.leader_id == item.leader_id:
        return True
    return user.role == Role.UNIT_USER  # scoped above to the items of their unit


def can_review(*, user: User, item: SupervisionItem) -> bool:
    return user.role in BUREAU_ROLES and user.county_id == item.county_id and item.state != State.DONE


def progress_of(item: SupervisionItem) -> QuerySet[SupervisionProgress]:
    """The item's progress reports, oldest first, with their attachments (without the files' content)."""
    return (
        item.progress.select_related("unit", "reported_by")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.defer("content").order_by("id"))
        )
        .order_by("created_at", "id")
    )


def item_attachment_get(*, item: SupervisionItem, attachment_id: int) -> Attachment:
    """A file of the item (its scan or a progress report's attachment), or 404."""
    of_progress = SupervisionProgress.attachments.through.objects.filter(
        attachment_id=OuterRef("pk"), supervisionprogress__item_id=item.pk
    )
    attachment = Attachment.objects.filter(
        Q(pk=item.scan_id or 0) | Exists(of_progress), pk=attachment_id
    ).first()
    if attachment is None:
        raise Http404("附件不存在")
    return attachment


# The list's state filter: the stored states, 超期, and the two views the cards open.
STATE_FILTERS = {
    "open": "未办结",
    State.TODO.value: "待办",
    State.IN_PROGRESS.value: "办理中",
    OVERDUE: "超期",
    "awaiting": "待验收",
    State.DONE.value: "已办结",
}


@dataclass(frozen=True)
class ItemFilter:
    state: str = ""  # one of STATE_FILTERS, or all
    leader_id: int | None = None
    unit_id: int | None = None


def items_filtered(
    *, user: User, filters: ItemFilter, today: dt.date | None = None
) -> QuerySet[SupervisionItem]:
    """The user's items narrowed by the filters, with `shown_state`; the nearest deadline first, done
    items last. 待办 and 办理中 leave out the overdue ones, which 超期 lists, as each row shows one state."""
    today = today or timezone.localdate()
    items = with_display_state(items_for_user(user=user), today)
    state = filters.state
    if state == "open":
        items = items.exclude(state=State.DONE)
    elif state == OVERDUE:
        items = items.filter(overdue_q(today))
    elif state == "awaiting":
        items = items.filter(awaiting_q())
    elif state in (State.TODO, State.IN_PROGRESS):
        items = items.filter(state=state, deadline__gte=today)
    elif state == State.DONE:
        items = items.filter(state=State.DONE)
    if filters.leader_id:
        items = items.filter(leader_id=filters.leader_id)
    if filters.unit_id:
        items = items.filter(
            Exists(
                SupervisionItem.units.through.objects.filter(
                    supervisionitem_id=OuterRef("pk"), unit_id=filters.unit_id
                )
            )
        )
    done_last = Case(When(state=State.DONE, then=Value(1)), default=Value(0), output_field=IntegerField())
    return items.order_by(done_last, "deadline", "id")


@dataclass(frozen=True)
class ItemCounts:
    open: int  # not done, overdue included
    overdue: int
    awaiting: int  # in progress with a report newer than the bureau's last decision


def item_counts(*, user: User, today: dt.date | None = None) -> ItemCounts:
    """The user's figures for the home page's cards, in one query."""
    today = today or timezone.localdate()
    figures = items_for_user(user=user).aggregate(
        open=Count("pk", filter=~Q(state=State.DONE)),
        overdue=Count("pk", filter=overdue_q(today)),
        awaiting=Count("pk", filter=awaiting_q()),
    )
    return ItemCounts(figures["open"] or 0, figures["overdue"] or 0, figures["awaiting"] or 0)
