"""Authenticated encryption of personal data fields, and keyed blind indexes for exact lookups.

Tokens look like `v1.<key id>.<alg>.<base64(nonce + ciphertext + tag)>`; the key id lets keys be
rotated (old tokens keep decrypting while new ones use the newest key). Each value is bound to its
field through the associated data, so a ciphertext copied into another column does not decrypt.
Sub-keys for encryption and for the blind index are derived from one master key with HKDF, so the
index never reveals anything about the encryption key. No ORM here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALGORITHMS = ("aes-gcm", "sm4-gcm")
_NONCE_BYTES = 12
_TAG_BYTES = 16


class DecryptionError(Exception):
    """A token that does not decrypt with any known key: tampered, or the key is missing."""


def derive_key(master: bytes, purpose: str, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode()).derive(master)


def key_id(master: bytes) -> str:
    return hashlib.sha256(b"xinfang-key-id" + master).hexdigest()[:8]


@dataclass(frozen=True)
class _Key:
    id: str
    aes: bytes
    sm4: bytes
    index: bytes


class FieldCipher:
    """Encrypts and decrypts text fields with the newest key; decrypts with any of the keys given."""

    def __init__(self, master_keys: list[bytes], algorithm: str = "aes-gcm") -> None:
        if not master_keys:
            raise ValueError("at least one key is required")
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {algorithm!r}; use one of {ALGORITHMS}")
        self.algorithm = algorithm
        self.keys = [
            _Key(
                id=key_id(master),
                aes=derive_key(master, "xinfang field encryption aes-256-gcm", 32),
                sm4=derive_key(master, "xinfang field encryption sm4-gcm", 16),
                index=derive_key(master, "xinfang blind index hmac-sha256", 32),
            )
            for master in master_keys
        ]
        self._by_id = {key.id: key for key in self.keys}

    @property
    def current(self) -> _Key:
        return self.keys[0]

    def encrypt(self, plaintext: str, *, context: str) -> str:
        if plaintext == "":
            return ""
        key, nonce = self.current, os.urandom(_NONCE_BYTES)
        data, aad = plaintext.encode("utf-8"), context.encode("utf-8")
        if self.algorithm == "aes-gcm":
            sealed = AESGCM(key.aes).encrypt(nonce, data, aad)
        else:
            encryptor = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(aad)
            sealed = encryptor.update(data) + encryptor.finalize() + encryptor.tag
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"v1.{key.id}.{self.algorithm}.{body}"

    def decrypt(self, token: str, *, context: str) -> str:
        if token == "":
            return ""
        try:
            version, kid, algorithm, body = token.split(".", 3)
            key = self._by_id[kid]
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
        except (ValueError, KeyError) as exc:
            raise DecryptionError("unknown key or malformed token") from exc
        if version != "v1" or algorithm not in ALGORITHMS or len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("malformed token")
        nonce, sealed, aad = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode("utf-8")
        try:
            if algorithm == "aes-gcm":
                data = AESGCM(key.aes).decrypt(nonce, sealed, aad)
            else:
                ciphertext, tag = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
                decryptor = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce, tag)).decryptor()
                decryptor.authenticate_additional_data(aad)
                data = decryptor.update(ciphertext) + decryptor.finalize()
        except InvalidTag as exc:
            raise DecryptionError("authentication failed") from exc
        return data.decode("utf-8")

    def blind_index(self, value: str, *, domain: str) -> str:
        """A keyed, deterministic digest for exact-match lookups; '' for an empty value.

        It uses the oldest key (the last one given), so adding a newer encryption key on top does not
        change any index: rotating the index key itself means re-indexing every row."""
        if value == "":
            return ""
        message = domain.encode("utf-8") + b"\x00" + value.encode("utf-8")
        return hmac.new(self.keys[-1].index, message, hashlib.sha256).hexdigest()[:32]
