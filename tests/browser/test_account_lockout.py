from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in


def fail_login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("alert").wait_for()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_locked_account_is_refused_then_unlocked_by_the_bureau_head(browser, demo_server, shot, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    for _ in range(5):
        fail_login(page, demo_server.url, "zhouzhuang")
    fail_login(page, demo_server.url, "zhouzhuang")
    assert "账号已锁定" in page.get_by_role("alert").inner_text()
    shot(page, "locked-login")

    head_context = browser.new_context(viewport=viewport, locale="zh-CN")
    head = head_context.new_page()
    log_in(head, demo_server.url, "bureau_head")
    head.get_by_role("link", name="账号解锁").click()
    rows = head.get_by_test_id("locked-accounts")
    assert "zhouzhuang" in rows.inner_text()
    assert head.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(head, "locked-list")
    head.get_by_role("button", name="解锁").click()
    assert head.get_by_text("已解锁账号 zhouzhuang").is_visible()
    assert head.get_by_text("当前没有被锁定的账号").is_visible()
    shot(head, "unlocked")
    head_context.close()

    log_in(page, demo_server.url, "zhouzhuang")
    assert page.url.rstrip("/") == demo_server.url
    context.close()
