"""count_upto_kept: a count past its bound is kept for a minute per key; one under it never is."""

from __future__ import annotations

import pytest

from xinfang.core import queries


@pytest.fixture
def counted(monkeypatch):
    """A count that says what it is told and records each time it is asked."""
    calls: list[int] = []
    now = [1000.0]
    monkeypatch.setattr(queries, "_in_transaction", lambda: False)
    monkeypatch.setattr(queries, "_clock", lambda: now[0])

    def count(value: int):
        def run() -> int:
            calls.append(value)
            return value

        return run

    return calls, count, now


def test_a_count_past_the_bound_is_kept_for_a_minute_and_then_counted_again(counted):
    calls, count, now = counted
    assert queries.count_upto_kept("bureau", count(11), bound=10) == 11
    now[0] += queries.OVER_BOUND_SECONDS - 1
    assert queries.count_upto_kept("bureau", count(3), bound=10) == 11  # kept, not counted
    assert calls == [11]
    now[0] += 2
    assert queries.count_upto_kept("bureau", count(3), bound=10) == 3
    assert queries.count_upto_kept("bureau", count(4), bound=10) == 4  # under the bound: always counted
    assert calls == [11, 3, 4]


def test_keys_and_bounds_are_kept_apart(counted):
    calls, count, _ = counted
    assert queries.count_upto_kept("township", count(11), bound=10) == 11
    assert queries.count_upto_kept("department", count(2), bound=10) == 2
    assert queries.count_upto_kept("township", count(11), bound=100) == 11
    assert calls == [11, 2, 11]


@pytest.mark.django_db
def test_inside_a_transaction_it_always_counts():
    assert queries.count_upto_kept("bureau", lambda: 11, bound=10) == 11
    assert queries.count_upto_kept("bureau", lambda: 3, bound=10) == 3
