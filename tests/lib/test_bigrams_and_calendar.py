from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.bigrams import bigrams, jaccard
from xinfang.lib.deadlines import HENAN, NATIONAL_2022, Clock, deadline_state, due_date, profile_on
from xinfang.lib.workdays import UnknownYear, WorkCalendar

cjk = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=2, max_size=30)


def test_it_splits_chinese_text_into_bigrams_within_runs():
    assert bigrams("拖欠工资，讨薪") == {"拖欠", "欠工", "工资", "讨薪"}
    assert bigrams("工") == set()


@given(text=cjk, start=st.integers(0, 28), length=st.integers(2, 10))
def test_every_substring_has_its_bigrams_in_the_text(text, start, length):
    query = text[start : start + length]
    if len(query) >= 2:
        assert bigrams(query) <= bigrams(text)


def test_it_measures_similarity_by_jaccard():
    assert jaccard(bigrams("拖欠工资"), bigrams("拖欠工资")) == 1.0
    assert jaccard(set(), set()) == 0.0
    assert 0 < jaccard(bigrams("拖欠工资三个月"), bigrams("拖欠工资两个月")) < 1


def test_it_follows_the_official_calendar_with_make_up_working_days():
    calendar = WorkCalendar()
    assert not calendar.is_workday(dt.date(2026, 10, 1))  # National Day
    assert calendar.is_workday(dt.date(2026, 12, 31))
    assert calendar.add_workdays(dt.date(2026, 9, 30), 1) > dt.date(2026, 10, 7)


def test_it_refuses_to_guess_an_unknown_year_and_names_the_commands():
    with pytest.raises(UnknownYear) as error:
        WorkCalendar().is_workday(dt.date(2027, 1, 4))
    assert "2027年" in str(error.value)
    assert "xinfang calendar close-year 2027" in str(error.value)


def test_it_uses_overrides_and_closed_years():
    calendar = WorkCalendar({dt.date(2027, 1, 1): False, dt.date(2027, 1, 4): True}, frozenset({2027}))
    assert not calendar.is_workday(dt.date(2027, 1, 1))
    assert calendar.is_workday(dt.date(2027, 1, 5))
    assert not calendar.is_workday(dt.date(2027, 1, 9))  # a Saturday
    override = WorkCalendar({dt.date(2026, 10, 1): True})
    assert override.is_workday(dt.date(2026, 10, 1))


def test_deadlines_count_calendar_days_from_the_next_day_and_objections_in_working_days():
    calendar = WorkCalendar()
    start = dt.date(2026, 9, 28)
    assert due_date(Clock.DISPOSE, start, NATIONAL_2022, calendar) == dt.date(2026, 10, 13)
    # 3 October is in the National Day holiday, 27 December a Sunday: both move to the next working day.
    assert due_date(Clock.DISPOSE, start, HENAN, calendar) == dt.date(2026, 10, 8)
    assert due_date(Clock.HANDLE, start, NATIONAL_2022, calendar, extra_days=30) == dt.date(2026, 12, 28)
    # 5 working days from Monday 28 September skip the National Day holiday week.
    assert due_date(Clock.OBJECTION, start, NATIONAL_2022, calendar) == dt.date(2026, 10, 10)


def test_a_calendar_day_deadline_on_a_rest_day_moves_to_the_next_working_day():
    """Issue 13, item 5: received 2026-09-16, 15 days end on 1 October (National Day) → 8 October."""
    calendar = WorkCalendar()
    received = dt.date(2026, 9, 16)
    assert due_date(Clock.DISPOSE, received, NATIONAL_2022, calendar) == dt.date(2026, 10, 8)
    assert due_date(Clock.REVIEW_REQUEST, dt.date(2026, 1, 16), NATIONAL_2022, calendar) == dt.date(
        2026, 2, 24
    )
    literal = replace(NATIONAL_2022, rest_day_rollover=False)
    assert due_date(Clock.DISPOSE, received, literal, calendar) == dt.date(2026, 10, 1)
    # A working day is left where it is; 9 October 2026 is a Friday.
    assert due_date(Clock.DISPOSE, dt.date(2026, 9, 24), NATIONAL_2022, calendar) == dt.date(2026, 10, 9)
    # 2027's holidays are not known yet: the calendar day stands (the stricter date), no guess.
    assert not calendar.knows(2027)
    assert due_date(Clock.HANDLE, dt.date(2026, 12, 1), NATIONAL_2022, calendar) == dt.date(2027, 1, 30)


def test_it_picks_the_profile_in_force_on_a_day():
    switches = [(dt.date(2026, 7, 1), "henan")]
    assert profile_on(dt.date(2026, 6, 30), switches) == NATIONAL_2022
    assert profile_on(dt.date(2026, 7, 1), switches) == HENAN


@pytest.mark.parametrize(
    ("today", "state", "label"),
    [(dt.date(2026, 3, 1), "ok", "剩余9天"), (dt.date(2026, 3, 7), "warning", "剩余3天"),
     (dt.date(2026, 3, 10), "warning", "今日到期"), (dt.date(2026, 3, 12), "overdue", "已超期2天")],
)  # fmt: skip
def test_it_labels_deadline_states(today, state, label):
    result = deadline_state(dt.date(2026, 3, 10), today, warning_days=3)
    assert (result.state, result.label) == (state, label)
