from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.accounts.services import LoginAttempt, login_attempt_reserve
from xinfang.core.forms import InputModelForm
from xinfang.core.roles import Role
from xinfang.directory.models import Leader, Unit


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


# -- the admins' account pages ---------------------------------------------------------------------------


def _bindings(form: forms.BaseForm, county_id: int | None, account: User | None = None) -> None:
    """Units and leaders of the county to bind an account to; a leader with another account is taken."""
    unit = cast(forms.ModelChoiceField, form.fields["unit"])  # type: ignore[type-arg]
    unit.queryset = Unit.objects.filter(county_id=county_id or 0, is_active=True).order_by("kind", "order")
    leader = cast(forms.ModelChoiceField, form.fields["leader"])  # type: ignore[type-arg]
    free = Leader.objects.filter(county_id=county_id or 0, is_active=True).filter(
        Q(account__isnull=True) | Q(account=account) if account is not None else Q(account__isnull=True)
    )
    leader.queryset = free.order_by("protocol_order", "id")


class AccountCreateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("username", "full_name", "mobile", "unit", "leader")
        help_texts: ClassVar = {
            "username": "登录用的账号名：字母、数字或 @ . + - _，建成后不能修改",
            "unit": "乡镇、县直单位的账号选所属单位",
            "leader": "县级领导本人的账号选对应领导",
        }

    def __init__(self, *args: Any, county_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bindings(self, county_id)
        self.fields["full_name"].required = True

    def _post_clean(self) -> None:
        return None  # the service checks the whole account (and the password) once


class AccountEditForm(InputModelForm):
    class Meta:
        model = User
        fields = ("full_name", "mobile", "unit", "leader", "is_active")
        labels: ClassVar = {"is_active": "启用（取消即停用账号，不能再登录）"}
        help_texts: ClassVar = {"unit": "更换单位或对应领导后，原角色自动撤销，需安全管理员重新授权"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bindings(self, self.instance.county_id, self.instance)
        self.fields["is_active"].help_text = ""


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    is_unit_head = forms.BooleanField(
        label="单位负责人（审批本单位的延期申请）",
        required=False,
        help_text="只有乡镇/县直单位用户可以是单位负责人",
    )
    reason = forms.CharField(
        label="授权理由",
        max_length=200,
        help_text="如“新调入信访局，依据局党组会议决定”；记入审计日志",
        error_messages={"required": "请填写授权理由"},
    )
