"""Reads of the registry and its permission gate: who may see which matter (SPEC §3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.http import Http404
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.queries import COUNT_BOUND, count_upto, count_upto_kept, statement_rows
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES, Role
from xinfang.directory.models import County, Unit
from xinfang.directory.selectors import county_cached
from xinfang.lib.bigrams import bigrams, jaccard
from xinfang.lib.masking import mask_name
from xinfang.petitions import todo
from xinfang.petitions.models import (
    OVER_LEVELS,
    Assignment,
    Event,
    Matter,
    MatterText,
    OnlineSubmission,
    Ownership,
    Petitioner,
    RegistryRules,
    RuleProfileAssignment,
)
from xinfang.petitions.rows import id_number_index, phone_index
from xinfang.petitions.search import matters_matching

# The lists' order, newest event first: what the matter_list_idx index serves and the keyset cursor follows.
NEWEST_FIRST = ("-last_event_date", "-id")


def matters_for_user(*, user: User, paged: bool = False) -> QuerySet[Matter]:
    """Every matter the user may see, anywhere: lists, counts, search, exports, API.

    Bureau and main leaders see their county; a county leader the matters they own; a unit user the
    matters their unit is responsible for or assigned, or that come from their township. A matter that
    reports (检举/控告) a unit or a person is never visible to that unit's users or that person's account
    (《信访工作条例》 Art. 46), whatever their role.

    Shaped for the planners at a million matters: a leader's matters are read from their ownerships, the
    Art. 46 exclusions are lists the database reads once per query, and a unit's assignments (tens of
    thousands) are looked up matter by matter, which suits a page of the newest matters or a narrow
    queue. `matters_total` counts a unit's scope branch by branch.

    `paged`: the caller reads a page of the newest matters (a list page, a search's scan), a few dozen
    rows off the index. PostgreSQL would otherwise hash every current assignment of the unit (47,000 of
    a large department at a million matters) before the first row, on every page; as a scalar probe,
    which it cannot hash, each candidate row costs one index lookup. A whole scope (counts, exports) must
    not ask for it: a probe per matter of the county.
    """
    scope = Scope.of(user)
    return _scope_matters(scope, paged=paged) if scope else Matter.objects.none()


@dataclass(frozen=True)
class Scope:
    """What of a user decides which matters they may see, and nothing else: matters_for_user reads the
    user through it, so a statement built from a scope may be kept under it (matters_newest_ids)."""

    pk: int  # the account, for Art. 46
    county_id: int
    role: str
    unit_id: int | None
    leader_id: int | None

    @classmethod
    def of(cls, user: User) -> Scope | None:
        """The user's scope; None for one who sees nothing (anonymous, or of no county)."""
        if not user.is_authenticated or user.county_id is None:
            return None
        return cls(user.pk, user.county_id, user.role, user.unit_id, user.leader_id)


def _scope_matters(
    scope: Scope, *, paged: bool, owned: Sequence[int] | QuerySet[Any, int] | None = None
) -> QuerySet[Matter]:
    """matters_for_user of the scope; a county leader's matters are `owned` (todo.owned_matter_ids) when
    given, else read."""
    matters = _county_matters(scope)
    if scope.role in COUNTY_WIDE_ROLES:
        return matters
    if scope.role == Role.COUNTY_LEADER and scope.leader_id:
        return matters.filter(pk__in=todo.owned_matter_ids(scope.leader_id) if owned is None else owned)
    if scope.role == Role.UNIT_USER and scope.unit_id:
        responsible, township, assigned = _unit_branches(scope)
        mine = assigned.filter(matter=OuterRef("pk")).order_by()
        if paged:
            return matters.filter(responsible | township | IsNull(Subquery(mine.values("pk")[:1]), False))
        return matters.filter(responsible | township | Exists(mine))
    return Matter.objects.none()


def matters_newest_ids(*, user: User, count: int) -> list[int]:
    """The ids of the `count` newest matters the user may see (-last_event_date, -id): the list as it
    first opens, most of its views. The statement is compiled once for the user's scope (statement_rows,
    a county leader's owned matters its values): building and compiling the scope's query, Art. 46
    exclusions and a unit's branches, cost more than running it."""
    scope = Scope.of(user)
    if scope is None:
        return []
    owned: Sequence[int] = ()
    if scope.role == Role.COUNTY_LEADER and scope.leader_id:
        found = todo.owned_matter_ids(scope.leader_id)
        if not isinstance(found, list):  # too many to bind one by one: through the ORM
            return list(_newest(_scope_matters(scope, paged=True, owned=found), count))
        owned = found
    return statement_rows(
        ("petitions.matters_newest_ids", scope, count),
        lambda values: _newest(_scope_matters(scope, paged=True, owned=values), count),
        owned,
    )


def _newest(matters: QuerySet[Matter], count: int) -> QuerySet[Matter, int]:
    return matters.order_by(*NEWEST_FIRST).values_list("pk", flat=True)[:count]


def _county_matters(user: User | Scope) -> QuerySet[Matter]:
    """The matters of the user's county less those that report the user's unit or the user (Art. 46)."""
    matters = Matter.objects.filter(county_id=user.county_id or 0)
    for reported in matters_reporting(user):
        matters = matters.exclude(pk__in=reported)
    return matters


def _unit_branches(user: User | Scope) -> tuple[Q, Q, QuerySet[Assignment]]:
    """A unit's scope, each branch answered by its own index: the matters it is responsible for, those of
    its township, and its current assignments."""
    unit = user.unit_id or 0
    assigned = Assignment.objects.filter(unit_id=unit, is_current=True)
    return Q(responsible_unit_id=unit), Q(origin_township_id=unit), assigned


def events_visible(*, user: User, events: QuerySet[Event]) -> QuerySet[Event]:
    """The events among `events` of the matters the user may see: the scope of `matters_for_user`, read
    from the events' own columns where it can be. An event records its matter's origin township, so a
    township's own events need no look at the matters, and the statistics stay one index-only scan."""
    if not user.is_authenticated or user.county_id is None:
        return events.none()
    events = events.filter(county_id=user.county_id)
    for reported in matters_reporting(user):
        events = events.exclude(matter_id__in=reported)
    if user.role in COUNTY_WIDE_ROLES:
        return events
    if user.role == Role.COUNTY_LEADER and user.leader_id:
        return events.filter(matter_id__in=todo.owned_matter_ids(user.leader_id))
    if user.role == Role.UNIT_USER and user.unit_id:
        responsible, _, assigned = _unit_branches(user)
        # The township's own events by their column; one list of the unit's other matters, read once.
        theirs = Matter.objects.filter(responsible, county_id=user.county_id).values("pk").order_by()
        theirs = theirs.union(assigned.values("matter_id").order_by())
        return events.filter(Q(township_id=user.unit_id) | Q(matter_id__in=theirs))
    return events.none()


def matters_reporting(user: User | Scope) -> list[QuerySet[Any]]:
    """The ids of the matters that report the user's unit or the user (Art. 46), as subqueries the
    database reads once per query (a list of ids to leave out, not a lookup per row)."""
    reporting: list[QuerySet[Any]] = [
        Matter.reported_accounts.through.objects.filter(user_id=user.pk).values("matter_id")
    ]
    if user.unit_id:
        reporting.append(
            Matter.reported_units.through.objects.filter(unit_id=user.unit_id).values("matter_id")
        )
    return reporting


def matter_get_for_user(*, user: User, matter_id: int) -> Matter:
    """The gate: the matter with what its pages show, or 404 when it is out of the user's scope."""
    matter = (
        matters_for_user(user=user)
        .select_related("county", "origin_township", "origin_village", "category__parent", "responsible_unit")
        .filter(pk=matter_id)
        .first()
    )
    if matter is None:
        raise Http404("信访事项不存在或不在您的管辖范围内")
    return matter


def online_submissions_for_user(*, user: User) -> QuerySet[OnlineSubmission]:
    """The online submissions the user screens: the bureau's, of its county; newest first."""
    if user.role not in BUREAU_ROLES or user.county_id is None:
        return OnlineSubmission.objects.none()
    return (
        OnlineSubmission.objects.filter(county_id=user.county_id)
        .select_related("origin_township", "decided_by", "matter")
        .order_by("-submitted_at", "-id")
    )


def online_submission_get_for_user(*, user: User, submission_id: int) -> OnlineSubmission:
    submission = online_submissions_for_user(user=user).filter(pk=submission_id).first()
    if submission is None:
        raise Http404("网上信访不存在或不在您的管辖范围内")
    return submission


def user_handles(user: User, matter: Matter) -> bool:
    """Whether the user handles the matter, and so sees petitioners' names and addresses in full."""
    if user.role in {Role.BUREAU_STAFF, Role.BUREAU_HEAD}:
        return True
    if user.role == Role.UNIT_USER:
        return user.unit_id is not None and user.unit_id == matter.responsible_unit_id
    if user.role == Role.COUNTY_LEADER and user.leader_id:
        return Ownership.objects.filter(matter=matter, leader_id=user.leader_id, is_current=True).exists()
    return False


@dataclass(frozen=True)
class MatterFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    level: str = ""
    channel: str = ""
    category_id: int | None = None
    township_id: int | None = None
    unit_id: int | None = None
    status: str = ""
    overdue: bool = False
    flags: tuple[str, ...] = field(default_factory=tuple)
    q: str = ""
    todo: str = ""  # a to-do queue of the user's role (todo.QUEUES)
    owner_id: int | None = None  # the owning county leader (包案领导)


FLAG_FIELDS = {"threat": "is_threat", "urgent": "is_urgent", "litigation": "is_litigation",
               "backlog": "is_backlog", "collective": "is_collective"}  # fmt: skip


def matters_search(*, user: User, filters: MatterFilter) -> QuerySet[Matter]:
    """The matter list: the user's scope narrowed by the filters and the search, newest event first.

    Pages use `matters_filtered` and let `matter_page` run the search, which pages faster."""
    matters = matters_filtered(user=user, filters=filters)
    return matters_matching(matters, filters.q) if filters.q else matters


def matters_filtered(*, user: User, filters: MatterFilter, paged: bool = False) -> QuerySet[Matter]:
    """The user's scope narrowed by every filter but the text search, newest event first (`paged`: read
    a page at a time, see matters_for_user)."""
    return _narrowed(matters_for_user(user=user, paged=paged), user, filters)


def matters_total(
    *, user: User, filters: MatterFilter, bound: int = COUNT_BOUND, filtered: QuerySet[Matter] | None = None
) -> int:
    """How many matters `matters_filtered` holds, up to `bound` (see count_upto); `filtered` is its answer
    when the caller has it already.

    A unit's scope is counted branch by branch, each from its own index: a branch that reaches the bound
    answers at once (a township or a large department has tens of thousands of matters), otherwise the
    branches' union is counted. One count over the whole scope would walk the county's matters. A count
    past the bound is kept for a minute (count_upto_kept), under the user's own key: their scope, Art. 46's
    exclusions included, is theirs."""
    return count_upto_kept((user.pk, filters), lambda: _total(user, filters, bound, filtered), bound)


def _total(user: User, filters: MatterFilter, bound: int, filtered: QuerySet[Matter] | None) -> int:
    if not (user.is_authenticated and user.county_id and user.role == Role.UNIT_USER and user.unit_id):
        if filtered is None:
            filtered = matters_filtered(user=user, filters=filters)
        return count_upto(filtered, bound)
    responsible, township, assigned = _unit_branches(user)
    matters = _county_matters(user)
    narrowed = _narrowed(matters.filter(responsible), user, filters)
    assignments = _narrowed(matters.filter(pk__in=assigned.values("matter_id")), user, filters)
    branches = [narrowed]
    if user.unit is not None and user.unit.kind == Unit.Kind.TOWNSHIP:  # a department has no own matters
        # The township's own matters first: most of a township's scope.
        branches.insert(0, _narrowed(matters.filter(township), user, filters))
    if any(count_upto(branch, bound) > bound for branch in branches):
        return bound + 1
    first, *rest = (branch.order_by().values("pk") for branch in (*branches, assignments))
    return count_upto(first.union(*rest), bound)


def _narrowed(matters: QuerySet[Matter], user: User, filters: MatterFilter) -> QuerySet[Matter]:
    """`matters` narrowed by every filter but the text search, newest event first."""
    if filters.date_from:
        matters = matters.filter(last_event_date__gte=filters.date_from)
    if filters.date_to:
        matters = matters.filter(first_event_date__lte=filters.date_to)
    if filters.level:
        matters = matters.filter(top_level=filters.level)
    if filters.channel:
        matters = matters.filter(channel=filters.channel)
    if filters.category_id:
        matters = matters.filter(
            Q(category_id=filters.category_id) | Q(category__parent_id=filters.category_id)
        )
    if filters.township_id:
        matters = matters.filter(origin_township_id=filters.township_id)
    if filters.unit_id:
        matters = matters.filter(responsible_unit_id=filters.unit_id)
    if filters.status:
        matters = matters.filter(status=filters.status)
    if filters.overdue:
        matters = todo.overdue(matters, todo_today(user))
    if filters.owner_id:
        matters = matters.filter(pk__in=todo.owned_matter_ids(filters.owner_id))
    queue = todo.QUEUE_BY_KEY.get(filters.todo)
    if queue is not None and queue.applies(user):
        matters = queue.narrow(matters, user, todo_today(user))
    for flag in filters.flags:
        if flag in FLAG_FIELDS:
            matters = matters.filter(**{FLAG_FIELDS[flag]: True})
    return matters.order_by(*NEWEST_FIRST)


def todo_today(user: User) -> todo.Today:
    warning = registry_rules_kept(user.county).deadline_warning_days if user.county else 3
    return todo.Today(timezone.localdate(), warning)


@dataclass(frozen=True)
class TodoCount:
    queue: todo.Queue
    count: int  # up to COUNT_BOUND + 1


def todo_counts(*, user: User) -> list[TodoCount]:
    """The user's to-do queues, each counted (bounded) over what the user may see."""
    today = todo_today(user)
    visible = matters_for_user(user=user)
    return [
        TodoCount(queue, count_upto(queue.narrow(visible, user, today))) for queue in todo.queues_for(user)
    ]


def registry_rules(county_id: int) -> RegistryRules:
    """The county's registry rules, or the defaults (unsaved) until the bureau head sets them."""
    return RegistryRules.objects.filter(county_id=county_id).first() or RegistryRules(county_id=county_id)


def registry_rules_kept(county: County) -> RegistryRules:
    """registry_rules as pages read them: kept in memory until the county's revision changes (a save of
    the rules raises it). Services read registry_rules, in their transaction."""
    return county_cached(county, "registry-rules", lambda: registry_rules(county.pk))


def rule_profile_get_for_user(*, user: User, assignment_id: int) -> RuleProfileAssignment:
    """The gate for the county's deadline-profile switches: the bureau's own county's, or 404."""
    assignment = None
    if user.role in BUREAU_ROLES and user.county_id is not None:
        assignments = RuleProfileAssignment.objects.filter(pk=assignment_id, county_id=user.county_id)
        assignment = assignments.select_related("county").first()
    if assignment is None:
        raise Http404("时限规则设置不存在或不在您的管辖范围内")
    return assignment


REPEAT_SCAN = 2000


@dataclass(frozen=True)
class RepeatCandidate:
    matter: Matter
    reason: str
    similarity: float


def repeat_candidates(
    *,
    user: User,
    township_id: int | None,
    content: str,
    id_numbers: list[str],
    phones: list[str],
    limit: int = 5,
    names: dict[str, str] | None = None,
) -> list[RepeatCandidate]:
    """Matters the new registration may repeat: the same ID number or phone (via the blind index), or
    similar content from the same township recently (bigram Jaccard ≥ the county's threshold)."""
    if user.county_id is None:
        return []
    rules = registry_rules(user.county_id)
    visible = matters_for_user(user=user)
    found: dict[int, RepeatCandidate] = {}
    indexes = [id_number_index(value) for value in id_numbers if value]
    phone_indexes = [phone_index(value) for value in phones if value]
    if indexes or phone_indexes:
        people = Petitioner.objects.filter(Q(id_number_index__in=indexes) | Q(phone_index__in=phone_indexes))
        # A stored petitioner with the ID number typed in but another name: said, never merged silently.
        typed = {id_number_index(number): name for number, name in (names or {}).items() if name}
        other_name: dict[int, str] = {}
        for matter_id, index, stored in people.filter(id_number_index__in=list(typed)).values_list(
            "matter_id", "id_number_index", "name"
        ):
            if stored and stored != typed[index]:
                other_name[matter_id] = stored
        for matter in visible.filter(pk__in=people.values("matter_id")).order_by("-last_event_date")[:limit]:
            reason = "同一身份证号或电话"
            if matter.pk in other_name:
                reason = f"注意：身份证号相同但姓名不同（原登记为{mask_name(other_name[matter.pk])}），请核实"
            found[matter.pk] = RepeatCandidate(matter, reason, 1.0)
    grams = bigrams(content)
    if township_id and len(grams) >= 3:
        since = timezone.localdate() - dt.timedelta(days=rules.repeat_window_days)
        recent = visible.filter(origin_township_id=township_id, last_event_date__gte=since)
        # The township's latest matters within the window; a county's township rarely has more.
        latest = recent.order_by(*NEWEST_FIRST).values_list("pk", flat=True)[:REPEAT_SCAN]
        texts = MatterText.objects.filter(matter_id__in=list(latest)).values_list("matter_id", "grams")
        scored = sorted(
            ((jaccard(grams, set(text.split())), matter_id) for matter_id, text in texts), reverse=True
        )
        wanted = [(score, pk) for score, pk in scored if score >= rules.repeat_similarity and pk not in found]
        matters = Matter.objects.in_bulk([pk for _, pk in wanted[:limit]])
        for score, pk in wanted[:limit]:
            found[pk] = RepeatCandidate(matters[pk], f"同乡镇内容相似（{score:.0%}）", score)
    return sorted(found.values(), key=lambda c: (-c.similarity, -c.matter.pk))[:limit]


@dataclass(frozen=True)
class Period:
    events: int = 0
    persons: int = 0
    over_level: int = 0
    collective: int = 0
    new_matters: int = 0  # matters whose first event fell in the period


@dataclass(frozen=True)
class Situation:
    """Today's and this week's petitions (访情) in the user's scope: the head of every home page."""

    today: Period
    week: Period
    week_start: dt.date


def situation(*, user: User) -> Situation:
    """Reads this week's events of the county (a few thousand rows at most), then keeps those of matters
    the user may see, found from the week's events, so a scoped user's figures never scan the matters
    under the scope."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=today.weekday())
    week = Event.objects.filter(county_id=user.county_id or 0, date__gte=start, date__lte=today)
    rows = list(week.values_list("matter_id", "date", "level", "persons", "is_collective", "prev_date"))
    if user.role not in COUNTY_WIDE_ROLES:
        # One query: each statement reads the unit's assignments once, whatever the number of matters.
        visible = matters_for_user(user=user).filter(pk__in=week.values("matter_id"))
        seen = set(visible.values_list("pk", flat=True))
        rows = [row for row in rows if row[0] in seen]

    def period(selected: list[tuple[int, dt.date, str, int, bool, dt.date | None]]) -> Period:
        return Period(
            events=len(selected),
            persons=sum(row[3] for row in selected),
            over_level=sum(1 for row in selected if row[2] in OVER_LEVELS),
            collective=sum(1 for row in selected if row[4]),
            new_matters=sum(1 for row in selected if row[5] is None),
        )

    return Situation(period([r for r in rows if r[1] == today]), period(rows), start)
