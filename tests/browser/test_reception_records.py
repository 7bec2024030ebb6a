"""接访记录 in Chromium: (a) the bureau, on a desktop, records the secretary's reception, registers the
matter he received (a new petitioner) and finds it behind the month's figures; (b) the secretary reads the
figures on a 390 px phone. Screenshots of each step in test-artifacts/; no page may be wider than the
screen."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.directory.models import County, Leader
from xinfang.reception.models import ReceivedMatter, Reception


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_the_bureau_records_a_reception_and_the_secretary_reads_the_figures(browser, demo_server, shot):
    county = County.objects.get(code="410421")
    secretary = Leader.objects.get(county=county, post_kind="secretary")
    before = ReceivedMatter.objects.filter(reception__county=county).count()

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="领导接访").click()
    page.get_by_role("navigation", name="领导接访").get_by_role("link", name="接访记录").click()
    expect(page.get_by_test_id("due-today")).to_be_visible()
    shot(page, "1-records")
    page.get_by_role("link", name="登记接访").click()
    page.get_by_label("接访类型").select_option(value="centre")
    page.get_by_label("接访领导").select_option(value=f"leader:{secretary.pk}")
    shot(page, "2-new")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("attendances")).to_contain_text(secretary.name)
    reception = Reception.objects.filter(county=county).latest("id")
    assert reception.date == timezone.localdate() and reception.kind == "centre"

    form = page.get_by_test_id("add-new")
    form.get_by_label("姓名").fill("王秀兰")
    form.get_by_label("联系电话").fill("13903750001")
    form.get_by_label("人数").fill("3")
    form.get_by_label("乡镇").select_option(label="周庄镇")
    form.get_by_label("问题类别").select_option(label="劳动和社会保障/工资福利")
    form.get_by_label("反映问题").fill("某劳务公司拖欠三名工人工资四个月")
    form.get_by_label("当场化解").check()
    shot(page, "3-matter-form")
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("received-row")).to_have_count(1)
    row = page.get_by_test_id("received-row")
    assert "当场化解" in row.inner_text() and "周庄镇" in row.inner_text()
    shot(page, "4-recorded")
    entry = ReceivedMatter.objects.get(reception=reception)
    assert entry.persons == 3 and entry.matter.petitioners.get().phone_masked.endswith("0001")

    page.get_by_role("link", name="返回列表").click()
    page.get_by_role("navigation", name="领导接访").get_by_role("link", name="接访统计").click()
    figures = page.get_by_test_id("figures-open")
    expect(figures).to_be_visible()
    shot(page, "5-stats")
    matters = before + 1
    assert (
        ReceivedMatter.objects.filter(reception__county=county, reception__kind__in=Reception.OPEN_KINDS)
        .filter(reception__date__year=timezone.localdate().year).count()
        == int(figures.locator(".figure").nth(1).locator(".value").inner_text())
    )  # fmt: skip
    assert matters >= 1
    page.get_by_test_id("breakdown-open-leader").get_by_role("row").filter(
        has_text=secretary.name
    ).get_by_role("link").first.click()
    expect(page.get_by_test_id("drill-row").filter(has_text=entry.matter.number)).to_have_count(1)
    shot(page, "6-drill")
    context.close()

    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    small = phone.new_page()
    log_in(small, demo_server.url, "secretary")
    small.get_by_role("navigation", name="主导航").get_by_role("link", name="领导接访").click()
    expect(small.get_by_test_id("figures-open")).to_be_visible()
    assert fits(small, PHONE)
    shot(small, "7-phone-stats")
    small.get_by_test_id("breakdown-open-leader").get_by_role("row").filter(
        has_text=secretary.name
    ).get_by_role("link").first.click()
    expect(small.get_by_test_id("drill-row").first).to_be_visible()
    assert fits(small, PHONE)
    shot(small, "8-phone-drill")
    phone.close()
