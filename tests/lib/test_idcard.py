from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.idcard import InvalidValue, id_check_code, normalize_id_number, normalize_phone

TODAY = dt.date(2026, 11, 27)


@given(
    region=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    serial=st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_it_accepts_every_well_formed_id_number_and_rejects_a_wrong_check_digit(region, birth, serial):
    first17 = f"{region}{birth:%Y%m%d}{serial}"
    good = first17 + id_check_code(first17)
    assert normalize_id_number(good.lower(), today=TODAY) == good
    wrong = next(code for code in "0123456789X" if code != good[-1])
    with pytest.raises(InvalidValue, match="校验位"):
        normalize_id_number(first17 + wrong, today=TODAY)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("41042119900230123X", "出生日期"),
        ("410421203001011234", "出生日期"),
        ("4104211990010112", "18位"),
        ("41042119900101123Y", "18位"),
        ("", "18位"),
    ],
)
def test_it_explains_a_bad_id_number_in_chinese(value, message):
    with pytest.raises(InvalidValue, match=message):
        normalize_id_number(value, today=TODAY)


def test_it_accepts_the_old_fifteen_digit_form_and_full_width_digits():
    assert normalize_id_number("410421900101123", today=TODAY) == "410421900101123"
    assert normalize_id_number("４１０４２１１９９００１０１１２３X", today=TODAY).startswith("410421")


@pytest.mark.parametrize(
    "value", ["13812345678", "+8613812345678", "0375-6123456", "037561234567", "１３８１２３４５６７８"]
)
def test_it_accepts_mobiles_and_landlines(value):
    assert normalize_phone(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "6123456", "abc", ""])
def test_it_rejects_malformed_phones_in_chinese(value):
    with pytest.raises(InvalidValue, match="手机号码"):
        normalize_phone(value)


def test_it_refuses_digits_of_other_scripts():
    with pytest.raises(InvalidValue):
        normalize_id_number("٤١٠٤٢١١٩٨٥٠٣١٥٠٠١٦", today=TODAY)
    with pytest.raises(InvalidValue):
        normalize_phone("١٣٨١٢٣٤٥٦٧٨")
