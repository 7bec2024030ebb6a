"""`xinfang reception plan`: the stored schedule, or the computed one when none is stored; unknown years."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang import cli
from xinfang.accounts.models import User
from xinfang.directory.models import County, Leader
from xinfang.lib.columns import display_width
from xinfang.reception.services import schedule_generate, schedule_publish, slot_adjust

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 9, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
KEYS = ["date", "level", "unit", "leader", "post", "kind"]


def plan(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["reception", "plan", *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_it_computes_a_month_not_stored_yet(county, capsys):
    code, out, _ = plan(capsys, "--month", "2026-10", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(list(row) == KEYS for row in rows)
    assert {row["kind"] for row in rows} == {"daily", "wednesday", "monday", "rotation"}
    days = {row["date"] for row in rows}
    assert "2026-10-10" in days  # 调休 Saturday
    assert not days & {f"2026-10-0{day}" for day in range(1, 8)}  # National Day
    wednesday = [row for row in rows if row["date"] == "2026-10-14" and row["kind"] == "wednesday"]
    assert sorted(row["post"] for row in wednesday) == sorted(
        Leader.objects.filter(county=county, post_kind__in=Leader.FOUR_BODIES_MAIN_POSTS).values_list(
            "post", flat=True
        )
    )
    assert all(row["unit"] is None for row in rows if row["level"] == "county")
    monday = [row for row in rows if row["date"] == "2026-10-12" and row["level"] == "township"]
    assert monday and all(row["kind"] == "monday" and row["unit"] for row in monday)
    keys = [(row["date"], row["level"]) for row in rows]
    assert keys == sorted(keys)


@time_machine.travel(NOW, tick=False)
def test_it_prints_the_stored_schedule_with_its_adjustments(county, capsys):
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    schedule, _ = schedule_generate(county=county, month=dt.date(2026, 10, 1), by=bureau, now=NOW)
    schedule_publish(schedule=schedule, by=head, now=NOW)
    slot = schedule.slots.filter(kind="daily", date=dt.date(2026, 10, 9)).get()
    other = Leader.objects.filter(county=county).exclude(pk=slot.leader_id or 0)[0]
    slot_adjust(slot=slot, person=f"leader:{other.pk}", note="", reason="原定领导外出", by=bureau)
    code, out, _ = plan(capsys, "--month", "2026-10", "--format", "json")
    rows = json.loads(out)
    assert {"date": "2026-10-09", "level": "county", "unit": None, "leader": other.name, "post": other.post,
            "kind": "daily"} in rows  # fmt: skip
    code, out, _ = plan(capsys, "--month", "2026-10")
    assert code == 0
    title, header, *lines, total = out.splitlines()
    assert "2026年10月领导接访排班（已公布）" in title and total == f"共 {len(rows)} 条接访安排。"
    assert any("（已调整）" in line and other.name in line for line in lines)
    start = display_width(header[: header.index("接访领导")])
    starts = {display_width(line[: line.index(row["leader"])]) for line, row in zip(lines, rows, strict=True)}
    assert starts == {start}


def test_a_month_in_an_unknown_year_exits_1_naming_the_calendar_commands(county, capsys):
    code, out, err = plan(capsys, "--month", "2027-01", "--format", "json")
    assert code == 1 and out == ""
    assert "2027年的节假日安排尚未录入" in err and "xinfang calendar close-year 2027" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--month", "2026-13"], "月份应写作 YYYY-MM"), (["--month", "10/2026"], "月份应写作 YYYY-MM"),
     (["--month", "2026-10", "--county", "999999"], "县不存在：999999")],
)  # fmt: skip
def test_bad_arguments_are_usage_errors(county, capsys, args, message):
    code, _, err = plan(capsys, *args)
    assert code == 2 and message in err


def test_a_new_county_without_officials_still_answers(county, capsys):
    County.objects.create(
        code="410482", name="汝州市", city="平顶山市", province="河南省", bureau_name="汝州市信访局"
    )
    code, out, _ = plan(capsys, "--month", "2026-10", "--county", "410482", "--format", "json")
    assert (code, json.loads(out)) == (0, [])
