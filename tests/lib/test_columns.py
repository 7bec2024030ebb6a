"""Command-line tables align Chinese text by display width (issue 14, item 10)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.columns import display_width, pad, table_lines


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
