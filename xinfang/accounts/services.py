"""Account actions, each in one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.accounts.roles import Role
from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record, model_diff
from xinfang.directory.models import County, Leader, Unit


@transaction.atomic
def account_create(
    *,
    by: User | None,
    username: str,
    password: str,
    role: str,
    county: County | None,
    full_name: str = "",
    unit: Unit | None = None,
    leader: Leader | None = None,
    mobile: str = "",
) -> User:
    """Create an account after the model and password checks; raises ValidationError in Chinese."""
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        county=county,
        unit=unit,
        leader=leader,
        mobile=mobile,
    )
    user.full_clean(exclude=["password"])
    password_validation.validate_password(password, user)
    # Hashing is deliberately slow (PBKDF2); done once here, after every check has passed.
    user.set_password(password)
    user.save()
    audit_record(
        action="account.create",
        actor=by,
        obj=user,
        county=county,
        changes={"username": username, "role": role, "unit": str(unit or ""), "leader": str(leader or "")},
        actor_name="" if by else "system",
    )
    return user


# Which fields each admin role may change on an account (separation of duties, SPEC §3).
ACCOUNT_EDITABLE_FIELDS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({"full_name", "mobile", "unit", "leader", "is_active"}),
    Role.SECURITY_ADMIN: frozenset({"role"}),
}
_BINDINGS = frozenset({"unit", "leader"})


@transaction.atomic
def account_update(*, by: User, account: User, changes: dict[str, Any]) -> User:
    """Change an account's fields as the system or security admin; never one's own account.

    A change of binding (unit, leader) by the system admin withdraws the role, so that a new scope is
    only ever opened by the security admin granting the role again. Raises PermissionDenied or a
    Chinese ValidationError; writes nothing then.
    """
    allowed = ACCOUNT_EDITABLE_FIELDS.get(by.role, frozenset())
    if account.pk == by.pk or not set(changes) <= allowed or account.county_id != by.county_id:
        raise PermissionDenied("无权修改该账号的这些内容")
    before = {name: getattr(account, name) for name in changes}
    for name, value in changes.items():
        setattr(account, name, value)
    fields = set(changes)
    if by.role == Role.SYSTEM_ADMIN and _BINDINGS & fields and account.role != Role.NONE:
        before["role"] = account.role
        account.role = Role.NONE
        fields.add("role")
    account.full_clean(exclude=["password"])
    account.save(update_fields=sorted(fields))
    after = {name: getattr(account, name) for name in before}
    audit_record(action="account.update", actor=by, obj=account, changes=model_diff(before, after))
    return account


@transaction.atomic
def account_password_changed_record(*, user: User) -> None:
    audit_record(action="account.password_change", actor=user, obj=user)


@transaction.atomic
def auth_login_record(*, user: User) -> None:
    """A successful login: recorded, and the count of failures before it starts again."""
    if user.failed_logins:
        User.objects.filter(pk=user.pk).update(failed_logins=0)
    audit_record(action="auth.login", actor=user, obj=user)


@transaction.atomic
def auth_login_failed_record(*, username: str, locked: bool = False) -> None:
    """A failed login names the account tried (truncated) but never the password. The account's
    XINFANG_LOCKOUT_ATTEMPTS-th failure in a row, from whatever address, locks it for
    XINFANG_LOCKOUT_MINUTES; `locked`: refused because it already is (that does not count again)."""
    known = (
        User.objects.select_for_update(of=("self",))
        .filter(username=username[:150])
        .select_related("county")
        .first()
    )
    audit_record(
        action="auth.login_failed",
        actor=None,
        object_type="accounts.user",
        object_id=str(known.pk) if known else "",
        object_repr=username[:150],
        county=known.county if known else None,
        outcome=AuditRecord.Outcome.DENIED if locked else AuditRecord.Outcome.FAILURE,
        actor_name=username[:150],
        message="账号已锁定" if locked else "",
    )
    if known is None or locked:
        return
    known.failed_logins += 1
    if known.failed_logins >= settings.XINFANG_LOCKOUT_ATTEMPTS:
        known.failed_logins = 0
        known.locked_until = timezone.now() + dt.timedelta(minutes=settings.XINFANG_LOCKOUT_MINUTES)
        audit_record(
            action="auth.lockout",
            obj=known,
            outcome=AuditRecord.Outcome.DENIED,
            changes={
                "locked_until": known.locked_until.isoformat(),
                "attempts": settings.XINFANG_LOCKOUT_ATTEMPTS,
            },
            actor_name="system",
        )
    known.save(update_fields=["failed_logins", "locked_until"])


UNLOCKING_ROLES = frozenset({Role.BUREAU_HEAD, Role.SECURITY_ADMIN})


@transaction.atomic
def account_unlock(*, by: User, account: User) -> User:
    """Lift a lockout before it ends (信访局长 or 安全管理员, for accounts of their county)."""
    if by.role not in UNLOCKING_ROLES:
        raise PermissionDenied("只有信访局长或安全管理员可以解锁账号")
    if by.county_id is not None and account.county_id != by.county_id:
        raise PermissionDenied("该账号不在您的管辖范围内")
    locked = User.objects.select_for_update().get(pk=account.pk)
    locked.locked_until, locked.failed_logins = None, 0
    locked.save(update_fields=["locked_until", "failed_logins"])
    audit_record(action="account.unlock", actor=by, obj=locked)
    return locked


@transaction.atomic
def auth_logout_record(*, user: User) -> None:
    audit_record(action="auth.logout", actor=user, obj=user)


@transaction.atomic
def auth_session_expired_record(*, user: User, idle: bool) -> None:
    audit_record(
        action="auth.session_expired", actor=user, obj=user, message="空闲超时" if idle else "超过登录时限"
    )


DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    # username, role, what it is bound to (see demo_accounts_create)
    ("bureau", Role.BUREAU_STAFF, "信访局登记员"),
    ("bureau_head", Role.BUREAU_HEAD, "信访局长"),
    ("secretary", Role.MAIN_LEADER, "县委书记"),
    ("leader", Role.COUNTY_LEADER, "副县长(分包周庄镇)"),
    ("zhouzhuang", Role.UNIT_USER, "周庄镇"),
    ("renshe", Role.UNIT_USER, "县人社局"),
    ("auditor", Role.AUDITOR, "审计员"),
    ("sysadmin", Role.SYSTEM_ADMIN, "系统管理员"),
    ("secadmin", Role.SECURITY_ADMIN, "安全管理员"),
)
