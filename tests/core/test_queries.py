"""count_upto_kept: a count past its bound is kept for a minute per key; one under it never is.
statement_rows: a values_list query compiled once, run with other values, gives what the ORM gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from tests.petitions.support import new_matter
from xinfang.core import queries
from xinfang.petitions.models import Event, Matter


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


def _matters(ids: Sequence[int]):
    """Named rows with a date, a nullable foreign key and a subquery: what the list reads."""
    latest = Event.objects.filter(matter=OuterRef("pk")).order_by("-date", "-pk")
    return (
        Matter.objects.filter(pk__in=ids)
        .annotate(latest_level=Subquery(latest.values("level")[:1]))
        .values_list("pk", "last_event_date", "responsible_unit_id", "latest_level", "number", named=True)
    )


@pytest.fixture
def ids(county, bureau) -> list[int]:
    """Twelve new matters, half of them with a responsible unit, each on its own day."""
    return [
        new_matter(
            bureau,
            county,
            date=dt.date(2026, 10, 1) + dt.timedelta(days=index),
            responsible="县人社局" if index % 2 else None,
        ).pk
        for index in range(12)
    ]


@pytest.mark.django_db
def test_kept_statements_give_the_orms_rows_for_other_values_of_the_same_shape(ids):
    built: list[int] = []

    def build(values: Sequence[int]):
        built.append(len(values))
        return _matters(values)

    for chosen in (ids[:5], ids[5:10], ids[7:12], ids[:3], [ids[0], -1, ids[1]]):
        rows = queries.statement_rows(("test", "matters"), build, chosen)
        expected = list(_matters(chosen))
        assert sorted(rows) == sorted(expected)
        assert {row.pk for row in rows} == set(chosen) & set(ids)
        assert all(isinstance(row.last_event_date, dt.date) for row in rows)  # SQLite's text converted
    assert built == [5, 3]  # compiled once for each number of values, whichever the values


@pytest.mark.django_db
def test_flat_and_plain_rows_come_as_the_orm_gives_them(ids):
    ids = ids[:4]
    flat = queries.statement_rows(
        "test-flat", lambda values: Matter.objects.filter(pk__in=values).values_list("pk", flat=True), ids
    )
    assert sorted(flat) == sorted(ids)
    plain = queries.statement_rows(
        "test-plain", lambda values: Matter.objects.filter(pk__in=values).values_list("pk", "number"), ids
    )
    assert sorted(plain) == sorted(Matter.objects.filter(pk__in=ids).values_list("pk", "number"))
    assert all(type(row) is tuple for row in plain)


@pytest.mark.django_db
def test_no_values_read_nothing_and_ask_the_database_nothing():
    with CaptureQueriesContext(connection) as captured:
        assert queries.statement_rows("test-empty", _matters, []) == []
    assert captured.captured_queries == []


@pytest.mark.django_db
def test_the_kept_statement_runs_through_djangos_cursor(ids):
    ids = ids[:2]
    queries.statement_rows("test-logged", _matters, ids)
    with CaptureQueriesContext(connection) as captured:
        queries.statement_rows("test-logged", _matters, ids)
    assert len(captured.captured_queries) == 1


@pytest.mark.django_db
def test_a_value_bound_twice_is_not_kept_and_still_right(ids):
    ids = ids[:3]
    built: list[int] = []

    def twice(values: Sequence[int]):
        built.append(len(values))
        return Matter.objects.filter(pk__in=values).exclude(pk__in=values[:1]).values_list("pk", flat=True)

    for _ in range(2):
        assert sorted(queries.statement_rows("test-twice", twice, ids)) == sorted(ids[1:])
    assert built == [3, 3, 3]  # compiled, found unfit, then read through the ORM each time


@pytest.mark.django_db
def test_only_values_list_querysets_are_kept():
    with pytest.raises(TypeError):
        queries.statement_rows("test-models", lambda values: Matter.objects.filter(pk__in=values), [1])
