"""A whole day of each role in Chromium (issue 14): the bureau registers (Enter included), prints the
receipt and transfers; the township user finds it under 待签收 on the home page, signs, accepts and
answers on a phone; the leader opens 我的包案; the bureau exports the ledger. Screenshots of each step."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.demo.directory import DEMO_VICE_HEAD_NAME

ID_NUMBER = "410421198503150016"


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def card(page, label: str):
    return page.get_by_test_id("todo-card").filter(has_text=label).first


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_day_of_the_bureau_the_township_and_the_leader(browser, demo_server, shot, viewport):
    url = demo_server.url
    bureau = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = bureau.new_page()
    log_in(page, url, "bureau")
    assert card(page, "待转送").is_visible() and card(page, "网上信访待审核").is_visible()
    shot(page, "1-bureau-home")

    # Register: today's date is there, a second petitioner row comes and goes, villages follow the township.
    page.goto(f"{url}/matters/new/")
    today = page.get_by_label("信访日期").input_value()
    assert today
    page.get_by_role("button", name="＋ 添加信访人").click()
    assert page.locator("#id_p-1-name").is_visible()
    page.locator("[data-row]").nth(1).get_by_role("button", name="删除此人").click()
    assert not page.locator("#id_p-1-name").is_visible()
    page.locator("#id_p-0-name").fill("张建军")
    page.locator("#id_p-0-id_number").fill(ID_NUMBER)
    page.locator("#id_p-0-phone").fill("13937512345")
    page.locator("#id_origin_township").select_option(label="周庄镇")
    village = page.locator("#id_origin_village")
    village.locator("option").nth(1).wait_for(state="attached")  # htmx brought the township's villages
    assert "---------" not in page.content()
    village.select_option(index=1)
    category = page.get_by_label("问题类别")
    category.locator("xpath=preceding-sibling::input[@type='search']").fill("工资")
    category.select_option(label="劳动和社会保障/工资福利")
    page.get_by_label("反映问题").fill("某建筑公司拖欠农民工工资三个月未发")
    shot(page, "2-register")
    page.locator("#id_p-0-name").press("Enter")  # Enter registers, nothing else
    page.wait_for_url("**/matters/*/")
    assert page.get_by_text("登记成功").is_visible()
    matter_url = page.url
    shot(page, "3-registered")

    page.get_by_test_id("receipt-link").click()
    receipt = page.get_by_test_id("receipt").inner_text()
    assert "信访事项登记回执" in receipt and "查询码" in receipt and "60日内办结" in receipt
    assert fits(page, viewport)
    shot(page, "4-receipt")
    page.goto(matter_url)

    # Transfer to 周庄镇 and name the owning leader.
    page.get_by_text("转送/交办", exact=True).click()
    page.get_by_label("承办单位").select_option(label="周庄镇")
    page.get_by_label("方式").select_option(label="转送")
    page.get_by_role("button", name="转出").click()
    assert page.get_by_text("已转送至周庄镇").is_visible()
    page.get_by_text("确定包案领导", exact=True).click()
    owner = page.get_by_label("包案领导")
    owner.select_option(
        value=owner.locator("option", has_text=DEMO_VICE_HEAD_NAME).first.get_attribute("value")
    )
    page.get_by_role("button", name="确定", exact=True).last.click()
    assert page.get_by_text("包案领导：").first.is_visible()
    shot(page, "5-transferred")

    # The ledger, as an office keeps it.
    page.goto(f"{url}/matters/")
    assert page.get_by_test_id("list-total").inner_text().startswith("共")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    with open(download.value.path(), "rb") as workbook:
        sheet = load_workbook(workbook).active
    assert sheet.freeze_panes and sheet.auto_filter.ref and sheet.cell(row=sheet.min_row, column=1).value
    shot(page, "6-list")
    bureau.close()

    # The township, on a phone: 待签收 on the home page, sign, accept, answer.
    township = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = township.new_page()
    log_in(page, url, "zhouzhuang")
    waiting = card(page, "待签收")
    assert waiting.locator(".value").inner_text() != "0"
    shot(page, "7-township-home")
    waiting.click()
    assert "待签收" in page.get_by_test_id("matter-list").inner_text()
    page.goto(matter_url)
    page.get_by_role("button", name="签收").click()
    assert page.get_by_text("已签收").first.is_visible()
    page.get_by_label("办理为").select_option(label="受理")
    assert page.get_by_label("说明").is_visible() and not page.get_by_label("答复意见").is_visible()
    shot(page, "8-accept")
    page.get_by_role("button", name="确定", exact=True).first.click()
    assert page.get_by_text("已办理为“受理”").is_visible()
    page.get_by_label("办理为").select_option(label="已答复")
    assert page.get_by_label("答复意见").is_visible() and not page.get_by_label("说明").is_visible()
    page.get_by_role("button", name="确定", exact=True).first.click()
    assert page.get_by_text("请填写答复意见").is_visible()  # the error beside its field, the step kept
    assert page.get_by_label("办理为").input_value() == "answered"
    shot(page, "9-answer-error")
    page.get_by_label("答复意见").fill("经核实，已督促该公司支付拖欠工资")
    page.get_by_role("button", name="确定", exact=True).first.click()
    assert page.get_by_text("已办理为“已答复”").is_visible()
    assert fits(page, PHONE)
    shot(page, "10-answered")
    township.close()

    # The leader opens 我的包案.
    leader = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = leader.new_page()
    log_in(page, url, "leader")
    mine = card(page, "我的包案")
    assert mine.locator(".value").inner_text() == "1"
    shot(page, "11-leader-home")
    mine.click()
    assert page.get_by_test_id("list-total").inner_text() == "共 1 件"
    shot(page, "12-leader-cases")
    leader.close()
