import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.lib.trends import poisson_upper_tail, rising


def direct_tail(k: int, mean: float) -> float:
    return 1 - sum(math.exp(-mean) * mean**j / math.factorial(j) for j in range(k))


def test_it_computes_the_poisson_tail_by_hand() -> None:
    assert poisson_upper_tail(0, 3.0) == 1.0
    assert poisson_upper_tail(1, 0.5) == pytest.approx(1 - math.exp(-0.5))
    assert poisson_upper_tail(15, 10.0) == pytest.approx(0.0834584729, rel=1e-9)
    assert poisson_upper_tail(3, 1.0) == pytest.approx(1 - math.exp(-1) * (1 + 1 + 0.5))
    assert poisson_upper_tail(2, 0.0) == 0.0


def test_it_keeps_precision_far_in_the_tail() -> None:
    # 1 − P[X < 200] would be 0.0 in floating point; the upward sum keeps the tail.
    tail = poisson_upper_tail(200, 100.0)
    assert 0 < tail < 1e-15
    first = math.exp(-100 + 200 * math.log(100) - math.lgamma(201))
    assert first < tail < 2 * first


@given(st.integers(0, 60), st.floats(0.01, 60))
def test_it_matches_the_direct_sum(k: int, mean: float) -> None:
    assert poisson_upper_tail(k, mean) == pytest.approx(direct_tail(k, mean), abs=1e-12)


@given(st.integers(0, 80), st.floats(0, 80))
def test_it_is_a_probability_falling_in_k(k: int, mean: float) -> None:
    tail = poisson_upper_tail(k, mean)
    assert 0.0 <= tail <= 1.0
    assert poisson_upper_tail(k + 1, mean) <= tail + 1e-15


def test_it_does_not_call_one_to_three_rising() -> None:
    assert rising({"征地拆迁": 3}, {"征地拆迁": [1, 1, 1]}) == []
    # Even allowed by the minimum count, a small jump is chance.
    assert rising({"征地拆迁": 3}, {"征地拆迁": [1, 1, 1]}, min_count=1) == []


def test_it_calls_ten_to_thirty_rising() -> None:
    found = rising({"劳动社保": 30, "城乡建设": 15}, {"劳动社保": [10, 10, 10], "城乡建设": [10, 10, 10]})
    assert [item.name for item in found] == ["劳动社保"]
    item = found[0]
    assert item.current == 30
    assert item.baseline == 10.0
    assert item.change == pytest.approx(2.0)
    assert item.p_value == pytest.approx(direct_tail(30, 10.0), rel=1e-6)
    assert item.p_value < 0.05


def test_it_reports_a_zero_base_without_a_percentage() -> None:
    found = rising({"新类别": 6, "零星": 4}, {"新类别": [0, 0, 0], "零星": [0, 0, 0]})
    assert len(found) == 1
    assert found[0].name == "新类别"
    assert found[0].change is None
    assert found[0].p_value == 0.0


def test_it_skips_a_category_without_history_and_falling_ones() -> None:
    assert rising({"无历史": 50}, {}) == []
    assert rising({"下降": 5}, {"下降": [20, 20]}) == []


def test_it_sorts_the_most_significant_first() -> None:
    history = {"甲": [10, 10], "乙": [10, 10], "丙": [2, 2]}
    found = rising({"甲": 22, "乙": 40, "丙": 12}, history)
    assert [item.name for item in found] == ["乙", "丙", "甲"]
    assert [item.p_value for item in found] == sorted(item.p_value for item in found)
