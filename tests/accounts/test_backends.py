"""The login backend's read of the signed-in user (accounts/backends.py): the same user, county and unit
the ORM reads, on either database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.accounts.backends import UserBackend, user_read
from xinfang.accounts.models import User
from xinfang.core.roles import Role

pytestmark = pytest.mark.django_db


def fields(instance: object) -> dict[str, object]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}  # type: ignore[attr-defined]


@pytest.mark.parametrize("username", ["bureau", "zhouzhuang", "leader", "secretary"])
def test_it_reads_what_the_orm_reads_with_the_county_and_unit_in_one_query(county, username):
    User.objects.filter(username=username).update(
        last_login=timezone.now() - dt.timedelta(hours=3), password_changed_at=timezone.now()
    )
    expected = User.objects.select_related("county", "unit").get(username=username)
    with CaptureQueriesContext(connection) as queries:
        user = user_read(expected.pk)
        assert user is not None
        county, unit = user.county, user.unit  # from the same row: no further query
    assert len(queries.captured_queries) == 1
    assert fields(user) == fields(expected)
    assert fields(county) == fields(expected.county)
    assert (unit and fields(unit)) == (expected.unit and fields(expected.unit))
    assert isinstance(user.is_active, bool) and isinstance(user.last_login, dt.datetime)
    assert user.last_login.tzinfo is not None
    assert user._state.adding is False and user._state.db == "default"


def test_a_user_without_county_or_unit_and_a_missing_or_inactive_one(county):
    admin = User.objects.create_user(username="no-county", password="Xx-123456789", role=Role.SYSTEM_ADMIN)
    read = user_read(admin.pk)
    assert read is not None and read.county is None and read.unit is None
    assert user_read(admin.pk + 10_000) is None
    backend = UserBackend()
    assert backend.get_user(admin.pk) == admin
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert backend.get_user(admin.pk) is None
