"""The monthly situation analysis (月信访形势分析, issue 18): figures equal `xinfang stats` over the same
statistical month (calendar months and the 21st-to-20th business month), 环比/同比 with zero and missing
bases, the command's JSON, the job's days and its single draft, approval into a numbered document whose
Word and PDF open, the sensitive periods and their system check."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.petitions.support import frozen, new_matter
from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, County, Leader
from xinfang.documents.models import Delivery, DocumentCopy, DocumentKind
from xinfang.lib.periods import Month
from xinfang.lib.schedule import nth_working_day_from
from xinfang.lib.workdays import WorkCalendar
from xinfang.notifications.models import SmsMessage
from xinfang.petitions.models import Level, Matter
from xinfang.petitions.services.common import EventInput
from xinfang.petitions.services.registration import event_add
from xinfang.registry import JOBS
from xinfang.reports.models import MonthlyReport
from xinfang.reports.monthly import changes, monthly_figures
from xinfang.reports.monthly_document import monthly_document
from xinfang.reports.sensitive import DEFAULT_PERIODS, sensitive_periods_between, sensitive_periods_parse
from xinfang.reports.services.monthly import (
    monthly_approve,
    monthly_draft,
    monthly_edit,
    monthly_keys,
    monthly_report_job,
)
from xinfang.stats.models import MonthlyHistory

pytestmark = pytest.mark.django_db
OCTOBER = Month(2026, 10)
ISSUE_KEYS = ["month", "totals", "previous", "last_year", "by_channel", "by_level", "by_township", "by_unit",
              "by_category", "rising_categories", "forecast", "at_risk"]  # fmt: skip
FORECAST_KEYS = {"month", "events", "low", "high", "method", "mape_12m", "baseline_mape_12m", "mape_months"}


def stats_json(date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--from", date_from.isoformat(), "--to", date_to.isoformat(), "--format", "json",
                 stdout=out)  # fmt: skip
    return json.loads(out.getvalue())


def visit(county: County, **overrides: Any) -> Matter:
    return new_matter(User.objects.get(username="bureau"), county, **{"responsible": "县人社局", **overrides})


def month_of_visits(county: County) -> None:
    """Visits on both sides of the 1st and of the 21st, over-level, collective and repeat ones."""
    first = visit(county, date=dt.date(2026, 9, 25), persons=2)
    visit(county, date=dt.date(2026, 10, 1), level=Level.PROVINCE, persons=6, township="李庄乡")
    visit(county, date=dt.date(2026, 10, 20), level=Level.CITY, responsible="周庄镇")
    visit(county, date=dt.date(2026, 10, 21), level=Level.BEIJING)
    visit(county, date=dt.date(2026, 10, 31), channel="letter", category="0101")
    visit(county, date=dt.date(2026, 9, 20))
    event_add(by=None, matter=first, event=EventInput(dt.date(2026, 10, 5), "visit", "county", 3))


@pytest.mark.parametrize("start_day", [1, 21])
def test_the_figures_equal_xinfang_stats_over_the_same_month(county, settings, start_day) -> None:
    settings.XINFANG_MONTH_START_DAY = start_day
    with frozen():
        month_of_visits(county)
        figures = monthly_figures(county=county, month=OCTOBER)
    date_from, date_to = OCTOBER.range(start_day)
    stats = stats_json(date_from, date_to)
    before = stats_json(*Month(2026, 9).range(start_day))
    assert (figures["from"], figures["to"]) == (date_from.isoformat(), date_to.isoformat())
    assert figures["totals"] == {key: stats[key] for key in ("matters", "events", "persons")}
    assert figures["previous"] == {key: before[key] for key in ("matters", "events", "persons")}
    for key in ("by_level", "by_channel", "by_category", "by_township"):
        assert figures[key] == stats[key], key
    assert list(figures)[: len(ISSUE_KEYS)] == ISSUE_KEYS
    # By hand: calendar October has 10-01, 10-05 (repeat), 10-20, 10-21, 10-31; 09-21..10-20 has 09-25,
    # 10-01, 10-05 and 10-20.
    expected = {1: {"matters": 5, "events": 5, "persons": 12}, 21: {"matters": 3, "events": 4, "persons": 12}}
    assert figures["totals"] == expected[start_day]
    assert figures["over_level_by_unit"]["周庄镇"] == 1
    assert sum(row["events"] for row in figures["by_unit"].values()) == figures["totals"]["events"]


@pytest.mark.django_db(transaction=True)
def test_the_figures_read_side_by_side_equal_those_read_in_turn(monkeypatch) -> None:
    """Outside a transaction on PostgreSQL the figures' heavy reads run in threads (core/concurrent.py),
    each on its own connection: the figures are the same as read one after another."""
    from xinfang.demo.services import demo_county_load
    from xinfang.reports import monthly

    demo_county_load()
    county = County.objects.get(code="410421")
    with frozen():
        month_of_visits(county)
        together = monthly_figures(county=county, month=OCTOBER)
        monkeypatch.setattr(monthly, "side_by_side", lambda *calls: [call() for call in calls])
        in_turn = monthly_figures(county=county, month=OCTOBER)
    assert together == in_turn and together["totals"]["events"] == 5


def test_changes_write_a_dash_for_a_zero_or_missing_base() -> None:
    assert changes(6, 4) == "+50.0%" and changes(3, 4) == "-25.0%" and changes(4, 4) == "持平"
    assert changes(3, 0) == "—"  # no percentage of nothing
    assert changes(0, 0) == "持平"
    assert changes(3, None) == "—" and changes(None, 3) == "—"  # the base is unknown


def test_last_year_is_null_without_registry_or_history_and_comes_from_the_history(county) -> None:
    with frozen():
        month_of_visits(county)
        figures = monthly_figures(county=county, month=OCTOBER)
        assert figures["last_year"] is None and figures["last_year_source"] is None
        keys = monthly_keys(county, figures)
        content = monthly_document(
            county_name="宝丰县", figures=figures, analysis="", suggestions="", number=None, year=2026,
            issued_on=dt.date(2026, 11, 2), keys=keys,
        )  # fmt: skip
        text = str(content)
        assert "同比—" in text
        labour = Category.objects.get(county=county, code="07")
        MonthlyHistory.objects.create(county=county, month="2025-10", level=Level.COUNTY, category=labour,
                                      events=8, persons=None)  # fmt: skip
        MonthlyHistory.objects.create(county=county, month="2025-10", level=Level.CITY, category=labour,
                                      events=2, persons=3)  # fmt: skip
        figures = monthly_figures(county=county, month=OCTOBER)
    assert figures["last_year"] == {"matters": None, "events": 10, "persons": None}
    assert figures["last_year_source"] == "history"
    assert figures["last_year_by"]["by_level"]["到市"] == {"matters": None, "events": 2, "persons": 3}
    assert changes(figures["totals"]["events"], figures["last_year"]["events"]) == "-50.0%"
    # The trend's year before reads the same history.
    assert figures["trend"][-1] == {"month": "2026-10", "events": 5, "last_year": 10}


def test_a_category_rising_from_nothing_is_rising_and_one_to_three_is_not(county) -> None:
    with frozen():
        for month in range(5, 10):  # known months before: one 政法 event each
            visit(county, date=dt.date(2026, month, 10), category="0101")
        for day in range(1, 7):  # six labour events in October, none before
            visit(county, date=dt.date(2026, 10, day))
        for day in range(1, 4):  # 政法: 1 → 3, below the minimum count
            visit(county, date=dt.date(2026, 10, 10 + day), category="0101")
        figures = monthly_figures(county=county, month=OCTOBER)
    rising = figures["rising_categories"]
    assert [item["name"] for item in rising] == ["劳动和社会保障"]
    assert rising[0]["events"] == 6 and rising[0]["change"] is None and rising[0]["baseline"] == 0
    suggested = figures["suggested"]
    assert any("劳动和社会保障类信访本月6批次" in line and "县人社局" in line for line in suggested)


def test_the_command_prints_exactly_the_issue_json_and_writes_the_files(county, tmp_path: Path) -> None:
    with frozen():
        month_of_visits(county)
        out, err = io.StringIO(), io.StringIO()
        call_command("report", "monthly", "--month", "2026-10", "--format", "json", "--output", str(tmp_path),
                     stdout=out, stderr=err)  # fmt: skip
    data = json.loads(out.getvalue())
    assert list(data) == ISSUE_KEYS
    assert data["month"] == "2026-10" and data["last_year"] is None
    assert set(data["forecast"]) == FORECAST_KEYS and data["forecast"]["month"] == "2026-11"
    assert data["forecast"]["mape_12m"] is None  # two known months: too short a history
    assert data["by_level"]["赴省"] == {"matters": 1, "events": 1, "persons": 6}
    assert all(set(row) == {"number", "score", "reasons"} for row in data["at_risk"]) and data["at_risk"]
    written = [Path(line) for line in err.getvalue().split()]
    assert sorted(path.suffix for path in written) == [".docx", ".pdf"]
    assert not MonthlyReport.objects.exists()  # computing saves nothing without --draft


def test_the_command_loads_the_document_libraries_in_a_thread_while_it_counts(
    county, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """python-docx, matplotlib and WeasyPrint are imported beside the counting (which waits on the
    database), not after it; without --output nothing is loaded."""
    from xinfang.reports.management.commands import report

    loaded: list[str] = []
    monkeypatch.setattr(report, "libraries_load", lambda: loaded.append(threading.current_thread().name))
    with frozen():
        call_command("report", "monthly", "--month", "2026-10", stdout=io.StringIO())
        assert loaded == []
        call_command("report", "monthly", "--month", "2026-10", "--output", str(tmp_path),
                     stdout=io.StringIO())  # fmt: skip
    for thread in threading.enumerate():
        if thread.name == "document-libraries":
            thread.join(timeout=30)
    assert loaded == ["document-libraries"]


@pytest.mark.parametrize(
    ("month", "message"),
    [("2026-13", "月份无效"), ("2026/10", "月份应写作 YYYY-MM"), ("2026-11", "2026年11月尚未结束")],
)
def test_a_bad_or_unfinished_month_is_refused_in_chinese_with_exit_2(county, month, message) -> None:
    with frozen(), pytest.raises(CommandError) as error:
        call_command("report", "monthly", "--month", month, stdout=io.StringIO())
    assert error.value.returncode == 2 and message in str(error.value)


def test_the_job_runs_the_first_working_day_after_the_month_closes() -> None:
    def days(day: int, nth: int, start: dt.date, end: dt.date) -> list[dt.date]:
        return list(nth_working_day_from(day, nth).days_between(start, end, WorkCalendar()))

    d = dt.date

    # 国庆 holiday to 10-07; closes 02-20 (春节 to 02-23) and 03-20 (a Friday; the 21st is a Saturday).
    assert days(1, 1, d(2026, 9, 2), d(2026, 11, 30)) == [d(2026, 10, 8), d(2026, 11, 2)]
    assert days(21, 1, d(2026, 2, 1), d(2026, 3, 31)) == [d(2026, 2, 24), d(2026, 3, 23)]
    assert days(1, 2, d(2026, 11, 1), d(2026, 11, 30)) == [d(2026, 11, 3)]
    assert "monthly_report" in [job.name for job in JOBS]


def test_the_job_drafts_the_closed_month_once(county) -> None:
    with frozen():
        month_of_visits(county)
        first = monthly_report_job(county=county, day=dt.date(2026, 11, 2), now=dt.datetime.now(dt.UTC))
        again = monthly_report_job(county=county, day=dt.date(2026, 11, 2), now=dt.datetime.now(dt.UTC))
    report = MonthlyReport.objects.get()
    assert report.month == "2026-10" and report.drafted_by is None
    assert (report.date_from, report.date_to) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert "已起草2026年10月" in first and "未重复" in again
    assert report.suggestions == "\n".join(report.figures["suggested"])  # drafted from the figures
    assert "2026年12月28日至2027年2月21日为春节前后欠薪高发期" in report.suggestions
    assert AuditRecord.objects.filter(action="monthly.draft").count() == 1


def test_approval_numbers_archives_freezes_and_sends_to_the_standing_committee(county, head, bureau) -> None:
    import docx
    from docx.oxml.ns import qn
    from pypdf import PdfReader

    with frozen():
        month_of_visits(county)
        report, _ = monthly_draft(county=county, month=OCTOBER, by=bureau)
        monthly_edit(report=report, by=bureau, analysis="本月越级访增多。\x00", suggestions="压实包案责任。")
        with pytest.raises(PermissionDenied):
            monthly_approve(report=report, by=bureau)
        document = monthly_approve(report=report, by=head)
        visit(county, date=dt.date(2026, 10, 29))  # late: the issue does not change
        report.refresh_from_db()
    assert (document.kind, document.year, document.number) == (DocumentKind.MONTHLY, 2026, 1)
    assert document.label == "2026年第1期月信访形势分析"
    assert report.state == MonthlyReport.State.ISSUED and report.figures["totals"]["events"] == 5
    assert document.snapshot["number"] == 1 and "\x00" not in document.snapshot["analysis"]
    copy = DocumentCopy.objects.get(document=document, key="full")
    word = docx.Document(io.BytesIO(bytes(copy.docx)))
    fonts = {run._r.rPr.rFonts.get(qn("w:eastAsia")) for para in word.paragraphs for run in para.runs}
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体"} <= fonts
    assert any("2026年第1期" in para.text for para in word.paragraphs)
    assert word.inline_shapes  # the 12-month trend chart
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(bytes(copy.pdf))).pages)
    expected = ("月信访形势分析", "2026年第1期", "本月越级访增多", "压实包案责任", "舆情预判", "下一步工作")
    for words in expected:
        assert words in text, words
    leaders = Leader.objects.filter(county=county, is_active=True)
    committee = set(leaders.filter(is_standing_committee=True).values_list("pk", flat=True))
    main = set(leaders.filter(post_kind__in=Leader.MAIN_POSTS).values_list("pk", flat=True))
    delivered = set(document.deliveries.values_list("leader_id", flat=True))
    assert delivered == committee | main and committee - main
    signing = document.deliveries.filter(purpose=Delivery.Purpose.SIGN).values_list("leader_id", flat=True)
    assert set(signing) == main
    notices = SmsMessage.objects.filter(topic=f"document:{document.pk}")
    assert notices.exists() and all("2026年第1期月信访形势分析已报送" in sms.body for sms in notices)
    with pytest.raises(ValidationError):
        monthly_edit(report=report, by=bureau, analysis="改", suggestions="")


def test_the_sensitive_periods_ahead_include_the_wage_season_before_the_spring_festival() -> None:
    periods = sensitive_periods_parse(DEFAULT_PERIODS)
    ahead = sensitive_periods_between(periods, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    # 2027-02-06 is 正月初一: the wage season from 40 days before starts 2026-12-28.
    assert ahead == [
        {"name": "年底", "from": "2026-12-01", "to": "2026-12-31"},
        {"name": "春节前后欠薪高发期", "from": "2026-12-28", "to": "2027-02-21"},
    ]
    march = sensitive_periods_between(periods, dt.date(2027, 2, 21), dt.date(2027, 4, 20))
    assert [item["name"] for item in march] == ["春节前后欠薪高发期", "全国两会"]
    wrapping = sensitive_periods_parse("跨年=12-20..01-10")
    assert sensitive_periods_between(wrapping, dt.date(2027, 1, 5), dt.date(2027, 1, 6)) == [
        {"name": "跨年", "from": "2026-12-20", "to": "2027-01-10"}
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("XINFANG_SENSITIVE_PERIODS", "国庆=10-01~10-07", "应写作 名称=起..止"),
     ("XINFANG_SENSITIVE_PERIODS", "两会=02-30..03-15", "日期无效"),
     ("XINFANG_MONTHLY_REPORT_DAY", 0, "XINFANG_MONTHLY_REPORT_DAY 应为 1 到 10"),
     ("XINFANG_MONTHLY_AT_RISK", 500, "XINFANG_MONTHLY_AT_RISK 应为 1 到 100")],
)  # fmt: skip
def test_bad_monthly_settings_are_refused_at_start_up_in_chinese(settings, name, value, message) -> None:
    setattr(settings, name, value)
    errors = [error for error in run_checks() if error.id == "xinfang.E018"]
    assert errors and message in errors[0].msg


def test_a_leader_reported_by_an_at_risk_matter_gets_a_copy_without_it(county, head, bureau, persona) -> None:
    secretary = persona("secretary")
    with frozen():
        month_of_visits(county)
        reporting = visit(county, date=dt.date(2026, 10, 29), level=Level.BEIJING)
        reporting.reported_accounts.add(secretary)
        report, _ = monthly_draft(county=county, month=OCTOBER, by=bureau)
        document = monthly_approve(report=report, by=head)
    assert reporting.number in [row["number"] for row in document.snapshot["at_risk"]]
    delivery = Delivery.objects.get(document=document, leader=secretary.leader)
    assert delivery.copy.omitted == [reporting.number]
    assert reporting.number not in delivery.copy.html
    assert reporting.number in DocumentCopy.objects.get(document=document, key="full").html
