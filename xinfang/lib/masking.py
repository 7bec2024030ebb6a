"""Masking of personal data for display, documents, SMS and audit summaries (SPEC §3)."""

from __future__ import annotations

import re

_ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8}|\d{6})(\d{3}[\dXx]|\d{1})(?![\dXx])")
_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str) -> str:
    """410421199001011234 -> 410421********1234; a 15-digit number keeps 6 + last 3."""
    value = (value or "").strip()
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) == 15:
        return value[:6] + "*" * 6 + value[-3:]
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; a landline keeps its area code and last 4 digits."""
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    head = value.split("-")[0] if "-" in value else digits[:3]
    return f"{head}-****{digits[-4:]}" if "-" in value else head + "****" + digits[-4:]


def mask_name(value: str) -> str:
    """张三 -> 张*, 王小明 -> 王*明, 欧阳小明 -> 欧**明."""
    value = (value or "").strip()
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def scrub_text(text: str) -> str:
    """Mask every ID number and mobile number that appears inside free text."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), text)
