"""Each role's to-do queues (待办): named narrowings of the user's matters.

The home page counts them and the matter list applies them (`/matters/?todo=<key>`), through the same
function, so a card's figure and the list it opens always agree. Every queue narrows from a small table
(assignments, ownerships, extensions, today's events) or an indexed column, so counting stays fast at
a million matters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.selectors import bureau_unit
from xinfang.lib.deadlines import PETITIONER_CLOCKS, Clock
from xinfang.petitions.models import (
    OVER_LEVELS,
    Assignment,
    Event,
    Extension,
    Matter,
    Ownership,
)

Status = Matter.Status
# A matter is finished in these states: nothing is left to do on it but a petitioner's request.
FINISHED = frozenset({Status.REJECTED, Status.RESOLVED, Status.CONCLUDED, Status.CLOSED})


@dataclass(frozen=True)
class Today:
    """The day the queues are counted on and the county's warning horizon for deadlines."""

    date: dt.date
    warning_days: int

    @property
    def week_start(self) -> dt.date:
        return self.date - dt.timedelta(days=self.date.weekday())


Narrow = Callable[[QuerySet[Matter], User, Today], QuerySet[Matter]]


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    scope: str  # what the figure counts over: 本单位, 本人包案, 全县
    narrow: Narrow
    applies: Callable[[User], bool]
    alert: bool = False  # a figure above zero is shown in red
    note: str = ""


# The statutory clocks someone must act within (every clock but the petitioner's windows).
HANDLING_CLOCKS = tuple(clock.value for clock in Clock if clock not in PETITIONER_CLOCKS)


def running(matters: QuerySet[Matter]) -> QuerySet[Matter]:
    """Matters with a statutory handling clock running (not a petitioner's window). Named clocks, not
    "none of the others": each is a range on the (clock, due date) indexes."""
    return matters.filter(due_date__isnull=False, clock__in=HANDLING_CLOCKS)


def overdue(matters: QuerySet[Matter], today: Today) -> QuerySet[Matter]:
    return running(matters).filter(due_date__lt=today.date)


def due_soon(matters: QuerySet[Matter], today: Today) -> QuerySet[Matter]:
    horizon = today.date + dt.timedelta(days=today.warning_days)
    return running(matters).filter(due_date__gte=today.date, due_date__lte=horizon)


def _assigned(user: User, *states: str) -> QuerySet[Assignment]:
    return Assignment.objects.filter(unit_id=user.unit_id or 0, is_current=True, state__in=states)


def _own_unit(matters: QuerySet[Matter], user: User) -> QuerySet[Matter]:
    return matters.filter(responsible_unit_id=user.unit_id or 0)


# A leader's current ownerships are read as a list of matter ids up to this many: the planners then look
# the matters up by key and sort a few hundred rows. As a subquery, PostgreSQL guesses thousands of them
# (a leader's released ownerships skew its estimate) and scans every matter of the county instead.
OWNED_AS_LIST = 5_000


def owned_matter_ids(leader_id: int) -> list[int] | QuerySet[Ownership, int]:
    """The ids of the matters a leader owns now: a list, or beyond OWNED_AS_LIST a subquery."""
    owned = Ownership.objects.filter(leader_id=leader_id, is_current=True).values_list("matter_id", flat=True)
    ids = list(owned.order_by()[: OWNED_AS_LIST + 1])
    return ids if len(ids) <= OWNED_AS_LIST else owned


def _owned(matters: QuerySet[Matter], user: User) -> QuerySet[Matter]:
    """The leader's open owned matters among `matters` (what the user may see). A county leader sees only
    the matters they own (selectors.matters_for_user): the same list of ids twice would make PostgreSQL
    guess a single row and scan the county's overdue matters (28,000 at a million) instead of looking up
    the leader's few hundred."""
    if user.role != Role.COUNTY_LEADER:
        matters = matters.filter(pk__in=owned_matter_ids(user.leader_id or 0))
    return matters.exclude(status__in=FINISHED)


def _is_unit(user: User) -> bool:
    return user.role == Role.UNIT_USER and user.unit_id is not None


def _is_unit_head(user: User) -> bool:
    return _is_unit(user) and user.is_unit_head


def _is_bureau(user: User) -> bool:
    return user.role in BUREAU_ROLES


def _is_leader(user: User) -> bool:
    return user.role in (Role.COUNTY_LEADER, Role.MAIN_LEADER) and user.leader_id is not None


def _pending_extension(matters: QuerySet[Matter]) -> QuerySet[Matter]:
    return matters.filter(
        pk__in=Extension.objects.filter(state=Extension.State.REQUESTED).values("matter_id")
    )


# The responsible and assigned units (乡镇、县直单位).
def _receive(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return matters.filter(pk__in=_assigned(user, Assignment.State.SENT).values("matter_id"))


def _accept(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    signed = _assigned(user, Assignment.State.RECEIVED, Assignment.State.OBJECTION_REJECTED)
    # Read from the county's 转送 matters (a few thousand at most), each looked up among the unit's
    # assignments: the unit has signed for tens of thousands, its scope is larger still.
    transferred = Matter.objects.filter(county_id=user.county_id or 0, status=Status.TRANSFERRED)
    waiting = transferred.filter(Exists(signed.filter(matter=OuterRef("pk"))))
    return matters.filter(pk__in=waiting.values("pk"))


def _unit_due_soon(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return due_soon(_own_unit(matters, user), today)


def _unit_overdue(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return overdue(_own_unit(matters, user), today)


def _rate(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return _own_unit(matters, user).filter(status=Status.ANSWERED, rating__isnull=True)


def _approve_extension(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return _pending_extension(_own_unit(matters, user))


# County leaders' own cases (包案).
def _owned_open(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return _owned(matters, user)


def _owned_overdue(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return overdue(_owned(matters, user), today)


def _owned_week(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return _owned(matters, user).filter(last_event_date__gte=today.week_start)


# The bureau (信访局).
def _transfer(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return matters.filter(status=Status.REGISTERED)


def _objection(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    objected = Assignment.objects.filter(is_current=True, state=Assignment.State.OBJECTED)
    return matters.filter(pk__in=objected.values("matter_id"))


def _bureau_extension(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    bureau = bureau_unit(user.county_id) if user.county_id else None
    return _pending_extension(matters.filter(responsible_unit_id=bureau.pk if bureau else 0))


def _over_level_today(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    events = Event.objects.filter(county_id=user.county_id or 0, date=today.date, level__in=OVER_LEVELS)
    return matters.filter(pk__in=events.values("matter_id"))


def _county_due_soon(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return due_soon(matters, today)


def _county_overdue(matters: QuerySet[Matter], user: User, today: Today) -> QuerySet[Matter]:
    return overdue(matters, today)


UNIT, OWN_UNIT, OWNED, COUNTY = "本单位", "本单位承办", "本人包案", "全县"
QUEUES: tuple[Queue, ...] = (
    Queue("receive", "待签收", UNIT, _receive, _is_unit, alert=True, note="转送交办到本单位，尚未签收"),
    Queue("accept", "待受理", UNIT, _accept, _is_unit, note="已签收，尚未受理"),
    Queue("unit_due_soon", "即将到期", OWN_UNIT, _unit_due_soon, _is_unit, note="办理期限将至"),
    Queue("unit_overdue", "已超期", OWN_UNIT, _unit_overdue, _is_unit, alert=True),
    Queue("rate", "待评价", OWN_UNIT, _rate, _is_unit, note="已答复，信访人尚未评价"),
    Queue("approve_extension", "待批准延期", UNIT, _approve_extension, _is_unit_head, alert=True),
    Queue("owned", "我的包案", OWNED, _owned_open, _is_leader, note="尚未化解、办结"),
    Queue("owned_overdue", "包案已超期", OWNED, _owned_overdue, _is_leader, alert=True),
    Queue("owned_week", "包案本周又来访", OWNED, _owned_week, _is_leader, alert=True, note="本周一以来"),
    Queue("transfer", "待转送", COUNTY, _transfer, _is_bureau, note="已登记，尚未转送交办或受理"),
    Queue("objection", "管辖异议待处理", COUNTY, _objection, _is_bureau, alert=True),
    Queue("bureau_extension", "局承办延期待批", "信访局承办", _bureau_extension, _is_bureau, note="局长批准"),
    Queue(
        "over_level_today",
        "今日越级",
        COUNTY,
        _over_level_today,
        _is_bureau,
        alert=True,
        note="今日到市、赴省、进京",
    ),
    Queue("due_soon", "即将到期", COUNTY, _county_due_soon, _is_bureau),
    Queue("overdue", "已超期", COUNTY, _county_overdue, _is_bureau, alert=True),
)
QUEUE_BY_KEY = {queue.key: queue for queue in QUEUES}


def queues_for(user: User) -> list[Queue]:
    return [queue for queue in QUEUES if queue.applies(user)]
