from __future__ import annotations

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
