from __future__ import annotations

import datetime as dt
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.audit.models import AuditRecord
from xinfang.calendars.models import CalendarDay
from xinfang.calendars.selectors import work_calendar
from xinfang.lib.workdays import UnknownYear

pytestmark = pytest.mark.django_db


def calendar(*args: str) -> int:
    """`xinfang calendar …` (the management command it runs); returns the exit code.

    Called through call_command: the real command line closes every database connection when it ends,
    which would end the test's transaction on PostgreSQL."""
    try:
        call_command("calendar", *args)
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.returncode
    return 0


def test_it_enters_2027_by_csv_then_closes_it(capsys, tmp_path):
    with pytest.raises(UnknownYear):
        work_calendar().is_workday(dt.date(2027, 3, 1))
    assert calendar("close-year", "2027") == 1
    assert "只录入了0个工作日的放假安排" in capsys.readouterr().err

    csv_file = tmp_path / "2027.csv"
    holidays = ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12",
                "2027-04-05", "2027-05-03", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-04",
                "2027-10-05", "2027-10-06", "2027-10-07"]  # fmt: skip
    lines = [
        "date,type,note",
        *[f"{day},holiday,节假日" for day in holidays],
        "2027-02-07,workday,春节调休上班",
    ]
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    assert calendar("import", str(csv_file), "--dry-run") == 0
    assert not CalendarDay.objects.exists()
    assert calendar("import", str(csv_file)) == 0
    assert CalendarDay.objects.count() == 16
    assert AuditRecord.objects.filter(action="calendar.set").count() == 16

    assert calendar("close-year", "2027") == 0
    days = work_calendar()
    assert not days.is_workday(dt.date(2027, 2, 8))
    assert days.is_workday(dt.date(2027, 2, 7))  # a Sunday worked in exchange
    assert days.is_workday(dt.date(2027, 3, 1))
    capsys.readouterr()
    assert calendar("show", "2027") == 0
    shown = capsys.readouterr().out
    assert "本局录入，已确认完整" in shown
    assert "2027-02-07 调休上班" in shown
    assert calendar("set", "2027-05-01", "holiday") == 1
    assert "reopen-year 2027" in capsys.readouterr().err
    assert calendar("reopen-year", "2027") == 0
    assert calendar("set", "2027-05-04", "holiday", "--note", "劳动节") == 0
    assert calendar("close-year", "2027") == 0


def test_it_imports_nothing_from_a_file_with_a_bad_row(capsys, tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_bytes(
        "2027-01-01,放假,元旦\n2027-01-01,上班\n2027-02-30,holiday\n2027-03-01,休息\n".encode("gb18030")
    )
    assert calendar("import", str(csv_file)) == 1
    out = capsys.readouterr().out
    assert "第2行：与第1行日期重复" in out
    assert "第3行：日期应写作 YYYY-MM-DD：2027-02-30" in out
    assert "第4行：类型应为 workday（上班）或 holiday（放假）：休息" in out
    assert not CalendarDay.objects.exists()


def test_it_answers_bad_arguments_with_chinese_errors(capsys):
    assert calendar("set", "2027-13-01", "holiday") == 1
    assert "日期应写作 YYYY-MM-DD" in capsys.readouterr().err
    assert calendar("import", "/no/such/file.csv") == 2
    assert "无法读取文件" in capsys.readouterr().err
    assert calendar("close-year", "2026") == 1
    assert "已由日历库提供" in capsys.readouterr().err
    assert calendar("show", "2027") == 0
    assert "2027年的节假日安排尚未录入" in capsys.readouterr().out


def test_it_refuses_an_absurd_year(capsys):
    assert calendar("show", "99999") != 0
    assert "年份应为1990至2100之间的四位数" in capsys.readouterr().err
