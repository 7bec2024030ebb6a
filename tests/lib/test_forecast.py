import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.forecast import backtest, forecast_next, poisson_quantile, predict
from xinfang.lib.periods import Month

MARCH = Month(2026, 3)


def test_it_forecasts_the_mean_of_the_last_three_months() -> None:
    forecast = forecast_next([10, 20, 30, 40], MARCH)
    assert forecast.month == "2026-04"
    assert forecast.events == 30
    assert forecast.method == "近3个月均值"
    # One month has 3 known months before it: too few for an error.
    assert (forecast.mape_12m, forecast.baseline_mape_12m, forecast.mape_months) == (None, None, 1)


def test_it_says_how_little_history_it_had() -> None:
    assert forecast_next([7, 9], MARCH).method == "近2个月均值"
    assert forecast_next([7, 9], MARCH).events == 8
    empty = forecast_next([None, None], MARCH)
    assert (empty.events, empty.low, empty.high, empty.method, empty.mape_months) == (
        0,
        0,
        0,
        "无历史数据",
        0,
    )


def test_it_measures_the_error_on_held_out_months_by_hand() -> None:
    forecast = forecast_next([10, 20, 30, 40, 50, 60], MARCH)
    # Months 4–6 are forecast from the 3 before each: 20, 30, 40 against 40, 50, 60.
    assert forecast.mape_12m == pytest.approx((20 / 40 + 20 / 50 + 20 / 60) / 3)
    # Less than a year of history: the baseline is the previous month, 30, 40, 50.
    assert forecast.baseline_mape_12m == pytest.approx((10 / 40 + 10 / 50 + 10 / 60) / 3)
    assert forecast.mape_months == 3


def test_it_leaves_months_without_events_out_of_the_percentage() -> None:
    tested = backtest([10, 20, 30, 0, 50, 60, 30])
    assert [month.index for month in tested.months] == [3, 4, 5, 6]
    # Forecasts 20 (for the 0, left out), 16.7 → 17, 26.7 → 27, 36.7 → 37.
    assert [month.forecast for month in tested.months] == [20, 17, 27, 37]
    assert tested.mape_months == 3
    assert tested.mape == pytest.approx((33 / 50 + 33 / 60 + 7 / 30) / 3)
    assert tested.baseline_mape == pytest.approx((50 / 50 + 10 / 60 + 30 / 30) / 3)


def test_it_needs_three_known_months_before_a_held_out_month() -> None:
    tested = backtest([None, None, 10, 20, 30, 40, 50])
    assert [month.index for month in tested.months] == [5, 6]
    assert tested.mape is None
    assert tested.mape_months == 2


def test_the_baseline_switches_from_naive_to_seasonal_after_a_year() -> None:
    series: list[int | None] = [None, *range(10, 24)]  # 14 known months after one unknown
    tested = backtest(series)
    kinds = {month.index: (month.baseline_kind, month.baseline) for month in tested.months}
    assert kinds[12] == ("naive", series[11])  # a year before it is unknown
    assert kinds[13] == ("seasonal", series[1])
    assert kinds[14] == ("seasonal", series[2])
    assert kinds[5] == ("naive", series[4])


def test_it_backtests_at_most_the_last_twelve_months() -> None:
    tested = backtest([20 + month % 5 for month in range(30)])
    assert [month.index for month in tested.months] == list(range(18, 30))
    assert tested.mape_months == 12


def test_it_applies_the_seasonal_factor_with_two_years_by_hand() -> None:
    # The target's calendar month had 30 events in each of the last two years, every other month 10.
    series = [30 if position % 12 == 0 else 10 for position in range(24)]
    value, method = predict(series)
    expected = (60 + 22 * 10) / 12
    factor = ((60 + 10) / (expected + 10)) / ((20 + 10) / (expected + 10))
    assert method == "近3个月均值×季节系数"
    assert value == pytest.approx(10 * factor)
    assert forecast_next(series, MARCH).events == 23


def test_it_keeps_the_plain_mean_when_the_two_years_have_a_gap() -> None:
    series: list[int | None] = [None, *[10] * 24]
    assert predict(series)[1] == "近3个月均值×季节系数"
    series[5] = None
    assert predict(series)[1] == "近3个月均值"


def test_the_interval_comes_from_the_backtest_errors_when_there_are_six() -> None:
    steady = forecast_next([10] * 12, MARCH)
    assert (steady.low, steady.events, steady.high, steady.interval_method) == (10, 10, 10, "回测误差分位")
    # Errors +50 % and −50 % alternating: the 10th and 90th percentiles are −50 % and +50 %.
    series = [10, 10, 10, 5, 15] * 3
    forecast = forecast_next(series, MARCH)
    assert forecast.interval_method == "回测误差分位"
    assert forecast.low < forecast.events < forecast.high


def test_the_interval_is_poisson_with_a_short_history() -> None:
    forecast = forecast_next([5, 6, 7, 8, 9], MARCH)
    assert forecast.interval_method == "泊松区间"
    assert forecast.events == 8
    cdf = [sum(math.exp(-8) * 8**j / math.factorial(j) for j in range(k + 1)) for k in range(30)]
    assert forecast.low == min(k for k in range(30) if cdf[k] >= 0.1)
    assert forecast.high == min(k for k in range(30) if cdf[k] >= 0.9)
    assert (forecast.low, forecast.high) == (5, 12)


def test_the_poisson_quantile_on_large_means() -> None:
    assert poisson_quantile(0.0, 0.9) == 0
    # Normal approximation: 5000 ± 1.2816 · √5000.
    assert abs(poisson_quantile(5000.0, 0.1) - (5000 - 1.2816 * math.sqrt(5000))) < 2
    assert abs(poisson_quantile(5000.0, 0.9) - (5000 + 1.2816 * math.sqrt(5000))) < 2


def test_it_reports_the_keys_of_the_issue() -> None:
    assert set(forecast_next([1, 2, 3], MARCH).as_dict()) == {
        "month",
        "events",
        "low",
        "high",
        "method",
        "mape_12m",
        "baseline_mape_12m",
        "mape_months",
    }


series_strategy = st.lists(st.one_of(st.none(), st.integers(0, 500)), max_size=40).map(
    # None only before the records begin, as the series' callers give it.
    lambda values: (
        [None] * sum(value is None for value in values) + [value for value in values if value is not None]
    )
)


@given(series_strategy)
def test_it_is_never_negative_and_the_interval_holds_it(series: list[int | None]) -> None:
    forecast = forecast_next(series, MARCH)
    assert 0 <= forecast.low <= forecast.events <= forecast.high
    for error in (forecast.mape_12m, forecast.baseline_mape_12m):
        assert error is None or error >= 0
    assert (forecast.mape_12m is None) == (forecast.mape_months < 3)


@given(series_strategy, st.data())
def test_the_backtest_never_reads_the_future(series: list[int | None], data: st.DataObject) -> None:
    if not series or series[-1] is None:
        return
    position = data.draw(st.integers(0, len(series) - 1))
    if series[position] is None:
        return
    changed = list(series)
    changed[position] = data.draw(st.integers(0, 500))
    before = {month.index: month for month in backtest(series, months=100).months}
    after = {month.index: month for month in backtest(changed, months=100).months}
    assert before.keys() == after.keys()
    for index, month in before.items():
        if index <= position:
            assert (after[index].forecast, after[index].baseline) == (month.forecast, month.baseline)


def test_the_worked_example_of_the_docs() -> None:
    forecast = forecast_next([40, 52, 47, 61, 38, 55], MARCH)
    assert (forecast.events, forecast.low, forecast.high, forecast.method) == (51, 42, 61, "近3个月均值")
    assert round(forecast.mape_12m or 0, 3) == 0.250
    assert round(forecast.baseline_mape_12m or 0, 3) == 0.381
    assert (forecast.mape_months, forecast.interval_method) == (3, "泊松区间")
