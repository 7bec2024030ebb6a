"""What the ownership pages show, beyond the selectors: the rows of a leader's cases with their five 包, a
batch's entries with their forms, the gates of the objects only pages open (an entry, a 销号 request, a
case's file) and the choices of the leader pickers. Reads only; every read is bounded per page."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.models import Attachment
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES, Role
from xinfang.directory.models import Leader
from xinfang.ownership.forms import EntryChooseForm, EntryRemoveForm, RatePeriodForm
from xinfang.ownership.models import (
    Batch,
    BatchEntry,
    Closure,
    Escalation,
    OwnerMeeting,
    Package,
    PackageEntry,
)
from xinfang.ownership.selectors import (
    batch_entries,
    batches_for_user,
    closures_pending_for_user,
    escalations_for_user,
    overview_rows,
    ownership_get_for_user,
    ownerships_for_user,
)
from xinfang.ownership.stats import ownership_stats
from xinfang.petitions import todo
from xinfang.petitions.models import Matter, Ownership
from xinfang.petitions.selectors import matters_for_user, matters_reporting

CASES_PER_PAGE = 50
BATCHES_PER_PAGE = 50
# What each state of a 包 is called on the pages, and the class its tag takes.
STATE_CLASSES = {"未开展": "empty", "进行中": "going", "已完成": "done"}


# ---------------------------------------------------------------------------------------------------------
# Gates of the objects only the pages open


def entry_get_for_user(*, user: User, entry_id: int) -> BatchEntry:
    """A batch's matter the user may see, with its batch; otherwise 404."""
    entry = (
        BatchEntry.objects.filter(pk=entry_id, batch__in=batches_for_user(user=user))
        .select_related("batch", "matter")
        .first()
    )
    # The matter looked up by its key: the scope's exclusions are small lists, the county's matters many.
    if entry is None or not matters_for_user(user=user).filter(pk=entry.matter_id).exists():
        raise Http404("包案事项不存在或不在您的管辖范围内")
    return entry


def closure_get_for_user(*, user: User, closure_id: int) -> Closure:
    """A 销号 request of a case the user may open; otherwise 404."""
    closure = Closure.objects.select_related("ownership").filter(pk=closure_id).first()
    if closure is None:
        raise Http404("销号申请不存在")
    ownership_get_for_user(user=user, ownership_id=closure.ownership_id)
    return closure


def case_attachment_get(*, ownership: Ownership, attachment_id: int) -> Attachment:
    """A file of the case's five 包 entries or meetings; otherwise 404."""
    of_packages = PackageEntry.attachments.through.objects.filter(
        attachment_id=OuterRef("pk"), packageentry__ownership_id=ownership.pk
    )
    of_meetings = OwnerMeeting.attachments.through.objects.filter(
        attachment_id=OuterRef("pk"), ownermeeting__ownership_id=ownership.pk
    )
    found = Attachment.objects.filter(
        Q(Exists(of_packages)) | Q(Exists(of_meetings)), pk=attachment_id
    ).first()
    if found is None:
        raise Http404("附件不存在")
    return found


def matter_by_number(*, user: User, number: str) -> Matter | None:
    """The matter of a registration number (登记编号) in the user's scope."""
    return matters_for_user(user=user).filter(number=number.strip()).first()


# ---------------------------------------------------------------------------------------------------------
# Leader pickers


def leader_label(leader: Leader) -> str:
    return f"{leader.name}（{leader.post}）"


def leader_choices(county_id: int | None) -> list[tuple[int, str]]:
    """The county's leaders in office, in protocol order."""
    leaders = Leader.objects.filter(county_id=county_id or 0, is_active=True).order_by("protocol_order", "pk")
    return [(leader.pk, leader_label(leader)) for leader in leaders]


def owner_choices(county_id: int | None) -> list[tuple[int, str]]:
    """Every leader of the county who owns a case now (in office or not), with how many."""
    leaders = (
        Leader.objects.filter(county_id=county_id or 0)
        .annotate(owned=Count("ownerships", filter=Q(ownerships__is_current=True)))
        .filter(owned__gt=0)
        .order_by("protocol_order", "pk")
    )
    return [
        (
            leader.pk,
            f"{leader_label(leader)}，包案{leader.owned}件{'' if leader.is_active else '，已离任'}",
        )
        for leader in leaders
    ]


# ---------------------------------------------------------------------------------------------------------
# A leader's cases


@dataclass(frozen=True)
class PackageTag:
    label: str
    state: str

    @property
    def css(self) -> str:
        return STATE_CLASSES[self.state]

    @property
    def short(self) -> str:
        return self.label.removeprefix("包")


@dataclass
class CaseRow:
    ownership: Ownership
    packages: list[PackageTag]
    meetings: int
    entry: BatchEntry | None
    closure_pending: bool
    overdue: bool

    @property
    def matter(self) -> Matter:
        return self.ownership.matter

    @property
    def empty(self) -> list[PackageTag]:
        return [tag for tag in self.packages if tag.state == "未开展"]


def package_tags(ownership_ids: Sequence[int]) -> dict[int, list[PackageTag]]:
    """The five 包 of each case with their states, in one query."""
    rows = (
        PackageEntry.objects.filter(ownership_id__in=ownership_ids)
        .values("ownership_id", "package")
        .annotate(done=Count("pk", filter=Q(completes=True)))
        .values_list("ownership_id", "package", "done")
        .order_by()
    )
    states: dict[int, dict[str, str]] = defaultdict(dict)
    for ownership_id, package, done in rows:
        states[ownership_id][package] = "已完成" if done else "进行中"
    return {
        pk: [PackageTag(package.label, states[pk].get(package.value, "未开展")) for package in Package]
        for pk in ownership_ids
    }


def case_rows(ownerships: Iterable[Ownership], today: dt.date) -> list[CaseRow]:
    """Each case with its five 包, meetings, batch entry and pending 销号: four queries for the lot."""
    cases = list(ownerships)
    ids = [ownership.pk for ownership in cases]
    tags = package_tags(ids)
    meetings = Counter(
        dict(
            OwnerMeeting.objects.filter(ownership_id__in=ids)
            .values("ownership_id")
            .annotate(n=Count("pk"))
            .values_list("ownership_id", "n")
            .order_by()
        )
    )
    entries = {
        entry.ownership_id: entry
        for entry in BatchEntry.objects.filter(ownership_id__in=ids).select_related("batch")
    }
    pending = set(
        Closure.objects.filter(ownership_id__in=ids, state=Closure.State.REQUESTED).values_list(
            "ownership_id", flat=True
        )
    )
    rows = []
    for ownership in cases:
        entry = entries.get(ownership.pk)
        overdue = (
            ownership.is_current
            and entry is not None
            and entry.deadline is not None
            and entry.deadline < today
            and ownership.matter.status not in todo.FINISHED
        )
        rows.append(
            CaseRow(
                ownership, tags[ownership.pk], meetings[ownership.pk], entry, ownership.pk in pending, overdue
            )
        )
    return rows


def cases_of_leader(*, user: User, leader_id: int) -> QuerySet[Ownership]:
    """The current cases of one leader that the user may read, newest first, with what the rows show."""
    return (
        ownerships_for_user(user=user)
        .filter(leader_id=leader_id)
        .select_related("matter__origin_township", "matter__category", "leader")
        .order_by("-since", "-pk")
    )


def with_empty_package(ownerships: QuerySet[Ownership]) -> QuerySet[Ownership]:
    """The cases among `ownerships` with at least one of the five 包 still empty."""
    return ownerships.annotate(filled=Count("package_entries__package", distinct=True)).filter(
        filled__lt=len(Package)
    )


def my_cases(*, user: User, empty_only: bool = False) -> QuerySet[Ownership]:
    """A leader's own current cases (a main leader's too, who reads the county's elsewhere)."""
    cases = cases_of_leader(user=user, leader_id=user.leader_id or 0)
    return with_empty_package(cases) if empty_only else cases


def page_of(rows: QuerySet[Any], number: str | None, size: int = CASES_PER_PAGE) -> Page[Any]:
    return Paginator(rows, size).get_page(number)


def overview(*, user: User, leader: str, page: str | None, period: RatePeriodForm) -> dict[str, Any]:
    """The overview's rows (leaders with cases in the table, the others named in a line), its totals, one
    leader's cases when asked (`leader`, an id as typed), 包案化解率 of the batches issued in `period` for
    the county and per leader, and for the bureau the 销号 requests to confirm and the units' pending
    requests."""
    today = timezone.localdate()
    date_from, date_to = period.period(today)
    assert user.county is not None  # the overview's roles belong to a county
    rates = ownership_stats(county=user.county, date_from=date_from, date_to=date_to, today=today)
    rows = overview_rows(user=user, today=today)
    leaders = {found.pk: found for found in (cast(Leader, row["leader"]) for row in rows)}
    chosen = leaders.get(int(leader)) if leader.isdigit() else None
    cases = page_of(cases_of_leader(user=user, leader_id=chosen.pk), page) if chosen is not None else None
    bureau = user.role in BUREAU_ROLES
    pending = escalations_for_user(user=user).filter(state=Escalation.State.PENDING).order_by("requested_at")
    return {
        "busy": [row for row in rows if row["open"] or row["closures"]],
        "idle": [row for row in rows if not row["open"] and not row["closures"]],
        "totals": {
            key: sum(cast(int, row[key]) for row in rows) for key in ("open", "overdue", "empty", "closures")
        },
        "leader": chosen,
        "cases_page": cases,
        "cases": case_rows(cases, today) if cases is not None else [],
        "query": f"leader={chosen.pk}&" if chosen is not None else "",
        "bureau": bureau,
        "closures": list(closures_pending_for_user(user=user).order_by("requested_at")[:100])
        if bureau
        else [],
        "escalations": list(pending[:100]) if bureau else [],
        "period": period,
        "rates": rates,
    }


# ---------------------------------------------------------------------------------------------------------
# Batches


def batch_list(*, user: User, year: int | None) -> QuerySet[Batch]:
    """The batches of the year (every draft, whatever its year), drafts first, with the matters each holds
    that the user may see."""
    batches = batches_for_user(user=user).select_related("document")
    if year is not None:
        batches = batches.filter(Q(state=Batch.State.DRAFT) | Q(year=year))
    visible = Q()
    for hidden in matters_reporting(user):
        visible &= ~Q(entries__matter_id__in=hidden)
    return batches.annotate(matters=Count("entries", filter=visible))


def batch_years(*, user: User, today: dt.date) -> list[int]:
    """The years with issued batches, newest first, this year always among them."""
    years = batches_for_user(user=user).filter(year__isnull=False).values_list("year", flat=True).distinct()
    return sorted({year for year in years if year is not None} | {today.year}, reverse=True)


@dataclass
class EntryRow:
    entry: BatchEntry
    choose_form: forms.Form | None = None
    remove_form: forms.Form | None = None
    failed: str = ""  # the form of this row that came back with errors

    @property
    def reassigned(self) -> bool:
        return self.entry.leader_id is not None and self.entry.leader_id != self.entry.suggested_leader_id


@dataclass
class BatchPage:
    batch: Batch
    rows: list[EntryRow]
    editable: bool
    owners: int = 0
    unassigned: list[BatchEntry] = field(default_factory=list)


def batch_page(
    *, user: User, batch: Batch, failed_entry: int | None = None, failed_form: forms.Form | None = None,
    failed_kind: str = "",
) -> BatchPage:  # fmt: skip
    """A batch's entries the user may see, each with its forms when the batch is a draft the user edits;
    a failed form comes back in its row as typed."""
    entries = list(batch_entries(user=user, batch=batch))
    editable = batch.state == Batch.State.DRAFT and user.role in BUREAU_ROLES
    leaders = leader_choices(batch.county_id) if editable else []
    rows = []
    for entry in entries:
        row = EntryRow(entry)
        if editable:
            row.choose_form = EntryChooseForm(
                leaders=leaders, suggested=entry.suggested_leader_id, auto_id=f"e{entry.pk}_choose_%s",
                initial={"leader": entry.leader_id, "deadline": entry.deadline},
            )  # fmt: skip
            row.remove_form = EntryRemoveForm(auto_id=f"e{entry.pk}_remove_%s")
            if entry.pk == failed_entry and failed_form is not None:
                failed_form.auto_id = f"e{entry.pk}_{failed_kind}_%s"
                setattr(row, f"{failed_kind}_form", failed_form)
                row.failed = failed_kind
        rows.append(row)
    return BatchPage(
        batch=batch,
        rows=rows,
        editable=editable,
        owners=len({entry.leader_id for entry in entries if entry.leader_id}),
        unassigned=[entry for entry in entries if entry.leader_id is None],
    )


# ---------------------------------------------------------------------------------------------------------
# Who does what on a case


def may_decide_closure(user: User) -> bool:
    return user.role in BUREAU_ROLES


def sees_batches(user: User) -> bool:
    return user.role in COUNTY_WIDE_ROLES


def is_leader_account(user: User) -> bool:
    return user.role in (Role.MAIN_LEADER, Role.COUNTY_LEADER) and user.leader_id is not None
