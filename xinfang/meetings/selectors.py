"""Reads of the joint meeting: the bureau's pages (county-wide roles read, the bureau writes), a month's
stored screening and the follow-up of earlier decisions (their supervision items' state: done, in
progress, overdue)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.roles import COUNTY_WIDE_ROLES, Role
from xinfang.directory.models import County
from xinfang.lib.periods import Month
from xinfang.meetings.models import AgendaItem, Meeting, MinutesCopy, Screening
from xinfang.supervision.models import SupervisionItem, state_label

if TYPE_CHECKING:
    from xinfang.meetings.screening import Candidate


def meetings_for_user(*, user: User) -> QuerySet[Meeting]:
    if user.county_id is None or user.role not in COUNTY_WIDE_ROLES:
        return Meeting.objects.none()
    return Meeting.objects.filter(county_id=user.county_id)


def meeting_get_for_user(*, user: User, meeting_id: int) -> Meeting:
    """The gate: the meeting, or 404 out of the user's scope."""
    meeting = (
        meetings_for_user(user=user)
        .select_related("county", "chair", "document")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def agenda_item_get_for_user(*, user: User, item_id: int) -> AgendaItem:
    item = (
        AgendaItem.objects.filter(meeting__in=meetings_for_user(user=user))
        .select_related("meeting__county", "matter")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


def minutes_copies_for_user(*, user: User) -> QuerySet[MinutesCopy]:
    """The minutes sent to attending unit heads: the bureau and main leaders see every one of their county;
    a unit user their own unit's head's copies (which leave out what reports the unit)."""
    copies = MinutesCopy.objects.select_related("meeting", "official__unit", "copy__document")
    if user.county_id is not None and user.role in COUNTY_WIDE_ROLES:
        return copies.filter(meeting__county_id=user.county_id)
    if user.role == Role.UNIT_USER and user.unit_id is not None:
        return copies.filter(official__unit_id=user.unit_id)
    return MinutesCopy.objects.none()


def minutes_copy_get_for_user(*, user: User, copy_id: int) -> MinutesCopy:
    found = minutes_copies_for_user(user=user).filter(pk=copy_id).first()
    if found is None:
        raise Http404
    return found


def decision_state(item: SupervisionItem | None, today: dt.date) -> tuple[str, str]:
    """A decision's follow-up as (code, label): done / in progress / overdue from its supervision item;
    ("", "未印发") before the minutes are approved."""
    if item is None:
        return "", "未印发"
    shown = item.display_state_on(today)
    code = {"done": "done", "overdue": "overdue"}.get(shown, "in_progress")
    label = state_label(shown) if shown in ("done", "overdue") else "办理中"
    return code, label


def screening_stored(*, county: County, month: Month) -> Screening | None:
    """The county's stored screening of `month` (None before it is screened): the pages never compute one."""
    return Screening.objects.select_related("computed_by").filter(county=county, month=str(month)).first()


def screening_candidates(screening: Screening) -> list[Candidate]:
    """The stored best of a screening, best first, as `screening.screen` returned them."""
    # Imported here: the matter pages' provider (extras) reads this module at start-up, and the screening
    # brings the risk score and the petitions' row writers (the field cipher) with it.
    from xinfang.meetings.screening import Candidate, Evidence

    known = frozenset(field.name for field in dataclasses.fields(Evidence))
    return [
        Candidate(
            matter_id=row.matter_id, number=row.number, score=Decimal(row.score),
            factors={name: Decimal(value) for name, value in row.factors.items()},
            evidence=Evidence(**{name: value for name, value in row.evidence.items() if name in known}),
            owner=row.owner,
        )
        for row in screening.candidates.order_by("rank")
    ]  # fmt: skip


def earlier_decisions(*, meeting: Meeting, matter_ids: Iterable[int] | None = None) -> list[AgendaItem]:
    """The decisions of the county's earlier meetings (approved), newest first, with their supervision
    items; only those on `matter_ids` when given."""
    return decisions_before(county_id=meeting.county_id, month=meeting.month, matter_ids=matter_ids)


def decisions_before(
    *, county_id: int, month: str, matter_ids: Iterable[int] | None = None
) -> list[AgendaItem]:
    """The decisions of the county's approved meetings on months before `month` ("YYYY-MM"), newest
    first, each with its follow-up state (`follow_code`, `follow_label`) read from its supervision item
    today; only those on `matter_ids` when given."""
    items = AgendaItem.objects.filter(
        meeting__county_id=county_id, meeting__month__lt=month,
        meeting__state=Meeting.State.APPROVED, removed=False,
    ).select_related("meeting", "matter", "leader", "supervision")  # fmt: skip
    if matter_ids is not None:
        items = items.filter(matter_id__in=list(matter_ids))
    rows = list(items.order_by("-meeting__month", "order"))
    today = timezone.localdate()
    for row in rows:
        row.follow_code, row.follow_label = decision_state(row.supervision, today)  # type: ignore[attr-defined]
    return rows
