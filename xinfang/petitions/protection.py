"""Personal data of petitioners: encryption at rest, blind indexes, masking, and audited reveals."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from xinfang.lib.crypto import FieldCipher
from xinfang.lib.keys import FieldKeyError, load_keys
from xinfang.lib.masking import mask_id_number, mask_phone


@cache
def field_cipher() -> FieldCipher:
    """The process-wide cipher built from the configured keys; fails loudly when there is none."""
    try:
        keys = load_keys(settings.XINFANG_FIELD_KEYS, settings.XINFANG_FIELD_KEY_FILE)
    except FieldKeyError as error:
        raise ImproperlyConfigured(str(error)) from error
    if not keys:
        raise ImproperlyConfigured(
            f"没有字段加密密钥：请运行 xinfang init 生成 {settings.XINFANG_FIELD_KEY_FILE}，"
            "或设置 XINFANG_FIELD_KEYS"
        )
    return FieldCipher(keys, settings.XINFANG_FIELD_CIPHER)


# Associated data binding each ciphertext to its column: a value copied elsewhere does not decrypt.
ID_CONTEXT, PHONE_CONTEXT, ADDRESS_CONTEXT = "petitioner.id_number", "petitioner.phone", "petitioner.address"


@dataclass(frozen=True)
class ProtectedValue:
    encrypted: str
    index: str
    masked: str


def protect_id_number(value: str) -> ProtectedValue:
    cipher = field_cipher()
    return (
        ProtectedValue(
            cipher.encrypt(value, context=ID_CONTEXT),
            cipher.blind_index(value, domain="id"),
            mask_id_number(value)[:20],  # a malformed number kept from a ledger may be long
        )
        if value
        else ProtectedValue("", "", "")
    )


def protect_phone(value: str) -> ProtectedValue:
    cipher = field_cipher()
    return (
        ProtectedValue(
            cipher.encrypt(value, context=PHONE_CONTEXT),
            cipher.blind_index(value, domain="phone"),
            mask_phone(value)[:20],
        )
        if value
        else ProtectedValue("", "", "")
    )


def id_number_index(value: str) -> str:
    return field_cipher().blind_index(value, domain="id")


def phone_index(value: str) -> str:
    return field_cipher().blind_index(value, domain="phone")
