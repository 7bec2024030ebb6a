"""Escalation risk (stats/risk.py): the factors, what was known on the day, scope, and the back-test."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from xinfang.directory.models import Category, Unit
from xinfang.petitions.models import Matter
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.petitions.services.workflow import matter_rate, matter_transition
from xinfang.stats.risk import FACTORS, Risk, risk_backtest, risk_ranking, risk_weights

pytestmark = pytest.mark.django_db
D = dt.date
S = Matter.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def register(county, bureau):
    def make(first: EventInput, *, township: str = "周庄镇", code: str = "0702", **options: Any) -> Matter:
        return matter_register(by=bureau, data=RegistrationInput(
            county=county, event=first, origin_township=Unit.objects.get(county=county, name=township),
            category=Category.objects.get(county=county, code=code), content="越级风险测试", **options,
        ))  # fmt: skip

    return make


def ranked(county, as_of: dt.date, **options: Any) -> dict[int, Risk]:
    return {risk.matter_id: risk for risk in risk_ranking(county=county, as_of=as_of, limit=None, **options)}


def visit(day: dt.date, level: str = "county", persons: int = 1) -> EventInput:
    return EventInput(day, "visit", level, persons)


def test_it_adds_the_factors_up_to_the_score_with_their_reasons(county, bureau, register):
    with at(D(2026, 6, 10)):
        matter = register(visit(D(2026, 6, 1), persons=8), is_threat=True)
        event_add(by=bureau, matter=matter, event=visit(D(2026, 6, 3), "city"))
        event_add(by=bureau, matter=matter, event=visit(D(2026, 6, 5), "province"))
    risk = ranked(county, D(2026, 6, 11))[matter.pk]
    assert list(risk.factors) == list(FACTORS)
    assert risk.score == sum(risk.factors.values())
    # 8 + 20 over-level, 3 visits in 90 days × 5, 8 persons × 0.5, 10 days open → 0, threat 20; the category's
    # own 3 events (2 over level) are below the 10 a share needs.
    assert risk.factors == {"over_level": 28, "repeat": 15, "collective": 4, "days_open": 0, "overdue": 0,
                            "threat": 20, "dissatisfied": 0, "category": 0}  # fmt: skip
    assert risk.reasons == ["近一年赴省进京1次", "近一年到市访1次", "近90天来访3次", "集体访8人", "扬言"]
    assert risk.number == matter.number


def test_each_factor_moves_the_score_the_right_way(county, bureau, renshe, register):
    with at(D(2026, 6, 10)):
        plain = register(visit(D(2026, 6, 1)))
        threat = register(visit(D(2026, 6, 1)), is_threat=True)
        collective = register(visit(D(2026, 6, 1), persons=20))
        city = register(visit(D(2026, 6, 1)))
        event_add(by=bureau, matter=city, event=visit(D(2026, 6, 2), "city"))
        beijing = register(visit(D(2026, 6, 1)))
        event_add(by=bureau, matter=beijing, event=visit(D(2026, 6, 2), "beijing"))
        repeated = register(visit(D(2026, 6, 1)))
        for day in (2, 3, 4):
            event_add(by=bureau, matter=repeated, event=visit(D(2026, 6, day)))
        renshe_unit = Unit.objects.get(county=county, name="县人社局")
        unhappy = register(visit(D(2026, 6, 1)), responsible_unit=renshe_unit)
        matter_transition(by=bureau, matter=unhappy, to=S.ACCEPTED)
        matter_transition(by=renshe, matter=unhappy, to=S.ANSWERED, answer="已答复")
        matter_rate(matter=unhappy, bureau_score="satisfied", unit_score="dissatisfied")
    risks = ranked(county, D(2026, 6, 11))
    base = risks[plain.pk].score
    moved = [(threat, "threat"), (collective, "collective"), (city, "over_level"), (beijing, "over_level"),
             (repeated, "repeat"), (unhappy, "dissatisfied")]  # fmt: skip
    for matter, factor in moved:
        risk = risks[matter.pk]
        assert risk.factors[factor] > risks[plain.pk].factors[factor], factor
        assert risk.score > base, factor
    assert risks[beijing.pk].factors["over_level"] > risks[city.pk].factors["over_level"]
    assert (risks[plain.pk].factors["repeat"], risks[repeated.pk].factors["repeat"]) == (5, 20)
    assert "不满意评价1次" in risks[unhappy.pk].reasons
    # Days open and overdue grow with the day: 登记 on 6-1, its 15-day disposal clock due in June.
    later = ranked(county, D(2026, 9, 1))[plain.pk]
    assert later.factors["days_open"] == 3  # 92 days / 30
    assert later.factors["overdue"] > 0 and any(reason.startswith("超期") for reason in later.reasons)
    assert later.score > base


def test_a_past_day_counts_only_what_was_known_then(county, bureau, renshe, register):
    unit = Unit.objects.get(county=county, name="县人社局")
    with at(D(2026, 6, 2)):
        escalating = register(visit(D(2026, 6, 1)))
        settled = register(visit(D(2026, 6, 1)), responsible_unit=unit)
        matter_transition(by=bureau, matter=settled, to=S.ACCEPTED, on=D(2026, 6, 2))
    with at(D(2026, 6, 8)):
        event_add(by=bureau, matter=escalating, event=visit(D(2026, 6, 8), "beijing"))
        matter_transition(by=renshe, matter=settled, to=S.ANSWERED, answer="已答复", on=D(2026, 6, 8))
        matter_rate(matter=settled, bureau_score="dissatisfied", unit_score="dissatisfied")
        matter_transition(by=renshe, matter=settled, to=S.RESOLVED, reason="已化解", on=D(2026, 6, 8))
    then = ranked(county, D(2026, 6, 5))
    assert then[escalating.pk].factors["over_level"] == 0
    assert then[settled.pk].factors["dissatisfied"] == 0  # open then, rated later
    now = ranked(county, D(2026, 6, 9))
    assert now[escalating.pk].factors["over_level"] == 20
    assert settled.pk not in now  # 已化解 since 6-8
    assert escalating.pk not in ranked(county, D(2026, 6, 1))  # nothing known before its first event


def test_a_unit_user_ranks_only_the_matters_of_its_scope(county, bureau, zhouzhuang, register):
    zhouzhuang_unit = Unit.objects.get(county=county, name="周庄镇")
    with at(D(2026, 6, 10)):
        own = register(visit(D(2026, 6, 1)))
        other = register(visit(D(2026, 6, 1)), township="闹店镇")
        reporting = register(visit(D(2026, 6, 1)), reported_units=[zhouzhuang_unit], purpose="accusation")
    assert {own.pk, other.pk, reporting.pk} <= set(ranked(county, D(2026, 6, 11)))
    scoped = ranked(county, D(2026, 6, 11), scope_user=zhouzhuang)
    assert own.pk in scoped
    assert other.pk not in scoped
    assert reporting.pk not in scoped  # Art. 46: it reports 周庄镇


def test_the_limit_keeps_the_highest_scores(county, register):
    with at(D(2026, 6, 10)):
        register(visit(D(2026, 6, 1)))
        top = register(visit(D(2026, 6, 1)), is_threat=True)
    assert [risk.matter_id for risk in risk_ranking(county=county, as_of=D(2026, 6, 11), limit=1)] == [top.pk]


def test_the_backtest_counts_the_top_and_the_random_draw(county, bureau, register):
    with at(D(2026, 5, 20)):
        threat = register(visit(D(2026, 5, 10), "city"), is_threat=True)
        quiet = register(visit(D(2026, 5, 10)))
        register(visit(D(2026, 5, 10)))
    with at(D(2026, 6, 20)):
        event_add(by=bureau, matter=threat, event=visit(D(2026, 6, 5), "beijing"))
        event_add(by=bureau, matter=quiet, event=visit(D(2026, 6, 6), "city"))
        register(visit(D(2026, 6, 7), "province"))  # new in June: not open at its start
    result = risk_backtest(county=county, months=1, seed=7, size=1, until=D(2026, 7, 15))
    [june] = result.months
    assert (june.month, june.open, june.base_high, june.base_over) == ("2026-06", 3, 1, 2)
    assert (june.top_high, june.top_over) == (1, 1)  # the threat matter ranks first and went 进京
    assert june.expected_high == pytest.approx(1 / 3)
    assert june.expected_over == pytest.approx(2 / 3)
    assert 0 <= june.random_high <= june.random_over <= 1
    assert result.lift("high") == pytest.approx(3.0)
    again = risk_backtest(county=county, months=1, seed=7, size=1, until=D(2026, 7, 15))
    assert again == result  # the draw is the seed's


def test_the_weights_setting_is_checked(settings):
    assert risk_weights("threat=30, category=0")["threat"] == 30
    with pytest.raises(ValueError, match="无法识别的权重"):
        risk_weights("danger=3")
    with pytest.raises(ValueError, match="不小于 0"):
        risk_weights("threat=-1")
    from xinfang.checks import check_risk_weights

    settings.XINFANG_RISK_WEIGHTS = "threat=abc"
    assert [error.id for error in check_risk_weights()] == ["xinfang.E017"]
    settings.XINFANG_RISK_WEIGHTS = "threat=25"
    assert check_risk_weights() == []


# The ranking against a plain per-matter reading of the rules (the module docstring), on random matters.

LEVELS = ["county", "township", "city", "province", "beijing"]
STATES = [str(state) for state in S.values]
CLOCKS = ["", "dispose", "handle", "rating", "review_request"]
BASE = D(2026, 3, 1)
WEIGHTS = ["", "city=2.5,repeat=0.3,days_open=1.7,overdue=0.25,category=33.3", "collective=1.1,threat=7.5"]


def reference(county, as_of: dt.date) -> list[tuple[int, int, dict[str, int]]]:
    """(id, score, factors) of every open matter, ranked, computed one matter at a time from its rows."""
    from xinfang.petitions.models import Event, Rating, Transition
    from xinfang.petitions.todo import FINISHED

    weights = risk_weights()
    start = dt.datetime.combine(as_of, dt.time.min, tzinfo=SHANGHAI)
    since, recent = as_of - dt.timedelta(days=365), as_of - dt.timedelta(days=90)
    today = dt.datetime.now(SHANGHAI).date()
    year = [e for e in Event.objects.filter(county=county) if since <= e.date < as_of]
    tops = {c.pk: c.parent_id or c.pk for c in Category.objects.filter(county=county)}

    def half_up(value: float) -> int:
        return math.floor(value + 0.5)

    ranked = []
    for matter in Matter.objects.filter(county=county, first_event_date__lt=as_of):
        changes = sorted(Transition.objects.filter(matter=matter, imported=False), key=lambda t: (t.at, t.pk))
        status = matter.status
        if any(t.at >= start for t in changes):
            before = [t for t in changes if t.at < start]
            status = before[-1].to_status if before else S.REGISTERED
        if status in FINISHED:
            continue
        own = [e for e in year if e.matter_id == matter.pk]
        city = sum(e.level == "city" for e in own)
        high = sum(e.level in ("province", "beijing") for e in own)
        repeat = sum(e.date >= recent for e in own)
        largest = max((e.persons for e in own), default=0)
        top = tops[matter.category_id]
        kin = [e for e in year if e.category_top_id == top]
        over = sum(e.level in ("city", "province", "beijing") for e in kin)
        known = as_of >= today or (matter.clock_started is not None and matter.clock_started < as_of)
        late = matter.due_date is not None and matter.clock not in ("", "rating", "review_request") and known
        overdue = (as_of - matter.due_date).days if late else 0  # type: ignore[operator]
        days_open = (as_of - matter.first_event_date).days
        rated = Rating.objects.filter(matter=matter, rated_at__lt=start).first()
        unhappy = rated is not None and "dissatisfied" in (rated.bureau_score, rated.unit_score)
        factors = {
            "over_level": half_up(weights["city"] * city + weights["province"] * high),
            "repeat": half_up(weights["repeat"] * repeat),
            "collective": half_up(weights["collective"] * min(largest, 50)) if largest >= 5 else 0,
            "days_open": half_up(weights["days_open"] * min(days_open, 730) / 30),
            "overdue": half_up(weights["overdue"] * min(overdue, 60)) if overdue > 0 else 0,
            "threat": half_up(weights["threat"]) if matter.is_threat else 0,
            "dissatisfied": half_up(weights["dissatisfied"]) if unhappy else 0,
            "category": half_up(weights["category"] * over / len(kin)) if len(kin) >= 10 else 0,
        }
        ranked.append((matter.pk, sum(factors.values()), factors))
    ranked.sort(key=lambda row: (-row[1], -row[2]["over_level"], row[0]))
    return ranked


matter_plans = st.fixed_dictionaries({
    "events": st.lists(st.tuples(st.integers(0, 420), st.sampled_from(LEVELS), st.integers(1, 12)),
                       min_size=1, max_size=4),
    "status": st.sampled_from(STATES),
    "changes": st.lists(st.tuples(st.integers(0, 460), st.sampled_from(STATES), st.booleans()), max_size=3),
    "threat": st.booleans(),
    "clock": st.sampled_from(CLOCKS),
    "due": st.none() | st.integers(0, 460),
    "started": st.none() | st.integers(0, 460),
    "rating": st.none() | st.tuples(st.integers(0, 460), st.booleans()),
    "category": st.integers(0, 50),
})  # fmt: skip


@hypothesis_settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plans=st.lists(matter_plans, min_size=1, max_size=12),
    as_of=st.integers(0, 480),
    weights=st.sampled_from(WEIGHTS),
)  # fmt: skip
def test_it_ranks_as_the_rules_read_matter_by_matter(county, settings, plans, as_of, weights):
    from xinfang.petitions.models import Event, Rating, Transition

    settings.XINFANG_RISK_WEIGHTS = weights
    day = BASE + dt.timedelta(days=as_of)
    categories = list(Category.objects.filter(county=county).order_by("pk"))
    township = Unit.objects.filter(county=county, name="周庄镇").get()
    stamp = dt.datetime(2026, 1, 1, tzinfo=SHANGHAI)
    with at(D(2026, 9, 1)), transaction.atomic():  # as_of before and after today
        for n, plan in enumerate(plans):
            dates = sorted(BASE + dt.timedelta(days=offset) for offset, _, _ in plan["events"])
            category = categories[plan["category"] % len(categories)]
            matter = Matter.objects.create(
                county=county, number=f"H7-{n}", query_code=f"H7Q{n:05d}", registered_at=stamp,
                origin_township=township, category=category, content="随机", channel="visit",
                top_level="county",
                first_event_date=dates[0], last_event_date=dates[-1], event_count=len(dates),
                status=plan["status"], is_threat=plan["threat"], clock=plan["clock"],
                due_date=None if plan["due"] is None else BASE + dt.timedelta(days=plan["due"]),
                clock_started=None if plan["started"] is None else BASE + dt.timedelta(days=plan["started"]),
            )  # fmt: skip
            for offset, level, persons in plan["events"]:
                Event.objects.create(
                    matter=matter, county=county, date=BASE + dt.timedelta(days=offset), channel="visit",
                    level=level, persons=persons, registered_at=stamp, township=township,
                    category_top_id=category.parent_id or category.pk,
                )  # fmt: skip
            for offset, state, imported in plan["changes"]:
                when = dt.datetime.combine(BASE + dt.timedelta(days=offset), dt.time(9), tzinfo=SHANGHAI)
                Transition.objects.create(matter=matter, to_status=state, at=when, imported=imported)
            if plan["rating"] is not None:
                offset, unhappy = plan["rating"]
                rated = dt.datetime.combine(BASE + dt.timedelta(days=offset), dt.time(9), tzinfo=SHANGHAI)
                score = "dissatisfied" if unhappy else "satisfied"
                Rating.objects.create(
                    matter=matter, bureau_score="satisfied", unit_score=score, rated_at=rated
                )
        expected = reference(county, day)
        every = risk_ranking(county=county, as_of=day, limit=None)
        assert [(r.matter_id, r.score, r.factors) for r in every] == expected
        assert all(r.score == sum(r.factors.values()) for r in every)
        assert risk_ranking(county=county, as_of=day, limit=5) == every[:5]
        transaction.set_rollback(True)
