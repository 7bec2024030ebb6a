"""Weekly analysis and progress summary benchmark (issue 15) at a million matters.

    .venv/bin/python bench/weekly.py --data-dir var/bench          # after bench/registry.py or pages.py
    .venv/bin/python bench/weekly.py --database-url postgresql://postgres@127.0.0.1:5432/xinfang_bench

Uses the database bench/registry.py fills. For the busiest weeks of the data it times, inside a
transaction that is rolled back (the database is left as it was):
- the Monday job's draft: the week's figures, 环比 with the week before, by unit, the key matters, saved;
- the draft's documents: Word and PDF of the draft as the page and `--output` build them;
- the bureau head's approval: the week counted again and frozen, numbered, every copy archived as page,
  Word and PDF with SHA-256, delivered to the leaders with their SMS notice.
Target (issue 15): drafting the issue and its documents ≤ 3 s (the median; the libraries loaded once first,
as in the long-lived worker and web server).
Then the 10-day progress summary with 1,000 open supervision items (created in the same rolled-back
transaction, a third of them with a progress report): the figures alone, and the issued summary (archived
as page, Word and PDF and sent). Target: ≤ 2 s for the summary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Rollback(Exception):
    pass


def timed(runs: int, work: Callable[[], object]) -> list[float]:
    from django.db import transaction

    seconds = []
    for _ in range(runs):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                work()
                seconds.append(time.perf_counter() - started)
                raise Rollback
        except Rollback:
            pass
    return seconds


def line(label: str, seconds: list[float]) -> str:
    return (
        f"  {label:<34} median {statistics.median(seconds):6.2f} s   max {max(seconds):6.2f} s   "
        f"({len(seconds)} runs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/bench")
    parser.add_argument("--weeks", type=int, default=3, help="how many of the busiest weeks to time")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--items", type=int, default=1000, help="open supervision items of the summary")
    args = parser.parse_args()
    from bench.environment import django_setup

    django_setup(data_dir=args.data_dir, database_url=args.database_url, XINFANG_SMS_GATEWAY="dummy")
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncWeek

    from xinfang.accounts.models import User
    from xinfang.core.documents import document_docx, document_pdf
    from xinfang.directory.models import County, Leader, Unit
    from xinfang.petitions.models import Event, Matter
    from xinfang.reports.services.weekly import weekly_approve, weekly_draft, weekly_render
    from xinfang.reports.weekly import week_of
    from xinfang.supervision.models import SupervisionItem
    from xinfang.supervision.services import item_create, progress_report
    from xinfang.supervision.summary import progress_summary
    from xinfang.supervision.summary_issue import progress_summary_issue

    county = County.objects.get(code="410421")
    matters = Matter.objects.filter(county=county).count()
    if matters < 1000:
        print("先运行 bench/registry.py 填充基准数据库", file=sys.stderr)
        return 2
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    busiest = (
        Event.objects.filter(county=county)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(events=Count("pk"))
        .order_by("-events")[: args.weeks]
    )
    print(f"{connection.vendor}: {matters:,} matters, {Event.objects.filter(county=county).count():,} events")
    totals: list[float] = []
    for row in busiest:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        date_from, date_to = week_of(week)
        print(f"week {date_from} – {date_to}: {row['events']:,} events")
        week = {"county": county, "date_from": date_from, "date_to": date_to, "by": bureau}

        def draft_and_documents(week: dict[str, Any] = week) -> None:
            report, _ = weekly_draft(**week)
            content = weekly_render(report)
            document_docx(content)
            document_pdf(content)

        def approve(week: dict[str, Any] = week) -> None:
            report, _ = weekly_draft(**week)
            weekly_approve(report=report, by=head)

        if (
            not totals
        ):  # the worker and the web server are long-lived: matplotlib, fonts and WeasyPrint load once
            timed(1, draft_and_documents)
        draft = timed(args.runs, partial(weekly_draft, **week))
        both = timed(args.runs, draft_and_documents)
        issued = timed(args.runs, approve)
        totals += both
        print(line("draft (figures, saved)", draft))
        print(line("draft + Word + PDF", both))
        print(line("draft + approval (archive, send)", issued))

    leaders = Leader.objects.filter(county=county, is_active=True).exclude(post_kind__in=Leader.MAIN_POSTS)
    leader = leaders.order_by("protocol_order", "id")[0]
    secretary = Leader.objects.get(county=county, post_kind=Leader.PostKind.SECRETARY)
    units = list(Unit.objects.filter(county=county, is_active=True)[:2])
    day = dt.date.today()

    def items() -> None:
        for index in range(args.items):
            item = item_create(
                county=county, source_kind=SupervisionItem.SourceKind.WEEKLY, source_id=index,
                source_title="2026年第40期每周访情分析", source_url="/reports/weekly/1/", matter=None,
                instruction=f"请牵头化解第{index}件重点事项，按期报送办理结果。", instructed_by=secretary,
                instructed_at=day, leader=leader, units=units, deadline=day + dt.timedelta(days=index % 20),
                recorded_by=bureau,
            )  # fmt: skip
            if index % 3 == 0:
                progress_report(item=item, user=bureau, date=day, text="已约谈信访人，正在核实。")

    summary: list[float] = []
    issue: list[float] = []
    try:
        from django.db import transaction

        with transaction.atomic():
            started = time.perf_counter()
            items()
            print(f"{args.items:,} supervision items created in {time.perf_counter() - started:.1f} s")
            for _ in range(args.runs):
                started = time.perf_counter()
                progress_summary(county=county, day=day)
                summary.append(time.perf_counter() - started)
            for _ in range(args.runs):
                with transaction.atomic():
                    started = time.perf_counter()
                    progress_summary_issue(county=county, day=day, by=head)
                    issue.append(time.perf_counter() - started)
                    transaction.set_rollback(True)
            raise Rollback
    except Rollback:
        pass
    print(line(f"progress summary, {args.items} items", summary))
    print(line("issued summary (page, Word, PDF)", issue))
    ok = statistics.median(totals) <= 3.0 and statistics.median(summary) <= 2.0
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
