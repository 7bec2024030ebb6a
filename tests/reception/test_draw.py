"""The first-Tuesday draw to the townships: the pure algorithm (stream, weighted sampling, the day), the
draw through its service (weights from the six months before, away leaders, liaison leaders, once a month,
the audit record), `verify`, the worker's job and the system check."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader, LeaderUnavailability, Unit
from xinfang.lib.workdays import UnknownYear, WorkCalendar
from xinfang.reception.downvisits import (
    downvisit_draw_job,
    draw_compute,
    draw_make,
    draw_verify,
    recent_draw_counts,
)
from xinfang.reception.draw import (
    DayRule,
    DrawEve,
    LiaisonChoice,
    downvisit_day,
    least_recent,
    nominal_day,
    sample,
    uniforms,
)
from xinfang.reception.models import DownVisit, Draw

ZONE = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar()
# p = 0.001 for a chi-square of 3 degrees of freedom.
CHI2_3_P001 = 16.266


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)


# ---------------------------------------------------------------------------------------------------------
# The pure algorithm


def test_it_takes_the_stream_from_hmac_sha256_of_the_counter():
    stream = uniforms("00ff")
    for counter in range(3):
        mac = hmac.new(b"\x00\xff", counter.to_bytes(8, "big"), hashlib.sha256).digest()
        assert next(stream) == (int.from_bytes(mac[:8], "big") >> 11) / 2**53


def test_it_reproduces_the_worked_example_of_the_docs():
    stream = uniforms("01")
    assert [round(next(stream), 6) for _ in range(3)] == [0.223076, 0.839086, 0.640535]
    assert sample("01", [1.0, 0.5, 1.0, 0.25], 3) == [0, 2, 1]


@given(
    st.binary(min_size=1, max_size=16).map(bytes.hex),
    st.lists(st.sampled_from([1.0, 0.5, 0.25, 0.125, 0.015625]), min_size=0, max_size=20),
    st.integers(min_value=0, max_value=8),
)
@settings(max_examples=200, deadline=None)
def test_it_draws_distinct_townships_the_same_for_the_same_seed(seed, weights, leaders):
    picked = sample(seed, weights, leaders)
    assert len(picked) == min(leaders, len(weights))
    assert len(set(picked)) == len(picked)
    assert all(0 <= index < len(weights) for index in picked)
    assert sample(seed, weights, leaders) == picked


def test_it_honours_the_weights_over_many_seeds():
    weights = [1.0, 0.5, 0.25, 1.0]
    draws = 3000
    counts = Counter(sample(f"{n:08x}", weights, 1)[0] for n in range(draws))
    total = sum(weights)
    chi2 = sum((counts[i] - draws * w / total) ** 2 / (draws * w / total) for i, w in enumerate(weights))
    assert chi2 < CHI2_3_P001, (chi2, counts)
    # And the half-weighted one is clearly rarer than the full ones.
    assert counts[1] < counts[0] and counts[2] < counts[1]


def test_it_rejects_a_seed_that_is_not_hex():
    for seed in ("", "abc", "zz", "0" * 130):
        with pytest.raises(ValueError, match="十六进制"):
            next(uniforms(seed))


@pytest.mark.parametrize(
    ("month", "day"),
    [(1, 6), (2, 3), (3, 3), (4, 7), (6, 2), (9, 1), (11, 3), (12, 1)],
)
def test_it_takes_the_first_tuesday_of_2026(month, day):
    assert downvisit_day(dt.date(2026, month, 1), DayRule.FIRST_TUESDAY, CALENDAR) == dt.date(
        2026, month, day
    )


def test_a_first_tuesday_on_a_holiday_moves_to_the_next_working_day():
    # 5 May 2026 is in the Labour Day holiday; 6 October in National Day's.
    assert downvisit_day(dt.date(2026, 5, 1), DayRule.FIRST_TUESDAY, CALENDAR) == dt.date(2026, 5, 6)
    assert downvisit_day(dt.date(2026, 10, 1), DayRule.FIRST_TUESDAY, CALENDAR) == dt.date(2026, 10, 8)


def test_a_county_may_take_the_tuesday_of_the_week_holding_the_first():
    # December 2026 starts on a Tuesday: the same day either way.
    assert nominal_day(dt.date(2026, 12, 1), DayRule.WEEK_OF_FIRST) == dt.date(2026, 12, 1)
    # 1 July 2026 is a Wednesday: that week's Tuesday is 30 June.
    assert nominal_day(dt.date(2026, 7, 1), DayRule.WEEK_OF_FIRST) == dt.date(2026, 6, 30)
    assert nominal_day(dt.date(2026, 7, 1), DayRule.FIRST_TUESDAY) == dt.date(2026, 7, 7)
    # 1 February 2026 is a Sunday: that week's Tuesday (27 January) is a working day.
    assert downvisit_day(dt.date(2026, 2, 1), DayRule.WEEK_OF_FIRST, CALENDAR) == dt.date(2026, 1, 27)


@given(st.integers(min_value=2026, max_value=2026), st.integers(min_value=1, max_value=12))
def test_the_day_is_a_working_day_in_the_first_days_of_the_month(year, month):
    day = downvisit_day(dt.date(year, month, 1), DayRule.FIRST_TUESDAY, CALENDAR)
    assert CALENDAR.is_workday(day) and day.month == month and day.day <= 10


def test_an_unknown_year_is_refused():
    with pytest.raises(UnknownYear):
        downvisit_day(dt.date(2099, 3, 1), DayRule.FIRST_TUESDAY, CALENDAR)


def test_the_job_runs_on_the_working_day_before_each_day():
    days = list(DrawEve().days_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31), CALENDAR))
    assert dt.date(2026, 11, 30) in days  # Monday before Tuesday 1 December
    assert dt.date(2026, 9, 30) in days  # before Thursday 8 October, across the holiday
    assert dt.date(2026, 5, 6) not in days and dt.date(2026, 4, 30) in days
    assert len(days) == 12


def test_a_liaison_leader_avoids_a_drawn_township_and_goes_where_he_went_least_recently():
    choices = [
        LiaisonChoice(1, dt.date(2026, 5, 1), 1),
        LiaisonChoice(2, dt.date(2026, 3, 1), 2),
        LiaisonChoice(3, None, 3),
    ]
    assert least_recent(choices, frozenset()) == 3
    assert least_recent(choices, frozenset({3})) == 2
    assert least_recent(choices[:1], frozenset({1})) == 1  # not avoidable
    assert least_recent([], frozenset()) is None


# ---------------------------------------------------------------------------------------------------------
# The draw through its service

DECEMBER = dt.date(2026, 12, 1)


@pytest.mark.django_db
def test_the_six_top_leaders_draw_distinct_townships_with_their_liaison_leaders(county, bureau):
    draw = draw_make(county=county, month=DECEMBER, by=bureau, now=at(dt.date(2026, 11, 25)), seed="00ff")
    assert (draw.date, draw.seed, draw.method) == (dt.date(2026, 12, 1), "00ff", "hmac-sha256-v1")
    top = list(
        Leader.objects.filter(county=county, is_top_six=True, is_active=True).order_by("protocol_order")
    )
    drawn = list(draw.visits.filter(kind=DownVisit.Kind.DRAWN).order_by("order"))
    assert [visit.leader_id for visit in drawn] == [leader.pk for leader in top] and len(drawn) == 6
    assert len({visit.township_id for visit in drawn}) == 6
    for visit in drawn:
        if visit.liaison is not None:
            assert visit.liaison.liaison_townships.filter(pk=visit.township_id).exists()
            assert not visit.liaison.is_top_six
    townships = Unit.objects.filter(county=county, kind="township", is_active=True).count()
    assert [entry["weight"] for entry in draw.eligible] == [1.0] * townships
    # Every other leader with a liaison township receives in one of them, unless beside a drawn leader.
    beside = {visit.liaison_id for visit in drawn}
    liaison = {visit.leader_id: visit for visit in draw.visits.filter(kind=DownVisit.Kind.LIAISON)}
    for leader in Leader.objects.filter(county=county, is_active=True, is_top_six=False):
        mine = set(leader.liaison_townships.values_list("pk", flat=True))
        if not mine or leader.pk in beside:
            assert leader.pk not in liaison
            continue
        assert liaison[leader.pk].township_id in mine
        if mine - {visit.township_id for visit in drawn}:
            assert liaison[leader.pk].township_id not in {visit.township_id for visit in drawn}
    record = AuditRecord.objects.get(action="reception.draw")
    assert record.changes["seed"] == "00ff" and len(record.changes["draws"]) == 6
    assert draw_verify(draw) == []


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_draw(county):
    one = draw_compute(county=county, month=DECEMBER, seed="abcdef")
    two = draw_compute(county=county, month=DECEMBER, seed="ABCDEF")
    assert [(p.leader["leader"], p.township["unit"]) for p in one.picks] == [
        (p.leader["leader"], p.township["unit"]) for p in two.picks
    ]


@pytest.mark.django_db
def test_a_township_drawn_in_the_six_months_before_weighs_half_per_draw(county, bureau):
    for month in (dt.date(2026, 5, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
        draw_make(county=county, month=month, by=bureau, now=at(month - dt.timedelta(days=3)), seed="01")
    counts = recent_draw_counts(county, DECEMBER)
    in_window = DownVisit.objects.filter(kind="drawn", draw__month__gte=dt.date(2026, 6, 1))
    assert sum(counts.values()) == in_window.count() == 12  # May's six are more than six months before
    plan = draw_compute(county=county, month=DECEMBER, seed="02")
    for entry in plan.eligible:
        assert entry["weight"] == 0.5 ** counts.get(entry["unit"], 0)
    # October's townships weigh half in November (a quarter if May, in November's window, drew them too).
    october, november = (
        [v.township_id for v in Draw.objects.get(month=m).visits.filter(kind="drawn").order_by("order")]
        for m in (dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    )
    weights = {e["unit"]: e["weight"] for e in Draw.objects.get(month=dt.date(2026, 11, 1)).eligible}
    assert all(weights[township] in (0.5, 0.25) for township in october)
    assert october != november  # the same seed, other weights


@pytest.mark.django_db
def test_a_top_leader_away_that_day_does_not_draw_and_is_recorded(county, bureau, client_for):
    secretary = Leader.objects.get(county=county, post_kind="secretary")
    LeaderUnavailability.objects.create(
        leader=secretary, start=dt.date(2026, 11, 30), end=dt.date(2026, 12, 2), reason="赴省开会"
    )
    draw = draw_make(county=county, month=DECEMBER, by=bureau, now=at(dt.date(2026, 11, 25)), seed="00ff")
    assert not draw.visits.filter(leader=secretary).exists()
    assert draw.visits.filter(kind="drawn").count() == 5
    assert [e for e in draw.leaders if e.get("away")] == [
        {"leader": secretary.pk, "name": secretary.name, "post": secretary.post, "away": "赴省开会"}
    ]
    assert draw_verify(draw) == []


@pytest.mark.django_db
def test_a_month_is_drawn_once_and_not_after_its_day(county, bureau):
    draw_make(county=county, month=DECEMBER, by=bureau, now=at(dt.date(2026, 11, 25)))
    with pytest.raises(ValidationError, match="每月只抽一次"):
        draw_make(county=county, month=DECEMBER, by=bureau, now=at(dt.date(2026, 11, 26)))
    with pytest.raises(ValidationError, match="已过"):
        draw_make(county=county, month=dt.date(2026, 11, 1), by=bureau, now=at(dt.date(2026, 11, 25)))
    assert Draw.objects.count() == 1


@pytest.mark.django_db
def test_verify_catches_a_changed_result_and_a_changed_weight(county, bureau):
    draw = draw_make(county=county, month=DECEMBER, by=bureau, now=at(dt.date(2026, 11, 25)), seed="00ff")
    first = draw.visits.filter(kind="drawn").get(order=1)
    taken = set(draw.visits.filter(kind="drawn").values_list("township_id", flat=True))
    other = Unit.objects.filter(county=county, kind="township").exclude(pk__in=taken).first()
    assert other is not None
    DownVisit.objects.filter(pk=first.pk).update(township=other)
    problems = draw_verify(draw)
    assert len(problems) == 1 and problems[0].startswith("第1签") and other.name in problems[0]
    DownVisit.objects.filter(pk=first.pk).update(township=first.township)
    assert draw_verify(draw) == []
    draw.eligible[0]["weight"] = 0.5
    draw.save(update_fields=["eligible"])
    problems = draw_verify(Draw.objects.get(pk=draw.pk))
    assert any("权重记为0.5" in problem for problem in problems)


@pytest.mark.django_db
def test_the_job_draws_on_the_working_day_before_unless_the_bureau_did(county, bureau):
    assert downvisit_draw_job(county=county, day=dt.date(2026, 11, 27), now=at(dt.date(2026, 11, 27))) == (
        "今天不是下沉接访抽签日"
    )
    result = downvisit_draw_job(county=county, day=dt.date(2026, 11, 30), now=at(dt.date(2026, 11, 30), 16))
    assert "已完成2026年12月下沉接访抽签" in result
    draw = Draw.objects.get(county=county, month=DECEMBER)
    assert draw.drawn_by is None and draw_verify(draw) == []
    again = downvisit_draw_job(county=county, day=dt.date(2026, 11, 30), now=at(dt.date(2026, 11, 30), 17))
    assert "已由信访局抽签" in again and Draw.objects.count() == 1


def test_a_bad_day_setting_is_a_system_check(settings):
    settings.XINFANG_DOWNVISIT_DAY = "second_tuesday"
    assert "xinfang.E014" in {error.id for error in run_checks()}
    settings.XINFANG_DOWNVISIT_DAY = "week_of_first"
    assert "xinfang.E014" not in {error.id for error in run_checks()}


@pytest.mark.django_db
def test_the_job_in_december_does_not_stop_for_a_year_not_entered_yet(county):
    # 2027 is not in the calendar: January's eve cannot be known, and December 31 has nothing to draw.
    assert downvisit_draw_job(county=county, day=dt.date(2026, 12, 31), now=at(dt.date(2026, 12, 31))) == (
        "今天不是下沉接访抽签日"
    )


@pytest.mark.django_db
def test_a_leader_with_a_visit_planned_that_day_keeps_it(county, bureau):
    secretary = Leader.objects.get(county=county, post_kind="secretary")
    township = Unit.objects.filter(county=county, kind="township").first()
    assert township is not None
    DownVisit.objects.create(
        county=county, date=DECEMBER, kind=DownVisit.Kind.PLANNED, leader=secretary, township=township,
        name=secretary.name, post=secretary.post, created_at=at(dt.date(2026, 11, 20)),
    )  # fmt: skip
    draw = draw_make(county=county, month=DECEMBER, by=bureau, now=at(dt.date(2026, 11, 25)), seed="00ff")
    assert not draw.visits.filter(leader=secretary).exists()
    assert any(e.get("away", "").startswith("当天已安排到") for e in draw.leaders)
    assert draw_verify(draw) == []


@pytest.mark.django_db
def test_a_month_waits_for_the_month_before_while_that_can_still_be_drawn(county, bureau):
    # On 25 October November is not drawn yet (its day is 3 November): December's weights depend on it.
    with pytest.raises(ValidationError, match="请先进行2026年11月的下沉接访抽签"):
        draw_make(county=county, month=DECEMBER, by=bureau, now=at(dt.date(2026, 10, 25)))
    draw_make(county=county, month=dt.date(2026, 11, 1), by=bureau, now=at(dt.date(2026, 10, 25)))
    draw = draw_make(county=county, month=DECEMBER, by=bureau, now=at(dt.date(2026, 10, 25)))
    assert draw_verify(draw) == []
