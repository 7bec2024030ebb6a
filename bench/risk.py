"""Escalation risk measured on history (issue 18): the top 20 of each past month against a random 20.

    .venv/bin/python bench/risk.py --data-dir var/prof --months 12 --seed 18          # SQLite
    .venv/bin/python bench/risk.py --database-url postgresql://postgres@127.0.0.1:5432/DB --months 12

For each of the last --months calendar months (before the current one, or before --until), every open
matter is ranked at the month's first day with what was known then (`xinfang.stats.risk.risk_backtest`);
the table shows how many of the top 20 had a 赴省/进京 event during the month, and separately a 到市-or-above
one, against 20 open matters drawn at random with the fixed seed and against the expected hits of a random
20 (20 × the month's base rate, exact). The lift is the top 20's hits over that expectation. It also times
the ranking of the county at the last month's start and today. Reads only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/prof")
    parser.add_argument("--county", default="")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--until", default="", help="YYYY-MM-DD: the months before this day's month")
    parser.add_argument("--weights", default=None, help="XINFANG_RISK_WEIGHTS for this run (a variant)")
    args = parser.parse_args()
    from bench.environment import django_setup

    variant = {} if args.weights is None else {"XINFANG_RISK_WEIGHTS": args.weights}
    django_setup(data_dir=args.data_dir, database_url=args.database_url, **variant)
    from django.utils import timezone

    from xinfang.directory.selectors import county_by_code_or_only
    from xinfang.stats.risk import risk_backtest, risk_ranking

    county = county_by_code_or_only(args.county)
    if county is None:
        print("找不到县：请用 --county 指定县代码", file=sys.stderr)
        return 2
    try:
        until = dt.date.fromisoformat(args.until) if args.until else timezone.localdate()
    except ValueError:
        print(f"日期格式应为 YYYY-MM-DD：{args.until}", file=sys.stderr)
        return 2
    if args.months < 1:
        print("--months 应为正整数", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = risk_backtest(county=county, months=args.months, seed=args.seed, until=until)
    elapsed = time.perf_counter() - started
    from xinfang.stats.risk import risk_weights

    print(f"weights: {', '.join(f'{name}={value:g}' for name, value in risk_weights().items())}")
    print(f"county {county.code}, {args.months} months before {until:%Y-%m}, seed {args.seed}")
    print()
    head = (
        f"{'month':<8} {'open':>6} | {'赴省/进京: all':>12} {'top20':>6} {'rand20':>6} {'E[rand]':>7} |"
        f" {'到市+: all':>10} {'top20':>6} {'rand20':>6} {'E[rand]':>7}"
    )
    print(head)
    print("-" * len(head))
    for month in result.months:
        print(
            f"{month.month:<8} {month.open:>6} | {month.base_high:>14} {month.top_high:>6} "
            f"{month.random_high:>6} {month.expected_high:>7.2f} | {month.base_over:>12} {month.top_over:>6} "
            f"{month.random_over:>6} {month.expected_over:>7.2f}"
        )
    print("-" * len(head))
    print(
        f"{'total':<8} {int(result.total('open')):>6} | {int(result.total('base_high')):>14} "
        f"{int(result.total('top_high')):>6} {int(result.total('random_high')):>6} "
        f"{result.total('expected_high'):>7.2f} | {int(result.total('base_over')):>12} "
        f"{int(result.total('top_over')):>6} {int(result.total('random_over')):>6} "
        f"{result.total('expected_over'):>7.2f}"
    )
    for kind, label in (("high", "赴省/进京"), ("over", "到市及以上")):
        lift = result.lift(kind)
        shown = f"{lift:.2f}" if lift is not None else "—"
        print(f"lift ({label}): top 20 hits / expected hits of a random 20 = {shown}")
    print(f"back-test time: {elapsed:.2f} s ({args.months} rankings)")
    for label, day in (("ranking at the last month's start", result.months[-1].month + "-01"), ("today", "")):
        as_of = dt.date.fromisoformat(day) if day else timezone.localdate()
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            risk_ranking(county=county, as_of=as_of)
            runs.append(time.perf_counter() - started)
        print(f"{label} ({as_of}): best of 3 {min(runs) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
