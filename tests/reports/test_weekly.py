"""The weekly analysis (每周访情分析, issue 15): figures equal `xinfang stats` over the same dates, the week's
boundaries (the Spring Festival and New Year), key matters, the draft job run twice, gapless numbering
under two approvals, the frozen snapshot, deliveries with the Art. 46 copy, read receipts and sign-off."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from tests.petitions.support import frozen, new_matter
from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import County, Leader
from xinfang.documents.models import Delivery, DocumentCopy, IssuedDocument
from xinfang.documents.selectors import document_get_for_user
from xinfang.documents.services import delivery_read, delivery_sign
from xinfang.lib.schedule import first_working_day_of_week
from xinfang.lib.workdays import WorkCalendar
from xinfang.notifications.models import SmsMessage
from xinfang.petitions.models import Level, Matter
from xinfang.petitions.services.common import EventInput
from xinfang.petitions.services.registration import event_add
from xinfang.registry import JOBS
from xinfang.reports.models import WeeklyReport
from xinfang.reports.services.weekly import weekly_approve, weekly_draft, weekly_edit, weekly_report_job
from xinfang.reports.weekly import previous_week, week_of, weekly_figures
from xinfang.stats.selectors import event_statistics

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 2)


def stats_json(county, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    out = io.StringIO()
    call_command("stats", "--from", date_from.isoformat(), "--to", date_to.isoformat(), "--format", "json",
                 stdout=out)  # fmt: skip
    return json.loads(out.getvalue())


def visit(county, **overrides) -> Matter:
    return new_matter(User.objects.get(username="bureau"), county, responsible="县人社局", **overrides)


def week_of_visits(county) -> None:
    """The week of 2026-10-26 to 11-01 and the week before, with repeat, collective and over-level visits."""
    first = visit(county, date=dt.date(2026, 10, 20), persons=2)
    visit(county, date=dt.date(2026, 10, 27), level=Level.PROVINCE, persons=6, township="李庄乡")
    visit(county, date=dt.date(2026, 10, 30), level=Level.CITY)
    visit(county, date=dt.date(2026, 11, 1), level=Level.BEIJING, persons=1)
    visit(county, date=dt.date(2026, 10, 19))
    # a repeat visit of the first matter inside the week
    event_add(by=None, matter=first, event=EventInput(dt.date(2026, 10, 28), "visit", "county", 3))


def test_week_of_starts_monday_by_default_and_the_setting_moves_it(settings) -> None:
    assert week_of(dt.date(2026, 11, 4)) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    assert previous_week(MONDAY) == (dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    settings.XINFANG_WEEK_STARTS = 7  # Sunday to Saturday
    assert week_of(dt.date(2026, 11, 4)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 7))


def test_the_spring_festival_and_new_year_weeks_are_whole_weeks() -> None:
    # 2027-01-01 is a Friday: its week runs from Monday 2026-12-28 to Sunday 2027-01-03, across the year.
    assert week_of(dt.date(2027, 1, 1)) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    # The 2026 Spring Festival holiday (02-15 to 02-23) spans two weeks; each is seven days.
    assert week_of(dt.date(2026, 2, 18)) == (dt.date(2026, 2, 16), dt.date(2026, 2, 22))
    assert week_of(dt.date(2026, 2, 23)) == (dt.date(2026, 2, 23), dt.date(2026, 3, 1))


def test_the_job_runs_on_the_first_working_day_of_each_week() -> None:
    rule = first_working_day_of_week()
    days = list(rule.days_between(dt.date(2026, 2, 9), dt.date(2026, 3, 8), WorkCalendar()))
    # 02-09 Mon; 02-14 is a working Saturday but not the week's first working day; the week of 02-16 is
    # all holiday (no run); 02-23 is a holiday Monday, so that week's run is Tuesday 02-24; then 03-02.
    assert days == [dt.date(2026, 2, 9), dt.date(2026, 2, 24), dt.date(2026, 3, 2)]
    assert "weekly_report" in [job.name for job in JOBS]


def test_weekly_figures_equal_xinfang_stats_over_the_same_dates(county) -> None:
    with frozen():
        week_of_visits(county)
        figures = weekly_figures(county=county, date_from=dt.date(2026, 10, 26), date_to=dt.date(2026, 11, 1))
    stats = stats_json(county, dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    before = stats_json(county, dt.date(2026, 10, 19), dt.date(2026, 10, 25))
    assert figures["totals"] == {key: stats[key] for key in ("matters", "events", "persons")}
    assert figures["previous"] == {key: before[key] for key in ("matters", "events", "persons")}
    for key in ("by_level", "by_channel", "by_category", "by_township", "collective_events", "repeat_events"):
        assert figures[key] == stats[key], key
    assert figures["totals"] == {"matters": 4, "events": 4, "persons": 11}
    assert figures["collective_events"] == 1 and figures["repeat_events"] == 1
    assert figures["over_level_events"] == 3
    assert figures["by_unit"] == {"县人社局": {"matters": 4, "events": 4, "persons": 11}}
    assert figures["number"] is None and figures["county"] == county.code


def test_key_matters_are_over_level_collective_threats_and_overdue_the_most_serious_first(county) -> None:
    with frozen():
        week_of_visits(county)
        figures = weekly_figures(county=county, date_from=dt.date(2026, 10, 26), date_to=dt.date(2026, 11, 1))
    keys = figures["key_matters"]
    assert [row["level"] for row in keys] == ["进京", "赴省", "到市"]
    assert keys[1]["reasons"] == ["赴省", "集体访"]
    assert set(keys[0]) >= {"number", "level", "owner", "status"}
    assert all("张" in row["petitioner"] and "*" in row["petitioner"] for row in keys)  # masked
    assert figures["key_matters_total"] == 3


def test_the_command_prints_the_json_shape_and_writes_the_files(county, tmp_path: Path) -> None:
    with frozen():
        week_of_visits(county)
        out, err = io.StringIO(), io.StringIO()
        args = ["weekly", "--week", "2026-10-28", "--format", "json", "--output", str(tmp_path)]
        call_command("report", *args, stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    assert data["from"] == "2026-10-26" and data["to"] == "2026-11-01"
    assert set(data) >= {"county", "number", "totals", "previous", "by_level", "by_channel", "by_category",
                         "by_township", "collective_events", "repeat_events", "key_matters"}  # fmt: skip
    written = [Path(line) for line in err.getvalue().split()]
    assert sorted(path.suffix for path in written) == [".docx", ".pdf"]
    assert all(path.stat().st_size > 1000 for path in written)
    assert not WeeklyReport.objects.exists()  # computing saves nothing without --draft


def test_the_job_drafts_the_previous_week_once(county) -> None:
    with frozen():
        week_of_visits(county)
        first = weekly_report_job(county=county, day=MONDAY, now=dt.datetime.now(dt.UTC))
        again = weekly_report_job(county=county, day=MONDAY, now=dt.datetime.now(dt.UTC))
    report = WeeklyReport.objects.get()
    assert (report.date_from, report.date_to) == (dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    assert "已起草" in first and "未重复" in again
    assert report.drafted_by is None and report.figures["totals"]["events"] == 4


def approve(county, head, bureau):
    report, _ = weekly_draft(county=county, date_from=dt.date(2026, 10, 26), date_to=dt.date(2026, 11, 1),
                             by=bureau)  # fmt: skip
    weekly_edit(report=report, by=bureau, analysis="本周越级访增多。\x00\x1b", suggestions="建议加强包案。")
    return weekly_approve(report=report, by=head)


def test_approval_numbers_archives_freezes_and_sends(county, head, bureau) -> None:
    with frozen():
        week_of_visits(county)
        document = approve(county, head, bureau)
        # a late registration in the week: the draft would change, the issue does not
        visit(county, date=dt.date(2026, 10, 29))
        report = WeeklyReport.objects.get()
    assert (document.year, document.number) == (2026, 1)
    assert report.state == WeeklyReport.State.ISSUED and report.document == document
    assert document.snapshot["totals"]["events"] == 4 and document.snapshot["number"] == 1
    assert "\x00" not in document.snapshot["analysis"]
    copy = DocumentCopy.objects.get(document=document, key="full")
    import hashlib

    assert hashlib.sha256(bytes(copy.docx)).hexdigest() == copy.docx_sha256
    assert hashlib.sha256(bytes(copy.pdf)).hexdigest() == copy.pdf_sha256
    assert "每周访情分析" in copy.html
    # The archived Word file names the official fonts on its runs; the PDF's text is the issue's Chinese.
    import docx
    from docx.oxml.ns import qn
    from pypdf import PdfReader

    word = docx.Document(io.BytesIO(bytes(copy.docx)))
    fonts = {run._r.rPr.rFonts.get(qn("w:eastAsia")) for para in word.paragraphs for run in para.runs}
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体"} <= fonts
    assert any("2026年第1期" in para.text for para in word.paragraphs)
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(bytes(copy.pdf))).pages)
    assert "每周访情分析" in text and "本周越级访增多" in text and "2026年第1期" in text
    main_leaders = Leader.objects.filter(county=county, post_kind__in=Leader.MAIN_POSTS)
    main = set(main_leaders.values_list("pk", flat=True))
    signing = document.deliveries.filter(purpose=Delivery.Purpose.SIGN).values_list("leader_id", flat=True)
    assert set(signing) == main
    assert document.deliveries.filter(purpose=Delivery.Purpose.READ).exists()
    notices = SmsMessage.objects.filter(topic=f"document:{document.pk}")
    assert notices.exists() and all("2026年第1期每周访情分析已报送" in sms.body for sms in notices)
    assert AuditRecord.objects.filter(action="weekly.approve").count() == 1
    with pytest.raises(ValidationError):
        weekly_edit(report=report, by=bureau, analysis="改", suggestions="")


def test_only_the_bureau_head_approves(county, bureau) -> None:
    with frozen():
        report, _ = weekly_draft(county=county, date_from=dt.date(2026, 10, 26), date_to=dt.date(2026, 11, 1),
                                 by=bureau)  # fmt: skip
        with pytest.raises(PermissionDenied):
            weekly_approve(report=report, by=bureau)
    assert not IssuedDocument.objects.exists()


def test_numbers_are_gapless_per_county_and_year(county, head, bureau) -> None:
    with frozen():
        weeks = [week_of(MONDAY - dt.timedelta(days=7 * back)) for back in (3, 2, 1)]
        reports = [weekly_draft(county=county, date_from=a, date_to=b, by=bureau)[0] for a, b in weeks]
        numbers = [weekly_approve(report=report, by=head).number for report in reports]
    assert numbers == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_get_consecutive_numbers() -> None:
    if connection.vendor == "sqlite":  # the tests' in-memory SQLite locks tables instead of waiting
        pytest.skip("SQLite runs one writer at a time (BEGIN IMMEDIATE): the race needs PostgreSQL")
    from xinfang.demo.services import demo_county_load

    demo_county_load()  # a transactional test may start from a database another one emptied
    county = County.objects.get(code="410421")
    head, bureau = User.objects.get(username="bureau_head"), User.objects.get(username="bureau")
    reports = [
        weekly_draft(county=county, date_from=a, date_to=b, by=bureau)[0]
        for a, b in (week_of(dt.date(2026, 10, 12)), week_of(dt.date(2026, 10, 19)))
    ]
    numbers: list[int] = []
    barrier = threading.Barrier(2)

    def approve_one(report: WeeklyReport) -> None:
        barrier.wait()
        try:
            numbers.append(weekly_approve(report=report, by=head).number)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve_one, args=(report,)) for report in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [1, 2]


def test_a_leader_reported_by_a_key_matter_gets_a_copy_without_it(county, head, bureau, persona) -> None:
    secretary = persona("secretary")
    with frozen():
        week_of_visits(county)
        reporting = visit(county, date=dt.date(2026, 10, 29), level=Level.PROVINCE)
        reporting.reported_accounts.add(secretary)
        document = approve(county, head, bureau)
    delivery = Delivery.objects.get(document=document, leader=secretary.leader)
    assert delivery.copy.omitted == [reporting.number]
    assert reporting.number not in delivery.copy.html
    full = DocumentCopy.objects.get(document=document, key="full")
    assert reporting.number in full.html
    reading = document_get_for_user(user=secretary, document_id=document.pk)
    assert reading.copy == delivery.copy


def test_read_receipt_and_sign_off_by_the_recipient_only(county, head, bureau, persona) -> None:
    secretary = persona("secretary")
    with frozen():
        week_of_visits(county)
        document = approve(county, head, bureau)
    delivery = Delivery.objects.get(document=document, leader=secretary.leader)
    assert not delivery_read(delivery=delivery, user=bureau)  # the bureau looking is no receipt
    assert delivery_read(delivery=delivery, user=secretary)
    assert not delivery_read(delivery=delivery, user=secretary)  # once
    with pytest.raises(PermissionDenied):
        delivery_sign(delivery=delivery, user=bureau)
    signed = delivery_sign(delivery=delivery, user=secretary, note="请包案领导抓紧化解。")
    assert signed.signed_at is not None and signed.sign_note == "请包案领导抓紧化解。"
    with pytest.raises(ValidationError):
        delivery_sign(delivery=delivery, user=secretary)


def test_event_statistics_match_the_draft_figures_of_the_job(county) -> None:
    with frozen():
        week_of_visits(county)
        weekly_report_job(county=county, day=MONDAY, now=dt.datetime.now(dt.UTC))
    report = WeeklyReport.objects.get()
    figures = event_statistics(county=county, date_from=report.date_from, date_to=report.date_to)
    assert report.figures["totals"]["persons"] == figures["persons"]


def test_bad_period_settings_are_refused_at_start_up_in_chinese(settings) -> None:
    from xinfang.checks import check_report_periods
    from xinfang.supervision.summary import summary_days

    assert check_report_periods() == []
    settings.XINFANG_WEEK_STARTS, settings.XINFANG_PROGRESS_SUMMARY_DAYS = 8, "1,11,三十"
    errors = check_report_periods()
    assert [error.id for error in errors] == ["xinfang.E011", "xinfang.E011"]
    assert "星期一" in errors[0].msg and "1,11,21" in errors[1].msg
    assert summary_days() == (1, 11, 21)  # the worker keeps the default until the setting is fixed
    settings.XINFANG_PROGRESS_SUMMARY_DAYS = "5，15,25"
    assert summary_days() == (5, 15, 25)
