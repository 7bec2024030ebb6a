"""Account pages: the system admin creates and disables accounts; the security admin grants roles.

Both write through the account services, which enforce who may change what and write the audit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation
from django.http import HttpRequest

from xinfang.accounts.http import request_account
from xinfang.accounts.models import User
from xinfang.accounts.services import ACCOUNT_EDITABLE_FIELDS, account_create, account_update
from xinfang.core.roles import Role
from xinfang.directory.admin import CountyScopedChoices
from xinfang.lib.masking import mask_phone
from xinfang.maintenance.site import RoleModelAdmin, manage_site

ACCOUNT_FIELDS = (
    "username", "full_name", "mobile", "unit", "leader", "role", "is_unit_head", "is_active", "last_login",
)  # fmt: skip


class AccountCreateForm(forms.ModelForm):  # type: ignore[type-arg]
    password1 = forms.CharField(label="初始密码", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="确认密码", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("username", "full_name", "mobile", "unit", "leader")

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError("两次输入的密码不一致")
        return second or ""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        # After the instance holds the username and name, so the similarity check can compare them.
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password2", error)


@admin.register(User, site=manage_site)
class UserAdmin(CountyScopedChoices, RoleModelAdmin):
    view_roles = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
    edit_roles = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
    list_display = ("username", "full_name", "role", "unit", "is_unit_head", "leader", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    list_select_related = ("unit", "leader")
    ordering = ("username",)

    @admin.display(description="手机")
    def masked_mobile(self, obj: User) -> str:
        return mask_phone(obj.mobile) if obj.mobile else "—"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("username", "full_name", "mobile", "unit", "leader", "password1", "password2")
        user = request_account(request)
        if user is not None and user.role == Role.SECURITY_ADMIN:
            return tuple("masked_mobile" if name == "mobile" else name for name in ACCOUNT_FIELDS)
        return ACCOUNT_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        user = request_account(request)
        editable = ACCOUNT_EDITABLE_FIELDS.get(user.role if user else "", frozenset())
        return tuple(name for name in (*ACCOUNT_FIELDS, "masked_mobile") if name not in editable)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        user = request_account(request)
        return user is not None and user.role == Role.SYSTEM_ADMIN

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = AccountCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_queryset(self, request: HttpRequest) -> Any:
        # Nobody edits their own role or status here.
        user = request_account(request)
        queryset = super().get_queryset(request)
        return queryset.exclude(pk=user.pk) if user else queryset.none()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user = request_account(request)
        assert user is not None  # has_change_permission let only an admin role through
        if change:
            account = User.objects.get(pk=obj.pk)
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            account_update(by=user, account=account, changes=changes)
            return
        # A new account starts without a role; the security admin grants it.
        created = account_create(
            by=user,
            username=obj.username,
            password=form.cleaned_data["password1"],
            role=Role.NONE,
            county=user.county,
            full_name=obj.full_name,
            unit=obj.unit,
            leader=obj.leader,
            mobile=obj.mobile,
        )
        obj.pk, obj.password, obj._state.adding = created.pk, created.password, False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None  # accounts have no related rows edited here; the services saved everything
