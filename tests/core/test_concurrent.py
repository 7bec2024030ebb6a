"""core/concurrent.side_by_side: the results in order, an error raised, and threads with their own
connections only where they help (PostgreSQL outside a transaction)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from xinfang.core.concurrent import side_by_side
from xinfang.directory.models import County


@pytest.fixture
def county(transactional_db) -> County:
    """A county committed for real (a transactional test's tables start empty)."""
    return County.objects.create(code="990001", name="并行测试县")


def where() -> tuple[int, str]:
    return threading.get_ident(), County.objects.get(code="990001").code


@pytest.mark.django_db(transaction=True)
def test_the_calls_run_side_by_side_on_postgresql_outside_a_transaction(county):
    here = threading.get_ident()
    results = side_by_side(where, where, lambda: 42)
    assert [code for _, code in results[:2]] == [county.code, county.code] and results[2] == 42
    threads = {ident for ident, _ in results[:2]}
    if connection.vendor == "postgresql":
        assert here not in threads  # each in a thread of its own, with a connection of its own
    else:
        assert threads == {here}


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_they_run_in_turn_and_see_its_rows(county):
    here = threading.get_ident()
    with transaction.atomic():
        County.objects.filter(pk=county.pk).update(name="未提交的县名")
        results = side_by_side(lambda: (threading.get_ident(), County.objects.get(pk=county.pk).name), where)
    assert results[0] == (here, "未提交的县名") and results[1][0] == here


@pytest.mark.django_db(transaction=True)
def test_an_error_of_one_call_is_raised(county):
    finished = []

    def fails() -> None:
        raise ValueError("坏")

    def works() -> int:
        finished.append(True)
        return 1

    with pytest.raises(ValueError, match="坏"):
        side_by_side(fails, works)
    # Side by side every call has finished when it is raised; in turn the first error stops the rest.
    assert finished == ([True] if connection.vendor == "postgresql" else [])
