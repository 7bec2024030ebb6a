"""村级星级 by township and 村级综合整治 销号 in Chromium, on a desktop and a 390 px phone: the bureau's list
of one township is a fraction of the whole county's height; the bureau closes a village's rectification
with its open task and a reason, and the page and the list show it closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import Unit, Village
from xinfang.scoring.models import Rectification
from xinfang.scoring.village_services import rectification_mark, stars_save, task_add, vetoes_refresh


def a_weak_village() -> Village:
    """周庄镇's first village, 软弱涣散 this year, with one open task; the county's stars; the year's vetoes
    stored."""
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    county = bureau.county
    assert county is not None
    stars_save(county=county, by=head, names=["党建星", "发展星", "信访稳定星"], petition="信访稳定星")
    village = Village.objects.filter(township=Unit.objects.get(county=county, name="周庄镇")).order_by(
        "order", "id"
    )[0]
    record = rectification_mark(
        village=village, year=timezone.localdate().year, reason="班子软弱", matters=[], by=bureau
    )
    task_add(rectification=record, text="调整村两委班子", responsible="李书记",
             deadline=timezone.localdate() + dt.timedelta(days=30), by=bureau)  # fmt: skip
    vetoes_refresh(county=county, year=timezone.localdate().year, by=None)  # as the nightly job stores them
    return village


def height(page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_townships_and_closing_a_rectification(browser, demo_server, shot, viewport):
    village = a_weak_village()
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, demo_server.url, "bureau")
    page.goto(f"{demo_server.url}/competition/villages/")
    picker = height(page)
    shot(page, "picker")
    page.goto(f"{demo_server.url}/competition/villages/?township=all")
    whole = height(page)
    page.locator("#township-select").select_option(str(village.township_id))
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**township={village.township_id}")
    one = height(page)
    row = page.locator(f'[data-testid=village-row][data-village="{village.name}"]').first
    assert "软弱涣散·整治中（1/1 项未完成）" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "township")
    print(f"\n{viewport['width']} px: picker {picker} px, one township {one} px, whole county {whole} px")
    assert one * 3 < whole and picker * 3 < whole
    if viewport is PHONE:  # the phone's whole county was ~31,000 px; the picker stays a screen or two
        assert picker < 2 * viewport["height"]

    row.get_by_role("link", name=village.name).click()
    page.wait_for_url("**/competition/villages/*/**")
    page.get_by_text("整治完成/销号").click()
    page.get_by_label("整治结论").fill("班子调整到位，群众满意")
    page.get_by_role("button", name="销号").click()
    page.wait_for_url("**/competition/villages/*/")
    assert "请填写理由" in page.locator(".messages").inner_text()  # one task is still open
    page.get_by_text("整治完成/销号").click()
    page.get_by_label("整治结论").fill("班子调整到位，群众满意")
    page.get_by_label("未完成任务时销号的理由").fill("任务并入乡镇统一整治")
    page.get_by_role("button", name="销号").click()
    page.wait_for_url("**/competition/villages/*/")
    closed = page.get_by_test_id("rectification-closed").inner_text()
    assert "整治完成销号" in closed and "任务并入乡镇统一整治" in closed
    assert page.get_by_role("button", name="登记整改任务").count() == 0
    assert Rectification.objects.get(village=village).is_closed
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "closed")
    assert errors == []
    context.close()
