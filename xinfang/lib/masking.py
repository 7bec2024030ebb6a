"""Masking of personal data for display, documents, SMS and audit summaries (SPEC §3)."""

from __future__ import annotations

import re

# Numbers typed into free text, however they are typed: `\d` takes full-width digits too, and a space, a
# hyphen (half or full width) or an ideographic space may part the groups people write them in.
_SEP = r"[ \-－\u3000]?"
_CHECK = r"[\dXxＸｘ]"
_ID_RE = re.compile(
    rf"(?<!\d)(?:\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}{_CHECK}"  # 18 digits, or 6-8-4
    rf"|\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}{_SEP}\d{_CHECK}"  # 4-4-4-4-2
    rf"|\d{{6}}{_SEP}\d{{6}}{_SEP}\d{{3}})(?![\dXxＸｘ])"  # the old 15 digits
)
_MOBILE_RE = re.compile(rf"(?<!\d)[1１][3-9３-９]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)")
_SEPARATORS = re.compile(r"[ \-－\u3000]")


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


def masked_people(names: list[str], persons: int) -> str:
    """Who came, masked, and how many when more came than are named: 张*军、李*等5人 (names not empty)."""
    return "、".join(mask_name(name) for name in names) + (f"等{persons}人" if persons > len(names) else "")


def scrub_text(text: str) -> str:
    """Mask every ID number and mobile number that appears inside free text, with or without spaces or
    hyphens between its groups, in half- or full-width digits."""
    text = _ID_RE.sub(lambda m: mask_id_number(_SEPARATORS.sub("", m.group(0))), text)
    return _MOBILE_RE.sub(lambda m: mask_phone(_SEPARATORS.sub("", m.group(0))), text)
