from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

CHARACTER_CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"\d"),
    re.compile(r"[^a-zA-Z\d]"),
)


class MinimumLengthValidator:
    """Django's length check with its message in Chinese (Django 5.2's zh_Hans catalog misses it)."""

    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                "密码太短，至少需要%(min_length)d个字符。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"密码至少需要{self.min_length}个字符。"


class CharacterClassValidator:
    """Password must mix at least `min_classes` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        present = sum(1 for pattern in CHARACTER_CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。"


class PasswordHistoryValidator:
    """A new password may not be one of the account's last `remember` passwords (the current one
    included). Records each password set, and when (for the 90-day expiry)."""

    def __init__(self, remember: int = 5) -> None:
        self.remember = remember

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or self.remember < 1:
            return
        from django.contrib.auth.hashers import check_password

        from xinfang.accounts.models import PasswordHistory

        recent = list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.remember]
        )
        if user.password and user.password not in recent:
            recent = [user.password, *recent][: self.remember]
        if any(check_password(password, stored) for stored in recent if stored):
            raise ValidationError(
                "不能使用最近%(n)d次用过的密码。", code="password_reused", params={"n": self.remember}
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        from django.utils import timezone

        from xinfang.accounts.models import PasswordHistory, User

        if user is None or user.pk is None:
            return
        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password, set_at=now)
        User.objects.filter(pk=user.pk).update(password_changed_at=now, password_must_change=False)
        user.password_changed_at, user.password_must_change = now, False
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
            max(self.remember, 1) :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return f"不能使用最近{self.remember}次用过的密码。"
