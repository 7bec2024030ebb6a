from __future__ import annotations

import base64

from xinfang.lib.totp import (
    code_at,
    matching_step,
    new_recovery_codes,
    new_secret,
    normalize_recovery_code,
    provisioning_uri,
)

# RFC 6238 appendix B, SHA-1: the key is the ASCII "12345678901234567890"; 8-digit values, last 6 here.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = {
    59: "287082",
    1111111109: "081804",
    1111111111: "050471",
    1234567890: "005924",
    2000000000: "279037",
}


def test_it_computes_the_rfc_6238_test_vectors():
    for seconds, code in RFC_VECTORS.items():
        assert code_at(RFC_SECRET, seconds // 30) == code


def test_it_accepts_one_step_of_drift_and_nothing_else():
    now = 1234567890.0
    code = code_at(RFC_SECRET, int(now // 30))
    assert matching_step(RFC_SECRET, code, now=now) == int(now // 30)
    assert matching_step(RFC_SECRET, code, now=now + 30) == int(now // 30)
    assert matching_step(RFC_SECRET, code, now=now + 90) is None
    for bad in ("", "12345", "1234567", "abcdef", "１２３４５６"):
        assert matching_step(RFC_SECRET, bad, now=now) is None
    assert matching_step(RFC_SECRET, f" {code[:3]} {code[3:]} ", now=now) is not None


def test_secrets_codes_and_uri_have_the_expected_shape():
    secret = new_secret()
    assert len(base64.b32decode(secret)) == 20
    uri = provisioning_uri(secret, account="bureau_head", issuer="宝丰县信访工作平台")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "period=30" in uri
    codes = new_recovery_codes()
    assert len(set(codes)) == 10 and all(len(normalize_recovery_code(code)) == 8 for code in codes)
    assert normalize_recovery_code(" K7M2-X9QH ") == "k7m2x9qh"
