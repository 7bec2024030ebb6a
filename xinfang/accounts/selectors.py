from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from xinfang.accounts.models import LoginGuard, User
from xinfang.core.roles import Role


def accounts_summary(*, county_id: int | None) -> dict[str, Any]:
    """Accounts of a county by role, and active/inactive counts, for the admins' home page."""
    accounts = User.objects.filter(county_id=county_id) if county_id else User.objects.none()
    by_role = dict(accounts.values_list("role").annotate(n=Count("pk")).order_by())
    return {
        "role_rows": [(label, by_role.get(value, 0)) for value, label in Role.choices],
        "active": accounts.filter(is_active=True).count(),
        "inactive": accounts.filter(is_active=False).count(),
    }


def account_locked_until(*, username: str) -> dt.datetime | None:
    """When the login name's lockout ends, or None when it is not locked."""
    guard = LoginGuard.objects.filter(username=username[:150], locked_until__gt=timezone.now())
    return guard.values_list("locked_until", flat=True).first()


def accounts_locked(*, user: User) -> QuerySet[User]:
    """The locked accounts the user may unlock: their county's (every county's, for an admin without one),
    each with `locked_until`."""
    guards = LoginGuard.objects.filter(username=OuterRef("username"), locked_until__gt=timezone.now())
    accounts = (
        User.objects.annotate(locked_until=Subquery(guards.values("locked_until")[:1]))
        .filter(locked_until__isnull=False)
        .select_related("county", "unit")
    )
    return accounts.filter(county_id=user.county_id) if user.county_id else accounts


def accounts_for_admin(*, user: User, query: str = "", role: str = "") -> QuerySet[User]:
    """The accounts the system or security admin manages: their county's, never their own, each with
    `locked_until` (None when not locked), by login name."""
    if user.role not in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN) or user.county_id is None:
        return User.objects.none()
    guards = LoginGuard.objects.filter(username=OuterRef("username"), locked_until__gt=timezone.now())
    accounts = (
        User.objects.filter(county_id=user.county_id)
        .exclude(pk=user.pk)
        .annotate(locked_until=Subquery(guards.values("locked_until")[:1]))
        .select_related("unit", "leader")
        .order_by("username")
    )
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    if role:
        accounts = accounts.filter(role=role)
    return accounts


def account_get_for_admin(*, user: User, account_id: int) -> User:
    """The gate for account pages: an account the admin manages (their county's, not their own), or 404."""
    account = accounts_for_admin(user=user).filter(pk=account_id).first()
    if account is None:
        raise Http404("账号不存在或不在您的管理范围内")
    return account


def password_expired(*, user: User) -> bool:
    """Issued by the system admin (a new account, a reset) and not yet changed by its user, or older than
    XINFANG_PASSWORD_MAX_AGE_DAYS (0: never expires); set at creation when never changed."""
    if user.password_must_change:
        return True
    days = settings.XINFANG_PASSWORD_MAX_AGE_DAYS
    changed = user.password_changed_at or user.date_joined
    return days > 0 and changed < timezone.now() - dt.timedelta(days=days)
