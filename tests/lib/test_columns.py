"""Command-line tables align Chinese text by display width (issue 14, item 10)."""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from xinfang.lib.columns import display_width, pad, table_lines, wrap


def test_chinese_and_fullwidth_characters_take_two_columns_and_combining_marks_none():
    assert display_width("宝丰县") == 6
    assert display_width("abc") == 3
    assert display_width("（Ａ）") == 6  # fullwidth parentheses and letter
    assert display_width("e\u0301") == 1  # e with a combining acute accent
    assert display_width("") == 0


def test_it_pads_by_display_width_on_either_side_and_never_cuts():
    assert pad("周庄镇", 10) == "周庄镇    "
    assert pad("12", 5, right=True) == "   12"
    assert pad("很长的名字", 4) == "很长的名字"


def test_the_columns_line_up_on_screen_whatever_the_mix_of_chinese_and_latin():
    lines = table_lines(
        [["周庄镇", "2 起", "daily"], ["闹店镇人民政府", "10 起", "x"], ["ab", "0 起", "末列"]], align="<>"
    )
    assert lines == [
        "周庄镇" + " " * 11 + "2 起  daily",
        "闹店镇人民政府  10 起  x",
        "ab" + " " * 15 + "0 起  末列",
    ]


cells = st.text(alphabet="宝丰县周庄镇（）abc1 ", max_size=6)


@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1), st.text(alphabet="<>", max_size=3))
def test_every_column_starts_at_the_same_screen_column_on_every_line(rows, align):
    # A marker where each column lines up (a left-aligned cell's start, a right-aligned one's end): the
    # k-th marker must stand at the same screen column on every line.
    right = [align[i : i + 1] == ">" for i in range(3)]
    marked = [[f"{cell}|" if right[i] else f"|{cell}" for i, cell in enumerate(row)] for row in rows]
    lines = table_lines(marked, align=align)
    for column in range(3):
        starts = {display_width("|".join(line.split("|")[: column + 1])) for line in lines}
        assert len(starts) == 1, lines


def test_it_wraps_chinese_text_by_display_width_keeping_punctuation_and_words_whole():
    text = (
        "生成确定性的模拟信访数据（用于性能测试），进度显示在标准错误输出。--counties K 时另建 K-1 个模拟县"
    )
    lines = wrap(text, 30)
    assert lines == [
        "生成确定性的模拟信访数据（用于",
        "性能测试），进度显示在标准错误",
        "输出。--counties K 时另建 K-1",
        "个模拟县",
    ]


@given(st.text(alphabet="宝丰县周庄镇，。（）abc1- ", max_size=80), st.integers(min_value=6, max_value=40))
def test_wrapped_lines_fit_lose_nothing_and_never_start_with_closing_punctuation(text, width):
    assume(not re.search(r"(^|\s)[，。）]|（(\s|$)", text))  # punctuation the text itself sets apart
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert line == line.strip() and line
        assert not line.startswith(("，", "。", "）")) and not line.endswith("（")
        # only a piece that cannot be broken (a Latin word, a character with its punctuation) may overflow
        assert display_width(line) <= width or " " not in line
