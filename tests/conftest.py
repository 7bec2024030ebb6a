"""Shared fixtures: the demo county loaded once per test database, and the named personas.

The personas are the demo accounts (STYLE.md): bureau, bureau_head, secretary, leader, zhouzhuang,
renshe, auditor, sysadmin, secadmin — plus `outsider`, bureau staff of another county.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from hypothesis import settings as hypothesis_settings

from xinfang.accounts.models import User
from xinfang.audit.guard import audit_guard_drop
from xinfang.core.queries import count_kept_clear
from xinfang.core.roles import Role
from xinfang.demo.services import demo_county_load
from xinfang.directory.models import County
from xinfang.directory.selectors import county_cache_clear
from xinfang.directory.services import categories_seed
from xinfang.lib.keys import create_key_file
from xinfang.notifications.gateways import DummyGateway, dummy_gateway

hypothesis_settings.register_profile("dev", max_examples=50, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

DEMO_USERNAMES = (
    "bureau", "bureau_head", "secretary", "leader", "zhouzhuang", "renshe", "auditor", "sysadmin", "secadmin",
)  # fmt: skip
PASSWORD = "Demo@2026"


@pytest.fixture(scope="session", autouse=True)
def _worker_tasks_in_process() -> None:
    # A child process cannot see a test's uncommitted rows: tests run every task in the worker itself;
    # tests/site/test_worker_isolation.py turns the child processes on.
    settings.XINFANG_WORKER_ISOLATE = False


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    # Deliberately slow hashing belongs in production, not in a test run of hundreds of logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _audit_labels_strict() -> None:
    # An audit action or summary key without a Chinese name fails the test that writes it (audit/labels.py).
    settings.XINFANG_AUDIT_STRICT_LABELS = True


@pytest.fixture
def synthetic_audit(settings) -> None:
    """For tests of the audit log itself, which write records of made-up actions (`test.one`)."""
    settings.XINFANG_AUDIT_STRICT_LABELS = False


@pytest.fixture(autouse=True)
def _password_only_login(settings) -> None:
    """Personas log in with the password alone, as in the demo; tests/accounts/test_two_factor.py turns the
    second factor on."""
    settings.XINFANG_2FA_ROLES = frozenset()


@pytest.fixture(autouse=True)
def sms(settings) -> DummyGateway:
    """Messages go to the dummy gateway, which records them; a fresh one for each test."""
    settings.XINFANG_SMS_GATEWAY = "dummy"
    gateway = dummy_gateway()
    gateway.sent.clear()
    gateway.script.clear()
    gateway.deliveries.clear()
    gateway.queries.clear()
    return gateway


@pytest.fixture(scope="session", autouse=True)
def _field_key() -> None:
    """The field-encryption key, created in the test data dir as `xinfang init` would."""
    create_key_file(settings.XINFANG_FIELD_KEY_FILE)


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker, _fast_password_hashing: None, _field_key
) -> None:
    with django_db_blocker.unblock():
        demo_county_load()
        # Tests empty the database between transactional tests, which the audit table's triggers refuse;
        # the guard's own tests install them inside their transaction (tests/audit/test_audit_guard.py).
        for alias in connections:
            audit_guard_drop(connections[alias])


@pytest.fixture(autouse=True)
def _county_cache() -> None:
    """What a process keeps of a county's directory is keyed on its revision; a test that empties the
    database and loads the county again starts at the same revision with other rows."""
    county_cache_clear()
    count_kept_clear()


@pytest.fixture
def county(db) -> County:
    return County.objects.get(code="410421")


@pytest.fixture
def persona(db) -> Callable[[str], User]:
    def get(username: str) -> User:
        return User.objects.select_related("county", "unit", "leader").get(username=username)

    return get


@pytest.fixture
def bureau(persona):
    return persona("bureau")


@pytest.fixture
def head(persona):
    return persona("bureau_head")


@pytest.fixture
def renshe(persona):
    return persona("renshe")


@pytest.fixture
def zhouzhuang(persona):
    return persona("zhouzhuang")


@pytest.fixture
def outsider(db) -> User:
    """Bureau staff of another county (鲁山县): everything of 宝丰县 is out of their scope."""
    other, created = County.objects.get_or_create(
        code="410423",
        defaults={"name": "鲁山县", "city": "平顶山市", "province": "河南省", "bureau_name": "鲁山县信访局"},
    )
    if created:
        categories_seed(county=other)
    user, _ = User.objects.get_or_create(
        username="outsider", defaults={"role": Role.BUREAU_STAFF, "county": other, "full_name": "外县人员"}
    )
    return user


@pytest.fixture
def client_for(db, persona) -> Callable[[str | User], Client]:
    """A test client logged in as a persona (by username or user)."""

    def make(who: str | User) -> Client:
        user = persona(who) if isinstance(who, str) else who
        client = Client()
        client.force_login(user)
        return client

    return make
