"""The process-wide field cipher: encryption at rest and blind indexes for personal data (petitioners'
ID numbers and phones, users' mobiles, SMS recipients). What each column binds its ciphertext to is
the owning app's business (`petitions/rows.py` for petitioners)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from xinfang.lib.crypto import FieldCipher
from xinfang.lib.keys import FieldKeyError, load_keys


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
