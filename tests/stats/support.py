"""Helpers of the KPI roll-up's tests: its day counts and the facts' counts, to compare."""

from __future__ import annotations

from xinfang.stats.models import KpiDay, KpiFact


def day_counts() -> dict[tuple[object, ...], tuple[int, int, int]]:
    """The day counts (KpiDay) summed per county, day, unit and KPI, the all-zero ones left out."""
    sums: dict[tuple[object, ...], tuple[int, int, int]] = {}
    for *key, numerator, denominator, excluded in KpiDay.objects.values_list(
        "county_id", "day", "unit", "kpi", "numerator", "denominator", "excluded"
    ):
        was = sums.get(tuple(key), (0, 0, 0))
        sums[tuple(key)] = (was[0] + numerator, was[1] + denominator, was[2] + excluded)
    return {key: value for key, value in sums.items() if any(value)}


def fact_counts() -> dict[tuple[object, ...], tuple[int, int, int]]:
    """The same counted from the facts."""
    counts: dict[tuple[object, ...], tuple[int, int, int]] = {}
    for county_id, day, unit_id, kpi, numerator, excluded in KpiFact.objects.values_list(
        "county_id", "day", "unit_id", "kpi", "numerator", "excluded"
    ):
        key = (county_id, day, unit_id or 0, kpi)
        was = counts.get(key, (0, 0, 0))
        counts[key] = (was[0] + numerator, was[1] + (not excluded), was[2] + excluded)
    return counts
