"""Registry benchmark: list pages, Chinese search and registration on a million matters.

    .venv/bin/python bench/registry.py --matters 1000000                       # SQLite
    .venv/bin/python bench/registry.py --matters 1000000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/xinfang_bench        # PostgreSQL

The database (a SQLite file under --data-dir, or the given PostgreSQL database, which must exist) is
filled once with the deterministic generator and reused by later runs. Each request is timed in-process
through Django's test client (no network), warm, single client; the script prints p50/p95/max and the
number of SQL queries per request. Targets (issue 3): p95 ≤ 150 ms for the list pages and for a
registration including its repeat check.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class QueryCounter:
    """A database execute wrapper that counts the statements of one request."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., object], sql: str, *rest: object) -> object:
        self.count += 1
        return execute(sql, *rest)


def kpi_facts_fill() -> None:
    """The KPI roll-up of matters written before it existed (a database filled, then migrated): rebuilt
    once, timed. The generator keeps it for the matters it writes itself."""
    from xinfang.stats.kpi_facts import READ_FLUSH_LIMIT, facts_rebuild, pending_flush
    from xinfang.stats.models import KpiPending

    if KpiPending.objects.count() > READ_FLUSH_LIMIT:
        started = time.perf_counter()
        written = facts_rebuild()
        print(f"kpi rebuild: {written} facts in {time.perf_counter() - started:.1f} s")
    pending_flush()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--matters", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/bench", help="where the SQLite file and key live")
    parser.add_argument("--runs", type=int, default=50)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    from bench.environment import django_setup

    django_setup(data_dir=args.data_dir, database_url=args.database_url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.fill import registry_fill
    from xinfang.accounts.models import User
    from xinfang.directory.models import Category, County, Unit
    from xinfang.petitions.models import Event, Matter

    registry_fill(matters=args.matters)
    county = County.objects.get(code="410421")
    kpi_facts_fill()
    matters = Matter.objects.filter(county=county).count()
    events = Event.objects.filter(county=county).count()

    client = Client()
    client.force_login(User.objects.get(username="bureau"))
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    category = Category.objects.get(county=county, code="0702")
    today = timezone.localdate().isoformat()

    def get(path: str, **params: str) -> Callable[[], int]:
        def run() -> int:
            response = client.get(path, params)
            assert response.status_code == 200, (path, response.status_code)
            return 1

        return run

    def register() -> int:
        form = {
            "date": today, "channel": "visit", "level": "county", "persons": "1",
            "origin_township": str(zhouzhuang.pk), "category": str(category.pk),
            "content": "某建筑公司拖欠农民工工资三个月未发，多次反映未解决", "appeal": "要求支付工资",
            "source": "local", "purpose": "demand",
            "p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0", "p-MAX_NUM_FORMS": "20",
            "p-0-name": "张建军", "p-0-id_number": "410421198503150016", "p-0-phone": "13937512345",
        }  # fmt: skip
        check = client.get("/matters/repeat-check/", form)
        assert check.status_code == 200
        response = client.post("/matters/new/", form)
        assert response.status_code == 302, response.status_code
        return 2

    cases: list[tuple[str, Callable[[], int]]] = [
        ("list, page 1 (default)", get("/matters/")),
        ("list, filtered (township + 到市)", get("/matters/", township=str(zhouzhuang.pk), level="city")),
        ("list, filtered (status + overdue)", get("/matters/", status="in_progress", overdue="on")),
        ("list, next page (keyset)", get("/matters/", after=f"{today}.1")),
        ("search, 2 characters 工资", get("/matters/", q="工资")),
        ("search, 4 characters 征地补偿", get("/matters/", q="征地补偿")),
        ("search, 2 characters 漏水 (4% of matters)", get("/matters/", q="漏水")),
        ("search, no match 高速公路", get("/matters/", q="高速公路")),
        ("search, 1 character 薪 (scan)", get("/matters/", q="薪")),
        ("API list, page 1", get("/api/v1/matters/")),
        ("registration with repeat check", register),
    ]
    print(f"\n{connection.vendor}: {matters:,} matters, {events:,} events; {args.runs} warm runs each\n")
    print(f"{'request':44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for name, run in cases:
        for _ in range(3):
            run()
        timings = []
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            run()
        for _ in range(args.runs):
            started = time.perf_counter()
            run()
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{name:44} {statistics.median(timings):8.1f} {p95:8.1f} {timings[-1]:8.1f} {queries.count:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
