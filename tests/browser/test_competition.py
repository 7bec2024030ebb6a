"""比拼 (/competition/) in Chromium on a desktop and a 390 px phone: the bureau's leaderboard of the last
closed quarter (a vetoed township last), then the 周庄镇 user's breakdown by event with the appeal form;
nothing spills sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import Category, Unit
from xinfang.lib.periods import quarter_of
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.scoring.services import competition_draft, veto_record


def a_drafted_quarter() -> None:
    """The last closed quarter: 周庄镇 a 进京 (人社局 responsible) and a collective 赴省 of 6; 闹店镇 a 到市
    and a veto; drafted today, so its appeals are open."""
    bureau = User.objects.get(username="bureau")
    county = bureau.county
    assert county is not None
    quarter = quarter_of(timezone.localdate()).previous()

    def register(township: str, day: dt.date, level: str, persons: int = 1, unit: str = "县人社局") -> None:
        matter_register(by=bureau, data=RegistrationInput(
            county=county, event=EventInput(day, "visit", level, persons),
            origin_township=Unit.objects.get(county=county, name=township),
            category=Category.objects.get(county=county, code="0702"), content="浏览器比拼测试",
            responsible_unit=Unit.objects.get(county=county, name=unit),
        ))  # fmt: skip

    register("周庄镇", quarter.first + dt.timedelta(days=3), "beijing")
    register("周庄镇", quarter.first + dt.timedelta(days=20), "province", persons=6, unit="周庄镇")
    register("闹店镇", quarter.last, "city", unit="县公安局")
    competition_draft(county=county, quarter=quarter, by=bureau)
    veto_record(county=county, quarter=quarter, unit=Unit.objects.get(county=county, name="闹店镇"),
                reason="发生进京非访", document_number="平信〔2026〕5号", by=bureau)  # fmt: skip


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_leaderboard_and_a_units_breakdown(browser, demo_server, shot, viewport):
    a_drafted_quarter()
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, demo_server.url, "bureau")
    page.goto(f"{demo_server.url}/competition/")
    assert page.get_by_test_id("competition-state").inner_text().startswith("草稿")
    assert "的数据计算" in page.get_by_test_id("competition-computed").inner_text()
    assert page.get_by_test_id("competition-recompute").is_visible()
    rows = page.get_by_test_id("competition-1").get_by_test_id("competition-row")
    assert rows.last.get_attribute("data-unit") == "闹店镇" and rows.last.get_attribute("data-vetoed") == "1"
    zhou = page.locator('[data-testid=competition-row][data-unit="周庄镇"]')
    assert "89" in zhou.inner_text()  # 100 − 5 − 3 × 2
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "board")
    context.close()

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "zhouzhuang")
    page.goto(f"{demo_server.url}/competition/")
    page.get_by_test_id("own-breakdown").click()
    page.wait_for_url("**/units/**")
    assert page.get_by_test_id("unit-score").inner_text() == "89.0"
    charges = page.get_by_test_id("charge-row")
    assert charges.count() == 2
    assert "集体访" in charges.nth(1).inner_text()
    charges.first.get_by_text("申诉").first.click()
    page.get_by_placeholder("申诉理由").first.fill("该批次系外地户籍人员，非本镇属地")
    page.get_by_test_id("appeal-submit").first.click()
    page.wait_for_url("**/units/**")
    assert "申诉已提交" in page.locator(".messages").inner_text()
    assert "待决定" in page.get_by_test_id("charge-row").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "breakdown")
    assert errors == []
    context.close()
