"""Competition benchmark (issue 19: "a quarter's tables for a county with 1,000,000 matters ≤ 2 s"): the
township and department tables of a quarter as they stand (`competition_compute`: the quarter's events read
through the statistics' counting rules, charged by the engine, every charge kept for its unit's breakdown),
and the year's village ratings with their petition-star vetoes (`ratings_compute`).

Then what the pages cost now that a quarter's tables are stored (docs/competition.md, "Stored tables"):
storing them (the draft, an addition, a veto, an appeal decision, 重新计算 and publication each do), split
into the computation and the write of every unit's charges; and, through Django's test client in the
process, the board (`/competition/?quarter=…`, as the bureau) and the breakdown page of the township and
of the department with the most charges (as the bureau: every charge's matter visible), each --runs times
after a warm-up, p95 against the pages' target of 300 ms. All of it in one transaction rolled back at the
end: a quarter without a record gets one for the measurement only, and nothing stored changes.

    .venv/bin/python bench/competition.py --data-dir var/bench-pg \\
        --database-url postgresql://postgres@127.0.0.1:5432/xinfang_bench --quarter 2026Q3
    .venv/bin/python bench/competition.py --data-dir var/bench --quarter 2026Q3          # SQLite

Last, the village ratings of the year before the quarter's (or --village-year) published as the bureau
head publishes them, timed, with the pages and the export that read the published year; rolled back too.

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
PAGE_TARGET_SECONDS = 0.3


def timed(what: str, run: Callable[[], Any], runs: int) -> tuple[Any, float, float]:
    """The last result, the median and the p95 in seconds."""
    result: Any = None
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{what:<44} median {median:6.3f} s   p95 {p95:6.3f} s   max {max(seconds):6.3f} s")
    return result, median, p95


class Rollback(Exception):
    """Leaves the measurement's transaction without keeping anything."""


def stored_pages(county: Any, quarter: Any, runs: int) -> None:
    """Store the quarter's tables (timed: computation, then the write), then time the pages that read them."""
    import datetime as dt

    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from xinfang.accounts.models import User
    from xinfang.core.bulk import rows_replace
    from xinfang.scoring.models import CompetitionCharges, CompetitionQuarter
    from xinfang.scoring.selectors import competition_compute, competition_split

    try:
        with transaction.atomic():
            record, _ = CompetitionQuarter.objects.get_or_create(
                county=county, quarter=quarter.code,
                defaults={"drafted_at": timezone.now(), "appeal_until": quarter.last + dt.timedelta(days=10)},
            )  # fmt: skip
            figures, _, _ = timed(
                "store: compute the tables (compact charges)",
                lambda: competition_compute(county, quarter, compact=True),
                runs,
            )
            charges = competition_split(figures)

            def write() -> None:
                with transaction.atomic():  # as in the service: replace the rows, save the tables
                    rows_replace(
                        CompetitionCharges, {"competition_id": record.pk},
                        [{"unit_id": unit, "charges": rows} for unit, rows in charges.items()],
                    )  # fmt: skip
                    record.figures, record.computed_at = figures, timezone.now()
                    record.save(update_fields=["figures", "computed_at"])

            if record.is_published:
                print("  (published: its frozen rows are read as they are, the write is not timed)")
            else:
                timed(f"store: write {sum(map(len, charges.values())):,} charges", write, runs)
            client = Client(SERVER_NAME="localhost")
            client.force_login(User.objects.get(username="bureau"))
            board = f"/competition/?quarter={quarter.code}"
            pages = [("board (bureau)", board)]
            for key, label in (("townships", "township"), ("departments", "department")):
                rows = [row for row in record.figures[key] if row["unit_id"] in charges]
                if rows:
                    unit = max(rows, key=lambda row: len(charges[row["unit_id"]]))
                    count = len(charges[unit["unit_id"]])
                    path = f"/competition/{quarter.code}/units/{unit['unit_id']}/"
                    pages.append((f"unit page, {label} ({count:,} charges)", path))
            for name, path in pages:

                def get(path: str = path) -> None:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)

                get()  # warm-up
                _, _, p95 = timed(name, get, runs)
                verdict = "met" if p95 <= PAGE_TARGET_SECONDS else "NOT met"
                print(f"  p95 target ≤ {PAGE_TARGET_SECONDS} s: {verdict}")
            raise Rollback
    except Rollback:
        pass


def published_year(county: Any, year: int, runs: int) -> None:
    """Publish the year's village ratings as the bureau head does (timed once: the vetoes computed from the
    events and stored, the list frozen, the document issued as Word and PDF), then time the pages that read
    the published year through Django's test client: the bureau's county-wide list, a township's own list,
    the page of the village with the most vetoing events, and the export with every event. Rolled back."""
    import json

    from django.db import transaction
    from django.test import Client

    from xinfang.accounts.models import User
    from xinfang.scoring.models import VillageVetoCharges
    from xinfang.scoring.village_services import ratings_publish

    try:
        with transaction.atomic():
            head = User.objects.get(username="bureau_head")
            started = time.perf_counter()
            record = ratings_publish(county=county, year=year, by=head, reason="基准测试：未匹配的村照常公布")
            seconds = time.perf_counter() - started
            copy = record.document.copies.get(key="full") if record.document else None
            events = sum(row.get("veto_count", 0) for row in record.figures["villages"])
            print(
                f"publish {year}'s village ratings{'':<15} {seconds:6.3f} s   "
                f"{len(record.figures['villages']):,} villages, "
                f"{record.figures['totals']['vetoed']:,} vetoed "
                f"by {events:,} events; frozen list {len(json.dumps(record.figures)) / 1e6:.1f} MB"
                + (f", Word {len(copy.docx) / 1e6:.1f} MB, PDF {len(copy.pdf) / 1e6:.1f} MB" if copy else "")
            )
            most = max(
                VillageVetoCharges.objects.filter(vetoes__county=county, vetoes__year=year).values_list(
                    "village_id", "charges"
                ),
                key=lambda row: len(row[1]),
            )
            township = next(row for row in record.figures["villages"] if row["village_id"] == most[0])
            pages = [
                ("bureau", f"list, county-wide ({year}, published)",
                 f"/competition/villages/?year={year}&township=all"),
                ("zhouzhuang", "list, a township's own", f"/competition/villages/?year={year}"),
                ("leader", f"village page ({len(most[1]):,} vetoing events)",
                 f"/competition/villages/{most[0]}/?year={year}"),
                ("bureau", f"export, every one of {events:,} events (a download)",
                 f"/competition/villages/{year}/export.xlsx"),
            ]  # fmt: skip
            print(f"  (the village page is {township['township']}{township['village']}'s)")
            clients: dict[str, Client] = {}
            for username, name, path in pages:
                if username not in clients:
                    clients[username] = Client(SERVER_NAME="localhost")
                    clients[username].force_login(User.objects.get(username=username))

                def get(client: Client = clients[username], path: str = path) -> None:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)

                get()  # warm-up
                _, _, p95 = timed(f"{name} ({username})", get, runs)
                if not path.endswith(".xlsx"):  # a page; the export is a file of every event
                    verdict = "met" if p95 <= PAGE_TARGET_SECONDS else "NOT met"
                    print(f"  p95 target ≤ {PAGE_TARGET_SECONDS} s: {verdict}")
            raise Rollback
    except Rollback:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quarter", default="2026Q3", help="the quarter, e.g. 2026Q3")
    parser.add_argument(
        "--village-year",
        type=int,
        default=0,
        help="the year published for the villages' pages (the one before)",
    )
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
    tables, median, _ = timed(
        f"quarter's tables ({quarter.code})",
        lambda: competition_compute(county=county, quarter=quarter),
        args.runs,
    )
    charged = sum(len(row["charges"]) for key in ("townships", "departments") for row in tables[key])
    verdict = "met" if median <= TARGET_SECONDS else "NOT met"
    print(f"  {charged:,} charged events; target ≤ {TARGET_SECONDS:.0f} s: {verdict}")
    ratings, _, _ = timed(
        f"village ratings ({quarter.year})",
        lambda: ratings_compute(county=county, year=quarter.year),
        args.runs,
    )
    print(f"  {len(ratings['villages']):,} villages")
    stored_pages(county, quarter, args.runs)
    published_year(county, args.village_year or quarter.year - 1, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
