"""The screening against a plain per-matter reading of its rules (docs/meetings.md §1), on random small
counties: the whole ranking and the single-matter score (`candidate_for`) agree with it exactly, whatever
way the screening gets there (grouped queries, a stored screening)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.stats.test_risk import reference as risk_reference
from xinfang.accounts.models import User
from xinfang.directory.models import Category, Leader, Unit
from xinfang.lib.periods import Month
from xinfang.meetings.screening import (
    COLLECTIVE_CAP,
    DAYS_OPEN_CAP,
    FACTORS,
    candidate_for,
    meeting_weights,
    points,
    screen,
)
from xinfang.petitions.models import Assignment, Event, Matter, Rating, Transition
from xinfang.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = dt.date(2026, 3, 1)
LEVELS = ["county", "township", "city", "province", "beijing"]
STATES = [str(state) for state in Matter.Status.values]
CLOCKS = ["", "dispose", "handle", "rating", "review_request"]
MONTHS = [Month(2026, 4), Month(2026, 6), Month(2026, 9), Month(2027, 1)]
WEIGHTS = ["", "days_open=1.7,repeat=0.35,units=2.5,risk=0.25", "over_level=0,risk=1,collective=1.1"]


def moment(offset: int, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(BASE + dt.timedelta(days=offset), dt.time(hour), tzinfo=SHANGHAI)


def reference(county, month: Month) -> list[tuple[str, Decimal, dict[str, Decimal]]]:
    """(number, score, factors) of every qualifying matter, ranked, computed one matter at a time."""
    last = month.range(1)[1]
    as_of = last + dt.timedelta(days=1)
    start = dt.datetime.combine(as_of, dt.time.min, tzinfo=SHANGHAI)
    weights = meeting_weights()
    risks = {pk: score for pk, score, _ in risk_reference(county, as_of)}
    zero = Decimal("0.0")
    ranked = []
    for matter in Matter.objects.filter(pk__in=list(risks)):
        events = [e for e in Event.objects.filter(matter=matter) if e.date < as_of]
        largest = max((e.persons for e in events), default=0)
        units = {a.unit_id for a in Assignment.objects.filter(matter=matter) if a.sent_at < start}
        rating = Rating.objects.filter(matter=matter).first()
        unhappy = (
            rating is not None
            and rating.rated_at < start
            and "dissatisfied" in (rating.bureau_score, rating.unit_score)
        )
        instructed = any(
            item.source_kind == "weekly"
            and item.created_at < start
            and (item.closed_at is None or item.closed_at >= start)
            for item in SupervisionItem.objects.filter(matter=matter)
        )
        over = sum(e.level in ("city", "province", "beijing") for e in events)
        collective = min(largest, COLLECTIVE_CAP) if largest >= 5 else 0
        days_open = (as_of - matter.first_event_date).days
        factors = {
            "days_open": points(weights["days_open"] * min(days_open, DAYS_OPEN_CAP) / 30),
            "repeat": points(weights["repeat"] * sum(e.is_repeat for e in events)),
            "over_level": points(weights["over_level"] * over),
            "collective": points(weights["collective"] * collective),
            "units": points(weights["units"] * (len(units) - 1)) if len(units) >= 2 else zero,
            "dissatisfied": points(weights["dissatisfied"]) if unhappy else zero,
            "risk": points(weights["risk"] * risks[matter.pk]),
            "instruction": points(weights["instruction"]) if instructed else zero,
        }  # fmt: skip
        score = sum(factors.values(), zero)
        if score > 0:
            ranked.append((matter.first_event_date, matter.number, score, factors))
    ranked.sort(key=lambda row: (-row[2], row[0], row[1]))
    return [(number, score, factors) for _, number, score, factors in ranked]


matter_plans = st.fixed_dictionaries({
    "events": st.lists(
        st.tuples(st.integers(0, 420), st.sampled_from(LEVELS), st.integers(1, 12), st.booleans()),
        min_size=1, max_size=4,
    ),
    "status": st.sampled_from(STATES),
    "changes": st.lists(st.tuples(st.integers(0, 460), st.sampled_from(STATES), st.booleans()), max_size=3),
    "threat": st.booleans(),
    "clock": st.sampled_from(CLOCKS),
    "due": st.none() | st.integers(0, 460),
    "started": st.none() | st.integers(0, 460),
    "rating": st.none() | st.tuples(st.integers(0, 460), st.booleans()),
    "units": st.lists(st.tuples(st.integers(0, 460), st.integers(0, 3)), max_size=3),
    "instruction": st.none() | st.tuples(st.integers(0, 460), st.none() | st.integers(0, 60), st.booleans()),
    "category": st.integers(0, 50),
})  # fmt: skip


def build(county, plans: list[dict[str, Any]]) -> list[Matter]:
    """The plans as rows, written directly (no services: any history the rules must read)."""
    categories = list(Category.objects.filter(county=county).order_by("pk"))
    units = list(Unit.objects.filter(county=county).order_by("pk")[:4])
    township = Unit.objects.get(county=county, name="周庄镇")
    leader = Leader.objects.filter(county=county).order_by("pk")[0]
    user = User.objects.get(username="bureau")
    stamp = dt.datetime(2026, 1, 1, tzinfo=SHANGHAI)
    made = []
    for n, plan in enumerate(plans):
        dates = sorted(BASE + dt.timedelta(days=offset) for offset, *_ in plan["events"])
        category = categories[plan["category"] % len(categories)]
        matter = Matter.objects.create(
            county=county, number=plan.get("number") or f"R20-{n:03d}", query_code=f"R20Q{n:05d}",
            registered_at=stamp,
            origin_township=township, category=category, content="随机", channel="visit", top_level="county",
            first_event_date=dates[0], last_event_date=dates[-1], event_count=len(dates),
            status=plan["status"], is_threat=plan["threat"], clock=plan["clock"],
            due_date=None if plan["due"] is None else BASE + dt.timedelta(days=plan["due"]),
            clock_started=None if plan["started"] is None else BASE + dt.timedelta(days=plan["started"]),
        )  # fmt: skip
        for offset, level, persons, repeat in plan["events"]:
            Event.objects.create(
                matter=matter, county=county, date=BASE + dt.timedelta(days=offset), channel="visit",
                level=level, persons=persons, is_repeat=repeat, registered_at=stamp, township=township,
                category_top_id=category.parent_id or category.pk,
            )  # fmt: skip
        for offset, state, imported in plan["changes"]:
            Transition.objects.create(matter=matter, to_status=state, at=moment(offset), imported=imported)
        if plan["rating"] is not None:
            offset, unhappy = plan["rating"]
            Rating.objects.create(
                matter=matter, bureau_score="satisfied",
                unit_score="dissatisfied" if unhappy else "satisfied", rated_at=moment(offset),
            )  # fmt: skip
        for index, (offset, unit) in enumerate(plan["units"]):
            Assignment.objects.create(
                matter=matter, unit=units[unit], kind="transfer", sent_at=moment(offset, 10 + index),
                sent_by=user, is_current=index == len(plan["units"]) - 1,
            )  # fmt: skip
        if plan["instruction"] is not None:
            offset, closed_after, weekly = plan["instruction"]
            closed = None if closed_after is None else moment(offset + closed_after, 15)
            SupervisionItem.objects.create(
                county=county, source_kind="weekly" if weekly else "meeting", source_id=n,
                source_title="批示", matter=matter, instruction="请办理", instructed_at=BASE, leader=leader,
                deadline=BASE, state="done" if closed else "todo", created_by=user,
                created_at=moment(offset, 11), closed_at=closed,
            )  # fmt: skip
        made.append(matter)
    return made


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plans=st.lists(matter_plans, min_size=1, max_size=10),
    month=st.sampled_from(MONTHS),
    weights=st.sampled_from(WEIGHTS),
)  # fmt: skip
def test_it_screens_as_the_rules_read_matter_by_matter(county, settings, plans, month, weights):
    settings.XINFANG_MEETING_WEIGHTS = weights
    settings.XINFANG_MONTH_START_DAY = 1
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI), tick=False), transaction.atomic():
        matters = build(county, plans)
        expected = reference(county, month)
        ranked, qualifying = screen(county=county, month=month, limit=None)
        assert [(c.number, c.score, c.factors) for c in ranked] == expected
        assert qualifying == len(expected)
        assert all(c.score == sum(c.factors.values(), Decimal("0.0")) for c in ranked)
        assert all(list(c.factors) == list(FACTORS) for c in ranked)
        assert screen(county=county, month=month, limit=3)[0] == ranked[:3]
        # One matter alone scores as in the whole screening; one that does not qualify scores nothing.
        by_number = {c.number: c for c in ranked}
        for matter in matters:
            alone = candidate_for(county=county, month=month, matter=matter)
            if matter.number in by_number:
                assert alone == by_number[matter.number]
            else:
                assert alone.score == 0 and set(alone.factors.values()) == {Decimal("0.0")}
        transaction.set_rollback(True)


def plan(events: list[tuple[int, str, int, bool]], **options: object) -> dict[str, object]:
    return {"events": events, "status": "in_progress", "changes": [], "threat": False, "clock": "",
            "due": None, "started": None, "rating": None, "units": [], "instruction": None, "category": 0,
            **options}  # fmt: skip


def test_a_small_county_computed_by_hand(county, settings):
    """June 2026 screened at 2026-07-01 (offset 122 from 2026-03-01), the clock at 2026-09-01, defaults.

    A: risk 28 (到市 8 + 赴省 20) + 5 (one visit in 90 days) + 4 (8 persons) + 4 (122 days) + 6 (12 days
       overdue) + 20 (扬言) = 67; screening 4.1 (122/30) + 6.0 (2 repeat) + 20.0 (2 over level) + 4.0
       + 5.0 (two units) + 33.5 (67 × 0.5) + 20.0 (批示 open) = 92.6.
    B: closed on day 130, after the month: open then. Risk 5 + 2 (62 days) + 15 (不满意 on day 90) = 22;
       screening 2.1 + 10.0 + 11.0 = 23.1 (one unit; its 批示 done on day 60, before the month's end).
    C: concluded on day 100: not open. D and F: first seen on day 121, risk 5, screening 0.0 + 2.5; F's
    number sorts first. E: first seen on day 122, after the month."""
    settings.XINFANG_MEETING_WEIGHTS = ""
    settings.XINFANG_RISK_WEIGHTS = ""
    settings.XINFANG_MONTH_START_DAY = 1
    plans = [
        plan([(0, "province", 8, False), (30, "city", 1, True), (100, "county", 1, True)], threat=True,
             clock="handle", due=110, started=10, units=[(5, 0), (20, 1)], instruction=(40, None, True)),
        plan([(60, "county", 1, False)], status="resolved", changes=[(130, "resolved", False)],
             rating=(90, True), units=[(70, 2)], instruction=(50, 10, True), category=1),
        plan([(10, "beijing", 20, False)], status="concluded", changes=[(100, "concluded", False)],
             category=2),
        plan([(121, "county", 1, False)], category=3, number="R20-D"),
        plan([(122, "county", 1, False)], category=4),
        plan([(121, "county", 1, False)], category=5, number="R20-B"),
    ]  # fmt: skip
    month = Month(2026, 6)
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI), tick=False):
        a, b, c, d, e, _ = build(county, plans)
        ranked, qualifying = screen(county=county, month=month, limit=None)
        assert [(x.number, x.score) for x in ranked] == [
            (a.number, Decimal("92.6")), (b.number, Decimal("23.1")), ("R20-B", Decimal("2.5")),
            ("R20-D", Decimal("2.5")),
        ]  # fmt: skip
        assert qualifying == 4
        assert {name: float(value) for name, value in ranked[0].factors.items()} == {
            "days_open": 4.1, "repeat": 6.0, "over_level": 20.0, "collective": 4.0, "units": 5.0,
            "dissatisfied": 0.0, "risk": 33.5, "instruction": 20.0,
        }  # fmt: skip
        assert ranked[0].evidence.risk == 67 and ranked[1].evidence.risk == 22
        assert ranked[1].factors["dissatisfied"] == Decimal("10.0") and ranked[1].factors["instruction"] == 0
        # The limit cuts between two tied matters: the number decides.
        assert [x.number for x in screen(county=county, month=month, limit=3)[0]] == [
            a.number,
            b.number,
            "R20-B",
        ]
        assert candidate_for(county=county, month=month, matter=a) == ranked[0]
        assert candidate_for(county=county, month=month, matter=d) == ranked[3]
        for outside in (c, e):
            assert candidate_for(county=county, month=month, matter=outside).score == 0
        assert expected_is(reference(county, month), ranked)


def expected_is(expected: list[tuple[str, Decimal, dict[str, Decimal]]], ranked: list[Any]) -> bool:
    return expected == [(x.number, x.score, x.factors) for x in ranked]
