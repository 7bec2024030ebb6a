"""CAPTCHA challenges for the public forms, made on the server (no internet): the picture is drawn by
`xinfang.lib.captcha` and shown inline; the form carries a signed token holding a keyed digest of the
answer (never the answer), which is valid for CAPTCHA_SECONDS and for one answer, right or wrong: a
token's first use is counted in the rate-counter table, so a solved challenge cannot be replayed."""

from __future__ import annotations

import base64
import hmac
import random
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property

from xinfang.core.ratelimit import first_use
from xinfang.lib.captcha import captcha_png, captcha_text

CAPTCHA_SECONDS = 20 * 60
_SALT = "xinfang.captcha"


@dataclass(frozen=True)
class Challenge:
    token: str  # for the form's hidden field
    image: str  # the picture, as a data: URI


def captcha_issue(text: str = "") -> Challenge:
    """A new challenge; `text` is chosen at random unless given (tests give it)."""
    rng = random.SystemRandom()
    text = text or captcha_text(rng)
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "t": int(time.time()), "h": _digest(nonce, text)}, salt=_SALT)
    image = "data:image/png;base64," + base64.b64encode(captcha_png(text, rng)).decode()
    return Challenge(token, image)


def captcha_passed(token: str, answer: str) -> bool:
    """Whether `answer` solves the challenge of `token`: signed by us, not expired, not used before."""
    try:
        data = signing.loads(token[:500], salt=_SALT, max_age=CAPTCHA_SECONDS)
        nonce, issued, digest = str(data["n"]), int(data["t"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
    if not first_use(f"captcha:{nonce}", since=issued):
        return False
    return hmac.compare_digest(digest, _digest(nonce, answer.strip().upper()[:20]))


def _digest(nonce: str, text: str) -> str:
    return salted_hmac(_SALT, f"{nonce}:{text}", algorithm="sha256").hexdigest()


class CaptchaForm(forms.Form):
    """A form that asks for the characters of a picture. Its template renders `form.challenge` (a new one
    on every showing: each is answered once) with `components/captcha.html`."""

    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)
    captcha = forms.CharField(
        label="验证码",
        max_length=20,
        help_text="请输入图中的字符，不区分大小写；看不清可换一张。",
        error_messages={"required": "请输入图中的验证码"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answer = cleaned.get("captcha")
        if answer and not captcha_passed(str(self.data.get("captcha_token", "")), answer):
            self.add_error("captcha", "验证码不正确或已过期，请输入新图中的字符")
        return cleaned

    @cached_property
    def challenge(self) -> Challenge:
        return captcha_issue()
