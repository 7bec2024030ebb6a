"""The maintenance pages in a browser, on a desktop and a 390 px phone (issue 14, item 7): the bureau
records a leader's unavailable days; the system admin creates an account and hands over its temporary
password; the security admin grants it a role; its user changes the password and reaches their home page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in


def fits(page, viewport) -> None:
    """Nothing spills sideways: the page is as wide as the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_bureau_records_a_leaders_unavailable_days(browser, demo_server, shot, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, demo_server.url, "bureau")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="县级领导").click()
    page.get_by_test_id("leaders").get_by_role("link", name="杜文博").click()
    page.get_by_role("heading", name="杜文博").wait_for()
    form = page.get_by_test_id("unavailable-form")
    form.get_by_label("开始日期").fill("2026-12-01")
    form.get_by_label("结束日期").fill("2026-12-03")
    form.get_by_label("事由").fill("赴省参加培训")
    form.get_by_role("button", name="登记不在岗日期").click()
    page.get_by_text("已登记杜文博不在岗：2026-12-01至2026-12-03").wait_for()
    periods = page.get_by_test_id("unavailable-periods")
    assert "赴省参加培训" in periods.inner_text()
    fits(page, viewport)
    shot(page, "unavailable-days")
    assert errors == []
    # A reversed period is refused beside its field, in Chinese.
    form = page.get_by_test_id("unavailable-form")
    form.get_by_label("开始日期").fill("2026-12-10")
    form.get_by_label("结束日期").fill("2026-12-05")
    form.get_by_role("button", name="登记不在岗日期").click()
    assert page.get_by_text("结束日期不能早于开始日期").first.is_visible()
    fits(page, viewport)
    shot(page, "unavailable-days-error")
    # The leader's own form: liaison townships as boxes to tick, on a phone too.
    page.get_by_role("link", name="修改", exact=True).click()
    page.get_by_role("heading", name="修改县级领导：杜文博").wait_for()
    assert page.get_by_role("checkbox", name="周庄镇").is_checked()
    fits(page, viewport)
    shot(page, "leader-form")
    # The county's rules: staff read them (the bureau head changes them).
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="时限规则").click()
    profiles = ("《信访工作条例》（2022年）", "《河南省信访条例》")
    assert page.get_by_test_id("current-profile").inner_text() in profiles
    assert page.get_by_test_id("rules-form").count() == 0
    fits(page, viewport)
    shot(page, "county-rules")
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_sysadmin_creates_an_account_and_the_secadmin_grants_it_a_role(
    browser, demo_server, shot, viewport
):
    username = f"clerk{viewport['width']}"
    admin_context = browser.new_context(viewport=viewport, locale="zh-CN")
    admin = admin_context.new_page()
    log_in(admin, demo_server.url, "sysadmin")
    admin.get_by_role("link", name="账号管理").first.click()
    admin.get_by_role("heading", name="账号管理").wait_for()
    fits(admin, viewport)
    shot(admin, "account-list")
    admin.get_by_role("link", name="新建账号").click()
    form = admin.get_by_test_id("account-form")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("姓名").fill("刘新")
    form.get_by_label("所属单位").select_option(label="周庄镇")
    fits(admin, viewport)
    shot(admin, "account-new")
    form.get_by_role("button", name="新建账号").click()
    password = admin.get_by_test_id("temporary-password").inner_text()
    assert len(password) == 12
    fits(admin, viewport)
    shot(admin, "account-issued")
    admin_context.close()

    security_context = browser.new_context(viewport=viewport, locale="zh-CN")
    security = security_context.new_page()
    log_in(security, demo_server.url, "secadmin")
    security.get_by_role("link", name="角色授权").first.click()
    security.get_by_label("账号或姓名").fill(username)
    security.get_by_role("button", name="查询").click()
    row = security.get_by_test_id("role-accounts").get_by_role("row").filter(has_text=username)
    assert "未授权" in row.inner_text()
    fits(security, viewport)
    shot(security, "role-list")
    row.get_by_role("link", name="授权").click()
    form = security.get_by_test_id("role-form")
    form.get_by_label("角色").select_option(label="乡镇/县直单位用户")
    form.get_by_label("授权理由").fill("新调入周庄镇信访办")
    fits(security, viewport)
    shot(security, "role-grant")
    form.get_by_role("button", name="确认授权").click()
    security.get_by_text(f"已将账号 {username} 的角色设为：乡镇/县直单位用户").wait_for()
    fits(security, viewport)
    shot(security, "role-granted")
    security_context.close()

    user_context = browser.new_context(viewport=viewport, locale="zh-CN")
    user = user_context.new_page()
    user.goto(f"{demo_server.url}/login/")
    user.get_by_label("用户名").fill(username)
    user.get_by_label("密码").fill(password)
    user.get_by_role("button", name="登录").click()
    user.wait_for_url(f"{demo_server.url}/account/password/")
    assert user.get_by_test_id("must-change").is_visible()
    user.locator("#id_old_password").fill(password)
    user.locator("#id_new_password1").fill("Zhouzhuang#2026")
    user.locator("#id_new_password2").fill("Zhouzhuang#2026")
    user.get_by_role("button", name="保存新密码").click()
    user.wait_for_url(f"{demo_server.url}/account/password/done/")
    user.goto(f"{demo_server.url}/")
    assert user.get_by_role("heading", name="周庄镇信访工作台").is_visible()
    fits(user, viewport)
    shot(user, "new-user-home")
    user_context.close()
