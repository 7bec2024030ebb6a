"""Hostile and heavy ledger files (issue 12, item 1): the limits are checked before the sheet is read, a
file over a limit exits 2 naming the limit and its setting, and problems stop being collected after the
first thousand."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
import python_calamine
from django.utils import timezone
from openpyxl import Workbook

from tests.ledger.test_ledger_import import HEADER, csv_bytes, row
from xinfang import cli
from xinfang.ledger.checking import MAX_PROBLEMS
from xinfang.ledger.importer import LedgerError
from xinfang.ledger.models import LedgerImport
from xinfang.ledger.progress import ProgressFile, progress_path
from xinfang.ledger.uploads import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    ledger_confirm,
    ledger_discard,
    ledger_upload,
    ledger_work_next,
)
from xinfang.lib.ledger_file import LedgerFileError, LedgerLimitError, ReadLimits, ledger_read
from xinfang.petitions.models import Matter

pytestmark = pytest.mark.django_db
SMALL = ReadLimits(max_bytes=2 * 1024 * 1024, max_rows=50, max_columns=30, max_unpacked=1024 * 1024)


def workbook(rows: Sequence[Sequence[object]], *, at: str = "") -> bytes:
    """An .xlsx of the ledger header and `rows`; `at` puts one more cell far away (e.g. "A5000")."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    if at:
        sheet[at] = "远处"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through `change`."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return target.getvalue()


@pytest.fixture
def calamine_untouched(monkeypatch):
    """Fails a test if calamine is asked to read the workbook: the limits must refuse it first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the sheet was read before the limits were checked")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)


def limit_message(content: bytes, name: str, limits: ReadLimits = SMALL) -> str:
    with pytest.raises(LedgerLimitError) as refused:
        ledger_read(content, name, limits)
    return str(refused.value)


def test_a_workbook_with_too_many_rows_is_refused_before_its_sheet_is_read(calamine_untouched):
    message = limit_message(workbook([row() for _ in range(80)]), "多.xlsx")
    assert "XINFANG_LEDGER_MAX_ROWS" in message and "50" in message


def test_a_dense_bomb_without_row_numbers_is_refused_by_counting(calamine_untouched):
    # Rows without numbers, the way a hostile file packs millions of them into a megabyte.
    bomb = rewritten(workbook([row() for _ in range(80)]), lambda xml: re.sub(rb'<row r="\d+"', b"<row", xml))
    assert "XINFANG_LEDGER_MAX_ROWS" in limit_message(bomb, "bomb.xlsx")


def test_a_far_away_row_or_column_is_refused(calamine_untouched):
    assert "XINFANG_LEDGER_MAX_ROWS" in limit_message(workbook([row()], at="A5000"), "far.xlsx")
    assert "XINFANG_LEDGER_MAX_COLUMNS" in limit_message(workbook([row()], at="XFD2"), "wide.xlsx")


def test_a_workbook_that_unpacks_too_large_is_refused(calamine_untouched):
    long_text = "拖欠工资" * 8_000  # 96 KB a cell once unpacked, a few bytes packed
    content = workbook([row(**{"反映问题": f"{number}{long_text}"}) for number in range(12)])
    assert len(content) < 200_000
    assert "XINFANG_LEDGER_MAX_UNPACKED_MB" in limit_message(content, "big.xlsx")


def test_cells_without_a_position_are_refused(calamine_untouched):
    content = rewritten(workbook([row()]), lambda xml: re.sub(rb'(<c\b[^>]*?) r="[A-Z]+\d+"', rb"\1", xml))
    with pytest.raises(LedgerFileError, match="缺少位置信息"):
        ledger_read(content, "refless.xlsx", SMALL)


def test_a_csv_over_the_row_or_column_limit_is_refused():
    assert "XINFANG_LEDGER_MAX_ROWS" in limit_message(csv_bytes([row() for _ in range(80)]), "多.csv")
    assert "XINFANG_LEDGER_MAX_ROWS" in limit_message(csv_bytes([row() for _ in range(51)]), "多.csv")
    assert "XINFANG_LEDGER_MAX_COLUMNS" in limit_message(csv_bytes([[*row(), *["x"] * 20]]), "宽.csv")
    assert "XINFANG_LEDGER_MAX_MB" in limit_message(b"x" * (3 * 1024 * 1024), "大.csv")


def test_a_file_within_the_limits_reads_as_before():
    table = ledger_read(workbook([row(**{"登记编号": "L1"}) for _ in range(50)]), "ok.xlsx", SMALL)
    assert len(table.rows) == 50 and table.rows[0].text("登记编号") == "L1"


def test_the_command_exits_2_naming_the_setting_and_writes_nothing(county, tmp_path: Path, settings, capsys):
    settings.XINFANG_LEDGER_MAX_ROWS = 50
    path = tmp_path / "多.xlsx"
    path.write_bytes(workbook([row() for _ in range(80)]))
    assert cli.main(["import-ledger", str(path), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "XINFANG_LEDGER_MAX_ROWS" in captured.err
    assert not Matter.objects.exists()


def test_problems_stop_being_collected_after_a_thousand(county, tmp_path: Path, capsys):
    path = tmp_path / "坏.csv"
    path.write_bytes(csv_bytes([row(**{"乡镇": "东风乡"}) for _ in range(MAX_PROBLEMS + 200)]))
    assert cli.main(["import-ledger", str(path), "--format", "json"]) == 1
    output = json.loads(capsys.readouterr().out)
    assert len(output["errors"]) == MAX_PROBLEMS and output["errors_omitted"] == 200
    assert output["imported"] == 0 and not Matter.objects.exists()


def test_the_worker_fails_an_upload_over_a_limit_with_the_reason(county, persona, settings):
    settings.XINFANG_LEDGER_MAX_ROWS = 50
    record = ledger_upload(
        by=persona("bureau"), county=county, file_name="多.xlsx", content=workbook([row() for _ in range(80)])
    )
    assert ledger_work_next() == 1
    record.refresh_from_db()
    assert record.state == LedgerImport.State.FAILED and "XINFANG_LEDGER_MAX_ROWS" in record.message
    assert ledger_work_next() == 0  # never taken again
    with pytest.raises(Exception, match="不能导入"):
        ledger_confirm(by=persona("bureau"), ledger_import=record)


def test_a_file_that_stopped_a_worker_twice_is_failed_not_taken_again(county, persona, monkeypatch):
    record = ledger_upload(
        by=persona("bureau"), county=county, file_name="台账.csv", content=csv_bytes([row()])
    )
    stale = timezone.now() - CLAIM_TIMEOUT - dt.timedelta(minutes=1)
    # Two workers took it and died (killed, out of memory): claimed, never finished.
    LedgerImport.objects.filter(pk=record.pk).update(claimed_at=stale, attempts=MAX_ATTEMPTS)
    monkeypatch.setattr("xinfang.ledger.uploads._run", lambda record: pytest.fail("taken a third time"))
    assert ledger_work_next() == 1
    record.refresh_from_db()
    assert record.state == LedgerImport.State.FAILED and "已停止自动重试" in record.message
    assert ledger_work_next() == 0


def test_the_bureau_discards_any_unfinished_import_but_not_one_a_worker_is_at(client_for, county, persona):
    bureau = persona("bureau")
    content = csv_bytes([row()])
    waiting = ledger_upload(by=bureau, county=county, file_name="等待.csv", content=content)
    ledger_discard(by=bureau, ledger_import=waiting)
    busy = ledger_upload(by=bureau, county=county, file_name="处理中.csv", content=content)
    LedgerImport.objects.filter(pk=busy.pk).update(state=LedgerImport.State.QUEUED, claimed_at=timezone.now())
    with pytest.raises(LedgerError, match="正在处理"):
        ledger_discard(by=bureau, ledger_import=busy)
    LedgerImport.objects.filter(pk=busy.pk).update(claimed_at=timezone.now() - CLAIM_TIMEOUT)
    page = client_for("bureau").get(f"/ledger/{busy.pk}/").content.decode()
    assert "放弃" in page
    ledger_discard(by=bureau, ledger_import=busy)
    states = set(LedgerImport.objects.values_list("state", flat=True))
    assert states == {LedgerImport.State.DISCARDED} and not Matter.objects.exists()


def test_progress_that_stopped_moving_is_shown_as_stale(client_for, county, persona):
    record = ledger_upload(
        by=persona("bureau"), county=county, file_name="台账.csv", content=csv_bytes([row()])
    )
    ProgressFile(record.pk)("写入", 10, 100)
    os.utime(progress_path(record.pk), (time.time() - 600, time.time() - 600))  # ten minutes ago
    try:
        page = client_for("bureau").get(f"/ledger/{record.pk}/status/").content.decode()
    finally:
        progress_path(record.pk).unlink()
    assert "进度已 10 分钟未更新" in page
