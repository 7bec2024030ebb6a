"""The first-Tuesday visits down to the townships (下沉接访): the month's day, the draw of the six top leaders
(computed by `draw.py` from what is read here), the liaison leaders' visits, the check of a recorded draw,
the pages' reads and the worker's job (docs/reception.md, "下沉接访").

Errors are ValidationError (what was asked cannot be done, said in Chinese) or PermissionDenied (the role
may not). A day in a year the calendar does not know raises `UnknownYear`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.core.roles import bureau_only
from xinfang.directory.models import County, Leader, LeaderUnavailability, Unit
from xinfang.lib.workdays import UnknownYear, WorkCalendar
from xinfang.reception.draw import (
    HISTORY_MONTHS,
    METHOD,
    DayRule,
    DrawEve,
    LiaisonChoice,
    downvisit_day,
    least_recent,
    month_label,
    sample,
    seed_bytes,
    weight_of,
    working_day_before,
)
from xinfang.reception.models import DownVisit, Draw
from xinfang.reception.planning import month_add

SEED_BYTES = 16


def day_rule() -> DayRule:
    try:
        return DayRule(settings.XINFANG_DOWNVISIT_DAY)
    except ValueError:  # reported by the system check xinfang.E014
        return DayRule.FIRST_TUESDAY


def downvisit_date(month: dt.date) -> dt.date:
    """The month's down-to-township day on the official calendar; raises UnknownYear."""
    return downvisit_day(month.replace(day=1), day_rule(), work_calendar())


def fresh_seed() -> str:
    return secrets.token_hex(SEED_BYTES)


# ---------------------------------------------------------------------------------------------------------
# Computing a draw from the directory and the stored visits


@dataclass(frozen=True)
class Pick:
    order: int
    leader: dict[str, Any]  # {"leader": id, "name", "post"}
    township: dict[str, Any]  # an eligible entry
    liaison: Leader | None


@dataclass(frozen=True)
class LiaisonVisit:
    leader: Leader
    township: Unit


@dataclass
class DrawPlan:
    """A draw as computed, before it is stored (or instead, for a dry run)."""

    county: County
    month: dt.date
    date: dt.date
    seed: str
    eligible: list[dict[str, Any]]  # {"township": name, "unit": id, "weight", "recent"} in the order used
    leaders: list[dict[str, Any]]  # {"leader": id, "name", "post"} in drawing order
    away: list[dict[str, Any]]  # the top leaders away that day, with the reason
    picks: list[Pick] = field(default_factory=list)
    liaison_visits: list[LiaisonVisit] = field(default_factory=list)


def recent_draw_counts(county: County, month: dt.date) -> dict[int, int]:
    """How often each township was drawn in the six months before `month` (stored drawn visits)."""
    counts: dict[int, int] = defaultdict(int)
    visits = DownVisit.objects.filter(
        county=county, kind=DownVisit.Kind.DRAWN,
        draw__month__gte=month_add(month, -HISTORY_MONTHS), draw__month__lt=month,
    )  # fmt: skip
    for township_id in visits.values_list("township_id", flat=True):
        counts[township_id] += 1
    return counts


def eligible_townships(county: County, month: dt.date) -> list[dict[str, Any]]:
    counts = recent_draw_counts(county, month)
    townships = Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP, is_active=True).order_by(
        "order", "id"
    )
    return [
        {"township": unit.name, "unit": unit.pk, "weight": weight_of(counts.get(unit.pk, 0)),
         "recent": counts.get(unit.pk, 0)}
        for unit in townships
    ]  # fmt: skip


def _away_reasons(county: County, day: dt.date) -> dict[int, str]:
    periods = LeaderUnavailability.objects.filter(leader__county=county, start__lte=day, end__gte=day)
    reasons: dict[int, str] = {}
    for leader_id, reason in periods.order_by("start", "id").values_list("leader_id", "reason"):
        reasons.setdefault(leader_id, reason or "因事")
    return reasons


def _leaders(county: County) -> list[Leader]:
    active = Unit.objects.filter(is_active=True, kind=Unit.Kind.TOWNSHIP).order_by("order", "id")
    return list(
        Leader.objects.filter(county=county, is_active=True)
        .order_by("protocol_order", "id")
        .prefetch_related(Prefetch("liaison_townships", queryset=active, to_attr="townships"))
    )


def _last_visits(county: County, before: dt.date) -> dict[tuple[int, int], dt.date]:
    """Each (leader, township)'s last visit before a day, as the visiting leader or the accompanying one."""
    last: dict[tuple[int, int], dt.date] = {}
    visits = DownVisit.objects.filter(county=county, date__lt=before)
    for by in ("leader_id", "liaison_id"):
        rows = visits.filter(**{f"{by}__isnull": False}).values(by, "township_id").annotate(last=Max("date"))
        for row in rows:
            key = (row[by], row["township_id"])
            last[key] = max(last.get(key, dt.date.min), row["last"])
    return last


def draw_compute(*, county: County, month: dt.date, seed: str) -> DrawPlan:
    """The month's draw from the directory, the stored visits and the seed; writes nothing.
    Raises UnknownYear, or ValueError for a seed that is not hex."""
    seed_bytes(seed)
    month = month.replace(day=1)
    day = downvisit_date(month)
    away = _away_reasons(county, day)
    # A leader already going down that day (a planned visit of the quarterly duty) keeps that visit.
    for leader_id, planned_at in DownVisit.objects.filter(
        county=county, date=day, draw__isnull=True
    ).values_list("leader_id", "township__name"):
        away.setdefault(leader_id, f"当天已安排到{planned_at}下沉接访")
    leaders = _leaders(county)
    top = [leader for leader in leaders if leader.is_top_six]
    drawing = [leader for leader in top if leader.pk not in away]
    plan = DrawPlan(
        county=county, month=month, date=day, seed=seed.strip().lower(),
        eligible=eligible_townships(county, month),
        leaders=[{"leader": leader.pk, "name": leader.name, "post": leader.post} for leader in drawing],
        away=[{"leader": leader.pk, "name": leader.name, "post": leader.post, "away": away[leader.pk]}
              for leader in top if leader.pk in away],
    )  # fmt: skip
    picked = sample(plan.seed, [entry["weight"] for entry in plan.eligible], len(drawing))
    by_id = {leader.pk: leader for leader in leaders}
    busy = {leader.pk for leader in drawing} | set(away)
    for order, index in enumerate(picked):
        township = plan.eligible[index]
        # The township's liaison leader first in protocol order who is free: not drawing, not away, not
        # already beside another drawn leader.
        liaison = next((by_id[pk] for pk in _liaison_ids(leaders, township["unit"]) if pk not in busy), None)
        if liaison is not None:
            busy.add(liaison.pk)
        plan.picks.append(Pick(order + 1, plan.leaders[order], township, liaison))
    drawn = frozenset(entry["unit"] for entry in (pick.township for pick in plan.picks))
    last = _last_visits(county, day)
    for leader in leaders:
        townships: list[Unit] = getattr(leader, "townships", [])
        if leader.pk in busy or not townships:
            continue
        choices = [LiaisonChoice(unit.pk, last.get((leader.pk, unit.pk)), unit.order) for unit in townships]
        chosen = least_recent(choices, drawn)
        plan.liaison_visits.append(LiaisonVisit(leader, next(u for u in townships if u.pk == chosen)))
    return plan


def _liaison_ids(leaders: list[Leader], township_id: int) -> list[int]:
    return [
        leader.pk for leader in leaders if any(u.pk == township_id for u in getattr(leader, "townships", []))
    ]


# ---------------------------------------------------------------------------------------------------------
# Drawing (the one write)


def draw_make(
    *, county: County, month: dt.date, by: User | None, now: dt.datetime, seed: str | None = None
) -> Draw:
    """Draw the month (once): the draw, the drawn leaders' visits and the liaison leaders' visits, with the
    audit record, in one transaction. A second draw of a month, or a draw after its day, is refused."""
    bureau_only(by, county.pk, "组织下沉接访抽签")
    month = month.replace(day=1)
    label = month_label(month)
    if Draw.objects.filter(county=county, month=month).exists():
        raise ValidationError(f"{label}的下沉接访已经抽签，每月只抽一次")
    try:
        plan = draw_compute(county=county, month=month, seed=seed or fresh_seed())
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if timezone.localdate(now) > plan.date:
        raise ValidationError(f"{label}的下沉接访日（{plan.date:%Y-%m-%d}）已过，不能再抽签")
    _earlier_drawn(county, month, timezone.localdate(now))
    if not plan.leaders:
        raise ValidationError(f"{label}没有可以参加抽签的六位县级主要领导（名录中未标注或当天均不能参加）")
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                county=county, month=month, date=plan.date, seed=plan.seed, method=METHOD,
                eligible=[{"township": e["township"], "unit": e["unit"], "weight": e["weight"],
                           "recent": e["recent"]} for e in plan.eligible],
                leaders=plan.leaders + plan.away, drawn_at=now, drawn_by=by,
            )  # fmt: skip
            _visits_create(draw, plan, by, now)
            audit_record(
                action="reception.draw", actor=by, obj=draw, county=county,
                object_repr=f"{county.name}{label}下沉接访抽签", actor_name="" if by else "system",
                changes={
                    "month": f"{month:%Y-%m}", "date": plan.date.isoformat(), "seed": plan.seed,
                    "draws": [f"{p.leader['name']}→{p.township['township']}" for p in plan.picks],
                    "away": [f"{a['name']}（{a['away']}）" for a in plan.away],
                    "liaison_visits": len(plan.liaison_visits),
                },
            )  # fmt: skip
    except IntegrityError:  # a simultaneous draw of the same month won, or a visit was planned meanwhile
        if Draw.objects.filter(county=county, month=month).exists():
            raise ValidationError(f"{label}的下沉接访已经抽签，每月只抽一次") from None
        raise ValidationError(f"{label}的下沉接访安排与同日其他安排冲突，请刷新后重试") from None
    return draw


def _earlier_drawn(county: County, month: dt.date, today: dt.date) -> None:
    """The month before must be drawn first while it still can be: its draw changes this month's weights."""
    before = month_add(month, -1)
    if draw_of(county, before) is not None:
        return
    try:
        pending = downvisit_date(before) >= today
    except UnknownYear:
        return
    if pending:
        raise ValidationError(
            f"请先进行{month_label(before)}的下沉接访抽签：它的结果决定{month_label(month)}各乡镇的权重"
        )


def _visits_create(draw: Draw, plan: DrawPlan, by: User | None, now: dt.datetime) -> None:
    rows = [
        DownVisit(
            county=draw.county, date=draw.date, kind=DownVisit.Kind.DRAWN, draw=draw, order=pick.order,
            leader_id=pick.leader["leader"], township_id=pick.township["unit"], liaison=pick.liaison,
            name=pick.leader["name"][:30], post=pick.leader["post"][:80],
            note="" if pick.liaison else "该乡镇没有可陪同的联系县级领导",
            created_at=now, created_by=by,
        )
        for pick in plan.picks
    ] + [
        DownVisit(
            county=draw.county, date=draw.date, kind=DownVisit.Kind.LIAISON, draw=draw, order=0,
            leader=visit.leader, township=visit.township, name=visit.leader.name[:30],
            post=visit.leader.post[:80], note="到分包联系乡镇接访", created_at=now, created_by=by,
        )
        for visit in plan.liaison_visits
    ]  # fmt: skip
    DownVisit.objects.bulk_create(rows)


# ---------------------------------------------------------------------------------------------------------
# Verifying a recorded draw


def drawing_leaders(draw: Draw) -> list[dict[str, Any]]:
    return [entry for entry in draw.leaders if not entry.get("away")]


def away_leaders(draw: Draw) -> list[dict[str, Any]]:
    return [entry for entry in draw.leaders if entry.get("away")]


def draw_verify(draw: Draw) -> list[str]:
    """The differences between the recorded draw and what its seed, weights and leaders give, and between
    the recorded weights and the stored draws of the six months before; empty when it holds."""
    if draw.method != METHOD:
        return [f"未知的抽签算法：{draw.method}（应为 {METHOD}）"]
    problems = []
    counts = recent_draw_counts(draw.county, draw.month)
    for entry in draw.eligible:
        expected = weight_of(counts.get(entry["unit"], 0))
        if entry["weight"] != expected:
            problems.append(
                f"{entry['township']}的权重记为{entry['weight']}，按前{HISTORY_MONTHS}个月被抽中"
                f"{counts.get(entry['unit'], 0)}次应为{expected}"
            )
    leaders = drawing_leaders(draw)
    try:
        picked = sample(draw.seed, [float(entry["weight"]) for entry in draw.eligible], len(leaders))
    except ValueError as error:
        return [*problems, str(error)]
    expected_rows = [(leaders[order], draw.eligible[index]) for order, index in enumerate(picked)]
    recorded = list(
        draw.visits.filter(kind=DownVisit.Kind.DRAWN).select_related("township").order_by("order", "id")
    )
    for order in range(max(len(expected_rows), len(recorded))):
        want = expected_rows[order] if order < len(expected_rows) else None
        got = recorded[order] if order < len(recorded) else None
        want_text = f"{want[0]['name']}→{want[1]['township']}" if want else "无"
        got_text = f"{got.name}→{got.township.name}" if got else "无"
        if (
            want is None or got is None
            or (got.leader_id, got.township_id) != (want[0]["leader"], want[1]["unit"])
        ):  # fmt: skip
            problems.append(f"第{order + 1}签：记录为{got_text}，按种子和权重应为{want_text}")
    return problems


# ---------------------------------------------------------------------------------------------------------
# Reads for the pages and the CLI


def draw_of(county: County, month: dt.date) -> Draw | None:
    return Draw.objects.filter(county=county, month=month.replace(day=1)).first()


def drawn_visits(draw: Draw) -> list[DownVisit]:
    return list(
        draw.visits.filter(kind=DownVisit.Kind.DRAWN).select_related("township", "liaison").order_by("order")
    )


def liaison_visits(draw: Draw) -> list[DownVisit]:
    return list(
        draw.visits.filter(kind=DownVisit.Kind.LIAISON)
        .select_related("township", "leader")
        .order_by("leader__protocol_order", "leader_id")
    )


def draw_json(draw: Draw) -> dict[str, Any]:
    """The published draw: what anyone needs to recompute it, and its result."""
    return {
        "month": f"{draw.month:%Y-%m}",
        "date": draw.date.isoformat(),
        "seed": draw.seed,
        "eligible": [{"township": e["township"], "weight": e["weight"]} for e in draw.eligible],
        "draws": [
            {"leader": visit.name, "post": visit.post, "township": visit.township.name,
             "liaison": visit.liaison.name if visit.liaison else None}
            for visit in drawn_visits(draw)
        ],
    }  # fmt: skip


def plan_json(plan: DrawPlan) -> dict[str, Any]:
    return {
        "month": f"{plan.month:%Y-%m}",
        "date": plan.date.isoformat(),
        "seed": plan.seed,
        "eligible": [{"township": e["township"], "weight": e["weight"]} for e in plan.eligible],
        "draws": [
            {"leader": pick.leader["name"], "post": pick.leader["post"],
             "township": pick.township["township"], "liaison": pick.liaison.name if pick.liaison else None}
            for pick in plan.picks
        ],
    }  # fmt: skip


@dataclass(frozen=True)
class MonthDraw:
    """A month's day and, once drawn, its draw with the visits (the pages' view)."""

    month: dt.date
    date: dt.date | None
    draw: Draw | None
    drawn: list[DownVisit]
    liaison: list[DownVisit]
    away: list[dict[str, Any]]
    unknown_year: str = ""


def month_draw(county: County, month: dt.date) -> MonthDraw:
    return _month_draws(county, [month.replace(day=1)])[0]


def _month_draws(county: County, months: list[dt.date]) -> list[MonthDraw]:
    """The months' days and draws in a few queries: the draws, their visits, the calendar if needed."""
    draws = {draw.month: draw for draw in Draw.objects.filter(county=county, month__in=months)}
    visits: dict[int, list[DownVisit]] = defaultdict(list)
    if draws:
        rows = DownVisit.objects.filter(draw__in=list(draws.values())).select_related("township", "liaison")
        for visit in rows.order_by("order", "leader__protocol_order", "leader_id"):
            visits[visit.draw_id or 0].append(visit)
    calendar = work_calendar() if len(draws) < len(months) else None
    out = []
    for month in months:
        draw = draws.get(month)
        if draw is not None:
            drawn = [v for v in visits[draw.pk] if v.kind == DownVisit.Kind.DRAWN]
            liaison = [v for v in visits[draw.pk] if v.kind == DownVisit.Kind.LIAISON]
            out.append(MonthDraw(month, draw.date, draw, drawn, liaison, away_leaders(draw)))
            continue
        assert calendar is not None
        try:
            out.append(MonthDraw(month, downvisit_day(month, day_rule(), calendar), None, [], [], []))
        except UnknownYear as error:
            out.append(MonthDraw(month, None, None, [], [], [], unknown_year=str(error)))
    return out


def public_draws(county: County, today: dt.date) -> list[MonthDraw]:
    """This month's and next month's days and draws, for the public page (at most three queries)."""
    this_month = today.replace(day=1)
    return _month_draws(county, [this_month, month_add(this_month, 1)])


def upcoming_month(today: dt.date) -> dt.date:
    """The month whose down-to-township day is next (today's included): this month's until its day."""
    this_month = today.replace(day=1)
    try:
        return this_month if downvisit_date(this_month) >= today else month_add(this_month, 1)
    except UnknownYear:
        return this_month


# ---------------------------------------------------------------------------------------------------------
# The scheduled job


def downvisit_draw_days() -> DrawEve:
    return DrawEve(day_rule=day_rule())


def _eve_of(month: dt.date, rule: DayRule, calendar: WorkCalendar) -> dt.date | None:
    """The working day before the month's day; None for a year not entered yet (nothing to draw)."""
    try:
        return working_day_before(downvisit_day(month, rule, calendar), calendar)
    except UnknownYear:
        return None


def downvisit_draw_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """On the working day before a month's down-to-township day, draw it unless the bureau has."""
    calendar, rule = work_calendar(), day_rule()
    months = [day.replace(day=1), month_add(day.replace(day=1), 1)]
    due = [month for month in months if _eve_of(month, rule, calendar) == day]
    if not due:
        return "今天不是下沉接访抽签日"
    lines = []
    for month in due:
        if draw_of(county, month) is not None:
            lines.append(f"{month_label(month)}已由信访局抽签")
            continue
        try:
            draw = draw_make(county=county, month=month, by=None, now=now)
        except ValidationError as error:
            lines.append("；".join(error.messages))
            continue
        lines.append(f"已完成{month_label(month)}下沉接访抽签（{draw.date:%m月%d日}），种子 {draw.seed}")
    return "；".join(lines)
