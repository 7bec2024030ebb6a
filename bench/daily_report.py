"""Daily report benchmark: the scheduled `daily_report` job for a county with a million matters.

    .venv/bin/python bench/daily_report.py --data-dir var/bench                 # after bench/registry.py
    .venv/bin/python bench/daily_report.py --database-url postgresql://postgres@127.0.0.1:5432/xinfang_bench

Uses the database bench/registry.py filled. For each of the busiest days it times the whole job as the
worker runs it — the day's events and the 补报 since the previous report, recipients, every message
composed and queued in the outbox with its audit record — inside a transaction that is rolled back, so
the database is left as it was; once with the previous report sent at the same moment (the day alone),
once with it sent a week before (a week of late registrations as 补报). Target (issue 6): ≤ 2 s per run.
Then the morning's deadline warnings over every matter due or overdue on the latest day of the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/bench")
    parser.add_argument("--days", type=int, default=5, help="how many of the busiest days to time")
    args = parser.parse_args()
    from bench.environment import django_setup

    django_setup(data_dir=args.data_dir, database_url=args.database_url, XINFANG_SMS_GATEWAY="dummy")
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Count, Max

    from xinfang.directory.models import County
    from xinfang.petitions.models import Event, Matter
    from xinfang.petitions.warnings import deadline_warnings_job
    from xinfang.reports.models import DailyReport
    from xinfang.reports.services import daily_report_job

    county = County.objects.get(code="410421")
    matters = Matter.objects.filter(county=county).count()
    if matters < 1000:
        print("先运行 bench/registry.py 填充基准数据库", file=sys.stderr)
        return 2
    busiest = list(
        Event.objects.filter(county=county)
        .values("date")
        .annotate(events=Count("id"))
        .order_by("-events", "-date")[: args.days]
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    print(f"{connection.vendor}: {matters:,} matters, {Event.objects.filter(county=county).count():,} events")
    # The previous report went out at the run's own moment (the day alone), or a week before it (every
    # event of the week before is then 补报: tens of thousands of events in one run).
    scenarios = {"the day alone": dt.timedelta(0), "with a week of 补报": dt.timedelta(days=7)}
    timings: dict[str, list[float]] = {name: [] for name in scenarios}
    for row in busiest:
        day = row["date"]
        # The run sees the whole day as registered (generated registrations fall at any hour, some days
        # later): at 17:30, or at the day's last registration if later.
        last = Event.objects.filter(county=county, date=day).aggregate(last=Max("registered_at"))["last"]
        now = max(dt.datetime.combine(day, dt.time(17, 30), tzinfo=zone), last)
        for name, before in scenarios.items():
            try:
                with transaction.atomic():
                    DailyReport.objects.create(
                        county=county, date=day - dt.timedelta(days=1), cutoff=now - before
                    )
                    started = time.perf_counter()
                    result = daily_report_job(county=county, day=day, now=now)
                    elapsed = time.perf_counter() - started
                    raise Rollback
            except Rollback:
                pass
            timings[name].append(elapsed)
            print(f"  {day}  {row['events']:>5} events  {name:<18} {elapsed * 1000:6.0f} ms  {result}")
    # The morning's deadline warnings, over every matter due or overdue on the latest day of the data.
    latest = Event.objects.filter(county=county).aggregate(last=Max("date"))["last"]
    try:
        with transaction.atomic():
            started = time.perf_counter()
            result = deadline_warnings_job(
                county=county, day=latest, now=dt.datetime.combine(latest, dt.time(9), tzinfo=zone)
            )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    print(f"  {latest}  deadline_warnings  {elapsed * 1000:6.0f} ms  {result}")
    for name, values in timings.items():
        print(
            f"{name}: median {statistics.median(values) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms (target ≤ 2000 ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
