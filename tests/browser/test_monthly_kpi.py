"""Issue 18's pages in Chromium, on a 1280 px desktop and a 390 px phone: the monthly situation analysis
(月信访形势分析) — its list, the bureau drafting last month and writing its text, the head approving it, the
issued report's page and its archived document read by the secretary — and the KPIs (/stats/kpi/) for the
bureau (per township and department) and for a township user (its own figures only). Every page is shot
into test-artifacts/ at both widths, and none may be wider than the screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.browser.test_weekly_flow import PHONE, WIDE, Seat
from tests.petitions.support import new_matter
from xinfang.accounts.models import User
from xinfang.directory.models import County
from xinfang.documents.models import Delivery
from xinfang.petitions.models import Channel, Level
from xinfang.petitions.services.common import EventInput
from xinfang.petitions.services.registration import event_add
from xinfang.reports.models import MonthlyReport
from xinfang.reports.monthly import last_closed_month, month_start_day


def two_months_of_visits(county: County) -> tuple[dt.date, dt.date]:
    """Last closed month with over-level, collective, repeat and letter petitions (two units, two
    categories); fewer the month before, so that 环比 has a base."""
    month = last_closed_month(timezone.localdate())
    first, last = month.range(month_start_day())
    bureau = User.objects.get(username="bureau")

    def visit(day: dt.date, **overrides: Any):
        return new_matter(bureau, county, date=day, **{"responsible": "县人社局", **overrides})

    repeat = visit(first, persons=2)
    visit(first + dt.timedelta(days=3), level=Level.PROVINCE, persons=6, township="李庄乡")
    visit(first + dt.timedelta(days=9), level=Level.CITY, responsible="周庄镇")
    visit(last - dt.timedelta(days=2), channel=Channel.LETTER, category="0101")
    visit(last, level=Level.BEIJING)
    event_add(by=None, matter=repeat, event=EventInput(first + dt.timedelta(days=5), "visit", "county", 3))
    visit(first - dt.timedelta(days=10))
    return first, last


def no_spill(page: Any, size: dict[str, int], what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"], f"{what} is {width}px wide on a {size['width']}px screen"


def test_the_monthly_analysis_from_list_to_draft_approval_and_archive(browser, demo_server, shot):
    url = demo_server.url
    county = County.objects.get(code="410421")
    first, last = two_months_of_visits(county)
    month = last_closed_month(timezone.localdate())

    bureau = Seat(browser, url, "bureau", acting=WIDE)
    page = bureau.page
    page.goto(f"{url}/reports/monthly/")
    assert page.get_by_role("heading", name="月信访形势分析").is_visible()
    bureau.snap(shot, "01-monthly-list")
    page.get_by_label("统计月").fill(f"{month.year}-{month.month:02d}")
    page.get_by_role("button", name="起草该月").click()
    page.wait_for_url("**/reports/monthly/*/")
    assert page.get_by_test_id("monthly-draft").is_visible()
    sheet = page.locator(".document-sheet")
    text = sheet.inner_text()
    assert "月信访形势分析" in text and "舆情预判" in text and "下一步工作" in text
    assert sheet.locator("img").count() >= 1  # the 12-month trend chart
    # The month's total 批次 opens exactly its events.
    totals = sheet.locator(f"a[href='/stats/events/?date_from={first}&date_to={last}']")
    assert totals.nth(1).inner_text() == "6"  # 起, 批次, 人次: the 批次
    bureau.snap(shot, "02-monthly-draft")
    draft_url = page.url
    totals.nth(1).click()
    page.wait_for_url("**/stats/events/**")
    assert page.get_by_test_id("event-count").inner_text() == "共 6 批次"
    page.goto(draft_url)
    page.get_by_label("形势研判").fill("本月信访总量环比上升，越级访集中在劳动和社会保障类。")
    page.get_by_label("下一步工作").fill("县人社局牵头，周庄镇、李庄乡配合，月底前集中清欠。")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("已保存。").is_visible()
    assert "集中清欠" in page.locator(".document-sheet").inner_text()

    head = Seat(browser, url, "bureau_head", acting=PHONE)
    page = head.page
    page.goto(draft_url)
    approve = page.get_by_test_id("monthly-approve")
    assert approve.is_visible()
    head.snap(shot, "03-monthly-head-draft")
    approve.get_by_role("checkbox").check()
    approve.get_by_role("button", name="审定印发").click()
    assert page.get_by_text("已审定印发").is_visible()
    report = MonthlyReport.objects.get(county=county)
    assert report.state == MonthlyReport.State.ISSUED and report.document is not None
    assert "第1期" in page.get_by_role("heading", level=1).inner_text()
    head.snap(shot, "04-monthly-issued")
    head.page.goto(f"{url}/reports/monthly/")
    assert "第1期" in page.locator("main").inner_text()
    head.snap(shot, "05-monthly-list-issued")

    # The secretary reads the archived document (page, Word and PDF) on a phone: the receipt is kept.
    secretary = Seat(browser, url, "secretary", acting=PHONE)
    page = secretary.page
    page.goto(f"{url}/documents/{report.document.pk}/")
    archived = page.locator(".document").inner_text()
    assert "月信访形势分析" in archived and "集中清欠" in archived
    assert page.get_by_role("link", name="下载 PDF").count() + page.get_by_text("PDF").count() >= 1
    secretary.snap(shot, "06-monthly-archive")
    secretary_leader = User.objects.get(username="secretary").leader
    assert Delivery.objects.filter(
        document=report.document, leader=secretary_leader, read_at__isnull=False
    ).exists()
    for seat in (bureau, head, secretary):
        seat.close()


def test_the_kpis_for_the_bureau_by_unit_and_for_a_township_its_own(browser, demo_server, shot):
    url = demo_server.url
    county = County.objects.get(code="410421")
    first, last = two_months_of_visits(county)
    query = f"?date_from={first - dt.timedelta(days=31)}&date_to={timezone.localdate()}"

    bureau = Seat(browser, url, "bureau", acting=WIDE)
    page = bureau.page
    page.goto(f"{url}/stats/kpi/{query}")
    totals = page.get_by_test_id("kpi-totals")
    assert totals.locator("tbody tr").count() == 7
    assert totals.locator("tr[data-kpi='及时受理率']").is_visible()
    units = page.get_by_test_id("kpi-units")
    assert "周庄镇" in units.inner_text() and "县人社局" in units.inner_text()
    bureau.snap(shot, "01-kpi-bureau")
    no_spill(page, WIDE, "the KPI page")
    # A bad period is refused in Chinese, not a 500.
    response = page.goto(f"{url}/stats/kpi/?date_from={last}&date_to={first}")
    assert response is not None and response.status == 422
    assert page.get_by_role("alert").count() >= 1
    bureau.snap(shot, "02-kpi-bad-period")

    township = Seat(browser, url, "zhouzhuang", acting=PHONE)
    page = township.page
    page.goto(f"{url}/stats/kpi/{query}")
    assert page.get_by_test_id("kpi-totals").is_visible()
    assert page.get_by_test_id("kpi-units").count() == 0  # a unit sees its own figures only
    township.snap(shot, "03-kpi-township")
    for seat in (bureau, township):
        seat.close()
