"""Reception schedule benchmark (issue 17): a month's schedules for 150 counties.

    .venv/bin/python bench/reception.py --data-dir var/bench-reception            # 150 counties, 2026-12
    .venv/bin/python bench/reception.py --data-dir var/bench-reception --counties 20 --month 2026-10
    .venv/bin/python bench/reception.py --data-dir var/bench-reception --directories 20   # quicker to fill

Fills its own database the first time: the demo county's directory and simulated counties (the demo's
directory under other codes, at most 98 of them), then times `schedule_generate` — the directory and the
calendar read, the month planned, its slots written and audited — once per county, each in a transaction
rolled back; beyond the 99 counties the database holds it goes round them again (the same work). Prints the
total and p50/p95/max per county. Target (issue 17): 150 counties ≤ 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET = 5.0  # seconds, the whole month for 150 counties


class Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description="领导接访排班基准：按月为多个县生成接访排班")
    parser.add_argument("--data-dir", default="var/bench-reception")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--counties", type=int, default=150)
    parser.add_argument("--month", default="2026-12")
    parser.add_argument("--directories", type=int, default=99, help="县名录数（演示县和模拟县，至多99）")
    args = parser.parse_args()

    from bench.environment import django_setup

    django_setup(data_dir=args.data_dir, database_url=args.database_url)
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from xinfang.demo.services import demo_county_load, simulated_county_load
    from xinfang.directory.models import County
    from xinfang.reception.planning import parse_month
    from xinfang.reception.services import schedule_generate

    call_command("migrate", verbosity=0)
    demo_county_load()
    wanted = min(args.counties, args.directories, 99)
    for index in range(2, wanted + 1):
        simulated_county_load(index)
    counties = list(County.objects.order_by("code"))[:wanted]
    month = parse_month(args.month)
    times, slots = [], 0
    started = time.perf_counter()
    for number in range(args.counties):
        county = counties[number % len(counties)]
        begin = time.perf_counter()
        try:
            with transaction.atomic():
                schedule, _ = schedule_generate(county=county, month=month, by=None, now=timezone.now())
                slots += schedule.slots.count()
                raise Rollback
        except Rollback:
            pass
        times.append(time.perf_counter() - begin)
    total = time.perf_counter() - started
    times.sort()
    print(
        f"{args.month}：{args.counties} 个县的接访排班（{len(counties)} 个县的名录轮流），共 {slots:,} 条安排"
    )
    print(f"  合计 {total:.2f} s（目标 ≤ {TARGET:.0f} s）")
    p50, p95 = statistics.median(times) * 1000, times[int(len(times) * 0.95) - 1] * 1000
    print(f"  每县 p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {times[-1] * 1000:.1f} ms")
    return 0 if total <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
