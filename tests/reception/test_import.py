"""The reception ledger import (`xinfang import-receptions`): receptions grouped, a matter per row, known
numbers attached, all or nothing, dry runs that write nothing, warnings, limits, CSV and .xlsx, and the
article's figures reproduced from an imported ledger."""

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
from xinfang.directory.models import Category, County, Leader, Unit, UnitOfficial
from xinfang.petitions.models import Event, Matter, NumberSequence
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.reception.importer import COLUMNS
from xinfang.reception.models import Attendance, ReceivedMatter, Reception

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
HEADER = list(COLUMNS)
KEYS = {
    "rows", "imported", "created", "updated", "receptions", "batches", "batch_matters", "errors",
    "errors_omitted", "warnings", "warnings_omitted",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def row(**cells: str) -> list[str]:
    base = {
        "接访日期": "2026-03-05",
        "接访领导": "杜文博",
        "接访类型": "公开接访",
        "地点": "县人民群众来访接待中心",
        "信访人": "张三",
        "人数": "1",
        "问题类别": "劳动和社会保障/工资福利",
        "乡镇": "周庄镇",
        "反映问题": "拖欠工资",
        "处理结果": "交办",
    }
    base.update(cells)
    return [base.get(column, "") for column in HEADER]


def csv_file(path: Path, rows: list[list[str]], title: bool = True) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if title:
        writer.writerow(["宝丰县领导接访台账"])
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(path: Path, *options: str, capsys) -> tuple[int, dict[str, Any]]:
    code = cli.main(["import-receptions", str(path), "--format", "json", *options])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def registered(county: County, content: str = "土地承包纠纷") -> Matter:
    return matter_register(
        by=None,
        data=RegistrationInput(
            county=county,
            event=EventInput(date=dt.date(2026, 1, 12), channel="visit", level="county"),
            origin_township=Unit.objects.get(county=county, name="闹店镇"),
            category=Category.objects.filter(county=county, parent__isnull=False).first(),  # type: ignore[arg-type]
            content=content,
        ),
    )


def written() -> tuple[int, int, int, int]:
    return (
        Reception.objects.count(),
        Matter.objects.count(),
        Event.objects.count(),
        AuditRecord.objects.filter(action__startswith="reception.").count(),
    )


def test_it_imports_a_good_file(county, tmp_path: Path, capsys):
    known = registered(county)
    path = csv_file(tmp_path / "接访.csv", [
        row(**{"人数": "2", "处理结果": "当场化解"}),
        row(**{"信访人": "李四"}),
        row(**{"信访人": "李四"}),  # looks the same: another person, another matter
        row(**{"接访日期": "2026-03-04", "接访领导": "郑志远", "地点": "", "处理结果": "解释答复"}),
        row(**{"接访日期": "2026-03-10", "接访领导": "张立群", "地点": "周庄", "乡镇": "周庄"}),
        row(**{"接访日期": "2026/4/7", "接访类型": "下沉接访", "地点": "闹店镇", "登记编号": known.number,
               "问题类别": "", "乡镇": "", "反映问题": "", "人数": "3"}),
    ])  # fmt: skip
    code, result = run(path, capsys=capsys)
    assert code == 0, result["errors"]
    assert set(result) == KEYS
    assert (result["rows"], result["imported"], result["created"], result["updated"]) == (6, 6, 5, 1)
    assert (result["receptions"], result["batches"], result["batch_matters"]) == (4, 0, 0)

    centre = Reception.objects.get(date=dt.date(2026, 3, 5))
    assert (centre.kind, centre.place, centre.imported) == ("centre", "县人民群众来访接待中心", True)
    assert [a.leader.name for a in centre.attendances.all() if a.leader] == ["杜文博"]
    entries = list(ReceivedMatter.objects.filter(reception=centre).order_by("id"))
    assert [entry.outcome for entry in entries] == ["resolved", "assigned", "assigned"]
    assert [entry.persons for entry in entries] == [2, 1, 1]
    assert len({entry.matter_id for entry in entries}) == 3
    for entry in entries:
        assert (entry.event.channel, entry.event.date, entry.event.persons) == (
            "visit",
            centre.date,
            entry.persons,
        )
        assert entry.matter.origin_township.name == "周庄镇"
    assert Reception.objects.get(date=dt.date(2026, 3, 4)).kind == "wednesday"
    township = Reception.objects.get(date=dt.date(2026, 3, 10))
    assert (township.kind, township.township.name, township.place) == ("township", "周庄镇", "周庄镇")
    official = township.attendances.get().official
    assert official is not None and official.name == "张立群"

    down = Reception.objects.get(date=dt.date(2026, 4, 7))
    assert (down.kind, down.township.name) == ("down", "闹店镇")
    entry = ReceivedMatter.objects.get(reception=down)
    assert entry.matter == known and entry.persons == 3
    known.refresh_from_db()
    assert known.event_count == 2 and known.last_event_date == dt.date(2026, 4, 7)
    assert (entry.event.channel, entry.event.date) == ("visit", down.date)
    assert AuditRecord.objects.filter(action="reception.record").count() == 4
    record = AuditRecord.objects.get(action="reception.import")
    assert record.changes["receptions"] == 4 and record.changes["created"] == 5

    # The same file again is refused: its receptions are on record.
    before = written()
    code, result = run(path, capsys=capsys)
    assert code == 1 and "已有记录" in result["errors"][0]["message"]
    assert written() == before


BAD_CELLS = [
    ({"接访日期": "2026-02-30"}, "接访日期"),
    ({"接访日期": "2026-07-01"}, "接访日期"),
    ({"接访领导": ""}, "接访领导"),
    ({"接访类型": "座谈接访"}, "接访类型"),
    ({"接访类型": "下沉接访", "地点": "县信访局"}, "地点"),
    ({"人数": "0"}, "人数"),
    ({"问题类别": "外星人"}, "问题类别"),
    ({"乡镇": "东风乡"}, "乡镇"),
    ({"反映问题": ""}, "反映问题"),
    ({"处理结果": "已办结"}, "处理结果"),
    ({"登记编号": "410421-2026-999999"}, "登记编号"),
    ({"信访人": "张" * 31}, "信访人"),
]


@pytest.mark.parametrize(("cells", "column"), BAD_CELLS)
def test_any_error_blocks_the_whole_file(county, tmp_path: Path, capsys, cells, column):
    sequence = list(NumberSequence.objects.filter(county=county).values_list("year", "last"))
    before = written()
    path = csv_file(tmp_path / "bad.csv", [row(), row(**{"信访人": "王五"}), row(**cells)])
    code, result = run(path, capsys=capsys)
    assert code == 1
    assert result["imported"] == result["created"] == result["receptions"] == 0
    assert [(problem["row"], problem["column"]) for problem in result["errors"]] == [(4, column)]
    assert written() == before
    assert list(NumberSequence.objects.filter(county=county).values_list("year", "last")) == sequence


def test_a_terminated_matter_takes_no_new_visit(county, tmp_path: Path, capsys):
    known = registered(county)
    Matter.objects.filter(pk=known.pk).update(status=Matter.Status.CLOSED)
    path = csv_file(tmp_path / "closed.csv", [row(**{"登记编号": known.number})])
    code, result = run(path, capsys=capsys)
    assert code == 1 and result["errors"][0]["column"] == "登记编号"
    assert not Reception.objects.exists()


def test_a_dry_run_writes_nothing_and_issues_no_number(county, tmp_path: Path, capsys):
    path = csv_file(tmp_path / "dry.csv", [row(), row(**{"接访日期": "2026-03-06"})])
    before = written()
    sequence = list(NumberSequence.objects.filter(county=county).values_list("year", "last"))
    code, result = run(path, "--dry-run", capsys=capsys)
    assert code == 0
    assert (result["imported"], result["created"], result["receptions"]) == (0, 2, 2)
    assert written() == before
    assert list(NumberSequence.objects.filter(county=county).values_list("year", "last")) == sequence
    # The real run then issues the numbers the dry run did not take.
    assert run(path, capsys=capsys)[0] == 0
    last = dict(NumberSequence.objects.filter(county=county).values_list("year", "last"))[2026]
    assert last == dict(sequence).get(2026, 0) + 2


def test_warnings_never_block(county, tmp_path: Path, capsys):
    path = csv_file(tmp_path / "warn.csv", [
        row(**{"人数": "", "信访人": ""}),
        row(**{"接访领导": "王建国", "接访日期": "2025-11-03"}),  # a leader of the past, not on file
    ])  # fmt: skip
    code, result = run(path, capsys=capsys)
    assert code == 0 and result["imported"] == 2
    assert {(w["row"], w["column"]) for w in result["warnings"]} == {
        (2, "人数"),
        (2, "信访人"),
        (3, "接访领导"),
    }
    assert ReceivedMatter.objects.get(reception__date=dt.date(2026, 3, 5)).persons == 1
    past = Attendance.objects.get(reception__date=dt.date(2025, 11, 3))
    assert (past.name, past.leader, past.official) == ("王建国", None, None)


def test_a_former_leader_and_several_leaders_are_matched(county, tmp_path: Path, capsys):
    former = Leader.objects.get(county=county, name="杜文博")
    Leader.objects.filter(pk=former.pk).update(is_active=False)
    path = csv_file(tmp_path / "two.csv", [
        row(**{"接访领导": "杜文博、高明哲"}),
        row(**{"接访领导": "杜文博、高明哲", "信访人": "李四"}),
    ])  # fmt: skip
    code, result = run(path, capsys=capsys)
    assert code == 0 and not result["warnings"]
    reception = Reception.objects.get()
    assert [a.leader_id for a in reception.attendances.all()] == [
        former.pk,
        Leader.objects.get(county=county, name="高明哲").pk,
    ]
    assert reception.matters.count() == 2


def test_a_file_over_a_limit_is_a_usage_error(county, tmp_path: Path, settings, capsys):
    settings.XINFANG_LEDGER_MAX_ROWS = 2
    path = csv_file(tmp_path / "many.csv", [row(), row(), row()])
    assert cli.main(["import-receptions", str(path)]) == 2
    assert "XINFANG_LEDGER_MAX_ROWS" in capsys.readouterr().err
    assert not Reception.objects.exists()
    assert cli.main(["import-receptions", str(tmp_path / "missing.csv")]) == 2
    capsys.readouterr()
    petition_header = tmp_path / "petition.csv"
    petition_header.write_text("信访日期,信访形式\n2026-03-05,来访\n", encoding="utf-8")
    assert cli.main(["import-receptions", str(petition_header)]) == 2
    assert "接访日期" in capsys.readouterr().err


def test_a_workbook_imports_like_a_csv(county, tmp_path: Path, capsys):
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["宝丰县领导接访台账"])
    sheet.append(HEADER)
    first = row()
    first[HEADER.index("接访日期")] = dt.datetime(2026, 3, 5)  # type: ignore[call-overload]
    sheet.append(first)
    sheet.append(row(**{"接访日期": "46086", "信访人": "李四"}))  # an Excel serial number: 2026-03-05
    path = tmp_path / "接访.xlsx"
    workbook.save(path)
    code, result = run(path, capsys=capsys)
    assert code == 0, result["errors"]
    assert (result["receptions"], result["created"]) == (1, 2)
    assert Reception.objects.get().date == dt.date(2026, 3, 5)


def test_control_characters_in_cells_break_nothing(county, tmp_path: Path, capsys):
    cells = {"信访人": "张\x07三", "反映问题": "拖欠\x1b[31m工资\u202e", "地点": "县人民群众来访接待中心\x08"}
    # A NUL makes the file not a text CSV: refused as a whole (a usage error), nothing written.
    path = csv_file(tmp_path / "nul.csv", [row(**cells, **{"接访领导": "杜\x00文博"})])
    assert run(path, capsys=capsys)[0] == 2
    assert not Reception.objects.exists()
    path = csv_file(tmp_path / "ctl.csv", [row(**cells, **{"接访领导": "杜\x0c文博"})])
    code, result = run(path, capsys=capsys)
    assert code == 0, result
    entry = ReceivedMatter.objects.get()
    assert entry.attendance is not None and entry.attendance.name == "杜文博"
    assert entry.reception.place == "县人民群众来访接待中心"
    assert "\x1b" not in entry.matter.content and "\u202e" not in entry.matter.content
    assert entry.matter.content.startswith("拖欠")


def test_the_text_output_names_the_problems(county, tmp_path: Path, capsys):
    path = csv_file(tmp_path / "bad.csv", [row(**{"乡镇": "东风乡"})])
    assert cli.main(["import-receptions", str(path)]) == 1
    out = capsys.readouterr().out
    assert "错误 第2行「乡镇」" in out and "未写入任何数据" in out


# -- the article's figures ------------------------------------------------------------------------------


def article_rows(county: County) -> list[list[str]]:
    """A year's ledger giving the article's figures: open reception 94 人次, 273 起 526 人, 246 resolved on
    the spot; down to the townships 72 人次, 79 起 132 人 (50 resolved on the spot)."""
    leaders = list(Leader.objects.filter(county=county).values_list("name", flat=True))
    townships = list(Unit.objects.filter(county=county, kind="township").order_by("order", "id"))
    officials = {
        township.pk: UnitOfficial.objects.filter(unit=township).values_list("name", flat=True)[0]
        for township in townships
    }
    rows: list[list[str]] = []
    start = dt.date(2025, 1, 2)
    # Open: 92 receptions (2 of them with two leaders: 94 人次), 2 or 3 matters each.
    open_rows: list[dict[str, str]] = []
    for index in range(92):
        day = start + dt.timedelta(days=3 * index)
        if index < 2:
            who, place = "郑志远、高明哲", ""
        elif index % 9 == 0:
            township = townships[index % len(townships)]
            who, place = officials[township.pk], township.name
        elif index % 13 == 0:
            who, place = "王建国", "县人民群众来访接待中心"  # a leader of the past
        else:
            who, place = leaders[index % len(leaders)], "县人民群众来访接待中心"
        for _ in range(3 if index < 89 else 2):
            open_rows.append(
                {"接访日期": day.isoformat(), "接访领导": who, "接访类型": "公开接访", "地点": place}
            )
    assert len(open_rows) == 273
    for number, cells in enumerate(open_rows):
        outcome = "当场化解" if number < 246 else ("交办" if number % 2 else "解释答复")
        rows.append(row(**cells, **{"人数": "2" if number < 253 else "1", "处理结果": outcome,
                                    "信访人": f"来访人{number}"}))  # fmt: skip
    # Down: 72 receptions, one leader each, 79 matters.
    for index in range(72):
        day = dt.date(2025, 1, 7) + dt.timedelta(days=4 * index)
        township = townships[index % len(townships)]
        for extra in range(2 if index < 7 else 1):
            number = len(rows) - 273
            rows.append(row(**{
                "接访日期": day.isoformat(), "接访领导": leaders[index % len(leaders)],
                "接访类型": "下沉接访", "地点": township.name, "人数": "2" if number < 53 else "1",
                "乡镇": township.name, "处理结果": "当场化解" if number < 50 else "交办",
                "信访人": f"群众{index}-{extra}",
            }))  # fmt: skip
    assert len(rows) == 273 + 79
    return rows


def test_an_imported_ledger_reproduces_the_article_figures(county, tmp_path: Path, capsys):
    path = csv_file(tmp_path / "2025年接访台账.csv", article_rows(county))
    code, result = run(path, capsys=capsys)
    assert code == 0, result["errors"][:3]
    assert (result["imported"], result["created"], result["receptions"]) == (352, 352, 164)
    assert (
        cli.main(["reception", "stats", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json"])
        == 0
    )
    figures = json.loads(capsys.readouterr().out)
    assert figures["open"] == {
        "receptions": 94,
        "matters": 273,
        "persons": 526,
        "resolved": 246,
        "resolved_rate": round(246 / 273, 4),
    }
    assert figures["down"] == {
        "receptions": 72,
        "matters": 79,
        "persons": 132,
        "resolved": 50,
        "resolved_rate": round(50 / 79, 4),
    }
