"""Backups and restores of the whole database, encrypted (docs/security.md, docs/operations.md).

SQLite is copied with its online backup API (consistent while the app runs); PostgreSQL with
`pg_dump --format=custom`. The copy is sealed (lib/sealed_file.py) with a key derived from the field
encryption key, which is never in the backup: keep the key file separately. A backup and a restore are
audited (the restore in the restored database, since the old one is gone)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from xinfang.audit.services import audit_record
from xinfang.lib.keys import load_keys
from xinfang.lib.sealed_file import SealedFileError, seal, unseal


class BackupError(Exception):
    """A backup or restore could not be made; the message is Chinese."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str


def _masters() -> list[bytes]:
    keys = load_keys(settings.XINFANG_FIELD_KEYS, settings.XINFANG_FIELD_KEY_FILE)
    if not keys:
        raise BackupError("没有字段加密密钥：备份用它加密，请先运行 xinfang init")
    return keys


def backup_create(*, directory: Path) -> BackupResult:
    """Write an encrypted copy of the database into `directory`; returns its path, size and digest."""
    masters = _masters()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    vendor = connection.vendor
    target = directory / f"xinfang-{stamp}.{'sqlite3' if vendor == 'sqlite' else 'pgdump'}.sealed"
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as scratch:
        plain = Path(scratch) / "database"
        _dump(plain)
        seal(plain, target, master=masters[0], meta={"kind": vendor, "created": timezone.now().isoformat()})
    os.chmod(target, 0o600)
    digest = _sha256(target)
    audit_record(
        action="backup.create",
        object_type="backup",
        object_repr=target.name,
        changes={"file": target.name, "size": target.stat().st_size, "sha256": digest},
        actor_name="system",
    )
    return BackupResult(path=target, size=target.stat().st_size, sha256=digest)


def _dump(plain: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(plain) as copy:
            connection.connection.backup(copy)  # the online backup API: consistent under writes
        return
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(plain), _pg_dsn()])


def backup_restore(*, path: Path) -> dict[str, object]:
    """Replace the database with the backup at `path` (the app and the worker must be stopped). The
    copy is decrypted and checked before anything is replaced."""
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    masters = _masters()
    with tempfile.TemporaryDirectory(prefix="xinfang-restore-") as scratch:
        plain = Path(scratch) / "database"
        try:
            meta = unseal(path, plain, masters=masters)
        except SealedFileError as error:
            raise BackupError(str(error)) from error
        if meta.get("kind") != connection.vendor:
            raise BackupError(
                f"该备份来自 {meta.get('kind')} 数据库，不能恢复到当前的 {connection.vendor} 数据库"
            )
        if connection.vendor == "sqlite":
            _restore_sqlite(plain)
        else:
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "--dbname", _pg_dsn(), str(plain)])  # fmt: skip
    connections.close_all()
    audit_record(
        action="backup.restore",
        object_type="backup",
        object_repr=path.name,
        changes={"file": path.name, "created": str(meta.get("created", "")), "sha256": _sha256(path)},
        actor_name="system",
    )
    return meta


def _restore_sqlite(plain: Path) -> None:
    with sqlite3.connect(plain) as copy:
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise BackupError(f"备份中的数据库未通过完整性检查：{result}")
    database = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    staged = database.with_suffix(".restoring")
    shutil.copyfile(plain, staged)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(staged, database)  # atomic: the old database or the restored one, never half of each


def _pg_dsn() -> str:
    settings_dict = connection.settings_dict
    parts = {
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
        "dbname": settings_dict.get("NAME") or "",
        "user": settings_dict.get("USER") or "",
        "password": settings_dict.get("PASSWORD") or "",
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def _run(command: list[str]) -> None:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=6 * 3600, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(
            f"找不到命令 {command[0]}：请安装 PostgreSQL 客户端（postgresql-client）"
        ) from error
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{completed.stderr.strip()[:500]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        for block in iter(lambda: reader.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def default_backup_dir() -> Path:
    return Path(settings.DATA_DIR) / "backups"
