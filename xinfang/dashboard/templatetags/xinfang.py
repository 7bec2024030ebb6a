from __future__ import annotations

from typing import Any

from django import template

from xinfang.lib import masking

register = template.Library()


@register.filter
def mask_phone(value: str | None) -> str:
    return masking.mask_phone(value or "")


@register.filter
def mask_id_number(value: str | None) -> str:
    return masking.mask_id_number(value or "")


@register.filter
def mask_name(value: str | None) -> str:
    return masking.mask_name(value or "")


@register.filter
def who(user: Any, absent: str = "") -> str:
    """A person as pages name them: full name, else username; `absent` when nobody is recorded (an action
    of the command line or the worker)."""
    if user is None:
        return absent
    return getattr(user, "full_name", "") or getattr(user, "username", "") or absent


@register.filter
def upto(value: int | None, bound: int = 10_000) -> str:
    """A bounded count as pages show it: exact up to the bound, then "10,000+"."""
    if value is None:
        return ""
    return f"{bound:,}+" if value > bound else f"{value:,}"
