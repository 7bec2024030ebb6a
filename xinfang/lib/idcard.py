"""Chinese resident ID numbers and phone numbers: validation and normalisation (no ORM)."""

from __future__ import annotations

import datetime as dt
import re

from xinfang.lib.cells import fold_fullwidth

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"
_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")


class InvalidValue(ValueError):
    """A value that fails validation; the message is Chinese and safe to show."""


def id_check_code(first17: str) -> str:
    return _CHECK_CODES[
        sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11
    ]


def _birth_date(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def normalize_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the ID number in canonical form (upper-case X) or raise InvalidValue.

    Accepts the 18-digit form with a valid checksum and birth date, and the old 15-digit form.
    """
    text = fold_fullwidth(value or "").strip().upper().replace(" ", "")
    today = today or dt.date.today()
    if re.fullmatch(r"[0-9]{17}[0-9X]", text):
        birth = _birth_date(text[6:14])
        if birth is None or birth > today or birth.year < 1880:
            raise InvalidValue("身份证号码中的出生日期不正确")
        if id_check_code(text[:17]) != text[17]:
            raise InvalidValue("身份证号码校验位不正确，请核对")
        return text
    if re.fullmatch(r"[0-9]{15}", text):
        if _birth_date("19" + text[6:12]) is None:
            raise InvalidValue("身份证号码中的出生日期不正确")
        return text
    raise InvalidValue("身份证号码应为18位（末位可为X）或15位数字")


def normalize_phone(value: str) -> str:
    """Return a mobile (11 digits) or landline (0375-1234567) number, or raise InvalidValue."""
    text = fold_fullwidth(value or "").strip().replace(" ", "")
    if text.startswith("+86"):
        text = text[3:]
    if _MOBILE_RE.match(text) or _LANDLINE_RE.match(text):
        return text
    raise InvalidValue("请填写11位手机号码或带区号的固定电话")


def is_mobile(value: str) -> bool:
    return bool(_MOBILE_RE.match(value))
