"""Rate limits that hold (issue 12, item 4): counters are rows nobody evicts, counted atomically."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import RequestFactory

from xinfang.core.models import RateCounter
from xinfang.core.ratelimit import allow, hit, hits, rate_counters_purge

pytestmark = pytest.mark.django_db


def request_from(address: str):
    return RequestFactory().post("/public/submit/", REMOTE_ADDR=address)


def test_a_refused_address_stays_refused_however_many_others_come():
    refused = request_from("10.0.0.1")
    assert [allow(refused, "submit", limit=3, window_seconds=3600) for _ in range(4)] == [True] * 3 + [False]
    # The database cache held 300 entries and culled a third when full: 320 others let it in again.
    for number in range(400):
        allow(request_from(f"10.1.{number // 250}.{number % 250}"), "submit", limit=3, window_seconds=3600)
    assert not allow(refused, "submit", limit=3, window_seconds=3600)
    assert hits(refused, "submit", window_seconds=3600) == 5


def test_scopes_and_windows_count_apart():
    client = request_from("10.0.0.2")
    assert hit(client, "a", window_seconds=60) == 1 and hit(client, "b", window_seconds=60) == 1
    assert hit(client, "a", window_seconds=60) == 2 and hits(client, "b", window_seconds=60) == 1


def test_old_windows_are_purged_by_the_worker():
    RateCounter.objects.create(key="submit:10.0.0.3", window_start=1_000, hits=9)
    hit(request_from("10.0.0.4"), "submit", window_seconds=60)
    assert rate_counters_purge() == 1 and RateCounter.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_burst_gets_distinct_counts():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("threads cannot share the tests' in-memory SQLite database; PostgreSQL runs it")
    counts: list[int] = []
    barrier = threading.Barrier(20)

    def burst() -> None:
        barrier.wait()
        try:
            counts.append(hit(request_from("10.0.0.5"), "burst", window_seconds=3600))
        finally:
            connection.close()

    threads = [threading.Thread(target=burst) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 21))
