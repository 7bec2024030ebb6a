"""Account actions, each in one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from xinfang.accounts.models import LoginGuard, RecoveryCode, TwoFactor, User
from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_record, model_diff
from xinfang.core.cipher import field_cipher
from xinfang.core.roles import Role
from xinfang.directory.models import County, Leader, Unit
from xinfang.lib.totp import matching_step, new_recovery_codes, new_secret, normalize_recovery_code


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
    must_change_password: bool = False,
) -> User:
    """Create an account after the model and password checks; raises ValidationError in Chinese. With
    `must_change_password` (a password the system admin hands over) its user changes it at first login."""
    if by is not None and by.role != Role.SYSTEM_ADMIN:
        raise PermissionDenied("只有系统管理员可以新建账号")
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
    if must_change_password:
        # After save(): setting a password records it as changed now (PasswordHistoryValidator).
        User.objects.filter(pk=user.pk).update(password_must_change=True)
        user.password_must_change = True
    audit_record(
        action="account.create",
        actor=by,
        obj=user,
        county=county,
        changes={"username": username, "role": role, "unit": str(unit or ""), "leader": str(leader or "")},
        actor_name="" if by else "system",
    )
    return user


# Which fields each admin role may change on an account (separation of duties, SPEC §3): the security
# admin changes the role and the unit head's authority through `account_role_grant`, with a reason.
ACCOUNT_EDITABLE_FIELDS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({"full_name", "mobile", "unit", "leader", "is_active"}),
}
_BINDINGS = frozenset({"unit", "leader"})


@transaction.atomic
def account_update(*, by: User, account: User, changes: dict[str, Any]) -> User:
    """Change an account's name, phone, binding or active flag as the system admin; never one's own account.

    A change of binding (unit, leader) by the system admin withdraws the role (and the unit head's
    authority), so that a new scope is only ever opened by the security admin granting it again.
    Raises PermissionDenied or a Chinese ValidationError; writes nothing then.
    """
    allowed = ACCOUNT_EDITABLE_FIELDS.get(by.role, frozenset())
    if account.pk == by.pk or not set(changes) <= allowed or account.county_id != by.county_id:
        raise PermissionDenied("无权修改该账号的这些内容")
    before = {name: getattr(account, name) for name in changes}
    for name, value in changes.items():
        setattr(account, name, value)
    fields = set(changes)
    if (
        by.role == Role.SYSTEM_ADMIN
        and _BINDINGS & fields
        and (account.role != Role.NONE or account.is_unit_head)
    ):
        before["role"], before["is_unit_head"] = account.role, account.is_unit_head
        account.role, account.is_unit_head = Role.NONE, False
        fields |= {"role", "is_unit_head"}
    account.full_clean(exclude=["password"])
    account.save(update_fields=sorted(fields))
    after = {name: getattr(account, name) for name in before}
    audit_record(action="account.update", actor=by, obj=account, changes=model_diff(before, after))
    return account


TEMPORARY_PASSWORD_DRAWS = 50


def temporary_password(account: User) -> str:
    """A password the system admin hands over, good for one login: 12 characters of every kind, none
    that read alike (0/O, 1/l/I), drawn again until the password rules accept it for this account (a
    random draw now and then resembles the user name: some three in 100,000)."""
    kinds = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "#%+=@")
    for _ in range(TEMPORARY_PASSWORD_DRAWS):
        chosen = [secrets.choice(kind) for kind in kinds]
        chosen += [secrets.choice("".join(kinds)) for _ in range(12 - len(kinds))]
        secrets.SystemRandom().shuffle(chosen)
        password = "".join(chosen)
        try:
            password_validation.validate_password(password, account)
        except ValidationError:
            continue
        return password
    raise ValidationError("无法生成符合密码规则的临时密码，请检查密码规则设置")


def _admin_check(*, by: User, account: User, role: str, refusal: str) -> None:
    """The separation of duties on accounts: each admin role does its own part, never on its own account,
    only for accounts of its county."""
    if by.role != role:
        raise PermissionDenied(refusal)
    if account.pk == by.pk or account.county_id != by.county_id:
        raise PermissionDenied("无权修改该账号")


@transaction.atomic
def account_password_reset(*, by: User, account: User) -> str:
    """Give the account a new temporary password (returned, to be shown once) that its user must change at
    the next login; its sessions end (Django checks the password hash per session). The system admin only.
    The second factor is not touched: a reset alone never opens an account that needs one."""
    _admin_check(by=by, account=account, role=Role.SYSTEM_ADMIN, refusal="只有系统管理员可以重置密码")
    password = temporary_password(account)
    account.set_password(password)
    account.save(update_fields=["password"])  # records it in the password history, as changed now
    User.objects.filter(pk=account.pk).update(password_must_change=True)
    account.password_must_change = True
    audit_record(action="account.password_reset", actor=by, obj=account)
    return password


ROLE_REASON_MIN = 4


@transaction.atomic
def account_role_grant(*, by: User, account: User, role: str, is_unit_head: bool, reason: str) -> User:
    """Grant a role (or withdraw it: `none`) and the unit head's authority, with the reason why. The security
    admin only; the role must fit the account's binding (a unit user's unit, a leader's leader). Raises
    PermissionDenied or ValidationError in Chinese; writes nothing then."""
    _admin_check(by=by, account=account, role=Role.SECURITY_ADMIN, refusal="只有安全管理员可以授予或撤销角色")
    reason = reason.strip()
    if len(reason) < ROLE_REASON_MIN:
        raise ValidationError({"reason": f"请填写授权理由（至少{ROLE_REASON_MIN}个字）"})
    if role not in Role.values:
        raise ValidationError({"role": "没有这种角色"})
    before = {"role": account.role, "is_unit_head": account.is_unit_head}
    account.role, account.is_unit_head = role, is_unit_head
    after = {"role": account.role, "is_unit_head": account.is_unit_head}
    diff = model_diff(before, after)
    if not diff:
        raise ValidationError("角色没有变化")
    account.full_clean(exclude=["password"])
    account.save(update_fields=sorted(diff))
    action = "account.role_revoke" if role == Role.NONE else "account.role_grant"
    audit_record(action=action, actor=by, obj=account, changes={**diff, "reason": reason})
    return account


@transaction.atomic
def account_password_changed_record(*, user: User) -> None:
    audit_record(action="account.password_change", actor=user, obj=user)


@transaction.atomic
def auth_login_record(*, user: User) -> None:
    """A successful login: recorded, and the count of failures before it starts again."""
    LoginGuard.objects.filter(username=user.username, failures__gt=0).update(failures=0)
    audit_record(action="auth.login", actor=user, obj=user)


@dataclass(frozen=True)
class LoginAttempt:
    """One attempt at a login name, reserved before its password or second factor is checked."""

    username: str
    number: int  # its place among the attempts in a row that have not succeeded (1: the first)
    locked_until: dt.datetime | None  # set when refused unchecked: the name is locked

    @property
    def refused(self) -> bool:
        return self.locked_until is not None


def login_attempt_reserve(*, username: str) -> LoginAttempt:
    """Count one attempt at a login name in one atomic statement (INSERT … ON CONFLICT … RETURNING),
    before anything is checked: parallel guesses get distinct numbers, and no more than
    XINFANG_LOCKOUT_ATTEMPTS of them are ever checked. Refused while the name is locked, and beyond the
    limit. Known and unknown names are counted alike, so a lockout never tells whether an account exists."""
    name = username[:150]
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    table, user, failures, until, last = (
        connection.ops.quote_name(column)
        for column in (LoginGuard._meta.db_table, "username", "failures", "locked_until", "last_attempt")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({user}, {failures}, {until}, {last}) VALUES (%s, 1, NULL, %s) "  # noqa: S608
            f"ON CONFLICT ({user}) DO UPDATE SET {last} = %s, {failures} = CASE "
            f"WHEN {table}.{until} > %s THEN {table}.{failures} ELSE {table}.{failures} + 1 END "
            f"RETURNING {failures}, CASE WHEN {until} > %s THEN 1 ELSE 0 END",
            [name, stamp, stamp, stamp, stamp],
        )
        number, locked = cursor.fetchone() or (1, 0)
    if locked:
        locked_until = LoginGuard.objects.filter(username=name).values_list("locked_until", flat=True).first()
        return LoginAttempt(name, int(number), locked_until or now)
    if number > settings.XINFANG_LOCKOUT_ATTEMPTS:  # parallel attempts: the limit's worth are being checked
        return LoginAttempt(name, int(number), now + dt.timedelta(minutes=settings.XINFANG_LOCKOUT_MINUTES))
    return LoginAttempt(name, int(number), None)


@transaction.atomic
def auth_login_failed_record(*, attempt: LoginAttempt) -> None:
    """A failed login names the login name tried (truncated) but never the password. The name's
    XINFANG_LOCKOUT_ATTEMPTS-th failure in a row, from whatever address, locks it for
    XINFANG_LOCKOUT_MINUTES; an attempt refused because the name is locked does not count again."""
    known = User.objects.filter(username=attempt.username).select_related("county").first()
    audit_record(
        action="auth.login_failed",
        actor=None,
        object_type="accounts.user",
        object_id=str(known.pk) if known else "",
        object_repr=attempt.username,
        county=known.county if known else None,
        outcome=AuditRecord.Outcome.DENIED if attempt.refused else AuditRecord.Outcome.FAILURE,
        actor_name=attempt.username,
        message="账号已锁定" if attempt.refused else "",
    )
    if not attempt.refused:
        _count_failure(attempt, known)


def _count_failure(attempt: LoginAttempt, known: User | None) -> None:
    """The attempt failed (a password or a second factor): the limit-th in a row locks the name."""
    if attempt.number < settings.XINFANG_LOCKOUT_ATTEMPTS:
        return
    locked_until = timezone.now() + dt.timedelta(minutes=settings.XINFANG_LOCKOUT_MINUTES)
    LoginGuard.objects.filter(username=attempt.username).update(failures=0, locked_until=locked_until)
    audit_record(
        action="auth.lockout",
        obj=known,
        object_type="accounts.user",
        object_repr=attempt.username,
        outcome=AuditRecord.Outcome.DENIED,
        changes={"locked_until": locked_until.isoformat(), "attempts": settings.XINFANG_LOCKOUT_ATTEMPTS},
        actor_name="system",
    )


# A login name's record is kept while it may matter: this long after its last attempt or lockout.
LOGIN_GUARD_KEEP = dt.timedelta(days=2)


def login_guards_purge() -> int:
    """The worker's task: forget login names not tried for two days and no longer locked (the failures
    in a row start again). Returns how many; a round with nothing to delete only reads."""
    cutoff = timezone.now() - LOGIN_GUARD_KEEP
    old = LoginGuard.objects.filter(last_attempt__lt=cutoff).exclude(locked_until__gte=cutoff)
    if not old.exists():
        return 0
    deleted, _ = old.delete()
    return deleted


UNLOCKING_ROLES = frozenset({Role.BUREAU_HEAD, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


@transaction.atomic
def account_unlock(*, by: User, account: User) -> User:
    """Lift a lockout before it ends (信访局长, 系统管理员 or 安全管理员, for accounts of their county)."""
    if by.role not in UNLOCKING_ROLES:
        raise PermissionDenied("只有信访局长、系统管理员或安全管理员可以解锁账号")
    if by.county_id is not None and account.county_id != by.county_id:
        raise PermissionDenied("该账号不在您的管辖范围内")
    LoginGuard.objects.filter(username=account.username).update(locked_until=None, failures=0)
    audit_record(action="account.unlock", actor=by, obj=account)
    return account


@transaction.atomic
def auth_logout_record(*, user: User) -> None:
    audit_record(action="auth.logout", actor=user, obj=user)


@transaction.atomic
def auth_session_expired_record(*, user: User, idle: bool) -> None:
    audit_record(
        action="auth.session_expired", actor=user, obj=user, message="空闲超时" if idle else "超过登录时限"
    )


# -- second factor (TOTP) ---------------------------------------------------------------------------

TWO_FACTOR_CONTEXT = "user.totp_secret"
TWO_FACTOR_DONE = "two_factor_done"  # the session key: the id of the user who passed it


def two_factor_required(user: User) -> bool:
    return user.role in settings.XINFANG_2FA_ROLES


@transaction.atomic
def two_factor_pending(*, user: User) -> TwoFactor:
    """The account's authenticator: the confirmed one, or a new secret waiting for its first code."""
    two_factor, _ = TwoFactor.objects.get_or_create(
        user=user, defaults={"secret_enc": field_cipher().encrypt(new_secret(), context=TWO_FACTOR_CONTEXT)}
    )
    return two_factor


def two_factor_secret(two_factor: TwoFactor) -> str:
    return field_cipher().decrypt(two_factor.secret_enc, context=TWO_FACTOR_CONTEXT)


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> list[str] | None:
    """Check a second factor: an authenticator code (each accepted once) or an unused recovery code.

    The first code confirms a new authenticator; the recovery codes issued then are returned (shown
    once). Returns None when the code is wrong (audited, and counted toward the lockout), else the new
    recovery codes or an empty list. Each code is an attempt at the login name like a password: reserved
    first, refused unchecked while the name is locked."""
    attempt = login_attempt_reserve(username=user.username)
    if attempt.refused:
        return None
    two_factor = TwoFactor.objects.select_for_update().get(user=user)
    step = matching_step(two_factor_secret(two_factor), code)
    issued: list[str] = []
    if step is not None and step > two_factor.last_step:
        two_factor.last_step = step
        if two_factor.confirmed_at is None:
            two_factor.confirmed_at = timezone.now()
            issued = new_recovery_codes()
            RecoveryCode.objects.filter(user=user).delete()
            RecoveryCode.objects.bulk_create(
                RecoveryCode(user=user, digest=_recovery_digest(recovery)) for recovery in issued
            )
            audit_record(action="auth.2fa_enrol", actor=user, obj=user)
        two_factor.save(update_fields=["last_step", "confirmed_at"])
    elif two_factor.confirmed_at is not None and (
        spent := RecoveryCode.objects.filter(
            user=user, digest=_recovery_digest(code), used_at__isnull=True
        ).first()
    ):
        spent.used_at = timezone.now()
        spent.save(update_fields=["used_at"])
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        audit_record(action="auth.2fa_recovery", actor=user, obj=user, changes={"left": left})
    else:
        audit_record(action="auth.2fa_failed", actor=user, obj=user, outcome=AuditRecord.Outcome.FAILURE)
        _count_failure(attempt, user)
        return None
    LoginGuard.objects.filter(username=user.username).update(failures=0)
    audit_record(action="auth.2fa_ok", actor=user, obj=user)
    return issued


def _recovery_digest(code: str) -> str:
    return field_cipher().blind_index(normalize_recovery_code(code), domain="recovery-code")
