"""Reads of the ownership app, and its permission gates (404 when out of scope).

Who sees what: the bureau and the main leaders see every batch and owned case of their county (less the
matters that report them, Art. 46); a county leader sees their own cases, current and past; unit users see
none of it but may ask for a matter of theirs to be escalated.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from xinfang.accounts.models import User
from xinfang.core.queries import in_batches
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES
from xinfang.directory.models import County, Leader, LeaderUnavailability
from xinfang.ownership.models import (
    Batch,
    BatchEntry,
    Closure,
    Escalation,
    OwnerMeeting,
    Package,
    PackageEntry,
)
from xinfang.ownership.suggest import LeaderFacts, MatterFacts
from xinfang.petitions import todo
from xinfang.petitions.models import Matter, Ownership
from xinfang.petitions.selectors import matters_reporting

T = TypeVar("T", bound=models.Model)

# ---------------------------------------------------------------------------------------------------------
# What the suggestion reads


def leader_facts(county: County) -> list[LeaderFacts]:
    """The county's leaders in office, with their portfolios and liaison townships (four queries)."""
    leaders = Leader.objects.filter(county=county, is_active=True).prefetch_related(
        "portfolio_categories", "portfolio_departments", "liaison_townships"
    )
    return [
        LeaderFacts(
            id=leader.pk,
            name=leader.name,
            order=leader.protocol_order,
            categories=frozenset(c.pk for c in leader.portfolio_categories.all()),
            departments=frozenset(u.pk for u in leader.portfolio_departments.all()),
            townships=frozenset(u.pk for u in leader.liaison_townships.all()),
        )
        for leader in leaders
    ]


def leaders_unavailable(county: County, day: dt.date) -> frozenset[int]:
    """Leaders away on `day` (their unavailable days in the directory)."""
    return frozenset(
        LeaderUnavailability.objects.filter(leader__county=county, start__lte=day, end__gte=day).values_list(
            "leader_id", flat=True
        )
    )


def open_matters(county_id: int) -> QuerySet[Matter, Any]:
    """The ids of the county's matters not finished, as a subquery: read from the status index, then
    looked up by the ownerships. The other way round (each current ownership's matter read for its
    status) walks the matters table once per ownership, and ledgers of earlier years leave many current."""
    statuses = [status for status in Matter.Status.values if status not in todo.FINISHED]
    return Matter.objects.filter(county_id=county_id, status__in=statuses).values("pk")


def open_loads(county: County) -> Counter[int]:
    """Each leader's open owned matters (current ownerships of matters not finished)."""
    rows = (
        Ownership.objects.filter(is_current=True, matter_id__in=open_matters(county.pk))
        .values("leader_id")
        .annotate(n=Count("pk"))
        .values_list("leader_id", "n")
        .order_by()
    )
    return Counter(dict(rows))


def matter_facts(matter_ids: Iterable[int]) -> dict[int, MatterFacts]:
    """What the suggestion needs of each matter, read in batches of ids."""
    reported: dict[int, set[int]] = {}

    def reporting(ids: Sequence[int]) -> Iterable[tuple[int, int]]:
        return Matter.reported_accounts.through.objects.filter(
            matter_id__in=ids, user__leader__isnull=False
        ).values_list("matter_id", "user__leader_id")

    def rows(ids: Sequence[int]) -> Iterable[tuple[Any, ...]]:
        return Matter.objects.filter(pk__in=ids).values_list(
            "pk", "category_id", "category__parent_id", "category__name", "responsible_unit_id",
            "responsible_unit__name", "origin_township_id", "origin_township__name",
        )  # fmt: skip

    ids = list(matter_ids)
    for matter_id, leader_id in in_batches(ids, reporting):
        reported.setdefault(matter_id, set()).add(leader_id)
    facts = {}
    for pk, category, parent, category_name, unit, unit_name, township, township_name in in_batches(
        ids, rows
    ):
        facts[pk] = MatterFacts(
            category_id=category, category_parent_id=parent, category_name=category_name, unit_id=unit,
            unit_name=unit_name or "", township_id=township, township_name=township_name,
            reported_leaders=frozenset(reported.get(pk, ())),
        )  # fmt: skip
    return facts


# ---------------------------------------------------------------------------------------------------------
# Batches


def batches_for_user(*, user: User) -> QuerySet[Batch]:
    """The batches the user may read: their county's, for the bureau and the main leaders; newest first."""
    if user.role not in COUNTY_WIDE_ROLES or user.county_id is None:
        return Batch.objects.none()
    return Batch.objects.filter(county_id=user.county_id).order_by(
        "state", "-year", "-number", "-created_at", "-id"
    )


def batch_get_for_user(*, user: User, batch_id: int) -> Batch:
    batch = batches_for_user(user=user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("包案期次不存在或不在您的管辖范围内")
    return batch


def batch_entries(*, user: User, batch: Batch) -> QuerySet[BatchEntry]:
    """The batch's matters the user may see (a leader a matter reports never sees it), in batch order."""
    return (
        _visible(BatchEntry.objects.filter(batch=batch), user)
        .select_related(
            "matter__origin_township",
            "matter__category__parent",
            "matter__responsible_unit",
            "suggested_leader",
            "leader",
            "ownership",
        )
        .order_by("id")
    )


# ---------------------------------------------------------------------------------------------------------
# Owned cases


def ownerships_for_user(*, user: User, current: bool | None = True) -> QuerySet[Ownership]:
    """The owned cases the user may read: a leader's own; the county's (less Art. 46) for the bureau and
    main leaders. `current` None reads past ones too."""
    if user.county_id is None:
        return Ownership.objects.none()
    rows = Ownership.objects.filter(leader__county_id=user.county_id)
    if current is not None:
        rows = rows.filter(is_current=current)
    if user.role in COUNTY_WIDE_ROLES:
        return _visible(rows, user)
    if user.leader_id:  # a matter that came to report its owner later leaves their view too (Art. 46)
        return _visible(rows.filter(leader_id=user.leader_id), user)
    return Ownership.objects.none()


def _visible(rows: QuerySet[T], user: User) -> QuerySet[T]:
    """`rows` (of the user's county) less those of matters that report the user or their unit (Art. 46):
    the small lists matters_for_user leaves out, not a subquery over the county's matters."""
    for reported in matters_reporting(user):
        rows = rows.exclude(matter_id__in=reported)
    return rows


def ownership_get_for_user(*, user: User, ownership_id: int) -> Ownership:
    ownership = (
        ownerships_for_user(user=user, current=None)
        .select_related("matter__origin_township", "matter__category__parent", "leader")
        .filter(pk=ownership_id)
        .first()
    )
    if ownership is None:
        raise Http404("包案不存在或不在您的管辖范围内")
    return ownership


def user_may_work_on(user: User, ownership: Ownership) -> bool:
    """Whether the user records the five 包, meetings and 销号 requests of the case: its owner, or the
    bureau on the owner's behalf; only while it is current."""
    if not ownership.is_current:
        return False
    return user.role in BUREAU_ROLES or (user.leader_id is not None and user.leader_id == ownership.leader_id)


@dataclass(frozen=True)
class PackageState:
    package: Package
    entries: list[PackageEntry]

    @property
    def state(self) -> str:
        if not self.entries:
            return "未开展"
        return "已完成" if any(entry.completes for entry in self.entries) else "进行中"

    @property
    def empty(self) -> bool:
        return not self.entries


def package_states(ownership: Ownership) -> list[PackageState]:
    """The five 包 of a case in their order, each with its entries (oldest first) and state."""
    entries = list(
        PackageEntry.objects.filter(ownership=ownership).select_related("by").prefetch_related("attachments")
    )
    return [
        PackageState(package, [entry for entry in entries if entry.package == package]) for package in Package
    ]


def empty_packages(ownership_ids: Iterable[int]) -> dict[int, int]:
    """How many of the five 包 of each case have no entry yet."""
    filled: Counter[int] = Counter()
    rows = (
        PackageEntry.objects.filter(ownership_id__in=list(ownership_ids))
        .values("ownership_id", "package")
        .distinct()
        .values_list("ownership_id", flat=True)
    )
    for ownership_id in rows:
        filled[ownership_id] += 1
    return {pk: len(Package) - filled[pk] for pk in ownership_ids}


def meetings_of(ownership: Ownership) -> QuerySet[OwnerMeeting]:
    return (
        OwnerMeeting.objects.filter(ownership=ownership).select_related("by").prefetch_related("attachments")
    )


def closure_pending(ownership: Ownership) -> Closure | None:
    return Closure.objects.filter(ownership=ownership, state=Closure.State.REQUESTED).first()


def closures_pending_for_user(*, user: User) -> QuerySet[Closure]:
    """销号 requests the bureau is to confirm."""
    if user.role not in BUREAU_ROLES or user.county_id is None:
        return Closure.objects.none()
    return Closure.objects.filter(
        state=Closure.State.REQUESTED, ownership__leader__county_id=user.county_id
    ).select_related("ownership__matter", "ownership__leader", "requested_by")


def escalations_for_user(*, user: User) -> QuerySet[Escalation]:
    """Requests to escalate: the bureau's county's, or those of the unit user's unit."""
    if user.county_id is None:
        return Escalation.objects.none()
    rows = Escalation.objects.filter(matter__county_id=user.county_id).select_related(
        "matter", "unit", "requested_by"
    )
    if user.role in BUREAU_ROLES:
        return rows
    if user.unit_id:
        return rows.filter(unit_id=user.unit_id)
    return Escalation.objects.none()


def entry_of(ownership: Ownership) -> BatchEntry | None:
    """The batch entry that started the case (none when it was set by hand)."""
    return BatchEntry.objects.filter(ownership=ownership).select_related("batch").first()


def overview_rows(*, user: User, today: dt.date) -> list[dict[str, object]]:
    """The bureau's overview, a row per leader in office: open owned cases, those past their batch deadline,
    those with an empty 包, and the 销号 requests waiting."""
    if user.role not in COUNTY_WIDE_ROLES or user.county_id is None:
        return []
    current = ownerships_for_user(user=user).filter(matter_id__in=open_matters(user.county_id))
    late = BatchEntry.objects.filter(ownership=OuterRef("pk"), deadline__lt=today)
    filled = (
        PackageEntry.objects.filter(ownership=OuterRef("pk"))
        .values("ownership")
        .annotate(n=Count("package", distinct=True))
        .values("n")
    )
    rows = current.annotate(late=Exists(late), filled=Coalesce(Subquery(filled), 0))
    summary: dict[int, dict[str, int]] = {}
    for leader_id, is_late, packages in rows.values_list("leader_id", "late", "filled"):
        row = summary.setdefault(leader_id, {"open": 0, "overdue": 0, "empty": 0})
        row["open"] += 1
        row["overdue"] += int(is_late)
        row["empty"] += int(packages < len(Package))
    waiting = Counter(
        Closure.objects.filter(
            state=Closure.State.REQUESTED, ownership__leader__county_id=user.county_id
        ).values_list("ownership__leader_id", flat=True)
    )
    leaders = Leader.objects.filter(county_id=user.county_id).filter(
        Q(is_active=True) | Q(pk__in=list(summary))
    )
    return [
        {
            "leader": leader,
            **summary.get(leader.pk, {"open": 0, "overdue": 0, "empty": 0}),
            "closures": waiting.get(leader.pk, 0),
        }
        for leader in leaders
    ]
