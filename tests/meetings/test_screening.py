"""The joint meeting's screening (issue 20): a transparent score whose factors add up to it, measured at the
end of the month screened; `xinfang meeting candidates` prints it in the exact JSON shape."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.meetings.support import MONTH_END, october_matters, province_matter
from tests.petitions.support import at, frozen, new_matter
from xinfang import cli
from xinfang.checks import check_meeting_settings
from xinfang.lib.periods import Month
from xinfang.meetings.screening import FACTORS, Evidence, factor_points, meeting_weights, points, screen
from xinfang.petitions.models import Event, Matter, Ownership, Transition
from xinfang.stats.risk import risk_ranking

pytestmark = pytest.mark.django_db
OCTOBER = Month(2026, 10)


def test_it_rounds_half_up_to_a_tenth():
    assert (
        points(0.05) == Decimal("0.1") and points(4.0333) == Decimal("4.0") and points(2.25) == Decimal("2.3")
    )


def test_every_factor_weighs_its_evidence():
    weights = meeting_weights("")
    evidence = Evidence(days_open=121, repeat=2, over_level=3, largest=8, units=3, dissatisfied=True, risk=45,
                        instruction=True)  # fmt: skip
    factors = factor_points(weights, evidence)
    assert factors == {
        "days_open": Decimal("4.0"), "repeat": Decimal("6.0"), "over_level": Decimal("30.0"),
        "collective": Decimal("4.0"), "units": Decimal("10.0"), "dissatisfied": Decimal("10.0"),
        "risk": Decimal("22.5"), "instruction": Decimal("20.0"),
    }  # fmt: skip
    # A visit of 4 is not collective; one unit is not "several units".
    small = factor_points(weights, Evidence(largest=4, units=1))
    assert small["collective"] == 0 and small["units"] == 0


def test_the_factors_add_up_to_the_score_and_follow_the_evidence_by_hand(county, persona):
    bureau = persona("bureau")
    province = province_matter(bureau, county)
    plain = october_matters(bureau, county, 3)
    with frozen():
        after = new_matter(
            bureau, county, date=dt.date(2026, 11, 1), content="十一月的事项"
        )  # after the month
    Event.objects.filter(matter=plain[0]).update(is_repeat=True)
    ranked, qualifying = screen(county=county, month=OCTOBER)
    numbers = [candidate.number for candidate in ranked]
    assert after.number not in numbers and qualifying == 4 == len(ranked)
    assert numbers[0] == province.number  # the over-level, collective, older matter first
    for candidate in ranked:
        assert sum(candidate.factors.values(), Decimal("0.0")) == candidate.score
        assert list(candidate.factors) == list(FACTORS)
    risks = {risk.matter_id: risk.score for risk in risk_ranking(county=county, as_of=MONTH_END, limit=None)}
    top = ranked[0]
    # By hand: open 2026-07-03 → 2026-11-01 is 121 days (4.0333 → 4.0), one 赴省 visit (10), eight persons
    # (4.0), the risk score × 0.5 half up.
    assert top.factors["days_open"] == Decimal("4.0")
    assert top.factors["over_level"] == Decimal("10.0")
    assert top.factors["collective"] == Decimal("4.0")
    assert top.factors["repeat"] == 0 and top.factors["units"] == 0 and top.factors["instruction"] == 0
    assert top.factors["risk"] == points(0.5 * risks[province.pk])
    repeat = next(candidate for candidate in ranked if candidate.number == plain[0].number)
    assert repeat.factors["repeat"] == Decimal("3.0")


def test_a_matter_closed_before_the_months_end_does_not_qualify_and_the_owner_is_named(county, persona):
    bureau = persona("bureau")
    with frozen(2026, 10, 20):
        first, closed, later = (new_matter(bureau, county, date=dt.date(2026, 10, 12 + n)) for n in range(3))
    for matter, when in ((closed, at(2026, 10, 29)), (later, at(2026, 11, 5))):
        Matter.objects.filter(pk=matter.pk).update(status=Matter.Status.CLOSED)
        Transition.objects.create(
            matter=matter, from_status=matter.status, to_status=Matter.Status.CLOSED, at=when
        )
    leader = persona("leader").leader
    Ownership.objects.create(matter=first, leader=leader, since=dt.date(2026, 10, 10))
    ranked, qualifying = screen(county=county, month=OCTOBER)
    # Closed on 29 October: not open at the month's end; closed on 5 November: it was open then.
    assert [candidate.number for candidate in ranked] == [first.number, later.number] and qualifying == 2
    assert ranked[0].owner == leader.name and ranked[1].owner == ""


def test_the_weights_are_a_county_setting_checked_at_start(county, persona, settings):
    bureau = persona("bureau")
    province_matter(bureau, county)
    settings.XINFANG_MEETING_WEIGHTS = "over_level=0,risk=0,days_open=0,collective=0"
    ranked, qualifying = screen(county=county, month=OCTOBER)
    assert ranked == [] and qualifying == 0  # nothing scores: nothing qualifies
    assert check_meeting_settings() == []
    settings.XINFANG_MEETING_WEIGHTS = "speed=3"
    errors = check_meeting_settings()
    assert [error.id for error in errors] == ["xinfang.E020"] and "无法识别的权重" in errors[0].msg
    settings.XINFANG_MEETING_WEIGHTS = "risk=-1"
    assert "不小于 0" in check_meeting_settings()[0].msg


def test_the_command_prints_the_exact_json_best_first_at_most_20(county, persona, capsys):
    bureau = persona("bureau")
    october_matters(bureau, county, 22)
    province = province_matter(bureau, county)
    code = cli.main(["meeting", "candidates", "--month", "2026-10", "--county", "410421", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 20 and rows[0]["number"] == province.number
    for row in rows:
        assert list(row) == ["number", "score", "factors", "owner"]
        assert list(row["factors"]) == list(FACTORS)
        assert isinstance(row["score"], float) and all(isinstance(v, float) for v in row["factors"].values())
        assert round(sum(row["factors"].values()), 1) == row["score"]
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)


def test_the_command_says_a_bad_month_in_chinese(county, capsys):
    assert cli.main(["meeting", "candidates", "--month", "2026/10"]) == 2
    captured = capsys.readouterr()
    assert "月份应写作 YYYY-MM" in captured.err and "Traceback" not in captured.err


def test_the_text_table_names_the_factors(county, persona, capsys):
    province_matter(persona("bureau"), county)
    call_command("meeting", "candidates", "--month", "2026-10")
    out = capsys.readouterr().out
    assert "符合条件1件" in out and "越级风险" in out and "批示未办结" in out


def test_screening_takes_a_fixed_number_of_queries(county, persona, django_assert_max_num_queries):
    october_matters(persona("bureau"), county, 6)
    with django_assert_max_num_queries(14):
        screen(county=county, month=OCTOBER)
