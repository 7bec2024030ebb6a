from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.masking import mask_id_number, mask_name, mask_phone, scrub_text

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
id_numbers = st.from_regex(r"[1-6][0-9]{16}[0-9X]", fullmatch=True)
names = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=4)


@given(mobiles)
def test_it_masks_the_middle_four_digits_of_a_mobile(mobile):
    masked = mask_phone(mobile)
    assert masked == mobile[:3] + "****" + mobile[-4:]


@given(id_numbers)
def test_it_keeps_only_region_and_last_four_of_an_id_number(id_number):
    masked = mask_id_number(id_number)
    assert masked == id_number[:6] + "********" + id_number[-4:]
    assert id_number[6:14] not in masked.replace("*", "")[6:]


@given(names)
def test_it_masks_names_keeping_surname_and_length(name):
    masked = mask_name(name)
    assert len(masked) == len(name)
    assert masked[0] == name[0]
    if len(name) == 2:
        assert masked == name[0] + "*"
    elif len(name) > 2:
        assert masked == name[0] + "*" * (len(name) - 2) + name[-1]


@given(
    st.lists(
        st.one_of(mobiles, id_numbers, names, st.sampled_from(["，", " ", "电话", "身份证"])), max_size=8
    )
)
def test_it_scrubs_every_mobile_and_id_number_out_of_free_text(parts):
    text = "".join(parts)
    scrubbed = scrub_text(text)
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", scrubbed)
    assert not re.search(r"(?<!\d)\d{17}[\dX](?![\dX])", scrubbed)


def test_it_masks_landlines_and_known_examples():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0375-6123456") == "0375-****3456"
    assert mask_id_number("410421199001011234") == "410421********1234"
    assert mask_id_number("410421900101123") == "410421******123"
    assert mask_name("张三") == "张*"
    assert mask_name("王小明") == "王*明"


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("电话138-1234-5678", "电话138****5678"),
        ("电话138 1234 5678", "电话138****5678"),
        ("电话１３８１２３４５６７８", "电话１３８****５６７８"),
        ("身份证410421 19900101 1234", "身份证410421********1234"),
        ("身份证4104 2119 9001 0112 3X", "身份证410421********123X"),
        ("身份证410421－19900101－123Ｘ", "身份证410421********123Ｘ"),
        ("13812345678 13912345678", "138****5678 139****5678"),
        ("编号410421-2026-000123，日期2026-11-30", "编号410421-2026-000123，日期2026-11-30"),
    ],
)
def test_free_text_masking_catches_numbers_however_they_are_typed(typed, masked):
    assert scrub_text(typed) == masked
