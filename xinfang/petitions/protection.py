"""Personal data of petitioners: encryption at rest, blind indexes, masking, and audited reveals."""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.core.cipher import field_cipher
from xinfang.lib.masking import mask_id_number, mask_phone

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
