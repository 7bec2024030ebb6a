"""Encrypted files (backups): AES-256-GCM in 16 MiB chunks, so a large database never has to fit in
memory, with a header naming the key by id (the key itself is never in the file). Each chunk's nonce is
fresh, and its index and whether it is the last are authenticated, so chunks cannot be dropped,
reordered or truncated unnoticed. No ORM here."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xinfang.lib.crypto import derive_key, key_id

MAGIC = b"XFSEAL1\n"
CHUNK = 16 * 1024 * 1024
_PURPOSE = "xinfang sealed file aes-256-gcm"


class SealedFileError(Exception):
    """The file is not a sealed file, was altered, or no configured key opens it (Chinese message)."""


def seal(source: Path, target: Path, *, master: bytes, meta: dict[str, Any]) -> None:
    """Encrypt `source` into `target` with a key derived from `master`; `meta` goes in the clear header."""
    header = json.dumps({**meta, "key": key_id(master)}, ensure_ascii=False).encode()
    aead = AESGCM(derive_key(master, _PURPOSE, 32))
    size = source.stat().st_size
    with source.open("rb") as reader, target.open("wb") as writer:
        writer.write(MAGIC + struct.pack(">I", len(header)) + header)
        index, done = 0, 0
        while True:
            chunk = reader.read(CHUNK)
            done += len(chunk)
            last = done >= size
            nonce = os.urandom(12)
            sealed = aead.encrypt(nonce, chunk, _aad(header, index, last))
            writer.write(struct.pack(">I", len(sealed)) + nonce + sealed)
            index += 1
            if last:
                break
        writer.flush()
        os.fsync(writer.fileno())


def header_of(path: Path) -> dict[str, Any]:
    with path.open("rb") as reader:
        return _read_header(reader)[0]


def unseal(source: Path, target: Path, *, masters: list[bytes]) -> dict[str, Any]:
    """Decrypt `source` into `target` with whichever configured key sealed it; returns the header."""
    with source.open("rb") as reader:
        meta, header = _read_header(reader)
        master = next((key for key in masters if key_id(key) == meta.get("key")), None)
        if master is None:
            raise SealedFileError(
                f"没有能打开该备份的密钥（密钥编号 {meta.get('key')}）：请配置备份时使用的字段加密密钥"
            )
        aead = AESGCM(derive_key(master, _PURPOSE, 32))
        with target.open("wb") as writer:
            index = 0
            while True:
                length_bytes = reader.read(4)
                if len(length_bytes) != 4:
                    raise SealedFileError("备份文件不完整（被截断）")
                nonce = reader.read(12)
                sealed = reader.read(struct.unpack(">I", length_bytes)[0])
                last = reader.peek(1)[:1] == b""
                try:
                    writer.write(aead.decrypt(nonce, sealed, _aad(header, index, last)))
                except InvalidTag:
                    raise SealedFileError("备份文件已损坏或被篡改，无法解密") from None
                index += 1
                if last:
                    break
    return meta


def _read_header(reader: Any) -> tuple[dict[str, Any], bytes]:
    if reader.read(len(MAGIC)) != MAGIC:
        raise SealedFileError("不是本平台的加密备份文件")
    (length,) = struct.unpack(">I", reader.read(4))
    header = reader.read(length)
    try:
        return json.loads(header), header
    except ValueError:
        raise SealedFileError("备份文件头已损坏") from None


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)
