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
