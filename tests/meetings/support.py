"""Matters for the joint meeting's tests: registered in October 2026 (the month screened), screened at its
end (as_of 2026-11-01), the clock standing at 2026-11-02 10:00."""

from __future__ import annotations

import datetime as dt

from tests.petitions.support import frozen, new_matter
from xinfang.petitions.models import Level, Matter

MONTH_END = dt.date(2026, 11, 1)  # the day after 2026-10-31: what "the end of October" counts from


def october_matters(bureau, county, count: int) -> list[Matter]:
    """`count` matters of October 2026, alike but for their day (older ones score more on days_open)."""
    with frozen():
        return [
            new_matter(
                bureau, county, date=dt.date(2026, 10, 1 + index % 28), content=f"拖欠工资问题第{index}件"
            )
            for index in range(count)
        ]


def province_matter(bureau, county) -> Matter:
    with frozen():
        return new_matter(bureau, county, date=dt.date(2026, 7, 3), level=Level.PROVINCE, persons=8)
