"""Master keys for field encryption: from the environment or a key file in the data dir (no ORM).

The key file holds one base64 key per line, newest first; rotating means adding a line at the top
(old tokens keep decrypting). It is never in the repository, the database or a backup.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path


class FieldKeyError(ValueError):
    """Missing or malformed keys; the message names the fix."""


def parse_keys(text: str) -> list[bytes]:
    keys = []
    for line in text.replace(",", "\n").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            key = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise FieldKeyError("字段加密密钥格式不正确：应为 base64 编码的 32 字节密钥") from exc
        if len(key) != 32:
            raise FieldKeyError("字段加密密钥应为 32 字节（base64 编码后 44 个字符）")
        keys.append(key)
    return keys


def load_keys(env_value: str, key_file: Path) -> list[bytes]:
    """Keys from XINFANG_FIELD_KEYS when set, else from the key file; newest first."""
    if env_value.strip():
        return parse_keys(env_value)
    if key_file.exists():
        return parse_keys(key_file.read_text(encoding="utf-8"))
    return []


def create_key_file(key_file: Path) -> bool:
    """Create the key file with one fresh key (mode 0600) unless it exists; True when created."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# 信访工作平台字段加密密钥（最新的在最上面）。切勿提交到代码库或放进备份。\n")
        handle.write(base64.b64encode(secrets.token_bytes(32)).decode("ascii") + "\n")
    return True
