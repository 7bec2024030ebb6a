"""态势 (/dashboard/) in Chromium on a desktop and a 390 px phone: the secretary's home leads with it, a
figure opens exactly its events, and nothing spills sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import Category, Unit
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import event_add, matter_register


def some_weeks_of_visits() -> None:
    """A hotspot (周庄镇 × 劳动和社会保障: 6 visits in the last 12 days, one 到市 today), a collective
    visit of 8 today with a 赴省 history, and a visit every third day over two months elsewhere."""
    today = timezone.localdate()
    bureau = User.objects.get(username="bureau")
    county = bureau.county
    assert county is not None

    def register(township: str, code: str, date: dt.date, level: str = "county", persons: int = 1):
        return matter_register(by=bureau, data=RegistrationInput(
            county=county, event=EventInput(date, "visit", level, persons),
            origin_township=Unit.objects.get(county=county, name=township),
            category=Category.objects.get(county=county, code=code), content="浏览器态势测试",
            responsible_unit=Unit.objects.get(county=county, name=township),
        ))  # fmt: skip

    def day(offset: int) -> dt.date:
        return today - dt.timedelta(days=offset)

    hot = register("周庄镇", "0702", day(12))
    for offset in (10, 8, 6, 4, 2):
        event_add(by=bureau, matter=hot, event=EventInput(day(offset), "visit", "county", 1))
    event_add(by=bureau, matter=hot, event=EventInput(today, "visit", "city", 2))
    crowd = register("闹店镇", "0502", day(40), level="province")
    event_add(by=bureau, matter=crowd, event=EventInput(day(20), "visit", "province", 1))
    event_add(by=bureau, matter=crowd, event=EventInput(today, "visit", "county", 8))
    townships = ("商酒务镇", "杨庄镇", "石桥镇", "赵庄镇")
    for index in range(20):
        register(townships[index % len(townships)], "0502", day(3 * index + 1))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_dashboard_leads_the_secretarys_home_and_every_figure_opens_its_events(
    browser, demo_server, shot, viewport
):
    some_weeks_of_visits()
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, demo_server.url, "secretary")
    assert page.get_by_role("heading", name="宝丰县信访态势").is_visible()
    assert page.get_by_test_id("today-events").inner_text().startswith("2\n")
    assert page.get_by_test_id("today-over_level").inner_text().startswith("1\n")
    assert page.get_by_test_id("hotspot").first.inner_text() == "6"
    assert page.get_by_test_id("risk").count() >= 2
    assert page.get_by_test_id("todo").is_visible()  # the to-do cards stay on the home page
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "home")
    # The nav item, and a figure opening exactly the events it counts.
    page.get_by_role("link", name="态势", exact=True).click()
    page.wait_for_url("**/dashboard/")
    collective = page.get_by_test_id("today-collective")
    assert collective.inner_text().startswith("1\n")
    collective.click()
    page.wait_for_url("**/stats/events/**")
    assert page.get_by_test_id("event-count").inner_text() == "共 1 批次"
    shot(page, "collective-events")
    page.go_back()
    page.get_by_test_id("chart-monthly").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "dashboard")
    assert errors == []
    context.close()
