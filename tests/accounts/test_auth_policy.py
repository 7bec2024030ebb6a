"""Authentication policy at level-3 defaults (issue 5): lockout, password rules, expiry, sessions."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from xinfang.accounts.models import LoginGuard, PasswordHistory, User
from xinfang.accounts.selectors import account_locked_until
from xinfang.accounts.services import auth_login_failed_record, login_attempt_reserve, login_guards_purge
from xinfang.accounts.sessions import SessionStore
from xinfang.audit.models import AuditRecord
from xinfang.demo.directory import DEMO_PASSWORD
from xinfang.demo.services import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def log_in(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_from_any_address_even_for_the_right_password():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for attempt in range(5):
            response = log_in(Client(), "zhouzhuang", "wrong-password", ip=f"10.0.0.{attempt + 1}")
            assert response.status_code == 200
        response = log_in(Client(), "zhouzhuang", DEMO_PASSWORD)
        assert response.status_code == 200 and "账号已锁定" in response.content.decode()
        user = User.objects.get(username="zhouzhuang")
        assert AuditRecord.objects.filter(action="auth.lockout", object_id=str(user.pk)).count() == 1
        denied = AuditRecord.objects.filter(action="auth.login_failed", outcome="denied").latest("id")
        assert denied.actor_name == "zhouzhuang"
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert log_in(Client(), "zhouzhuang", DEMO_PASSWORD).status_code == 200  # still locked
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert log_in(Client(), "zhouzhuang", DEMO_PASSWORD).status_code == 302
        assert LoginGuard.objects.get(username="zhouzhuang").failures == 0


def errors(response) -> list[str]:
    return re.findall(r'<div class="(?:field-)?error"[^>]*>(.*?)</div>', response.content.decode(), re.S)


class CountingHasher(MD5PasswordHasher):
    """The tests' hasher, counting how often a password is hashed (what a login's timing is made of)."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_an_unknown_name_is_answered_and_locked_exactly_like_a_real_account(settings):
    """An outsider cannot tell whether an account exists: the same answers, the same lockout, and the
    same work (password hashes) at every attempt, the locked ones included."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    answers: dict[str, list[tuple[int, list[str], int]]] = {}
    with time_machine.travel(timezone.now(), tick=False):
        for name in ("zhouzhuang", "no-such-account"):
            answers[name] = []
            for attempt in range(7):
                CountingHasher.calls = 0
                response = log_in(Client(), name, "wrong-password", ip=f"10.0.1.{attempt}")
                answers[name].append((response.status_code, errors(response), CountingHasher.calls))
    assert answers["zhouzhuang"] == answers["no-such-account"]
    assert [calls for _, _, calls in answers["zhouzhuang"]] == [1] * 5 + [0, 0]
    assert "账号已锁定至" in answers["zhouzhuang"][5][1][0]
    assert account_locked_until(username="no-such-account") is not None


def test_attempts_are_reserved_before_checking_so_parallel_guesses_stop_at_the_limit(settings):
    """Seven guesses in flight at once (reserved, none finished): only the limit's worth get checked."""
    settings.XINFANG_LOCKOUT_ATTEMPTS = 5
    attempts = [login_attempt_reserve(username="renshe") for _ in range(7)]
    assert [attempt.refused for attempt in attempts] == [False] * 5 + [True, True]
    for attempt in attempts:
        auth_login_failed_record(attempt=attempt)
    assert account_locked_until(username="renshe") is not None
    assert AuditRecord.objects.filter(action="auth.lockout", object_repr="renshe").count() == 1
    assert AuditRecord.objects.filter(action="auth.login_failed", outcome="denied").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_of_wrong_passwords_checks_no_more_than_the_limit(settings):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("threads cannot share the tests' in-memory SQLite database; PostgreSQL runs it")
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls = 0
    barrier = threading.Barrier(12)

    def guess(number: int) -> None:
        barrier.wait()
        try:
            log_in(Client(), "renshe", f"guess-{number}", ip=f"10.0.2.{number}")
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert CountingHasher.calls == 5
    assert account_locked_until(username="renshe") is not None


def test_login_names_not_tried_for_two_days_are_forgotten_unless_locked():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for name in ("someone", "renshe"):
            auth_login_failed_record(attempt=login_attempt_reserve(username=name))
        LoginGuard.objects.filter(username="renshe").update(locked_until=start + dt.timedelta(days=3))
        assert login_guards_purge() == 0
    with time_machine.travel(start + dt.timedelta(days=2, minutes=1), tick=False):
        assert login_guards_purge() == 1
        assert list(LoginGuard.objects.values_list("username", flat=True)) == ["renshe"]


def test_a_success_resets_the_count_of_failures():
    for _ in range(4):
        log_in(Client(), "renshe", "wrong")
    assert log_in(Client(), "renshe", DEMO_PASSWORD).status_code == 302
    for _ in range(4):
        log_in(Client(), "renshe", "wrong")
    assert log_in(Client(), "renshe", DEMO_PASSWORD).status_code == 302


def test_the_bureau_head_or_an_admin_unlocks_and_no_one_else(client_for, outsider):
    for _ in range(5):
        log_in(Client(), "zhouzhuang", "wrong")
    locked = User.objects.get(username="zhouzhuang")
    for who in ("bureau", "zhouzhuang", "auditor", "secretary"):
        if who == "zhouzhuang":
            continue
        assert client_for(who).get("/account/locked/").status_code == 403, who
        assert client_for(who).post("/account/locked/", {"account": locked.pk}).status_code == 403, who
    for admin in ("secadmin", "sysadmin"):
        assert "zhouzhuang" in client_for(admin).get("/account/locked/").content.decode(), admin
    outsider.role = "bureau_head"
    outsider.save(update_fields=["role"])
    assert client_for(outsider).post("/account/locked/", {"account": locked.pk}).status_code == 404
    head = client_for("bureau_head")
    assert head.post("/account/locked/", {"account": locked.pk}).status_code == 302
    assert account_locked_until(username="zhouzhuang") is None
    assert AuditRecord.objects.filter(action="account.unlock", actor_name="bureau_head").exists()
    assert log_in(Client(), "zhouzhuang", DEMO_PASSWORD).status_code == 302


def change_password(client: Client, old: str, new: str):
    return client.post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab1!", "至少需要8个字符"),
        ("abcdefgh1", "至少3类"),
        ("ABCDEFGH", "至少3类"),
        (DEMO_PASSWORD, "最近5次用过的密码"),
    ],
)
def test_weak_or_reused_passwords_are_refused(client_for, new, message):
    client = client_for("bureau")
    response = change_password(client, DEMO_PASSWORD, new)
    assert response.status_code == 200 and message in response.content.decode()


def test_none_of_the_last_five_passwords_may_be_chosen_again(client_for):
    user = User.objects.get(username="renshe")
    passwords = [f"Neues-Pass{index}!" for index in range(6)]
    for password in passwords:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    client = client_for("renshe")
    for recent in passwords[1:]:
        assert "最近5次" in change_password(client, passwords[-1], recent).content.decode()
    assert change_password(client, passwords[-1], passwords[0]).status_code == 302  # six changes ago


def test_an_expired_password_must_be_changed_before_anything_else(client_for):
    user = User.objects.get(username="bureau")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client = client_for("bureau")
    response = client.get("/matters/")
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    assert client.get("/account/password/").status_code == 200
    assert change_password(client, DEMO_PASSWORD, "Fresh-Pass-2026").status_code == 302
    assert client.get("/matters/").status_code == 200
    changed = User.objects.get(pk=user.pk).password_changed_at
    assert changed is not None and changed > timezone.now() - dt.timedelta(minutes=1)


def test_an_idle_session_ends_after_30_minutes_and_is_gone_from_the_server():
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        assert log_in(client, "bureau", DEMO_PASSWORD).status_code == 302
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # activity keeps it alive
    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert client.get("/").status_code == 200
    key = client.cookies["sessionid"].value
    with time_machine.travel(start + dt.timedelta(minutes=89), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditRecord.objects.filter(action="auth.session_expired", message="空闲超时").exists()


def test_a_session_ends_at_its_absolute_lifetime_however_active(settings):
    settings.SESSION_COOKIE_AGE = 3600
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        log_in(client, "bureau", DEMO_PASSWORD)
    for minutes in (20, 40, 59):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert client.get("/").status_code == 302
    assert AuditRecord.objects.filter(action="auth.session_expired", message="超过登录时限").exists()


def test_logout_invalidates_the_server_session():
    client = Client()
    log_in(client, "bureau", DEMO_PASSWORD)
    key = client.cookies["sessionid"].value
    client.post("/logout/")
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_row_is_honoured_only_until_its_expiry_and_only_with_its_signature():
    client = Client()
    log_in(client, "bureau", DEMO_PASSWORD)
    key = client.cookies["sessionid"].value
    assert client.get("/").status_code == 200
    row = Session.objects.get(session_key=key)
    row.expire_date = timezone.now() - dt.timedelta(seconds=1)
    row.save()
    assert client.get("/").status_code == 302  # the row is still there, but past its expiry
    row.expire_date = timezone.now() + dt.timedelta(hours=1)
    row.session_data = row.session_data[:-2] + ("AA" if not row.session_data.endswith("AA") else "BB")
    row.save()
    assert client.get("/").status_code == 302  # tampered data is no session
    row.delete()
    store = SessionStore(key)  # a key the server no longer has: nothing, and a new key when saved
    assert store.load() == {} and store.session_key is None
    store["seen"] = 1
    store.save()
    assert store.session_key != key and SessionStore(store.session_key).load() == {"seen": 1}


def test_failed_logins_from_one_address_are_rate_limited(settings):
    settings.XINFANG_LOGIN_RATE = (3, 300)
    for _ in range(3):
        assert log_in(Client(), "renshe", "wrong", ip="10.9.9.9").status_code == 200
    response = log_in(Client(), "renshe", DEMO_PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429 and "登录尝试过于频繁" in response.content.decode()
    assert log_in(Client(), "renshe", DEMO_PASSWORD, ip="10.9.9.10").status_code == 302


def test_every_demo_account_has_its_password_history_like_any_other(client_for):
    for username, _, _ in DEMO_ACCOUNTS:
        account = User.objects.get(username=username)
        assert account.password_changed_at is not None, username  # its expiry counts from here
        assert PasswordHistory.objects.filter(user=account).exists(), username
    # The published demo password cannot be chosen again by a unit account either.
    response = client_for("zhouzhuang").post(
        "/account/password/",
        {"old_password": DEMO_PASSWORD, "new_password1": DEMO_PASSWORD, "new_password2": DEMO_PASSWORD},
    )
    assert "最近" in response.content.decode()
