"""Statistics benchmark: `event_statistics` for a month and a year against hand-written SQL.

    .venv/bin/python bench/stats.py --data-dir var/bench                            # SQLite
    .venv/bin/python bench/stats.py --database-url postgresql://postgres@127.0.0.1:5432/xinfang_bench

Uses the database that bench/registry.py filled (run that first). For each period it times the ORM
selector, the same figures by hand-written SQL counted the same way (the ratio), and the textbook
COUNT(DISTINCT) SQL over the base tables, all in the same run. Targets (issue 4): a month ≤ 1 s, a year
≤ 3 s, each within 2× the SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The same figures the way xinfang counts them, written by hand: the opening events of the period.
# (Built from constant column names only; the dates and county are parameters.)
_OPENS = "(e.{0} IS NULL OR e.{0} < %s)"
SAME_SQL = {
    "total": f"""SELECT SUM(CASE WHEN {_OPENS.format("prev_date")} THEN 1 ELSE 0 END), COUNT(*),
                        COALESCE(SUM(e.persons), 0), SUM(CASE WHEN e.persons >= 5 THEN 1 ELSE 0 END),
                        SUM(CASE WHEN e.is_repeat THEN 1 ELSE 0 END)
                 FROM petitions_event e WHERE e.county_id = %s AND e.date BETWEEN %s AND %s""",  # noqa: S608
    **{
        name: f"""SELECT e.{column}, SUM(CASE WHEN {_OPENS.format(previous)} THEN 1 ELSE 0 END), COUNT(*),
                         SUM(e.persons)
                  FROM petitions_event e WHERE e.county_id = %s AND e.date BETWEEN %s AND %s
                  GROUP BY e.{column}"""  # noqa: S608
        for name, column, previous in (
            ("level", "level", "prev_level_date"),
            ("channel", "channel", "prev_channel_date"),
            ("category", "category_top_id", "prev_date"),
            ("township", "township_id", "prev_date"),
        )
    },
}
# The textbook way: COUNT(DISTINCT) over the base tables, joined for category and township.
HAND_SQL = {
    "total": """SELECT COUNT(DISTINCT e.matter_id), COUNT(*), COALESCE(SUM(e.persons), 0),
                       SUM(CASE WHEN e.persons >= 5 THEN 1 ELSE 0 END),
                       SUM(CASE WHEN e.is_repeat THEN 1 ELSE 0 END)
                FROM petitions_event e WHERE e.county_id = %s AND e.date BETWEEN %s AND %s""",
    "level": """SELECT e.level, COUNT(DISTINCT e.matter_id), COUNT(*), SUM(e.persons)
                FROM petitions_event e WHERE e.county_id = %s AND e.date BETWEEN %s AND %s
                GROUP BY e.level""",
    "channel": """SELECT e.channel, COUNT(DISTINCT e.matter_id), COUNT(*), SUM(e.persons)
                  FROM petitions_event e WHERE e.county_id = %s AND e.date BETWEEN %s AND %s
                  GROUP BY e.channel""",
    "category": """SELECT COALESCE(p.name, c.name), COUNT(DISTINCT e.matter_id), COUNT(*), SUM(e.persons)
                   FROM petitions_event e JOIN petitions_matter m ON m.id = e.matter_id
                   JOIN directory_category c ON c.id = m.category_id
                   LEFT JOIN directory_category p ON p.id = c.parent_id
                   WHERE e.county_id = %s AND e.date BETWEEN %s AND %s GROUP BY COALESCE(p.name, c.name)""",
    "township": """SELECT u.name, COUNT(DISTINCT e.matter_id), COUNT(*), SUM(e.persons)
                   FROM petitions_event e JOIN petitions_matter m ON m.id = e.matter_id
                   JOIN directory_unit u ON u.id = m.origin_township_id
                   WHERE e.county_id = %s AND e.date BETWEEN %s AND %s GROUP BY u.name""",
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/bench")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from bench.environment import django_setup

    django_setup(data_dir=args.data_dir, database_url=args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from xinfang.directory.models import County
    from xinfang.petitions.models import Event
    from xinfang.stats.selectors import event_statistics

    call_command("migrate", "--no-input", "-v", "0")
    county = County.objects.get(code="410421")
    periods = {
        "one month (2026-03)": (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        "one year (2025)": (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    }

    def timed(run: Callable[[], object]) -> float:
        run()  # warm
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    def hand(start: dt.date, end: dt.date) -> None:
        with connection.cursor() as cursor:
            for sql in HAND_SQL.values():
                cursor.execute(sql, [county.pk, start, end])
                cursor.fetchall()

    def same(start: dt.date, end: dt.date) -> None:
        with connection.cursor() as cursor:
            for sql in SAME_SQL.values():
                cursor.execute(sql, [start, county.pk, start, end])
                cursor.fetchall()

    total = Event.objects.filter(county=county).count()
    print(f"\n{connection.vendor}: {total:,} events; median of {args.runs} warm runs\n")
    print(
        f"{'period':22} {'events':>9} {'xinfang stats s':>16} {'same SQL s':>11} {'ratio':>6}"
        f" {'COUNT(DISTINCT) SQL s':>22}"
    )
    for name, (start, end) in periods.items():
        figures = event_statistics(county=county, date_from=start, date_to=end)
        ours = timed(lambda: event_statistics(county=county, date_from=start, date_to=end))  # noqa: B023
        equivalent = timed(lambda: same(start, end))  # noqa: B023
        textbook = timed(lambda: hand(start, end))  # noqa: B023
        print(
            f"{name:22} {figures['events']:>9,} {ours:16.3f} {equivalent:11.3f} {ours / equivalent:6.2f}"
            f" {textbook:22.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
