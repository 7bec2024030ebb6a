from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in

ID_NUMBER = "410421198503150016"


def fill_registration(page, content: str) -> None:
    page.get_by_label("信访日期").fill("2026-11-02")
    page.get_by_label("访别").select_option(label="到县")
    page.locator("#id_p-0-name").fill("张建军")
    page.locator("#id_p-0-id_number").fill(ID_NUMBER)
    page.locator("#id_p-0-phone").fill("13937512345")
    page.get_by_label("乡镇").select_option(label="周庄镇")
    page.get_by_label("问题类别").select_option(label="劳动和社会保障/工资福利")
    page.get_by_label("反映问题").fill(content)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_it_registers_a_matter_and_flags_the_repeat_visit(browser, demo_server, shot, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau")
    page.goto(f"{demo_server.url}/matters/new/")
    fill_registration(page, "某建筑公司拖欠农民工工资三个月未发")
    shot(page, "register-form")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/matters/*/")
    assert page.get_by_text("登记成功").is_visible()
    assert page.get_by_text("410421********0016").is_visible()
    assert page.get_by_test_id("deadline").is_visible()
    shot(page, "detail")

    page.goto(f"{demo_server.url}/matters/new/")
    fill_registration(page, "同一个人又来反映工资的事")
    candidates = page.get_by_test_id("repeat-candidates")
    candidates.wait_for()
    assert "可能为重复信访" in candidates.inner_text()
    shot(page, "repeat")
    # Enter in a text field registers a new matter: it never files the visit under the candidate.
    page.locator("#id_p-0-name").press("Enter")
    page.wait_for_url("**/matters/*/")
    assert page.get_by_text("登记成功").is_visible() and page.get_by_text("1 批").is_visible()
    page.goto(f"{demo_server.url}/matters/new/")
    fill_registration(page, "同一个人又来反映工资的事")
    candidates = page.get_by_test_id("repeat-candidates")
    candidates.wait_for()
    page.wait_for_timeout(1000)  # the repeat check settles (it reloads 0.7 s after the last keystroke)
    page.wait_for_load_state("networkidle")
    candidates.get_by_text("登记为该事项的新批次…").first.click()  # shows the matter to confirm
    attach = candidates.get_by_role("button", name=re.compile("确认：登记为事项"))
    shown = candidates.locator("details[open]").first.inner_text()
    assert "张建军" in shown and "状态" in shown and "责任单位" in shown
    shot(page, "repeat-confirm")
    attach.first.click()
    page.wait_for_url("**/matters/*/")
    assert page.get_by_text("已作为重复信访登记").is_visible()
    assert page.get_by_text("2 批").is_visible()

    page.goto(f"{demo_server.url}/matters/?q=工资")
    rows = page.get_by_test_id("matter-list")
    assert "拖欠农民工工资" in rows.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "list")
    context.close()


def test_the_public_submits_online_and_the_bureau_screens_it(browser, demo_server, shot, monkeypatch):
    """A petitioner on a phone (CAPTCHA, query code, 待审核), then the bureau on a desktop accepts it, and
    the petitioner's query page follows the registered matter."""
    monkeypatch.setattr("xinfang.core.captcha.captcha_text", lambda rng: "ABCDE")
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{demo_server.url}/public/submit/")
    page.get_by_label("姓名").fill("李四")
    page.get_by_label("身份证号").fill(ID_NUMBER)
    page.get_by_label("联系电话").fill("13937512345")
    page.get_by_label("所在乡镇").select_option(label="周庄镇")
    page.get_by_label("反映问题").fill("小区门口道路坑洼多年无人修")
    assert page.get_by_test_id("captcha-image").evaluate("img => img.naturalWidth") == 180
    old = page.get_by_test_id("captcha-image").get_attribute("src")
    page.get_by_role("button", name="看不清，换一张").click()
    page.wait_for_function(
        "old => document.querySelector('[data-testid=captcha-image]').src !== old", arg=old
    )
    page.get_by_label("验证码").fill("wrong")
    shot(page, "form")
    page.get_by_role("button", name="提交", exact=True).click()
    assert page.get_by_text("验证码不正确").is_visible()  # a new picture; what was typed is kept
    assert page.get_by_label("反映问题").input_value() == "小区门口道路坑洼多年无人修"
    page.get_by_label("验证码").fill("abcde")
    page.get_by_role("button", name="提交", exact=True).click()
    code = page.get_by_test_id("query-code").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "submitted")
    page.goto(f"{demo_server.url}/public/query/?code={code}")
    assert "待审核" in page.get_by_test_id("public-status").inner_text()
    shot(page, "pending")

    staff_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    staff = staff_context.new_page()
    log_in(staff, demo_server.url, "bureau")
    staff.get_by_role("link", name="网上信访").first.click()
    staff.get_by_test_id("online-list").get_by_role("link", name="审核").first.click()
    assert "小区门口道路坑洼" in staff.get_by_test_id("online-submission").inner_text()
    staff.get_by_label("问题类别").select_option(label="城乡建设/城市建设和市政管理")
    shot(staff, "screen")
    staff.get_by_role("button", name="登记", exact=True).click()
    staff.wait_for_url("**/matters/*/")
    assert staff.get_by_text("办理时限自提交之日起计算").is_visible()
    shot(staff, "accepted")
    staff_context.close()

    page.goto(f"{demo_server.url}/public/query/?code={code}")
    assert "登记" in page.get_by_test_id("public-status").inner_text()
    shot(page, "registered")
    context.close()


def test_a_township_user_sees_its_own_matters_masked_on_a_phone(browser, demo_server, shot):
    from xinfang.demo.generator import generate_matters
    from xinfang.directory.models import County

    generate_matters(county=County.objects.get(code="410421"), matters=60, seed=3)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "zhouzhuang")
    page.goto(f"{demo_server.url}/matters/")
    rows = page.get_by_test_id("matter-list").inner_text()
    assert "周庄镇" in rows
    for other in ("闹店镇", "城关镇", "石桥镇"):
        assert other not in rows
    page.get_by_test_id("matter-list").get_by_role("link").first.click()
    page.wait_for_url("**/matters/*/")
    body = page.inner_text("body")
    assert "********" in body  # ID numbers masked
    assert "查看完整信息" not in body  # no reveal for a township user
    shot(page, "unit-detail")
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_statistics_page_links_a_figure_to_its_events(browser, demo_server, shot, viewport):
    from xinfang.demo.generator import generate_matters
    from xinfang.directory.models import County

    generate_matters(county=County.objects.get(code="410421"), matters=300, seed=5)
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "secretary")
    page.goto(f"{demo_server.url}/stats/?date_from=2026-01-01&date_to=2026-06-30")
    assert page.get_by_role("heading", name="按访别").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "stats")
    page.get_by_role("link", name="进京").first.click()
    page.wait_for_url("**/stats/events/**")
    assert "进京" in page.get_by_test_id("event-list").inner_text()
    context.close()


def test_the_unit_asks_for_an_extension_and_its_head_approves_it_on_a_phone(browser, demo_server, shot):
    """Issue 13: the handling unit asks, its own head (not the bureau head) approves, within the time."""
    from django.utils import timezone

    from tests.petitions.support import accepted_matter
    from xinfang.accounts.models import User
    from xinfang.directory.models import County

    today = timezone.localdate()
    county = County.objects.get(code="410421")
    matter = accepted_matter(
        county, User.objects.get(username="bureau"), User.objects.get(username="renshe"), on=today
    )
    due = matter.due_date
    assert due is not None
    unit = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = unit.new_page()
    log_in(page, demo_server.url, "renshe")
    page.goto(f"{demo_server.url}/matters/{matter.pk}/")
    page.get_by_text("申请延期", exact=True).click()
    page.get_by_label("延长天数").fill("20")
    page.get_by_label("延期理由").fill("涉及多个部门，需要现场核实")
    shot(page, "request")
    page.get_by_role("button", name="提交延期申请").click()
    assert page.get_by_text("已申请延期20天").is_visible()
    unit.close()

    head = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = head.new_page()
    log_in(page, demo_server.url, "renshe_head")
    page.goto(f"{demo_server.url}/matters/{matter.pk}/")
    assert "涉及多个部门，需要现场核实" in page.get_by_test_id("extension").inner_text()
    page.get_by_label("审批结果").select_option(label="批准延期")
    page.get_by_label("已告知信访人延期理由").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "approve")
    page.locator("details", has_text="审批延期申请").get_by_role("button", name="确定").click()
    assert page.get_by_text("已批准延期20天").is_visible()
    assert "已批准" in page.get_by_test_id("extension").inner_text()
    shot(page, "approved")
    head.close()
    matter.refresh_from_db()
    assert matter.extension_days == 20 and matter.due_date is not None and matter.due_date > due
