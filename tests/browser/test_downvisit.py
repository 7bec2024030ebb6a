"""下沉接访 in Chromium: the bureau draws the month on a desktop (with the confirmation), and the public page
on a 390 px phone shows the result with its seed and weights. Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.calendars.services import calendar_close_year, calendar_set
from xinfang.directory.models import County, Leader
from xinfang.lib.workdays import library_covers
from xinfang.reception.downvisits import upcoming_month
from xinfang.reception.draw import month_label
from xinfang.reception.models import Draw


def next_year_entered(today: dt.date) -> None:
    """Next year's holidays entered and confirmed, as the bureau does when the calendar library does not
    know them yet (in December the upcoming down-visit day may be in January): the test's month then
    never depends on the library's release."""
    year = today.year + 1
    if library_covers(year):
        return
    january = (dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range(14))
    for day in [day for day in january if day.weekday() < 5][:7]:  # the closing asks for seven at least
        calendar_set(day=day, is_workday=False, note="测试：放假")
    calendar_close_year(year=year)


def test_the_bureau_draws_and_the_public_reads_it_on_a_phone(browser, demo_server, shot):
    county = County.objects.get(code="410421")
    next_year_entered(timezone.localdate())
    month = upcoming_month(timezone.localdate())
    drawing = Leader.objects.filter(county=county, is_top_six=True, is_active=True).count()

    desktop = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = desktop.new_page()
    log_in(page, demo_server.url, "bureau")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="领导接访").click()
    page.get_by_role("navigation", name="领导接访").get_by_role("link", name="下沉抽签").click()
    expect(page.get_by_role("heading", name=f"县级领导下沉接访 · {month_label(month)}")).to_be_visible()
    expect(page.get_by_test_id("downvisit-pending")).to_have_count(1)
    page.get_by_test_id("draw-start").click()
    expect(page.get_by_test_id("draw-confirm")).to_have_count(1)
    shot(page, "confirm")
    page.get_by_test_id("draw-submit").click()
    expect(page.get_by_test_id("downvisit-draw")).to_have_count(drawing)
    expect(page.get_by_test_id("downvisit-verified")).to_have_count(1)
    expect(page.get_by_test_id("draw-start")).to_have_count(0)
    draw = Draw.objects.get(county=county, month=month)
    expect(page.get_by_test_id("downvisit-seed")).to_contain_text(draw.seed)
    shot(page, "bureau-desktop")
    desktop.close()

    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    small = phone.new_page()
    small.goto(f"{demo_server.url}/public/reception/#downvisit")
    section = small.get_by_test_id("public-downvisit")
    expect(section.get_by_test_id("downvisit-draw")).to_have_count(drawing)
    section.get_by_text("随机种子与权重").first.click()
    expect(section.get_by_test_id("downvisit-seed").first).to_contain_text(draw.seed)
    for visit in draw.visits.filter(kind="drawn"):
        expect(section).to_contain_text(visit.township.name)
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    section.scroll_into_view_if_needed()
    shot(small, "public-phone")
    section.screenshot(path=str(ARTIFACTS / "downvisit-public-phone-section.png"))
    phone.close()
