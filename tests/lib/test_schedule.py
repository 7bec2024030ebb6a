from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from xinfang.lib.schedule import (
    every_week_on,
    every_working_day,
    monthly_on,
    nth_weekday,
    parse_time,
    quarter_first_working_day,
    runs_between,
)
from xinfang.lib.workdays import UnknownYear, WorkCalendar

D = dt.date
ZONE = ZoneInfo("Asia/Shanghai")


def days(rule, start: dt.date, end: dt.date, calendar: WorkCalendar | None = None) -> list[dt.date]:
    return list(rule.days_between(start, end, calendar or WorkCalendar({}, frozenset())))


def test_working_days_follow_the_2026_spring_festival_and_its_make_up_saturday():
    picked = days(every_working_day(), D(2026, 2, 13), D(2026, 2, 25))
    assert D(2026, 2, 14) in picked  # 调休: a Saturday worked
    assert not any(D(2026, 2, 15) <= day <= D(2026, 2, 23) for day in picked)  # 春节
    assert D(2026, 2, 24) in picked and D(2026, 2, 13) in picked


def test_the_first_working_day_of_each_quarter():
    rule = quarter_first_working_day()
    # 2026: New Year (4 January, a Sunday, is worked) and the National Day week (to 7 October) are holidays.
    picked = days(rule, D(2026, 1, 1), D(2026, 12, 31))
    assert picked == [D(2026, 1, 4), D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 8)]
    assert days(rule, D(2026, 1, 5), D(2026, 3, 31)) == []  # the range starts after the quarter's first
    assert rule.describe() == "每季度第一个工作日"


def test_weekly_monthly_and_nth_weekday_rules():
    assert days(every_week_on(0), D(2026, 3, 1), D(2026, 3, 31)) == [
        D(2026, 3, d) for d in (2, 9, 16, 23, 30)
    ]
    assert days(monthly_on(1, 11, 21), D(2026, 3, 1), D(2026, 4, 30)) == [
        D(2026, 3, 1),
        D(2026, 3, 11),
        D(2026, 3, 21),
        D(2026, 4, 1),
        D(2026, 4, 11),
        D(2026, 4, 21),
    ]
    assert days(monthly_on(25), D(2026, 1, 1), D(2026, 3, 31)) == [
        D(2026, 1, 25),
        D(2026, 2, 25),
        D(2026, 3, 25),
    ]
    assert days(nth_weekday(1, 1), D(2026, 1, 1), D(2026, 4, 30)) == [
        D(2026, 1, 6),
        D(2026, 2, 3),
        D(2026, 3, 3),
        D(2026, 4, 7),
    ]
    assert days(monthly_on(31), D(2026, 2, 1), D(2026, 4, 30)) == [
        D(2026, 2, 28),
        D(2026, 3, 31),
        D(2026, 4, 30),
    ]


def test_runs_carry_the_time_and_the_county_time_zone():
    runs = runs_between(
        every_working_day(),
        parse_time("17:30"),
        D(2026, 3, 2),
        D(2026, 3, 3),
        WorkCalendar({}, frozenset()),
        ZONE,
    )
    assert [run.isoformat() for run in runs] == ["2026-03-02T17:30:00+08:00", "2026-03-03T17:30:00+08:00"]


def test_an_unknown_year_is_refused_with_the_commands_that_fix_it():
    with pytest.raises(UnknownYear) as refused:
        days(every_working_day(), D(2026, 12, 30), D(2027, 1, 5))
    assert refused.value.year == 2027 and "xinfang calendar" in str(refused.value)
    calendar = WorkCalendar({D(2027, 1, 1): False}, frozenset({2027}))  # the bureau entered 2027
    assert D(2027, 1, 4) in days(every_working_day(), D(2026, 12, 30), D(2027, 1, 5), calendar)


@pytest.mark.parametrize("text", ["1730", "25:00", "17:3x", ""])
def test_a_bad_time_setting_is_refused(text):
    with pytest.raises(ValueError, match="时间应写作"):
        parse_time(text)


def test_rules_describe_themselves_in_chinese():
    assert every_working_day().describe() == "每个工作日"
    assert every_week_on(0).describe() == "每周一"
    assert monthly_on(1, 11, 21).describe() == "每月1日、11日、21日"
    assert nth_weekday(1, 1).describe() == "每月第一个星期二"
