from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_dashboard import log_in
from xinfang.accounts.models import TwoFactor
from xinfang.accounts.services import two_factor_secret
from xinfang.lib.totp import code_at, current_step


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_bureau_head_enrols_an_authenticator_and_logs_in_with_it(
    browser, demo_server, shot, viewport, settings
):
    settings.XINFANG_2FA_ROLES = frozenset({"bureau_head"})
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "bureau_head")
    page.wait_for_url("**/account/2fa/**")
    assert page.get_by_test_id("two-factor-qr").is_visible()
    assert page.get_by_test_id("two-factor-qr").evaluate("image => image.naturalWidth") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, "enrol")
    page.goto(f"{demo_server.url}/matters/")  # nothing else opens
    assert "/account/2fa/" in page.url
    secret = two_factor_secret(TwoFactor.objects.get(user__username="bureau_head"))
    page.get_by_label("验证码").fill(code_at(secret, current_step()))
    page.get_by_role("button", name="启用并登录").click()
    codes = page.get_by_test_id("recovery-codes")
    assert len(codes.inner_text().split()) == 10
    shot(page, "recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url("**/matters/")
    assert page.get_by_role("heading", name="信访事项").is_visible()
    context.close()
