from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.sms_text import sms_parts, split_messages

SIGNATURE = "【宝丰县信访局】"


def test_parts_follow_the_70_and_67_character_rule():
    assert sms_parts("字" * 70) == 1
    assert sms_parts("字" * 71) == 2
    assert sms_parts("字" * 134) == 2
    assert sms_parts("字" * 135) == 3
    assert (
        sms_parts(SIGNATURE + "字" * 62) == 1 and sms_parts(SIGNATURE + "字" * 63) == 2
    )  # the signature counts


def test_a_short_report_is_one_message_with_the_signature():
    assert split_messages(["11月20日：到县访3起5人。", "无进京、赴省访。"], SIGNATURE) == [
        f"{SIGNATURE}11月20日：到县访3起5人。\n无进京、赴省访。"
    ]


def test_a_long_report_is_split_at_line_boundaries_within_the_part_cap():
    lines = [f"第{index}行：周庄镇到县访1起3人，反映拖欠工资问题。" for index in range(30)]
    messages = split_messages(lines, SIGNATURE, max_parts=4)
    assert len(messages) > 1
    assert all(message.startswith(SIGNATURE) and sms_parts(message) <= 4 for message in messages)
    assert [line for message in messages for line in message[len(SIGNATURE) :].split("\n")] == lines


def test_a_line_longer_than_the_cap_is_cut():
    messages = split_messages(["长" * 300], SIGNATURE, max_parts=2)
    assert all(sms_parts(message) <= 2 for message in messages)
    assert "".join(message[len(SIGNATURE) :] for message in messages) == "长" * 300


@given(
    st.lists(st.text(alphabet="访起人镇乡局县，。0123456789", min_size=0, max_size=150), max_size=25),
    st.integers(min_value=1, max_value=6),
)
def test_no_message_exceeds_the_cap_and_no_text_is_lost(lines, max_parts):
    messages = split_messages(lines, SIGNATURE, max_parts=max_parts)
    assert all(message.startswith(SIGNATURE) and sms_parts(message) <= max_parts for message in messages)
    assert "".join(message[len(SIGNATURE) :].replace("\n", "") for message in messages) == "".join(lines)
