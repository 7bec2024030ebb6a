from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from xinfang.accounts.services import LoginAttempt, login_attempt_reserve


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {  # noqa: RUF012 - Django reads this class attribute
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    attempt: LoginAttempt | None = None  # reserved once a name and a password were given

    def clean(self) -> dict[str, Any]:
        """Each attempt is counted before its password is checked; a locked name is refused unchecked,
        the right password too, with the same answer whether or not the account exists."""
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username and password:
            self.attempt = login_attempt_reserve(username=str(username))
            if (until := self.attempt.locked_until) is not None:
                raise forms.ValidationError(
                    f"连续登录失败次数过多，账号已锁定至 {timezone.localtime(until):%H:%M}。"
                    "请稍后再试，或请信访局长、安全管理员解锁。",
                    code="locked",
                )
        return super().clean()


class UnlockForm(forms.Form):
    account = forms.IntegerField(widget=forms.HiddenInput)


class TwoFactorForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=20,
        help_text="手机验证器应用中显示的6位数字；手机不在身边时，可输入一个恢复码。",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "请输入验证码"},
    )
