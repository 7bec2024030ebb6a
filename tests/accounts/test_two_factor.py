"""Two-factor login (TOTP) for the bureau head and the three admin roles (issue 5)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from xinfang.accounts.models import RecoveryCode, TwoFactor
from xinfang.accounts.selectors import account_locked_until
from xinfang.accounts.services import two_factor_secret
from xinfang.audit.models import AuditRecord
from xinfang.demo.directory import DEMO_PASSWORD
from xinfang.lib.totp import code_at, current_step

pytestmark = pytest.mark.django_db
ROLES = frozenset({"bureau_head", "system_admin", "security_admin", "auditor"})


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.XINFANG_2FA_ROLES = ROLES


def log_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def current_code(username: str, steps_ahead: int = 0) -> str:
    record = TwoFactor.objects.get(user__username=username)
    return code_at(two_factor_secret(record), current_step() + steps_ahead)


def enrol(client: Client, username: str) -> list[str]:
    page = client.get("/account/2fa/").content.decode()
    assert "扫描下方二维码" in page and 'src="data:image/svg+xml' in page
    response = client.post("/account/2fa/", {"code": current_code(username)})
    assert response.status_code == 200
    return re.findall(r"<li>([a-z0-9]{4}-[a-z0-9]{4})</li>", response.content.decode())


@pytest.mark.parametrize("username", ["bureau_head", "sysadmin", "secadmin", "auditor"])
def test_a_password_only_session_reaches_nothing_but_the_second_factor_page(username):
    client = log_in(username)
    for path in ("/", "/audit/", "/manage/", "/account/password/", "/account/locked/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/account/2fa/"), path
    api = client.get("/api/v1/matters/")  # the API's client cannot follow a redirect to a page: 403
    assert api.status_code == 403 and "第二步验证" in api.json()["detail"]
    assert client.get("/account/2fa/").status_code == 200


def test_enrolment_shows_recovery_codes_once_and_then_the_code_opens_the_pages():
    client = log_in("bureau_head")
    codes = enrol(client, "bureau_head")
    assert len(codes) == 10 and RecoveryCode.objects.filter(user__username="bureau_head").count() == 10
    assert client.get("/").status_code == 200
    assert AuditRecord.objects.filter(action="auth.2fa_enrol", actor_name="bureau_head").exists()
    # The next login asks for a code, no QR code any more; a code is accepted only once.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60)):
        again = log_in("bureau_head")
        page = again.get("/account/2fa/").content.decode()
        assert "扫描下方二维码" not in page and "6位验证码" in page
        code = current_code("bureau_head")
        assert again.post("/account/2fa/", {"code": code, "next": "/matters/"})["Location"] == "/matters/"
        replay = log_in("bureau_head")
        assert replay.post("/account/2fa/", {"code": code}).status_code == 422


def test_a_wrong_code_is_refused_audited_and_counts_toward_the_lockout():
    client = log_in("auditor")
    enrol(client, "auditor")
    other = log_in("auditor")
    for _ in range(4):
        response = other.post("/account/2fa/", {"code": "000000"})
        assert response.status_code == 422 and "验证码不正确" in response.content.decode()
    assert AuditRecord.objects.filter(action="auth.2fa_failed", actor_name="auditor").count() == 4
    other.post("/account/2fa/", {"code": "000000"})
    assert account_locked_until(username="auditor") is not None
    assert other.get("/account/2fa/").status_code == 302  # logged out: the account is locked


def test_a_recovery_code_works_once():
    client = log_in("secadmin")
    codes = enrol(client, "secadmin")
    later = log_in("secadmin")
    assert later.post("/account/2fa/", {"code": codes[3].upper()}).status_code == 302
    assert later.get("/").status_code == 200
    assert AuditRecord.objects.filter(action="auth.2fa_recovery").latest("id").changes["left"] == 9
    again = log_in("secadmin")
    assert again.post("/account/2fa/", {"code": codes[3]}).status_code == 422


def test_the_next_parameter_cannot_send_the_user_elsewhere():
    client = log_in("sysadmin")
    enrol(client, "sysadmin")
    later = log_in("sysadmin")
    code = current_code("sysadmin", steps_ahead=1)  # the enrolment used this step's code
    response = later.post("/account/2fa/", {"code": code, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_roles_outside_the_setting_log_in_with_the_password_alone():
    client = log_in("bureau")
    assert client.get("/").status_code == 200
    assert client.get("/account/2fa/").status_code == 302


def test_with_the_setting_empty_every_page_says_two_factor_is_off(settings, client_for):
    settings.XINFANG_2FA_ROLES = frozenset()
    page = client_for("bureau_head").get("/").content.decode()
    assert "双因素认证已关闭" in page and "XINFANG_" not in page
    for public in ("/public/submit/", "/public/query/", "/login/"):  # not the public's pages
        assert "双因素认证已关闭" not in Client().get(public).content.decode(), public
    settings.XINFANG_2FA_ROLES = ROLES
    assert "双因素认证已关闭" not in Client().get("/login/").content.decode()
