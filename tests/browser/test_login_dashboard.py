from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/**")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_it_logs_bureau_in_and_shows_the_county_dashboard(browser, demo_server, shot, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, demo_server.url, "bureau")
    assert page.get_by_test_id("county-name").inner_text() == "宝丰县"
    assert page.get_by_role("heading", name="宝丰县信访工作台").is_visible()
    assert page.get_by_test_id("figure-townships").inner_text().startswith("13\n")
    assert page.get_by_role("link", name="周庄镇").first.is_visible()
    # Nothing may spill sideways on a phone: the page is as wide as the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
    shot(page, "dashboard")
    assert errors == []
    context.close()


def test_it_shows_a_chinese_error_for_a_wrong_password(browser, demo_server, shot):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{demo_server.url}/login/")
    page.get_by_label("用户名").fill("bureau")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码不正确")
    shot(page, "login-error")
    context.close()


def test_it_keeps_the_zhouzhuang_user_on_their_own_township(browser, demo_server, shot):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "zhouzhuang")
    assert page.get_by_role("heading", name="周庄镇信访工作台").is_visible()
    page.get_by_text("本单位信息").click()  # the unit's directory, folded below the to-do cards
    assert page.get_by_text("党委书记").first.is_visible()
    shot(page, "unit-home")
    context.close()


@pytest.mark.parametrize(
    ("username", "path", "heading"),
    [
        ("auditor", "/audit/", "审计日志"),
        ("bureau", "/directory/leaders/", "县级领导"),
        ("bureau", "/directory/units/new/?kind=township", "新增乡镇"),
        ("sysadmin", "/", "系统管理员工作台"),
        ("secretary", "/stats/events/", "信访批次"),
    ],
    ids=["audit-log", "leaders", "maintenance", "sysadmin-home", "events"],
)
def test_it_renders_each_roles_main_page_on_a_phone(browser, demo_server, shot, username, path, heading):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, username)
    page.goto(f"{demo_server.url}{path}")
    assert page.get_by_role("heading", name=heading).first.is_visible()
    shot(page, "page")
    context.close()
