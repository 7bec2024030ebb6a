"""KPI benchmark (issue 18: `xinfang kpi` for a year ≤ 1 s at a million matters): `kpis` for a month and a
year and `kpis_by_unit` for a month, read from the roll-up, next to the recount they equal; optionally the
full rebuild.

    .venv/bin/python bench/kpi.py --database-url postgresql://postgres@127.0.0.1:5432/xinfang_h6
    .venv/bin/python bench/kpi.py --data-dir var/bench --rebuild                      # SQLite

Uses a database bench/registry.py filled (run that first; a database filled before the roll-up existed
gets its facts there, or with --rebuild here). Each figure is timed warm, in-process; the script prints the
median and the maximum of --runs, and checks the roll-up's figures against the recount's.
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


def timed(what: str, run: Callable[[], object], runs: int) -> object:
    result: object = None
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    print(f"{what:<40} median {statistics.median(seconds):7.3f} s   max {max(seconds):7.3f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="time `xinfang kpi rebuild` first")
    parser.add_argument("--year-from", default="2025-12-01", help="the year's first day")
    args = parser.parse_args()
    from bench.environment import django_setup

    django_setup(data_dir=args.data_dir, database_url=args.database_url)
    from xinfang.directory.models import County
    from xinfang.petitions.models import Matter
    from xinfang.stats.kpi import kpis, kpis_by_unit, kpis_recount
    from xinfang.stats.kpi_facts import facts_rebuild
    from xinfang.stats.models import KpiFact, KpiPending

    county = County.objects.get(code="410421")
    print(f"{Matter.objects.filter(county=county).count()} matters, {KpiPending.objects.count()} pending")
    if args.rebuild:
        started = time.perf_counter()
        written = facts_rebuild(county)
        print(
            f"{'rebuild (every matter of the county)':<40} {time.perf_counter() - started:7.1f} s",
            f"{written} facts",
        )
    print(f"{KpiFact.objects.filter(county=county).count()} facts")
    year_from = dt.date.fromisoformat(args.year_from)
    year = (year_from, year_from.replace(year=year_from.year + 1) - dt.timedelta(days=1))
    month = (year[1].replace(day=1), year[1])
    failures = 0
    for name, (date_from, date_to) in (("a month", month), ("a year", year)):

        def read(date_from: dt.date = date_from, date_to: dt.date = date_to) -> object:
            return kpis(county=county, date_from=date_from, date_to=date_to)

        def recount(date_from: dt.date = date_from, date_to: dt.date = date_to) -> object:
            return kpis_recount(county=county, date_from=date_from, date_to=date_to)

        if timed(f"kpis, {name} ({date_from}–{date_to})", read, args.runs) != timed(
            f"kpis_recount, {name}", recount, 1
        ):
            failures += 1
            print(f"  ✗ {name}: the roll-up and the recount differ")
    timed(
        f"kpis_by_unit, a month ({month[0]}–{month[1]})",
        lambda: kpis_by_unit(county=county, date_from=month[0], date_to=month[1]),
        args.runs,
    )
    timed(
        "kpis_by_unit, a year",
        lambda: kpis_by_unit(county=county, date_from=year[0], date_to=year[1]),
        args.runs,
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
