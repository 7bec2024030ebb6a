"""领导接访 in Chromium: the public page without login, on a desktop and on a 390 px phone, with this month's
published schedule, a slot marked 已调整, the township filter and the printable sheet; and the bureau's month
page. Screenshots in test-artifacts/; no page may be wider than the phone."""

from __future__ import annotations

from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import County, Leader, Unit
from xinfang.reception.services import schedule_generate, schedule_publish, slot_adjust


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_the_public_reads_the_schedule_on_a_desktop_and_a_phone(browser, demo_server, shot):
    county = County.objects.get(code="410421")
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    today = timezone.localdate()
    schedule, _ = schedule_generate(county=county, month=today.replace(day=1), by=bureau, now=timezone.now())
    schedule_publish(schedule=schedule, by=head, now=timezone.now())
    slot = schedule.slots.filter(level="county", kind="daily", date__gte=today).earliest("date", "id")
    other = Leader.objects.filter(county=county, is_active=True).exclude(pk=slot.leader_id or 0)[0]
    slot_adjust(slot=slot, person=f"leader:{other.pk}", note="原定领导赴市开会", reason="赴市开会", by=bureau)
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")

    desktop = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = desktop.new_page()
    page.goto(f"{demo_server.url}/public/reception/")
    assert page.get_by_test_id("public-month").count() >= 1
    assert page.get_by_text("已调整").first.is_visible()
    assert "县人民群众来访接待中心" in page.get_by_test_id("public-place").inner_text()
    shot(page, "desktop")
    page.select_option("#id_township", str(zhouzhuang.pk))
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**township=*")
    rows = page.get_by_test_id("public-township-slot")
    assert rows.count() > 0 and page.get_by_role("heading", name="周庄镇领导接访").first.is_visible()
    shot(page, "desktop-zhouzhuang")
    with page.expect_download() as download:
        page.get_by_test_id("sheet-pdf").first.click()
    assert download.value.suggested_filename.endswith("周庄镇.pdf")
    desktop.close()

    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    small = phone.new_page()
    small.goto(f"{demo_server.url}/public/reception/")
    assert small.get_by_test_id("public-county-day").count() > 0 and fits(small, PHONE)
    shot(small, "phone")
    small.screenshot(path=str(ARTIFACTS / "reception-phone-top.png"))  # the first screen, to look at
    small.goto(f"{demo_server.url}/public/reception/?township={zhouzhuang.pk}")
    assert fits(small, PHONE)
    shot(small, "phone-zhouzhuang")
    phone.close()

    office = browser.new_context(viewport=PHONE, locale="zh-CN")
    staff = office.new_page()
    log_in(staff, demo_server.url, "bureau")
    staff.goto(f"{demo_server.url}/reception/?month={today:%Y-%m}")
    assert staff.get_by_test_id("county-slot").count() > 0 and fits(staff, PHONE)
    assert staff.get_by_test_id("adjustments").is_visible()
    shot(staff, "bureau-phone")
    staff.screenshot(path=str(ARTIFACTS / "reception-bureau-phone-top.png"))
    office.close()
