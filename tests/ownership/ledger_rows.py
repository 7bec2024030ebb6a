"""Ledger rows as the bureau writes them, imported through the real import service: what the tests of the
包案期次 column and of the ownership statistics build their batches from."""

from __future__ import annotations

import csv
import io

from xinfang.ledger.checking import LedgerResult
from xinfang.ledger.services import ledger_import
from xinfang.lib.ledger_file import COLUMNS, ledger_read

DU, WEI, FAN = "杜文博", "魏振华", "范晓峰"  # county leaders of the test county; 杜文博 is the demo leader


def row(**cells: str) -> list[str]:
    base = {
        "信访日期": "2026-03-05", "人数": "1", "信访形式": "来访", "访别": "到县", "乡镇": "周庄镇",
        "问题类别": "劳动和社会保障/工资福利", "反映问题": "拖欠工资", "信访人": "张三",
    }  # fmt: skip
    base.update(cells)
    return [base.get(column, "") for column in COLUMNS]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def run(county, rows: list[list[str]], *, dry_run: bool = False, by=None) -> LedgerResult:
    return ledger_import(
        county=county, table=ledger_read(csv_bytes(rows), "台账.csv"), by=by, file_name="台账.csv",
        sha256="0" * 64, dry_run=dry_run,
    )  # fmt: skip
