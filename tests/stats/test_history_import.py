"""`xinfang history import`: a county's monthly history before its registry's records, all or nothing,
every problem with its row and column, re-imports replacing their months, the registry winning."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook

from xinfang import cli
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, County, Unit
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.stats.history import COLUMNS
from xinfang.stats.models import MonthlyHistory

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
KEYS = {
    "rows", "imported", "created", "updated", "months", "replaced", "errors", "errors_omitted", "warnings",
    "warnings_omitted",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def csv_file(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["宝丰县历史信访数据"])  # a title row above the header
    writer.writerow(header or list(COLUMNS))
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(path: Path, *options: str, capsys) -> tuple[int, dict[str, Any]]:
    code = cli.main(["history", "import", str(path), "--format", "json", *options])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def top(county: County, name: str) -> Category:
    return Category.objects.get(county=county, name=name, parent__isnull=True)


def stored(county: County) -> dict[tuple[str, str, str], tuple[int, int | None]]:
    return {
        (row.month, row.level, row.category.name if row.category else "未分类"): (row.events, row.persons)
        for row in MonthlyHistory.objects.filter(county=county).select_related("category")
    }


def event_on(county: County, day: dt.date) -> None:
    matter_register(
        by=None,
        data=RegistrationInput(
            county=county,
            event=EventInput(date=day, channel="visit", level="county"),
            origin_township=Unit.objects.get(county=county, name="闹店镇"),
            category=Category.objects.get(county=county, parent__name="劳动和社会保障", name="工资福利"),
            content="拖欠工资",
        ),
    )


def test_it_imports_a_good_file(county, tmp_path: Path, capsys):
    path = csv_file(tmp_path / "历史.csv", [
        ["2025-03", "到县", "劳动和社会保障", "12", "20"],
        ["2025年3月", "到县", "劳动和社会保障/工资福利", "3", "3"],  # the same first level: added
        ["2025-03", "进京", "", "1", ""],
        ["2025/4", "到市", "未分类", "0", "0"],
        ["2025-04", "县", "国土资源", "7", "9"],
    ])  # fmt: skip
    code, result = run(path, capsys=capsys)
    assert code == 0, result
    assert set(result) == KEYS
    assert (result["rows"], result["imported"], result["created"]) == (5, 5, 4)
    assert (result["months"], result["replaced"], result["errors"]) == (["2025-03", "2025-04"], 0, [])
    assert stored(county) == {
        ("2025-03", "county", "劳动和社会保障"): (15, 23),
        ("2025-03", "beijing", "未分类"): (1, None),
        ("2025-04", "city", "未分类"): (0, 0),
        ("2025-04", "county", "国土资源"): (7, 9),
    }
    assert MonthlyHistory.objects.get(county=county, level="county", month="2025-03").category == top(
        county, "劳动和社会保障"
    )
    audit = AuditRecord.objects.get(action="history.import")
    assert audit.changes["months"] == "2025-03、2025-04"
    assert audit.changes["created"] == 4


def test_a_dry_run_writes_nothing(county, tmp_path: Path, capsys):
    path = csv_file(tmp_path / "历史.csv", [["2025-03", "到县", "", "4", ""]])
    code, result = run(path, "--dry-run", capsys=capsys)
    assert (code, result["created"], result["imported"]) == (0, 1, 0)
    assert not MonthlyHistory.objects.exists()
    assert not AuditRecord.objects.filter(action="history.import").exists()


def test_every_problem_is_reported_with_its_row_and_column_and_nothing_is_written(county, tmp_path, capsys):
    path = csv_file(tmp_path / "历史.csv", [
        ["2025-03", "到县", "劳动和社会保障", "12", ""],
        ["2025-13", "到省里", "没有这类", "-1", ""],
        ["2026-06", "到县", "", "5", "4"],  # June 2026 is not over; fewer persons than events
        ["", "到县", "", "", ""],
        ["2025-05", "到县", "", "3.5", "x"],
    ])  # fmt: skip
    code, result = run(path, capsys=capsys)
    assert code == 1
    problems = {(item["row"], item["column"]) for item in result["errors"]}
    assert problems == {
        (3, "月份"), (3, "访别"), (3, "问题类别"), (3, "批次"),
        (4, "月份"), (4, "人次"),
        (5, "月份"), (5, "批次"),
        (6, "批次"), (6, "人次"),
    }  # fmt: skip
    messages = {(item["row"], item["column"]): item["message"] for item in result["errors"]}
    assert "尚未结束" in messages[(4, "月份")]
    assert "不应少于批次" in messages[(4, "人次")]
    assert not MonthlyHistory.objects.exists()
    assert not AuditRecord.objects.filter(action="history.import").exists()


def test_a_re_import_replaces_its_months_only(county, tmp_path: Path, capsys):
    first = csv_file(tmp_path / "一.csv", [
        ["2025-03", "到县", "劳动和社会保障", "12", ""],
        ["2025-03", "到市", "国土资源", "2", ""],
        ["2025-04", "到县", "", "8", ""],
    ])  # fmt: skip
    assert run(first, capsys=capsys)[0] == 0
    again = csv_file(tmp_path / "二.csv", [["2025-03", "到县", "国土资源", "5", ""]])
    code, result = run(again, capsys=capsys)
    assert (code, result["replaced"], result["created"]) == (0, 2, 1)
    assert stored(county) == {
        ("2025-03", "county", "国土资源"): (5, None),
        ("2025-04", "county", "未分类"): (8, None),
    }
    assert AuditRecord.objects.filter(action="history.import").count() == 2


@pytest.mark.parametrize(("start_day", "refused"), [(1, "2026-03"), (21, "2026-04")])
def test_a_month_the_registry_has_events_in_is_refused(
    county, tmp_path, capsys, settings, start_day, refused
):
    settings.XINFANG_MONTH_START_DAY = start_day
    event_on(county, dt.date(2026, 3, 25))  # March with calendar months; April from the 21st
    months = ["2026-02", "2026-03", "2026-04"]
    path = csv_file(tmp_path / "历史.csv", [[month, "到县", "", "5", ""] for month in months])
    code, result = run(path, capsys=capsys)
    assert code == 1
    [error] = result["errors"]
    assert (error["row"], error["column"]) == (2 + months.index(refused), "月份")
    assert "以登记簿为准" in error["message"]
    assert not MonthlyHistory.objects.exists()


def test_it_reads_an_xlsx_with_excel_dates(county, tmp_path: Path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append([dt.datetime(2025, 11, 1), "到县", "国土资源", 6, 7])
    sheet.append(["2025年12月", "赴省", "国土资源", 2.0, None])
    book.save(tmp_path / "历史.xlsx")
    code, result = run(tmp_path / "历史.xlsx", capsys=capsys)
    assert code == 0, result
    assert stored(county) == {
        ("2025-11", "county", "国土资源"): (6, 7),
        ("2025-12", "province", "国土资源"): (2, None),
    }


def test_usage_errors_exit_2(county, tmp_path: Path, capsys):
    assert cli.main(["history", "import", str(tmp_path / "没有.csv")]) == 2
    assert "文件不存在" in capsys.readouterr().err
    path = csv_file(tmp_path / "历史.csv", [["2025-03", "到县", "5"]], header=["月份", "访别", "人次"])
    code, result = run(path, capsys=capsys)
    assert code == 1
    assert {item["column"] for item in result["errors"]} == {"问题类别", "批次"}


def test_the_text_output_says_what_was_written(county, tmp_path: Path, capsys):
    rows = [["2025-03", "到县", "", "5", ""], ["2025-05", "到市", "", "1", ""]]
    path = csv_file(tmp_path / "历史.csv", rows)
    assert cli.main(["history", "import", str(path)]) == 0
    assert "导入完成：写入 2 个月（2025-03 至 2025-05）的 2 条历史记录；共 2 行。" in capsys.readouterr().out
