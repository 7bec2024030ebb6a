"""Rising problem categories (issue 18, 问题分类 and 舆情预判): which categories' counts this month are
significantly above their own recent level. No Django.

The rule, for each category:
- its baseline is the mean of its counts in the previous months given (e.g. the last 3 or 6 months);
- it is "rising" when this month's count is at least `min_count` (5 by default) AND a one-sided Poisson test
  says a count this high is unlikely at the baseline rate: P[X ≥ current] < `alpha` (0.05) for X ~ Poisson
  (baseline mean);
- a category whose baseline is 0 (no events in any of the previous months) is rising as soon as it reaches
  `min_count` (P = 0); its change is None ("—"), never a percentage of nothing;
- a category without any previous month given (empty history) has no baseline and is never reported.

The minimum count is what keeps 1 → 3 from being "涨幅200%": 3 events are below 5, and even at 5 the test asks
whether the jump is more than chance. Example: a baseline of 10, 30 this month: P[X ≥ 30 | 10] ≈ 2.5e-7,
rising, change +200%; a baseline of 10, 15 this month: P ≈ 0.083, not rising.

`poisson_upper_tail` is shared: the dashboard's hotspot rule uses the same tail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def poisson_upper_tail(k: int, mean: float) -> float:
    """P[X ≥ k] for X ~ Poisson(mean), accurate in the far tail (no 1 − (something near 1))."""
    if mean < 0 or math.isnan(mean):
        raise ValueError(f"mean must be ≥ 0: {mean}")
    if k <= 0:
        return 1.0
    if mean == 0:
        return 0.0
    if k > mean:
        # Sum upward from k: the terms fall from the first one on, so the sum converges fast.
        term = math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
        total, j = 0.0, k
        while term > 0 and term > total * 1e-17:
            total += term
            j += 1
            term *= mean / j
        return min(total, 1.0)
    # k ≤ mean: the tail is large; 1 − P[X ≤ k − 1], summed downward from the largest term.
    term = math.exp(-mean + (k - 1) * math.log(mean) - math.lgamma(k))
    lower, j = 0.0, k - 1
    while j >= 0 and term > 0:
        lower += term
        term *= j / mean
        j -= 1
    return max(0.0, 1.0 - lower)


@dataclass(frozen=True)
class Rising:
    """A category rising this month: `baseline` is the mean of the previous months, `change` the rise as
    a fraction of it (2.0 = +200 %) or None when the baseline is 0, `p_value` the tail P[X ≥ current]."""

    name: str
    current: int
    baseline: float
    change: float | None
    p_value: float


def rising(
    current: dict[str, int],
    history: dict[str, list[int]],
    *,
    min_count: int = 5,
    alpha: float = 0.05,
) -> list[Rising]:
    """The categories of `current` rising against their own `history` (previous months' counts) by the rule
    of the module docstring, most significant first (then the larger count, then the name)."""
    found: list[Rising] = []
    for name, count in current.items():
        months = history.get(name, [])
        if count < min_count or not months:
            continue
        baseline = sum(months) / len(months)
        if count <= baseline:
            continue
        p_value = poisson_upper_tail(count, baseline)
        if p_value >= alpha:
            continue
        change = (count - baseline) / baseline if baseline > 0 else None
        found.append(Rising(name=name, current=count, baseline=baseline, change=change, p_value=p_value))
    found.sort(key=lambda item: (item.p_value, -item.current, item.name))
    return found
