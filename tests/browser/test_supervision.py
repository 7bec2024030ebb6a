"""A supervision item from the bureau to the township and back: the 周庄镇 user sees the card, opens the
item on a phone and reports with a photo; the bureau sends it back; the township reports again; the
bureau accepts it. Screenshots of each step in test-artifacts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import User
from xinfang.directory.models import County, Leader, Unit
from xinfang.supervision.models import SupervisionItem
from xinfang.supervision.services import item_create


def an_item() -> SupervisionItem:
    county = County.objects.get(code="410421")
    leader = User.objects.get(username="leader").leader
    assert leader is not None
    return item_create(
        county=county, source_kind="weekly", source_id=12, source_title="2026年第46期每周访情分析",
        source_url="/reports/", matter=None,
        instruction="请杜文博同志牵头，周庄镇抓紧化解某建筑公司拖欠农民工工资问题，年底前务必结清。",
        instructed_by=Leader.objects.get(county=county, post_kind="secretary"),
        instructed_at=timezone.localdate(), leader=leader,
        units=[Unit.objects.get(county=county, name="周庄镇")],
        deadline=timezone.localdate() + dt.timedelta(days=14),
        recorded_by=User.objects.get(username="bureau"),
    )  # fmt: skip


def report(page, text: str, tmp_path: Path | None = None) -> None:
    page.get_by_label("办理情况").fill(text)
    if tmp_path is not None:
        photo = tmp_path / "工资支付凭证.png"
        photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        page.get_by_label("附件").set_input_files(str(photo))
    page.get_by_role("button", name="报送").click()
    assert page.get_by_text("已报送办理情况").is_visible()


def test_a_township_reports_on_a_phone_and_the_bureau_sends_back_then_accepts(
    browser, demo_server, shot, tmp_path
):
    item = an_item()
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    unit = phone.new_page()
    log_in(unit, demo_server.url, "zhouzhuang")
    card = unit.get_by_test_id("todo-card").filter(has_text="督办：本单位待办")
    assert card.locator(".value").inner_text() == "1"
    shot(unit, "1-unit-home")
    card.click()
    expect(unit.get_by_test_id("supervision-row")).to_have_count(1)
    assert unit.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(unit, "2-unit-list")
    unit.get_by_role("link", name="请杜文博同志牵头").click()
    assert "年底前务必结清" in unit.get_by_test_id("instruction").inner_text()
    assert unit.get_by_test_id("item-state").inner_text() == "待办"
    assert unit.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(unit, "3-unit-item")
    report(unit, "已约谈该公司负责人，承诺本月20日前支付一半。", tmp_path)
    assert unit.get_by_test_id("item-state").inner_text() == "办理中"
    assert unit.get_by_role("link", name="工资支付凭证.png").is_visible()
    shot(unit, "4-unit-reported")

    desktop = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    bureau = desktop.new_page()
    log_in(bureau, demo_server.url, "bureau")
    card = bureau.get_by_test_id("todo-card").filter(has_text="督办待验收")
    assert card.locator(".value").inner_text() == "1"
    card.click()
    bureau.get_by_role("link", name="请杜文博同志牵头").click()
    shot(bureau, "5-bureau-item")
    bureau.get_by_label("退回理由").fill("请附工资支付凭证原件扫描件及农民工签字的领款单。")
    bureau.get_by_role("button", name="退回").click()
    assert bureau.get_by_text("已退回，并短信通知责任单位").is_visible()
    shot(bureau, "6-bureau-returned")

    unit.reload()
    assert "请附工资支付凭证原件" in unit.get_by_test_id("timeline").inner_text()
    report(unit, "已补充领款单，工资已全部结清。")
    shot(unit, "7-unit-reported-again")

    bureau.reload()
    bureau.locator("#action-accept summary").click()
    bureau.get_by_label("验收意见").fill("材料齐全，同意办结。")
    bureau.get_by_role("button", name="验收办结").click()
    assert bureau.get_by_test_id("item-state").inner_text() == "已办结"
    shot(bureau, "8-bureau-accepted")
    unit.reload()
    assert unit.get_by_test_id("item-state").inner_text() == "已办结"
    assert unit.locator("#actions").count() == 0
    shot(unit, "9-unit-done")
    item.refresh_from_db()
    assert item.state == SupervisionItem.State.DONE
    phone.close()
    desktop.close()
