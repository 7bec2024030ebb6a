"""The scoring engine alone (no database): points per level, collective doubling, per-person rules,
charging to the township and to a responsible department, waived charges, vetoes and ranks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from xinfang.scoring import engine
from xinfang.scoring.engine import AdditionRow, EventRow, Rules, UnitRef, VetoRow

DAY = dt.date(2026, 2, 10)
ZHOU, LI, RENSHE = 1, 2, 10


def event(pk: int, level: str, persons: int = 1, township: int = ZHOU, unit: int | None = None,
          department: bool = False) -> EventRow:  # fmt: skip
    return EventRow(pk, pk, f"410421-2026-{pk:06d}", DAY, level, persons, township, unit, department)


def test_it_deducts_by_level_and_doubles_a_collective_event():
    rules = Rules()
    assert engine.event_points(rules, event(1, "beijing")) == (Decimal(5), False)
    assert engine.event_points(rules, event(2, "province", persons=4)) == (Decimal(3), False)
    assert engine.event_points(rules, event(3, "province", persons=5)) == (Decimal(6), True)
    assert engine.event_points(rules, event(4, "city", persons=30)) == (Decimal(2), True)
    assert engine.event_points(rules, event(5, "county", persons=30)) == (Decimal(0), True)


def test_it_deducts_per_person_when_the_rule_says_so():
    rules = Rules(per=engine.PER_PERSON)
    assert engine.event_points(rules, event(1, "city", persons=3)) == (Decimal(3), False)
    assert engine.event_points(rules, event(2, "city", persons=6)) == (Decimal(12), True)


def test_it_charges_the_township_always_and_the_department_only_when_responsible():
    events = [
        event(1, "beijing", unit=RENSHE, department=True),
        event(2, "city", unit=ZHOU),  # the township itself is responsible: charged once
        event(3, "county", unit=RENSHE, department=True),  # no points at 到县
        event(4, "province", township=LI, unit=RENSHE, department=True, persons=8),
    ]
    rules = Rules()
    townships = engine.charges(rules, events, engine.township_key)
    departments = engine.charges(rules, events, engine.department_key)
    assert {key: [c.event.id for c in value] for key, value in townships.items()} == {ZHOU: [1, 2], LI: [4]}
    assert {key: [c.event.id for c in value] for key, value in departments.items()} == {RENSHE: [1, 4]}
    table = engine.score_table(rules, [UnitRef(RENSHE, "县人社局"), UnitRef(99, "县教体局")], departments)
    assert [(row["unit"], row["score"], row["rank"]) for row in table] == [
        ("县教体局", 100.0, 1),
        ("县人社局", 89.0, 2),
    ]
    assert table[1]["deductions"] == {
        "进京": {"events": 1, "points": 5}, "赴省": {"events": 1, "points": 6},
        "到市": {"events": 0, "points": 0},
    }  # fmt: skip


def test_a_vetoed_unit_ranks_last_whatever_its_score_and_ties_share_a_rank():
    rules = Rules()
    units = [UnitRef(ZHOU, "周庄镇"), UnitRef(LI, "李庄乡"), UnitRef(3, "闹店镇")]
    charged = engine.charges(rules, [event(1, "city", township=LI)], engine.township_key)
    table = engine.score_table(
        rules, units, charged, additions=[AdditionRow(1, LI, Decimal(1), "积案化解")],
        vetoes=[VetoRow(ZHOU, "发生重大群体性事件", "平信〔2026〕3号")],
    )  # fmt: skip
    assert [(row["unit"], row["score"], row["rank"], row["vetoed"]) for row in table] == [
        ("李庄乡", 100.0, 1, False), ("闹店镇", 100.0, 1, False), ("周庄镇", 100.0, 3, True),
    ]  # fmt: skip


def test_a_waived_charge_stays_listed_without_points():
    rules = Rules()
    charged = engine.charges(rules, [event(1, "beijing"), event(2, "city")], engine.township_key)
    table = engine.score_table(rules, [UnitRef(ZHOU, "周庄镇")], charged, waived={(ZHOU, 1): "属重复登记"})
    row = table[0]
    assert row["score"] == 99.0
    assert [(c["event"], c["waived"], c["waived_reason"]) for c in row["charges"]] == [
        (1, True, "属重复登记"), (2, False, ""),
    ]  # fmt: skip


@given(st.lists(st.tuples(st.sampled_from(["county", "city", "province", "beijing"]),
                          st.integers(1, 50), st.sampled_from([ZHOU, LI])), max_size=30))  # fmt: skip
def test_every_point_is_traceable_to_a_charge(rows):
    rules = Rules()
    events = [event(index, level, persons, township) for index, (level, persons, township) in enumerate(rows)]
    charged = engine.charges(rules, events, engine.township_key)
    table = engine.score_table(rules, [UnitRef(ZHOU, "周庄镇"), UnitRef(LI, "李庄乡")], charged)
    for row in table:
        assert 100 - row["score"] == sum(charge["points"] for charge in row["charges"])
        assert sum(cell["events"] for cell in row["deductions"].values()) == len(row["charges"])


def test_rules_survive_their_json_copy():
    rules = Rules(base=Decimal("90.5"), per=engine.PER_PERSON, collective_persons=10, version=3)
    assert Rules.from_dict(rules.as_dict()) == rules
