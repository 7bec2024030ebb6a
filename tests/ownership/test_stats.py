"""包案化解率 by period (ownership/stats.py and `xinfang ownership stats`): the batches issued in the
period, their distinct matters, resolved and open ones, per leader with the overdue."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.ownership.ledger_rows import DU, FAN, WEI, row, run
from xinfang import cli
from xinfang.ownership.models import Batch, BatchEntry
from xinfang.ownership.services import batch_create, batch_entry_add, batch_issue
from xinfang.ownership.stats import LeaderFigures, ownership_stats
from xinfang.petitions.models import Matter

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
S = Matter.Status


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ledger(county):
    """Three imported batches: 第1期 issued 03-03 (S1 resolved, S2 open, S3 concluded unresolved), 第2期
    04-20 (S4 open), 第3期 05-25 (S5 open, and S1 again). Deadlines are 30 days after."""
    done, open_ = {"办理状态": "已化解", "是否化解": "是"}, {"办理状态": "办理中"}
    concluded = {"办理状态": "已办结", "是否化解": "否"}
    result = run(county, [
        row(登记编号="S1", 信访日期="2026-03-02", 包案领导=DU, 包案期次="第1期"),
        row(登记编号="S1", 信访日期="2026-05-10", 包案领导=DU, 包案期次="第3期", **done),
        row(登记编号="S2", 信访日期="2026-03-03", 包案领导=DU, 包案期次="第1期", **open_),
        row(登记编号="S3", 信访日期="2026-03-03", 包案领导=WEI, 包案期次="第1期", **concluded),
        row(登记编号="S4", 信访日期="2026-04-20", 包案领导=WEI, 包案期次="第2期", **open_),
        row(登记编号="S5", 信访日期="2026-05-25", 包案领导=FAN, 包案期次="2026年第3期", **open_),
    ])  # fmt: skip
    assert result.ok and result.batches == 3
    return {
        number: Matter.objects.get(county=county, number=number) for number in ("S1", "S2", "S3", "S4", "S5")
    }


def figures(county, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    return ownership_stats(county=county, date_from=date_from, date_to=date_to).as_dict()


def test_it_counts_the_batches_issued_in_the_period_and_their_distinct_matters(county, ledger):
    assert figures(county, *YEAR) == {
        "batches": 3, "matters": 5, "resolved": 1, "resolved_rate": 0.2,
        "by_leader": [
            # S1 is in two batches: once. 杜文博 before 魏振华 (as many matters), by name.
            {"leader": DU, "matters": 2, "resolved": 1, "open": 1, "overdue": 1},
            # S3 is concluded without being resolved: neither resolved nor open.
            {"leader": WEI, "matters": 2, "resolved": 0, "open": 1, "overdue": 1},
            {"leader": FAN, "matters": 1, "resolved": 0, "open": 1, "overdue": 0},  # due 06-24
        ],
    }  # fmt: skip
    # The period's first and last days count; an imported batch by its date, the latest of its rows. The
    # matters are counted as they are now: S1, resolved since, is resolved.
    both = figures(county, dt.date(2026, 3, 3), dt.date(2026, 4, 20))
    assert (both["batches"], both["matters"], both["resolved"]) == (2, 4, 1)
    assert figures(county, dt.date(2026, 3, 4), dt.date(2026, 4, 19)) == {
        "batches": 0, "matters": 0, "resolved": 0, "resolved_rate": 0.0, "by_leader": []
    }  # fmt: skip


def test_resolved_is_resolved_or_a_resolution_date_and_overdue_is_open_past_the_deadline(county, ledger):
    # Resolved, then a review was asked: still resolved. Concluded without 化解: finished, not resolved.
    Matter.objects.filter(pk=ledger["S5"].pk).update(status=S.REVIEW, resolved_on=dt.date(2026, 5, 28))
    Matter.objects.filter(pk=ledger["S2"].pk).update(status=S.CONCLUDED)
    stats = ownership_stats(county=county, date_from=YEAR[0], date_to=YEAR[1])
    assert (stats.matters, stats.resolved, stats.resolved_rate) == (5, 2, 0.4)
    rows = {row.leader: row for row in stats.by_leader}
    assert (rows[DU].resolved, rows[DU].open, rows[DU].overdue) == (1, 0, 0)
    assert (rows[FAN].resolved, rows[FAN].open, rows[FAN].resolved_rate) == (1, 0, 1.0)
    # Overdue is counted on `today`: 第2期's deadline is 05-20.
    early = ownership_stats(county=county, date_from=YEAR[0], date_to=YEAR[1], today=dt.date(2026, 5, 20))
    assert {row.leader: row.overdue for row in early.by_leader}[WEI] == 0


def test_drafts_never_count_and_a_leader_in_two_batches_of_a_matter_counts_it_once(county, ledger):
    draft = Batch.objects.create(county=county, created_at=NOW)
    BatchEntry.objects.create(batch=draft, matter=ledger["S4"], leader=ledger["S1"].ownerships.get().leader)
    stats = ownership_stats(county=county, date_from=YEAR[0], date_to=YEAR[1])
    assert stats.batches == 3 and [row.matters for row in stats.by_leader] == [2, 2, 1]


def test_a_batch_issued_on_the_platform_counts_on_its_day(county, persona, ledger):
    bureau = persona("bureau")
    run(county, [row(登记编号="N1", 信访日期="2026-05-30", 访别="赴省")])
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        batch = batch_create(by=bureau, now=NOW - dt.timedelta(days=3))
    batch_entry_add(by=bureau, batch=batch, matter=Matter.objects.get(number="N1"), reason="赴省访")
    batch_issue(by=bureau, batch=batch, now=NOW)
    stats = ownership_stats(county=county, date_from=TODAY, date_to=TODAY)
    assert (stats.batches, stats.matters, stats.resolved) == (1, 1, 0)
    assert [(row.leader, row.matters, row.open, row.overdue) for row in stats.by_leader] == [(DU, 1, 1, 0)]


def test_it_reads_in_two_queries(county, ledger, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        ownership_stats(county=county, date_from=YEAR[0], date_to=YEAR[1])


def test_a_leaders_figures_give_their_rate():
    assert LeaderFigures(1, DU, 4, 1, 3, 0).resolved_rate == 0.25
    assert LeaderFigures(1, DU, 0, 0, 0, 0).resolved_rate == 0.0
    assert LeaderFigures(1, DU, 3, 1, 2, 0).resolved_rate == 0.3333


# -- the command -------------------------------------------------------------------------------------


def test_the_command_prints_json_exactly_and_a_table_aligned(county, ledger, capsys):
    assert (
        cli.main(["ownership", "stats", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["batches", "matters", "resolved", "resolved_rate", "by_leader"]
    assert out == figures(county, *YEAR)
    assert (
        cli.main(["ownership", "stats", "--from", "2026-01-01", "--to", "2026-12-31", "--county", "410421"])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0]
        == "宝丰县 2026-01-01 至 2026-12-31 印发包案 3 期，包案事项 5 件，已化解 1 件，包案化解率 20.0%"
    )
    assert lines[2:] == [
        "  包案领导  事项  已化解  未化解  超期  化解率",
        "  杜文博       2       1       1     1   50.0%",
        "  魏振华       2       0       1     1    0.0%",
        "  范晓峰       1       0       1     0    0.0%",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-02-01", "--to", "2026-01-01"], "起始日期不能晚于截止日期"),
        (["--from", "2026-02-30", "--to", "2026-03-01"], "日期应写作 YYYY-MM-DD"),
        (["--from", "2026-01-01", "--to", "2026-03-01", "--county", "999999"], "县不存在：999999"),
        (["--from", "2026-01-01"], "缺少参数：--to"),
    ],
)
def test_usage_errors_exit_with_2_in_chinese(county, capsys, arguments, message):
    assert cli.main(["ownership", "stats", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err
