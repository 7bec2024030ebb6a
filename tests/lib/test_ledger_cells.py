from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.ledger_cells import (
    CellError,
    parse_channel,
    parse_date,
    parse_level,
    parse_names,
    parse_persons,
    parse_yes_no,
)

TODAY = dt.date(2026, 11, 27)


@given(st.dates(min_value=dt.date(1980, 1, 1), max_value=TODAY))
def test_every_accepted_date_form_gives_the_same_day(day):
    forms = [
        day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日", day, dt.datetime.combine(day, dt.time()),
        (day - dt.date(1899, 12, 30)).days, float((day - dt.date(1899, 12, 30)).days),
        f"{day.year}年{day.month}月{day.day}日".translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}),
    ]  # fmt: skip
    assert {parse_date(form, today=TODAY) for form in forms} == {day}


@pytest.mark.parametrize(
    ("value", "message"),
    [("2026-02-30", "不存在的日期"), ("2026-11-28", "不能晚于今天"), ("", "不能为空"),
     ("三月五日", "无法识别"), ("1979-12-31", "不正确"), (0, "不正确"), ("2026-13-01", "不存在的日期")],
)  # fmt: skip
def test_it_explains_a_bad_date(value, message):
    with pytest.raises(CellError, match=message):
        parse_date(value, today=TODAY)


@pytest.mark.parametrize(
    ("text", "value"),
    [("来访", "visit"), ("走访", "visit"), ("来信", "letter"), ("书信", "letter"), ("来电", "call"),
     ("电话", "call"), ("网上", "online"), ("网信", "online"), ("网上信访", "online"), ("短信", "sms")],
)  # fmt: skip
def test_it_reads_every_channel_variant(text, value):
    assert parse_channel(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("到县", "county"), ("县", "county"), ("到县访", "county"), ("到市", "city"), ("市", "city"),
     ("到市访", "city"), ("赴省", "province"), ("省", "province"), ("到省", "province"),
     ("赴省访", "province"), ("进京", "beijing"), ("赴京", "beijing"), ("进京访", "beijing")],
)  # fmt: skip
def test_it_reads_every_level_variant(text, value):
    assert parse_level(text) == value


def test_it_refuses_unknown_channels_and_levels_in_chinese():
    with pytest.raises(CellError, match="未知信访形式：传真"):
        parse_channel("传真")
    with pytest.raises(CellError, match="未知访别：到乡"):
        parse_level("到乡")
    with pytest.raises(CellError, match="访别不能为空"):
        parse_level("")


@pytest.mark.parametrize(("text", "value", "warning"), [("3", 3, ""), ("1.0", 1, ""), ("", 1, "按1人计")])
def test_it_reads_persons(text, value, warning):
    parsed = parse_persons(text)
    assert parsed.value == value
    assert warning in parsed.warning


@pytest.mark.parametrize("text", ["0", "-2", "三", "2.5", "abc"])
def test_it_refuses_bad_persons(text):
    with pytest.raises(CellError, match="人数应为不小于1的整数"):
        parse_persons(text)


def test_it_splits_names_and_warns_about_an_anonymous_letter():
    assert parse_names("张三、李四,王五").value == ["张三", "李四", "王五"]
    assert parse_names("").warning == "信访人为空（匿名）"
    assert parse_yes_no("是") is True
    assert parse_yes_no("否") is False
    assert parse_yes_no("") is None
    with pytest.raises(CellError):
        parse_yes_no("也许")
