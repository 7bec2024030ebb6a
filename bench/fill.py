"""The million-matter database the registry benchmarks share: migrated, the demo county with every
role's demo account, and generated matters up to the size asked for. Filled once, reused by later runs
(the generator is deterministic, so a database filled by one bench serves the others)."""

from __future__ import annotations

import datetime as dt
import sys
import time

HISTORY_DAYS = 730  # the generator's default period: two years


def registry_fill(*, matters: int) -> None:
    """Migrate, load the demo county and its accounts, and generate matters until the county has at
    least `matters`; then refresh the planner's statistics. Call after `bench.environment.django_setup`."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from xinfang.demo.generator import generate_matters, progress_bar
    from xinfang.demo.services import demo_county_load
    from xinfang.directory.models import County
    from xinfang.lib.keys import create_key_file
    from xinfang.petitions.models import Matter

    create_key_file(settings.XINFANG_FIELD_KEY_FILE)
    call_command("migrate", "--no-input", "-v", "0")
    call_command("createcachetable")
    demo_county_load()
    county = County.objects.get(code="410421")
    have = Matter.objects.filter(county=county).count()
    if have >= matters:
        return
    print(f"generating {matters - have:,} matters ({connection.vendor})…", file=sys.stderr)
    started = time.monotonic()
    generate_matters(county=county, matters=matters - have, seed=have + 1, progress=progress_bar)
    print(f"generated in {time.monotonic() - started:.0f} s", file=sys.stderr)
    planner_statistics_refresh()


def recent_days_fill(*, matters: int, days: int = 7) -> int:
    """Give each of the last `days` days (today included) the new matters a day of a county of `matters`
    matters has (its two years' average), unless it has half of them already: the generated history ends
    a few days before it is generated, and the home pages count today and this week. Each day is seeded
    by its date. Returns how many matters were added."""
    from django.utils import timezone

    from xinfang.demo.generator import day_seed, generate_matters
    from xinfang.directory.models import County
    from xinfang.petitions.models import Event

    county = County.objects.get(code="410421")
    daily = max(1, matters // HISTORY_DAYS)
    today = timezone.localdate()
    added = 0
    for back in range(days - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        if Event.objects.filter(county=county, date=day).count() >= daily // 2:
            continue
        generate_matters(county=county, matters=daily, seed=day_seed(day), start=day, end=day)
        added += daily
    if added:
        planner_statistics_refresh()
    return added


def planner_statistics_refresh() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As a settled database is: the visibility map set (index-only scans stay index-only), statistics.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
