"""Next month's petition volume with the error the same method has made (issue 18, 舆情预判). No Django.

Input: monthly event totals, oldest first, ending with the last closed month; None for a month without known
history (before the county's records begin), which is not 0 (a known month without events).

The method — chosen to be explained to a bureau in one sentence and to stay calm on small counts (a county
has tens to hundreds of events a month, so one month's count is noisy by ±√n):

- with the 24 months before the target all known: **the mean of the last 3 months × a seasonal factor**
  ("近3个月均值×季节系数"). The factor compares the target's calendar month with the calendar months of
  the last 3, both taken from the last two years: each calendar month's index is its two-year total O over
  the two-year monthly mean E (total ÷ 12), shrunk toward 1 by 10 pseudo-events, (O + 10) ÷ (E + 10), so a
  county with few events does not chase chance; factor = index(target month) ÷ mean(index of the last 3
  months' calendar months). Dividing by the last 3 months' own index keeps a high season (Spring Festival)
  in the 3-month mean from being counted twice.
- with fewer: **the mean of the last 3 known months** ("近3个月均值"; with 1 or 2 known months, their
  mean, "近N个月均值"); without any known month the forecast is 0 ("无历史数据").

A trend term is left out on purpose: on monthly counts this small a fitted slope mostly extrapolates noise,
and the back-test below shows what the plain level costs.

**Measured error** (`backtest`): each of up to the last 12 months that have history before them is
forecast by the same procedure from the months before it only; a month "has history before it" when at
least `MIN_HISTORY` (3) known months precede it, and its own value is known. The error is the mean absolute
percentage error of the rounded forecasts, |forecast − actual| ÷ actual, over those months whose actual is
not 0 (a month without events has no percentage and is left out). Next to it, the same for a baseline:
seasonal-naive (the same month a year before) when that month is known, else naive (the previous month).
With fewer than 3 months in the percentage both errors are None; `mape_months` says how many there were.

**The interval** (80 %): with at least 6 back-tested months whose forecast was not 0, the 10th and 90th
percentiles of their relative errors (actual − forecast) ÷ forecast applied to this forecast ("回测误差分位");
with fewer, the 10 % and 90 % quantiles of a Poisson count with the forecast as its mean ("泊松区间" — only
the month-to-month chance, so it is narrower than the truth when the level itself is off). The interval always
holds the forecast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xinfang.lib.periods import Month
from xinfang.lib.trends import poisson_upper_tail

MIN_HISTORY = 3  # known months before a target for it to be back-tested
SEASONAL_HISTORY = 24  # known months before a target for the seasonal factor
BACKTEST_MONTHS = 12
MIN_MAPE_MONTHS = 3
MIN_INTERVAL_MONTHS = 6
SHRINK_EVENTS = 10.0
LEVEL_MONTHS = 3

Series = Sequence[int | None]


@dataclass(frozen=True)
class Forecast:
    month: str
    events: int
    low: int
    high: int
    method: str
    mape_12m: float | None
    baseline_mape_12m: float | None
    mape_months: int
    interval_method: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The keys of the monthly report's "forecast" (issue 18)."""
        return {
            "month": self.month,
            "events": self.events,
            "low": self.low,
            "high": self.high,
            "method": self.method,
            "mape_12m": self.mape_12m,
            "baseline_mape_12m": self.baseline_mape_12m,
            "mape_months": self.mape_months,
        }


@dataclass(frozen=True)
class BacktestMonth:
    """One held-out month: `index` in the series, its actual count, the method's rounded forecast from the
    months before it and the baseline's (`baseline_kind` "seasonal" or "naive")."""

    index: int
    actual: int
    forecast: int
    baseline: int
    baseline_kind: str


@dataclass(frozen=True)
class Backtest:
    months: list[BacktestMonth]
    mape: float | None
    baseline_mape: float | None
    mape_months: int


def predict(history: Series) -> tuple[float, str]:
    """The method's forecast (unrounded, ≥ 0) for the month after `history`, and its description."""
    known = [value for value in history if value is not None]
    if not known:
        return 0.0, "无历史数据"
    recent = known[-LEVEL_MONTHS:]
    level = sum(recent) / len(recent)
    if len(recent) < LEVEL_MONTHS:
        return level, f"近{len(recent)}个月均值"
    window = history[-SEASONAL_HISTORY:]
    if len(window) < SEASONAL_HISTORY or any(value is None for value in window):
        return level, "近3个月均值"
    values = [int(value or 0) for value in window]
    # Position p in `window` has the calendar month of the target when p % 12 == 0 (24 and 12 months before).
    index = _seasonal_indices(values)
    recent_index = sum(index[p % 12] for p in range(SEASONAL_HISTORY - LEVEL_MONTHS, SEASONAL_HISTORY))
    factor = index[0] / (recent_index / LEVEL_MONTHS)
    return max(0.0, level * factor), "近3个月均值×季节系数"


def _seasonal_indices(values: list[int]) -> list[float]:
    """Per position modulo 12 of a 24-month window: (its two-year total + 10) ÷ (total ÷ 12 + 10)."""
    expected = sum(values) / 12
    return [
        (values[position] + values[position + 12] + SHRINK_EVENTS) / (expected + SHRINK_EVENTS)
        for position in range(12)
    ]


def _round(value: float) -> int:
    return max(0, math.floor(value + 0.5))


def backtest(series: Series, *, months: int = BACKTEST_MONTHS) -> Backtest:
    """Re-measures the method's error on up to the last `months` months that have history before them (the
    module docstring): every forecast reads only the months before its target."""
    held_out: list[BacktestMonth] = []
    for index in range(len(series) - 1, -1, -1):
        if len(held_out) == months:
            break
        actual = series[index]
        before = series[:index]
        if actual is None or sum(value is not None for value in before) < MIN_HISTORY:
            continue
        year_ago = series[index - 12] if index >= 12 else None
        if year_ago is not None:
            baseline, kind = year_ago, "seasonal"
        else:
            previous = next(value for value in reversed(before) if value is not None)
            baseline, kind = previous, "naive"
        held_out.append(
            BacktestMonth(
                index=index,
                actual=actual,
                forecast=_round(predict(before)[0]),
                baseline=baseline,
                baseline_kind=kind,
            )
        )
    held_out.reverse()
    counted = [month for month in held_out if month.actual != 0]
    if len(counted) < MIN_MAPE_MONTHS:
        return Backtest(months=held_out, mape=None, baseline_mape=None, mape_months=len(counted))
    mape = sum(abs(month.forecast - month.actual) / month.actual for month in counted) / len(counted)
    baseline_mape = sum(abs(month.baseline - month.actual) / month.actual for month in counted) / len(counted)
    return Backtest(months=held_out, mape=mape, baseline_mape=baseline_mape, mape_months=len(counted))


def forecast_next(series: Series, last: Month) -> Forecast:
    """The forecast for the month after `last` (the month of the series' last entry), its 80 % interval and
    the measured errors, by the rules of the module docstring."""
    value, method = predict(series)
    events = _round(value)
    tested = backtest(series)
    errors = [
        (month.actual - month.forecast) / month.forecast for month in tested.months if month.forecast > 0
    ]
    if len(errors) >= MIN_INTERVAL_MONTHS:
        low = _round(value * (1 + _quantile(errors, 0.1)))
        high = _round(value * (1 + _quantile(errors, 0.9)))
        interval_method = "回测误差分位"
    else:
        low, high = poisson_quantile(value, 0.1), poisson_quantile(value, 0.9)
        interval_method = "泊松区间"
    return Forecast(
        month=str(last.shifted(1)),
        events=events,
        low=min(low, events),
        high=max(high, events),
        method=method,
        mape_12m=tested.mape,
        baseline_mape_12m=tested.baseline_mape,
        mape_months=tested.mape_months,
        interval_method=interval_method,
    )


def _quantile(values: list[float], q: float) -> float:
    """The q-quantile with linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def poisson_quantile(mean: float, q: float) -> int:
    """The smallest k with P[X ≤ k] ≥ q for X ~ Poisson(mean)."""
    if mean <= 0:
        return 0
    # Start well below the mean (the normal approximation's −8σ) and walk the pmf up.
    k = max(0, math.floor(mean - 8 * math.sqrt(mean) - 8))
    log_pmf = -mean + k * math.log(mean) - math.lgamma(k + 1)
    cumulative = 1.0 - poisson_upper_tail(k + 1, mean)
    while cumulative < q:
        k += 1
        log_pmf += math.log(mean) - math.log(k)
        cumulative += math.exp(log_pmf)
    return k
