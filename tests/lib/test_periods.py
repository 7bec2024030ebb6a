import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.periods import (
    Month,
    Quarter,
    month_of,
    month_parse,
    months_between,
    quarter_of,
    quarter_parse,
)


def test_calendar_month() -> None:
    assert Month(2026, 2).range() == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert Month(2024, 2).range() == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert Month(2026, 12).range() == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_business_month_is_named_by_its_end() -> None:
    assert Month(2026, 3).range(21) == (dt.date(2026, 2, 21), dt.date(2026, 3, 20))
    assert Month(2026, 1).range(21) == (dt.date(2025, 12, 21), dt.date(2026, 1, 20))
    assert month_of(dt.date(2026, 3, 20), 21) == Month(2026, 3)
    assert month_of(dt.date(2026, 3, 21), 21) == Month(2026, 4)
    assert month_of(dt.date(2026, 12, 25), 21) == Month(2027, 1)


def test_parse_and_shift() -> None:
    assert month_parse("2026-3") == Month(2026, 3)
    assert str(Month(2026, 3)) == "2026-03"
    assert Month(2026, 1).shifted(-1) == Month(2025, 12)
    assert Month(2026, 11).shifted(14) == Month(2028, 1)
    assert months_between(Month(2025, 11), Month(2026, 2)) == [
        Month(2025, 11),
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    assert months_between(Month(2026, 2), Month(2026, 1)) == []
    for bad in ("2026-13", "2026/03", "", "26-03", "2026-00"):
        with pytest.raises(ValueError, match="月份"):
            month_parse(bad)
    with pytest.raises(ValueError, match="1 到 28"):
        Month(2026, 3).range(29)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)), st.integers(1, 28))
def test_every_day_is_in_exactly_its_month(day: dt.date, start: int) -> None:
    month = month_of(day, start)
    first, last = month.range(start)
    assert first <= day <= last
    assert month.shifted(-1).range(start)[1] + dt.timedelta(days=1) == first
    assert month.shifted(1).range(start)[0] - dt.timedelta(days=1) == last


def test_quarters_parse_and_bound() -> None:
    q4 = Quarter(2026, 4)
    assert quarter_parse("2026q4") == q4 and q4.code == "2026Q4" and q4.label == "2026年第四季度"
    assert (q4.first, q4.last) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert Quarter(2026, 1).last == dt.date(2026, 3, 31) and q4.next() == Quarter(2027, 1)
    assert quarter_of(dt.date(2026, 9, 30)) == Quarter(2026, 3) and quarter_of(dt.date(2026, 10, 1)) == q4
    for bad in ("2026Q5", "2026-4", "", "Q4"):
        with pytest.raises(ValueError, match="YYYYQn"):
            quarter_parse(bad)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4) and dt.date(2026, 2, 28) in Quarter(2026, 1)
