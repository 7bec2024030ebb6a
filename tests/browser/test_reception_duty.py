"""季度下沉任务 in Chromium: (a) the bureau, on a desktop, opens the quarter from the navigation, plans a
leader's visit to the township ranked first and sees the leader move from 未安排 to 已安排; (b) 杜文博, on a
390 px phone, follows his home card to his own duty and sees the visit planned for him. Screenshots of each
step in test-artifacts/; no page may be wider than the phone."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import Leader, Unit
from xinfang.lib.periods import quarter_of
from xinfang.reception.duty import downvisit_plan
from xinfang.reception.models import DownVisit


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_the_bureau_plans_a_leaders_visit_on_a_desktop(browser, demo_server, shot):
    wei = Leader.objects.get(name="魏振华")
    today = timezone.localdate()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="领导接访").click()
    page.get_by_role("navigation", name="领导接访").get_by_role("link", name="季度下沉").click()
    expect(page.get_by_test_id("duty-row")).to_have_count(Leader.objects.filter(is_top_six=False).count())
    expect(page.get_by_test_id("ranking-row")).to_have_count(Unit.objects.filter(kind="township").count())
    row = page.get_by_test_id("duty-row").filter(has_text="魏振华")
    expect(row).to_have_attribute("data-state", "missing")
    shot(page, "1-quarter")

    form = page.get_by_test_id("duty-plan-form")
    first = page.get_by_test_id("ranking-row").first.locator("td").nth(1).inner_text().strip()
    form.get_by_label("县级领导").select_option(value=str(wei.pk))
    form.get_by_label("乡镇").select_option(label=first)
    form.get_by_label("下沉日期").fill(today.isoformat())
    form.get_by_label("说明").fill("走访重点信访户")
    shot(page, "2-form")
    form.get_by_role("button", name="安排").click()

    expect(page.locator(".messages")).to_contain_text(f"已安排魏振华于{today:%Y-%m-%d}到{first}下沉接访")
    row = page.get_by_test_id("duty-row").filter(has_text="魏振华")
    expect(row).to_have_attribute("data-state", "planned")
    expect(row).to_contain_text(first)
    shot(page, "3-planned")
    visit = DownVisit.objects.get(leader=wei, kind=DownVisit.Kind.PLANNED)
    assert (visit.date, visit.township.name, visit.note) == (today, first, "走访重点信访户")
    context.close()


def test_a_leader_sees_his_duty_on_a_phone(browser, demo_server, shot):
    du = Leader.objects.get(name="杜文博")
    today = timezone.localdate()
    quarter = quarter_of(today)
    township = Unit.objects.filter(kind="township", is_active=True).order_by("order").first()
    assert township is not None
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "leader")
    card = page.get_by_test_id("todo-card").filter(has_text="本季度下沉接访")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(quarter.label)
    shot(page, "1-home")
    card.click()
    expect(page.get_by_test_id("my-duty-state")).to_have_text("未安排")
    assert fits(page, PHONE)
    shot(page, "2-missing")

    downvisit_plan(
        by=User.objects.get(username="bureau"), leader=du, township=township, date=quarter.last,
        now=timezone.now(),
    )  # fmt: skip
    page.reload()
    expect(page.get_by_test_id("my-duty-state")).to_have_text("已安排")
    expect(page.get_by_test_id("my-duty")).to_contain_text(township.name)
    expect(page.get_by_test_id("ranking-row")).to_have_count(5)
    assert fits(page, PHONE)
    shot(page, "3-planned")
    context.close()
