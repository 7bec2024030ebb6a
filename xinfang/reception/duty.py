"""The quarterly duty of going down (下沉接访, docs/reception.md "季度下沉任务"): every county leader in
office who is not one of the six top leaders (those draw a township each month) receives in a township at
least once a quarter, preferably where conflicts concentrate.

Selectors: the quarter's compliance of each leader (done, planned, missing) and the townships ranked by the
last 90 days' events, over-level events and overdue matters. Services: the bureau plans a leader's visit or
cancels a planned one not yet held. The job: two weeks before the quarter ends, one SMS to each leader
still missing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.roles import bureau_only
from xinfang.directory.models import County, Leader, Unit
from xinfang.lib.masking import scrub_text
from xinfang.lib.periods import Quarter, quarter_of
from xinfang.lib.schedule import Rule, days_before_quarter_end
from xinfang.lib.sms_text import split_messages
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.petitions.models import OVER_LEVELS, Matter
from xinfang.petitions.todo import Today, overdue
from xinfang.reception.models import Attendance, DownVisit, Reception
from xinfang.stats.selectors import counted_events

RANKING_DAYS = 90  # "the last 90 days" of the issue: the window the townships are ranked over


# ---------------------------------------------------------------------------------------------------------
# Compliance


class DutyState(StrEnum):
    DONE = "done"
    PLANNED = "planned"
    MISSING = "missing"


STATE_LABELS = {DutyState.DONE: "已下沉", DutyState.PLANNED: "已安排", DutyState.MISSING: "未安排"}


@dataclass(frozen=True)
class DoneVisit:
    """A down-to-township reception the leader attended."""

    date: dt.date
    township: str
    reception_id: int


@dataclass
class LeaderDuty:
    leader: Leader
    done: list[DoneVisit] = field(default_factory=list)
    planned: list[DownVisit] = field(default_factory=list)  # from today to the quarter's end

    @property
    def state(self) -> DutyState:
        if self.done:
            return DutyState.DONE
        return DutyState.PLANNED if self.planned else DutyState.MISSING

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def duty_leaders(county: County) -> QuerySet[Leader]:
    """The leaders the quarterly duty binds: in office, not one of the six top leaders (who draw)."""
    return Leader.objects.filter(county=county, is_active=True, is_top_six=False).order_by(
        "protocol_order", "id"
    )


def duty_compliance(
    *, county: County, quarter: Quarter, today: dt.date, leaders: list[Leader] | None = None
) -> list[LeaderDuty]:
    """Each bound leader's duty in the quarter: **done** when a 下沉接访 record dated in the quarter has the
    leader present; otherwise **planned** when a visit of theirs is dated from today (or the quarter's
    first day, if later) to the quarter's end — their own, or a drawn leader's they go with as the
    township's liaison leader; otherwise **missing**. Three queries whatever the count."""
    duties = {leader.pk: LeaderDuty(leader) for leader in (leaders or duty_leaders(county))}
    attended = (
        Attendance.objects.filter(
            reception__county=county,
            reception__kind=Reception.Kind.DOWN,
            reception__date__gte=quarter.first,
            reception__date__lte=quarter.last,
            present=True,
            leader_id__in=list(duties),
        )
        .select_related("reception__township")
        .order_by("reception__date", "reception_id")
    )
    for attendance in attended:
        reception = attendance.reception
        township = reception.township.name if reception.township else reception.place
        duties[attendance.leader_id or 0].done.append(DoneVisit(reception.date, township, reception.pk))
    visits = (
        DownVisit.objects.filter(
            Q(leader_id__in=list(duties)) | Q(liaison_id__in=list(duties)),
            county=county,
            date__gte=max(today, quarter.first),
            date__lte=quarter.last,
        )
        .select_related("township")
        .order_by("date", "id")
    )
    for visit in visits:
        for leader_id in (visit.leader_id, visit.liaison_id):
            if leader_id in duties:
                duties[leader_id].planned.append(visit)
    return list(duties.values())


def duty_missing(*, county: County, quarter: Quarter, today: dt.date) -> QuerySet[Leader]:
    """The bound leaders missing in the quarter, by the rules of `duty_compliance`, as one query (the home
    cards count it)."""
    attended = Attendance.objects.filter(
        leader_id=OuterRef("pk"),
        present=True,
        reception__kind=Reception.Kind.DOWN,
        reception__date__gte=quarter.first,
        reception__date__lte=quarter.last,
    )
    visits = DownVisit.objects.filter(
        Q(leader_id=OuterRef("pk")) | Q(liaison_id=OuterRef("pk")),
        date__gte=max(today, quarter.first),
        date__lte=quarter.last,
    )
    return duty_leaders(county).exclude(Exists(attended)).exclude(Exists(visits))


def duty_counts(duties: list[LeaderDuty]) -> dict[str, int]:
    counts = dict.fromkeys(DutyState, 0)
    for duty in duties:
        counts[duty.state] += 1
    return {state.value: count for state, count in counts.items()}


# ---------------------------------------------------------------------------------------------------------
# Where to go: the townships ranked


@dataclass(frozen=True)
class Weights:
    events: int
    over_level: int
    overdue: int


def ranking_weights() -> Weights:
    """The score's weights (settings, checked by xinfang.E015)."""
    return Weights(
        settings.XINFANG_DUTY_WEIGHT_EVENTS,
        settings.XINFANG_DUTY_WEIGHT_OVER_LEVEL,
        settings.XINFANG_DUTY_WEIGHT_OVERDUE,
    )


@dataclass(frozen=True)
class TownshipRank:
    rank: int
    township: Unit
    events: int
    over_level: int
    overdue: int
    score: int


def township_ranking(*, county: County, day: dt.date) -> list[TownshipRank]:
    """The county's active townships, best to visit first, over the RANKING_DAYS days up to `day`.

    Factors: the events of the township (counted as the statistics count them: dated in the window), those
    above 到县 (到市, 赴省, 进京), and its open matters past their handling deadline today (the to-do
    queues' "已超期"). Score = each factor times its weight, summed; ties go to more over-level events,
    then more overdue matters, then the directory's order."""
    date_from = day - dt.timedelta(days=RANKING_DAYS - 1)
    events: dict[int, int] = defaultdict(int)
    over: dict[int, int] = defaultdict(int)
    counted = counted_events(county=county, date_from=date_from, date_to=day)
    by_level = counted.order_by().values("township_id", "level").annotate(n=Count("date"))
    for township_id, level, count in by_level.values_list("township_id", "level", "n"):
        if township_id is None:
            continue
        events[township_id] += count
        if level in OVER_LEVELS:
            over[township_id] += count
    late = overdue(Matter.objects.filter(county=county), Today(day, 0)).order_by()
    overdue_counts = dict(
        late.values("origin_township_id").annotate(n=Count("id")).values_list("origin_township_id", "n")
    )
    weights = ranking_weights()
    townships = Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP, is_active=True).order_by(
        "order", "id"
    )
    rows = []
    for index, township in enumerate(townships):
        e, o, d = events[township.pk], over[township.pk], overdue_counts.get(township.pk, 0)
        score = weights.events * e + weights.over_level * o + weights.overdue * d
        rows.append((-score, -o, -d, index, township, e, o, d, score))
    rows.sort(key=lambda row: row[:4])
    return [TownshipRank(rank, *row[4:]) for rank, row in enumerate(rows, start=1)]


# ---------------------------------------------------------------------------------------------------------
# The bureau plans and cancels


@transaction.atomic
def downvisit_plan(
    *, by: User, leader: Leader, township: Unit, date: dt.date, note: str = "", now: dt.datetime
) -> DownVisit:
    """Plan a leader's quarterly visit to a township (计划下沉) on a day from today on, with its audit
    record. The six top leaders go by the monthly draw and are not planned here."""
    bureau_only(by, leader.county_id, "安排下沉接访", system=False)
    today = timezone.localdate(now)
    if not leader.is_active or leader.is_top_six:
        raise ValidationError("只能为需完成季度下沉任务的县级领导安排（六位县级主要领导按每月抽签下沉）")
    if township.county_id != leader.county_id or not township.is_township or not township.is_active:
        raise ValidationError("请选择本县的乡镇")
    if date < today:
        raise ValidationError("下沉日期不能早于今天")
    if DownVisit.objects.filter(leader=leader, date=date).exists():
        raise ValidationError(f"{leader.name}在{date:%Y-%m-%d}已有下沉接访安排")
    visit = DownVisit(
        county_id=leader.county_id, date=date, kind=DownVisit.Kind.PLANNED, leader=leader, township=township,
        name=leader.name, post=leader.post or leader.get_post_kind_display(), note=scrub_text(note).strip(),
        created_at=now, created_by=by,
    )  # fmt: skip
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:  # the same leader and day planned at the same moment by someone else
        raise ValidationError(f"{leader.name}在{date:%Y-%m-%d}已有下沉接访安排") from None
    audit_record(
        action="downvisit.plan",
        actor=by,
        obj=visit,
        county=leader.county,
        changes={"leader": leader.name, "township": township.name, "date": date, "note": note},
    )
    return visit


@transaction.atomic
def downvisit_cancel(*, by: User, visit: DownVisit, now: dt.datetime) -> None:
    """Cancel a planned visit not yet held (dated today or later, no reception recorded for it)."""
    bureau_only(by, visit.county_id, "安排下沉接访", system=False)
    if visit.kind != DownVisit.Kind.PLANNED:
        raise ValidationError("抽签和分包联系乡镇的下沉安排不能在这里取消")
    if visit.date < timezone.localdate(now) or visit.receptions.exists():
        raise ValidationError("已开展或已过日期的下沉接访不能取消")
    audit_record(
        action="downvisit.cancel",
        actor=by,
        obj=visit,
        county=visit.county,
        changes={"leader": visit.name, "township": visit.township.name, "date": visit.date},
    )
    visit.delete()


# ---------------------------------------------------------------------------------------------------------
# The deadline warning


def duty_warning_day(quarter: Quarter) -> dt.date:
    return quarter.last - dt.timedelta(days=settings.XINFANG_DUTY_WARN_DAYS)


def duty_warning_days() -> Rule:
    """The job's days: XINFANG_DUTY_WARN_DAYS before each quarter's last day. A rule of its own rather than
    every day, so that `xinfang jobs plan` shows when the SMS goes and no empty run is kept daily."""
    return days_before_quarter_end(settings.XINFANG_DUTY_WARN_DAYS)


def duty_warnings_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """On the quarter's warning day (XINFANG_DUTY_WARN_DAYS before its last day) one SMS to each bound
    leader with neither a visit done nor one planned; any other day (a run asked for by hand) sends
    nothing. The outbox's dedupe key (county, quarter, leader) makes a repeated run send nothing again."""
    quarter = quarter_of(day)
    if day != duty_warning_day(quarter):
        return f"{quarter.label}的下沉接访提醒在{duty_warning_day(quarter):%Y-%m-%d}发送"
    missing = [
        duty.leader
        for duty in duty_compliance(county=county, quarter=quarter, today=day)
        if duty.state == DutyState.MISSING
    ]
    if not missing:
        return f"{quarter.label}需下沉的县级领导都已下沉或已安排"
    suggested = "、".join(row.township.name for row in township_ranking(county=county, day=day)[:3])
    topic = f"duty_warning:{county.code}:{quarter.code}"
    drafts, no_phone = [], []
    for leader in missing:
        if not leader.mobile:
            no_phone.append(leader.name)
            continue
        text = [
            f"{leader.name}同志：{quarter.label}您的下沉接访尚未开展、也未安排，"
            f"本季度{quarter.last.month}月{quarter.last.day}日截止，请尽快到乡镇接访一次。"
            + (f"近90天信访较集中的乡镇：{suggested}。" if suggested else "")
        ]
        bodies = split_messages(text, settings.XINFANG_SMS_SIGNATURE, settings.XINFANG_SMS_MAX_PARTS)
        drafts += [
            SmsDraft(
                recipient_key=f"leader:{leader.pk}",
                recipient_name=leader.name,
                mobile=leader.mobile,
                template="duty_warning",
                params={"content": body.removeprefix(settings.XINFANG_SMS_SIGNATURE)},
                dedupe_key=f"{topic}:{leader.pk}:{index}",
                topic=topic,
            )
            for index, body in enumerate(bodies, start=1)
        ]
    queued = sms_queue(county=county, drafts=drafts)
    result = f"{quarter.label}尚未下沉也未安排的县级领导{len(missing)}人，已生成 {queued} 条短信"
    return result + (f"；无手机号：{'、'.join(no_phone)}" if no_phone else "")
