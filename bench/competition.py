"""Competition benchmark (issue 19: "a quarter's tables for a county with 1,000,000 matters ≤ 2 s"): the
township and department tables of a quarter as they stand (`competition_compute`: the quarter's events read
through the statistics' counting rules, charged by the engine, every charge kept for its unit's breakdown),
and the year's village ratings with their petition-star vetoes (`ratings_compute`).

    .venv/bin/python bench/competition.py --data-dir var/bench-pg \\
        --database-url postgresql://postgres@127.0.0.1:5432/xinfang_bench --quarter 2026Q3
    .venv/bin/python bench/competition.py --data-dir var/bench --quarter 2026Q3          # SQLite

Uses a database bench/registry.py filled. Each figure is timed warm, in-process, --runs times; the script
prints the median and the maximum, and how many events were charged.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_SECONDS = 2.0


def timed(what: str, run: Callable[[], Any], runs: int) -> tuple[Any, float]:
    result: Any = None
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    print(f"{what:<44} median {median:6.3f} s   max {max(seconds):6.3f} s")
    return result, median


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quarter", default="2026Q3", help="the quarter, e.g. 2026Q3")
    args = parser.parse_args()
    from bench.environment import django_setup

    django_setup(data_dir=args.data_dir, database_url=args.database_url)
    from xinfang.directory.models import County
    from xinfang.lib.periods import quarter_parse
    from xinfang.petitions.models import Matter
    from xinfang.scoring.selectors import competition_compute
    from xinfang.scoring.village_selectors import ratings_compute

    try:
        quarter = quarter_parse(args.quarter)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    county = County.objects.get(code="410421")
    print(f"{Matter.objects.filter(county=county).count():,} matters; {quarter.label}")
    tables, median = timed(
        f"quarter's tables ({quarter.code})",
        lambda: competition_compute(county=county, quarter=quarter),
        args.runs,
    )
    charged = sum(len(row["charges"]) for key in ("townships", "departments") for row in tables[key])
    verdict = "met" if median <= TARGET_SECONDS else "NOT met"
    print(f"  {charged:,} charged events; target ≤ {TARGET_SECONDS:.0f} s: {verdict}")
    ratings, _ = timed(
        f"village ratings ({quarter.year})",
        lambda: ratings_compute(county=county, year=quarter.year),
        args.runs,
    )
    print(f"  {len(ratings['villages']):,} villages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
