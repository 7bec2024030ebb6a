"""`xinfang jobs plan` (issue 6): the planned runs on the county's calendar, and unknown years refused."""

from __future__ import annotations

import json

import pytest

from xinfang import cli
from xinfang.directory.models import County
from xinfang.lib.columns import display_width
from xinfang.registry import JOBS

pytestmark = pytest.mark.django_db


def plan(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["jobs", "plan", *args])
    except SystemExit as exit_:  # a Django command's exit status
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_it_lists_every_working_day_run_in_json(county, capsys):
    code, out, _ = plan(capsys, "--from", "2026-02-13", "--to", "2026-02-24", "--county", "410421",
                        "--format", "json")  # fmt: skip
    assert code == 0
    runs = json.loads(out)
    assert runs[:7] == [
        {"job": "dashboard_snapshot", "county": "410421", "at": "2026-02-13T00:30:00+08:00"},
        {"job": "competition_refresh", "county": "410421", "at": "2026-02-13T02:30:00+08:00"},
        {"job": "review_windows", "county": "410421", "at": "2026-02-13T08:00:00+08:00"},
        {"job": "deadline_warnings", "county": "410421", "at": "2026-02-13T09:00:00+08:00"},
        {"job": "hotspot_warnings", "county": "410421", "at": "2026-02-13T09:00:00+08:00"},
        {"job": "meeting_remind", "county": "410421", "at": "2026-02-13T09:00:00+08:00"},
        {"job": "supervision_warnings", "county": "410421", "at": "2026-02-13T09:00:00+08:00"},
    ]
    monthly = ("progress_summary", "reception_schedules")
    # Every day, holidays included: the dashboard is read on any day, and a draft competition's figures
    # follow the registry's corrections night by night.
    daily = ("dashboard_snapshot", "competition_refresh")
    days = sorted({run["at"][:10] for run in runs if run["job"] not in (*monthly, *daily)})
    assert days == ["2026-02-13", "2026-02-14", "2026-02-24"]  # 14th: 调休 Saturday; 15th–23rd: 春节
    every_day = [f"2026-02-{day}" for day in range(13, 25)]
    for job in daily:
        assert [run["at"][:10] for run in runs if run["job"] == job] == every_day
    # The weekly draft on each week's first working day: Tuesday the 24th after the holiday; the 10-day
    # summary on its calendar day, the 21st, holiday or not.
    assert [run["at"][:10] for run in runs if run["job"] == "weekly_report"] == ["2026-02-24"]
    assert [run["at"][:10] for run in runs if run["job"] == "progress_summary"] == ["2026-02-21"]
    # Next month's reception schedules on the 20th, a Friday of the Spring Festival holiday.
    assert [run["at"][:10] for run in runs if run["job"] == "reception_schedules"] == ["2026-02-20"]


def test_the_monthly_analysis_is_drafted_on_the_first_working_day_after_the_month(county, capsys):
    code, out, _ = plan(capsys, "--from", "2026-09-25", "--to", "2026-11-05", "--format", "json")
    assert code == 0
    runs = [run["at"] for run in json.loads(out) if run["job"] == "monthly_report"]
    # October 1st–7th is the 国庆 holiday: September is drafted on the 8th, October on Monday the 2nd.
    assert runs == ["2026-10-08T09:30:00+08:00", "2026-11-02T09:30:00+08:00"]


def test_the_times_come_from_the_settings(county, capsys, settings):
    settings.XINFANG_DAILY_REPORT_TIME = "18:05"
    code, out, _ = plan(capsys, "--from", "2026-03-02", "--to", "2026-03-02", "--format", "json")
    assert code == 0 and {
        "job": "daily_report",
        "county": "410421",
        "at": "2026-03-02T18:05:00+08:00",
    } in json.loads(out)


def test_a_range_into_an_unknown_year_exits_1_naming_the_year_and_the_fix(county, capsys):
    code, out, err = plan(capsys, "--from", "2026-12-28", "--to", "2027-01-08", "--format", "json")
    assert code == 1 and out == ""
    assert "2027年的节假日安排尚未录入" in err and "xinfang calendar close-year 2027" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--from", "2026-13-01", "--to", "2026-12-31"], "日期应写作 YYYY-MM-DD"),
     (["--from", "2026-03-02", "--to", "2026-03-01"], "起始日期不能晚于截止日期"),
     (["--from", "2026-03-01", "--to", "2026-03-02", "--county", "999999"], "县不存在：999999")],
)  # fmt: skip
def test_bad_arguments_are_usage_errors(county, capsys, args, message):
    code, _, err = plan(capsys, *args)
    assert code == 2 and message in err


def test_the_text_plan_lines_its_columns_up_on_screen_whatever_the_county_names(county, capsys):
    County.objects.create(
        code="410482", name="汝州市", city="平顶山市", province="河南省", bureau_name="汝州市信访局"
    )
    County.objects.create(
        code="410499", name="平顶山示范区", city="平顶山市", province="河南省", bureau_name="示范区信访局"
    )
    code, out, _ = plan(capsys, "--from", "2026-03-02", "--to", "2026-03-02")
    assert code == 0
    header, *lines, total = out.splitlines()
    # Monday 2 March: every job but the 10-day summary (the 1st, 11th and 21st), the reception
    # schedules (the 20th), the quarterly duty's warning (17 March) and the competition's draft (1 April).
    assert total == f"共 {len(lines)} 次计划运行。" and len(lines) == 3 * (len(JOBS) - 4)
    assert {line.split()[2] for line in lines} == {"宝丰县", "汝州市", "平顶山示范区"}
    for column, cell_of in ((2, lambda job: job.title), (3, lambda job: job.name)):
        starts = {display_width(header[: header.index(header.split()[column])])}
        for line in lines:
            job = next(job for job in JOBS if line.split()[-1] == job.name)
            starts.add(display_width(line[: line.index(cell_of(job))]))
        assert len(starts) == 1, out


def test_the_competition_is_drafted_on_the_first_working_day_of_each_quarter(county, capsys):
    code, out, _ = plan(capsys, "--from", "2026-06-25", "--to", "2026-10-20", "--format", "json")
    assert code == 0
    runs = [run["at"] for run in json.loads(out) if run["job"] == "competition_draft"]
    # 1 July is a Wednesday; 1–7 October is the 国庆 holiday.
    assert runs == ["2026-07-01T09:00:00+08:00", "2026-10-08T09:00:00+08:00"]
