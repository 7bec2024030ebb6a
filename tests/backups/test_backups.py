"""Backups, restores and durability (issue 5): the sealed file format, a restore drill on a real
database (SQLite always, PostgreSQL when DATABASE_URL is set), and a commit that survives SIGKILL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from xinfang.lib import sealed_file
from xinfang.lib.sealed_file import SealedFileError, seal, unseal

PG_URL = os.environ.get("DATABASE_URL", "")
MASTER = b"k" * 32


# -- the sealed file format --------------------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(sealed_file, "CHUNK", 1000)


def test_a_sealed_file_round_trips_in_chunks(tmp_path, small_chunks):
    source, sealed, opened = tmp_path / "a", tmp_path / "a.sealed", tmp_path / "a.out"
    source.write_bytes(os.urandom(4500) + "身份证410421198503150016".encode())
    seal(source, sealed, master=MASTER, meta={"kind": "sqlite"})
    assert b"410421198503150016" not in sealed.read_bytes()
    assert unseal(sealed, opened, masters=[b"x" * 32, MASTER])["kind"] == "sqlite"
    assert opened.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("damage", ["flip", "truncate", "drop_last", "wrong_key", "not_sealed"])
def test_a_damaged_or_foreign_file_does_not_open(tmp_path, small_chunks, damage):
    source, sealed = tmp_path / "a", tmp_path / "a.sealed"
    source.write_bytes(os.urandom(3500))
    seal(source, sealed, master=MASTER, meta={"kind": "sqlite"})
    data = bytearray(sealed.read_bytes())
    masters = [MASTER]
    if damage == "flip":
        data[-100] ^= 1
    elif damage == "truncate":
        data = data[:-10]
    elif damage == "drop_last":
        data = data[: -(4 + 12 + 500 + 16)]  # the last chunk holds the final 500 bytes
    elif damage == "wrong_key":
        masters = [b"x" * 32]
    else:
        data = bytearray(b"SQLite format 3\x00" + bytes(data[16:]))
    sealed.write_bytes(bytes(data))
    with pytest.raises(SealedFileError):
        unseal(sealed, tmp_path / "out", masters=masters)


# -- a real database, through the command line --------------------------------------------------------


def xinfang(
    data_dir: Path, *args: str, database_url: str = "", check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XINFANG_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-m", "xinfang", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


def stats(data_dir: Path, database_url: str = "") -> dict[str, object]:
    output = xinfang(data_dir, "stats", "--from", "2024-01-01", "--to", "2026-12-31", "--format", "json",
                     database_url=database_url).stdout  # fmt: skip
    figures: dict[str, object] = json.loads(output)
    return figures


@pytest.fixture
def county_dir(tmp_path) -> Path:
    """A data dir with the demo directory and 120 generated matters, on SQLite."""
    source = tmp_path / "source"
    xinfang(source, "init", "--demo-directory")
    xinfang(source, "gen-data", "--matters", "120", "--quiet")
    return source


def test_the_restore_drill_on_sqlite(county_dir, tmp_path):
    made = xinfang(county_dir, "backup").stdout
    backup = next((county_dir / "backups").glob("*.sealed"))
    assert str(backup) in made and oct(backup.stat().st_mode & 0o777) == "0o600"
    assert b"410421" not in backup.read_bytes()  # nothing readable: not even the county code
    key_text = (county_dir / "field_keys").read_text().strip().encode()
    assert key_text not in backup.read_bytes()  # the key is never in the backup
    # A new place, with only the key carried over (it is never in the backup).
    target = tmp_path / "target"
    target.mkdir()
    (target / "field_keys").write_bytes((county_dir / "field_keys").read_bytes())
    restored = xinfang(target, "restore", str(backup)).stdout
    assert "已从" in restored
    before, after = sqlite_counts(county_dir / "xinfang.sqlite3"), sqlite_counts(target / "xinfang.sqlite3")
    # Equal, the audit log too: the source recorded the backup after copying, the target the restore.
    assert after == before and before["petitions_matter"] == 120
    assert stats(target) == stats(county_dir)  # the app works on it
    assert "哈希链校验通过" in xinfang(target, "verify-audit").stdout
    assert "no issues" in xinfang(target, "manage", "check", "--database", "default").stdout


def test_a_restore_without_the_key_or_of_a_damaged_file_changes_nothing(county_dir, tmp_path):
    xinfang(county_dir, "backup")
    backup = next((county_dir / "backups").glob("*.sealed"))
    other = tmp_path / "other"
    xinfang(other, "init")
    counts = sqlite_counts(other / "xinfang.sqlite3")
    failed = xinfang(other, "restore", str(backup), check=False)  # `other` has its own, different key
    assert failed.returncode == 1 and "没有能打开该备份的密钥" in failed.stderr
    damaged = tmp_path / "damaged.sealed"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 1
    damaged.write_bytes(bytes(data))
    (other / "field_keys").write_bytes((county_dir / "field_keys").read_bytes())
    failed = xinfang(other, "restore", str(damaged), check=False)
    assert failed.returncode == 1 and "损坏或被篡改" in failed.stderr
    assert sqlite_counts(other / "xinfang.sqlite3") == counts
    missing = xinfang(other, "restore", str(tmp_path / "none.sealed"), check=False)
    assert missing.returncode == 1 and "备份文件不存在" in missing.stderr


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    """Two scratch PostgreSQL databases on the server of DATABASE_URL."""
    if not PG_URL:
        pytest.skip("PostgreSQL drill: runs when DATABASE_URL is set (.ci/run does)")
    base = PG_URL.rsplit("/", 1)[0]
    names = [f"xf_drill_{uuid.uuid4().hex[:8]}_{index}" for index in (1, 2)]
    server, psql = f"{base}/postgres", shutil.which("psql") or "/usr/bin/psql"
    for name in names:
        subprocess.run([psql, server, "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    yield (f"{base}/{names[0]}", f"{base}/{names[1]}")
    for name in names:
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        subprocess.run([psql, server, "-qc", drop], check=False, capture_output=True)


def test_the_restore_drill_on_postgresql(pg_databases, tmp_path):
    source_url, target_url = pg_databases
    data_dir = tmp_path / "pg"
    xinfang(data_dir, "init", "--demo-directory", database_url=source_url)
    xinfang(data_dir, "gen-data", "--matters", "80", "--quiet", database_url=source_url)
    xinfang(data_dir, "backup", database_url=source_url)
    backup = next((data_dir / "backups").glob("*.sealed"))
    xinfang(data_dir, "restore", str(backup), database_url=target_url)
    assert stats(data_dir, target_url) == stats(data_dir, source_url)
    assert "哈希链校验通过" in xinfang(data_dir, "verify-audit", database_url=target_url).stdout
    assert (
        "no issues"
        in xinfang(data_dir, "manage", "check", "--database", "default", database_url=target_url).stdout
    )


# -- durability ----------------------------------------------------------------------------------------

COMMIT_THEN_WAIT = """
import os, sys, time
import django
django.setup()
from xinfang.accounts.models import User
from xinfang.directory.models import Category, Unit
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
import datetime as dt
bureau = User.objects.get(username="bureau")
matter = matter_register(by=bureau, data=RegistrationInput(
    county=bureau.county, event=EventInput(dt.date(2026, 11, 1), "visit", "county"),
    origin_township=Unit.objects.get(county=bureau.county, name="周庄镇"),
    category=Category.objects.get(county=bureau.county, code="0702"), content="断电前登记的事项"))
print(matter.number, flush=True)
time.sleep(120)
"""

READ_BACK = """
import sys
import django
django.setup()
from xinfang.petitions.models import Matter
from xinfang.audit.selectors import audit_chain_breaks
matter = Matter.objects.get(number=sys.argv[1])
print(matter.content, matter.events.count(), len(list(audit_chain_breaks())))
"""


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_committed_registration_survives_sigkill(tmp_path, database, request):
    url = ""
    if database == "postgresql":
        url = request.getfixturevalue("pg_databases")[0]
    data_dir = tmp_path / "kill"
    xinfang(data_dir, "init", "--demo-directory", database_url=url)
    env = {**os.environ, "XINFANG_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "xinfang.settings"}
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    process = subprocess.Popen(
        [sys.executable, "-c", COMMIT_THEN_WAIT], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    number = process.stdout.readline().strip()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL and number
    read = subprocess.run([sys.executable, "-c", READ_BACK, number], env=env, capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert read.stdout.split() == ["断电前登记的事项", "1", "0"]
