from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from xinfang.core.roles import CONTENT_ROLES, COUNTY_WIDE_ROLES, LEADER_ROLES, Role
from xinfang.directory.models import County, Leader, Unit, phone_validator


class User(AbstractUser):
    """An account: one role, one county, and the unit or leader it acts for.

    Django's is_staff/is_superuser and model permissions are not used for access: the role decides.
    """

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    full_name = models.CharField("姓名", max_length=30, blank=True)
    role = models.CharField("角色", max_length=30, choices=Role.choices, default=Role.NONE)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name="所属县"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属单位",
        help_text="乡镇/县直单位用户必填",
    )
    leader = models.OneToOneField(
        Leader,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
        verbose_name="对应县级领导",
        help_text="县主要领导、县级领导必填",
    )
    mobile = models.CharField("手机", max_length=20, blank=True, validators=[phone_validator])
    # The unit's 负责人: approves its extensions (《信访工作条例》 Art. 34); granted by the security admin.
    is_unit_head = models.BooleanField("单位负责人", default=False)
    # When the password was last set (it expires after XINFANG_PASSWORD_MAX_AGE_DAYS, docs/security.md).
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Set when the system admin issued the password (a new account, a reset): changed at the next login.
    password_must_change = models.BooleanField("须修改密码", default=False)

    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        ordering: ClassVar = ["username"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(role="unit_user") | Q(unit__isnull=False), name="user_unit_role_needs_unit"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["main_leader", "county_leader"]) | Q(leader__isnull=False),
                name="user_leader_role_needs_leader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}({self.get_role_display()})"

    def clean(self) -> None:
        """Role and binding must agree. Errors are not tied to a field: the form changing the role
        (security admin) may not show the unit or leader fields at all."""
        super().clean()
        errors: list[str] = []
        if self.role == Role.UNIT_USER and self.unit_id is None:
            errors.append("乡镇/县直单位用户必须指定所属单位")
        if self.role in LEADER_ROLES and self.leader_id is None:
            errors.append("领导账号必须对应一位县级领导")
        if self.role not in (Role.UNIT_USER, Role.NONE) and self.unit_id is not None:
            errors.append("只有乡镇/县直单位用户才能指定所属单位")
        if self.is_unit_head and (self.role not in (Role.UNIT_USER, Role.NONE) or self.unit_id is None):
            errors.append("只有乡镇/县直单位的账号才能作为单位负责人")
        if self.role not in (*LEADER_ROLES, Role.NONE) and self.leader_id is not None:
            errors.append("只有领导账号才能对应县级领导")
        if self.unit_id and self.county_id and self.unit and self.unit.county_id != self.county_id:
            errors.append("所属单位不在本县")
        if self.leader_id and self.county_id and self.leader and self.leader.county_id != self.county_id:
            errors.append("对应领导不在本县")
        main_post = self.leader is not None and self.leader.post_kind in Leader.MAIN_POSTS
        if self.role == Role.MAIN_LEADER and self.leader_id and not main_post:
            errors.append("县主要领导角色只能授予县委书记或县长")
        if self.role in CONTENT_ROLES and self.county_id is None:
            errors.append("业务账号必须指定所属县")
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def sees_whole_county(self) -> bool:
        return self.role in COUNTY_WIDE_ROLES


class PasswordHistory(models.Model):
    """The hashes of an account's previous passwords: the last few may not be chosen again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    set_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering: ClassVar = ["user", "-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d}"


class TwoFactor(models.Model):
    """An account's authenticator (TOTP) secret, encrypted; usable once confirmed with a first code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret_enc = models.TextField("密钥(密文)")
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_step = models.BigIntegerField("最近使用的时间步", default=0)  # a code is accepted once

    class Meta:
        verbose_name = "双因素认证"
        verbose_name_plural = "双因素认证"

    def __str__(self) -> str:
        return f"{self.user_id} {'已启用' if self.confirmed_at else '待确认'}"


class RecoveryCode(models.Model):
    """A single-use code for when the phone is not at hand; only its keyed digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField("摘要", max_length=64)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def __str__(self) -> str:
        return f"{self.user_id} {'已用' if self.used_at else '未用'}"


class LoginGuard(models.Model):
    """The lockout of one login name, whether or not an account has it (so that a lockout never tells a
    real account from an unknown one): attempts in a row that did not succeed, each reserved before its
    password or second factor is checked, and the lockout they caused (docs/security.md)."""

    username = models.CharField("用户名", max_length=150, unique=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    last_attempt = models.DateTimeField("最近尝试时间", db_index=True)

    class Meta:
        verbose_name = "登录锁定"
        verbose_name_plural = "登录锁定"

    def __str__(self) -> str:
        return self.username
