"""Ledger files at and beyond the limits (issue 12): the time and peak memory of checking and importing the
largest allowed ledger, and of refusing hostile files, each as its own `xinfang import-ledger` process;
and, while the largest file is imported, how long the bureau's registrations wait (one every 0.2 s from
another connection, as the registration page makes them).

    .venv/bin/python bench/ledger_limits.py                      # SQLite in var/bench-limits
    .venv/bin/python bench/ledger_limits.py --rows 50000         # a smaller "largest" file, quicker

The largest allowed ledger has XINFANG_LEDGER_MAX_ROWS data rows (200,000 by default), every column filled
as bench/ledger.py fills it, as .xlsx and .csv. The hostile files: a 1 MB workbook of eight million
one-cell rows without row numbers (a dense "zip bomb"), the same with a far-away cell, and a CSV of two
million garbage lines. Peak memory is the process's maximum resident set (the operating system's own
accounting of the finished child), in MB.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ledger import ledger_files, ledger_rows

# A process's peak memory counts from what it was forked from: the measured commands are started by a
# small launcher begun before this script held any data, so each figure is the command's own.
LAUNCHER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    command, environment = json.loads(line)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps([time.perf_counter() - started, usage.ru_maxrss / 1024, code]))
    sys.stdout.flush()
"""


class Launcher:
    def __init__(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def measure(self, command: list[str], environment: dict[str, str]) -> tuple[float, float, int]:
        """Wall seconds, peak resident MB and exit code of one process."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps([command, environment]) + "\n")
        self.process.stdin.flush()
        seconds, peak, code = json.loads(self.process.stdout.readline())
        return seconds, peak, code


def dense_bomb(rows: int, far_cell: bool) -> bytes:
    """A workbook whose one sheet holds `rows` one-cell rows without row numbers, packed to about 1 MB."""
    sheet = io.BytesIO()
    sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>')  # fmt: skip
    sheet.write(
        b'<row><c t="inlineStr"><is><t>\xe4\xbf\xa1\xe8\xae\xbf\xe6\x97\xa5\xe6\x9c\x9f</t></is></c></row>'
    )
    if far_cell:
        sheet.write(b'<row r="2"><c r="XFD2"><v>1</v></c></row>')
    sheet.write(b"<row><c><v>1</v></c></row>" * rows)
    sheet.write(b"</sheetData></worksheet>")
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "xl/workbook.xml": b'<workbook xmlns:r="r"><sheets><sheet name="1" sheetId="1" r:id="rId1"/>'
        b"</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": b"<Relationships>"
        b'<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet.getvalue(),
    }
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return packed.getvalue()


class RegistrationLoop(threading.Thread):
    """Registers a matter every 0.2 s, as the bureau's registration page does, timing each, until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.waits: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        from django.db import connection
        from django.utils import timezone

        from xinfang.accounts.models import User
        from xinfang.directory.models import Category, Unit
        from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
        from xinfang.petitions.services.registration import matter_register

        bureau = User.objects.select_related("county").get(username="bureau")
        assert bureau.county is not None
        data = RegistrationInput(
            county=bureau.county,
            event=EventInput(date=timezone.localdate(), channel="visit", level="county"),
            origin_township=Unit.objects.get(county=bureau.county, name="周庄镇"),
            category=Category.objects.get(county=bureau.county, code="0702"),
            content="基准测试：导入期间的登记",
            petitioners=[PetitionerInput("张建军", "", "13937512345")],
        )
        try:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    matter_register(by=bureau, data=data)
                except Exception as error:
                    self.failures.append(type(error).__name__)
                self.waits.append(time.perf_counter() - started)
                self.stop.wait(0.2)
        finally:
            connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, default=0, help="data rows of the largest file (default: the limit)"
    )
    parser.add_argument("--data-dir", default="var/bench-limits")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    launcher = Launcher()
    data_dir = Path(args.data_dir).resolve()
    if not args.database_url:
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"xinfang.sqlite3{suffix}").unlink(missing_ok=True)
    from bench.environment import django_setup

    django_setup(data_dir=str(data_dir), database_url=args.database_url)
    from django.conf import settings
    from django.core.management import call_command

    from xinfang.demo.services import demo_county_load
    from xinfang.lib.keys import create_key_file

    create_key_file(settings.XINFANG_FIELD_KEY_FILE)
    call_command("migrate", "--no-input", "-v", "0")
    demo_county_load()
    rows = args.rows or settings.XINFANG_LEDGER_MAX_ROWS

    folder = Path(tempfile.mkdtemp(prefix="xinfang-limits-"))
    csv_path, xlsx_path = ledger_files(ledger_rows(rows), folder / "largest")
    bomb_path, far_path, garbage_path = folder / "bomb.xlsx", folder / "far.xlsx", folder / "garbage.csv"
    bomb_path.write_bytes(dense_bomb(8_000_000, far_cell=False))
    far_path.write_bytes(dense_bomb(100, far_cell=True))
    garbage_path.write_bytes(
        b"\xe4\xbf\xa1\xe8\xae\xbf\xe6\x97\xa5\xe6\x9c\x9f,x\n" + b"garbage,1\n" * 2_000_000
    )

    environment = {**os.environ}
    xinfang = [sys.executable, "-m", "xinfang"]
    print(
        f"largest allowed ledger: {rows:,} rows; {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
    )
    print(f"{'file':<34}{'size':>9}  {'run':<8}{'seconds':>9}{'peak MB':>9}  exit")
    cases = [
        (csv_path, "check", ["--dry-run"]),
        (xlsx_path, "check", ["--dry-run"]),
        (xlsx_path, "import", []),
        (bomb_path, "check", ["--dry-run"]),
        (far_path, "check", ["--dry-run"]),
        (garbage_path, "check", ["--dry-run"]),
    ]
    idle = RegistrationLoop()
    idle.start()
    time.sleep(3)
    idle.stop.set()
    idle.join()
    registrations: RegistrationLoop | None = None
    for path, label, options in cases:
        if label == "import":
            registrations = RegistrationLoop()
            registrations.start()
        seconds, peak, code = launcher.measure([*xinfang, "import-ledger", str(path), *options], environment)
        if registrations is not None and registrations.is_alive():
            registrations.stop.set()
            registrations.join()
        size = path.stat().st_size / 1024 / 1024
        print(f"{path.name:<34}{size:7.1f}MB  {label:<8}{seconds:9.2f}{peak:9.0f}  {code}")
    print(f"registration alone (3 s): {len(idle.waits)} made, median {statistics.median(idle.waits):.3f} s, "
          f"longest {max(idle.waits):.3f} s")  # fmt: skip
    if registrations is not None and registrations.waits:
        waits = registrations.waits
        print(
            f"registrations during the import: {len(waits)} made, median {statistics.median(waits):.3f} s, "
            f"longest {max(waits):.3f} s, failed {len(registrations.failures)} "
            f"{sorted(set(registrations.failures))}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
