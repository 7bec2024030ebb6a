"""村级星级 (/competition/villages/) in Chromium on a desktop and a 390 px phone: the bureau's ratings list
of the year, picked by township (a village vetoed by a 到市 event, its matter linked; a 到县 event vetoing
nothing), computed by the bureau's 重新计算 (nothing computed on a view), the bulk form saving a star; nothing
spills sideways."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import Category, Unit, Village
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.scoring.village_services import stars_save


def a_year_with_events() -> tuple[Village, Village, str]:
    """This year: 周庄镇's first village a 到市 letter, its second a 到县 visit; the county's four stars."""
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    county = bureau.county
    assert county is not None
    stars_save(
        county=county, by=head, names=["党建星", "发展星", "治理星", "信访稳定星"], petition="信访稳定星"
    )
    zhou = Unit.objects.get(county=county, name="周庄镇")
    first, second = list(Village.objects.filter(township=zhou).order_by("order", "id")[:2])
    day = timezone.localdate().replace(month=1, day=1)

    def register(village: Village, channel: str, level: str) -> str:
        return matter_register(by=bureau, data=RegistrationInput(
            county=county, event=EventInput(day, channel, level), origin_township=zhou,
            origin_village=village,
            category=Category.objects.get(county=county, code="0702"), content="浏览器星级测试",
            responsible_unit=zhou,
        )).number  # fmt: skip

    number = register(first, "letter", "city")
    register(second, "visit", "county")
    return first, second, number


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_ratings_list(browser, demo_server, shot, viewport):
    first, second, number = a_year_with_events()
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, demo_server.url, "bureau")
    page.goto(f"{demo_server.url}/competition/")
    page.get_by_role("link", name="村级星级").click()
    page.wait_for_url("**/competition/villages/**")
    assert page.get_by_test_id("villages-state").inner_text().startswith("未公布")
    # Never computed on a view: the year's vetoes wait for the night's job, or the bureau's 重新计算.
    assert page.get_by_test_id("villages-not-computed").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "not-computed")
    page.get_by_test_id("villages-recompute").get_by_role("button", name="重新计算").click()
    page.wait_for_url("**/competition/villages/**")
    assert "重新计算" in page.locator(".messages").inner_text()
    assert "的数据计算" in page.get_by_test_id("villages-computed-at").inner_text()
    # The bureau picks a township first (the whole county's list is one link away, and in the export).
    counts = page.locator('[data-testid=township-count][data-township="周庄镇"]')
    assert "1" in counts.inner_text()  # 周庄镇: one village vetoed
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "townships")
    counts.get_by_role("link", name="周庄镇").click()
    page.wait_for_url("**township=*")
    vetoed = page.locator(f'[data-testid=village-row][data-village="{first.name}"]').first
    assert vetoed.get_attribute("data-vetoed") == "1" and number in vetoed.inner_text()
    kept = page.locator(f'[data-testid=village-row][data-village="{second.name}"]').first
    assert kept.get_attribute("data-vetoed") == "0"
    kept.get_by_label("党建星").check()
    page.get_by_role("button", name="保存星级评定").click()
    page.wait_for_url("**/competition/villages/**")
    assert "已保存" in page.locator(".messages").inner_text()
    kept = page.locator(f'[data-testid=village-row][data-village="{second.name}"]').first
    assert kept.get_by_label("党建星").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "villages")
    vetoed = page.locator(f'[data-testid=village-row][data-village="{first.name}"]').first
    vetoed.get_by_role("link", name=first.name).click()
    page.wait_for_url("**/competition/villages/*/**")
    assert number in page.get_by_test_id("village-vetoes").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "village")
    assert errors == []
    context.close()
