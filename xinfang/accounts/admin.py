"""Account pages: the system admin creates and disables accounts; the security admin grants roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation
from django.http import HttpRequest

from xinfang.accounts.models import User
from xinfang.accounts.roles import Role
from xinfang.directory.admin import CountyScopedChoices
from xinfang.manage_site import RoleModelAdmin, manage_site, request_user


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
        password_validation.validate_password(second or "", self.instance)
        return second or ""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


@admin.register(User, site=manage_site)
class UserAdmin(CountyScopedChoices, RoleModelAdmin):
    view_roles = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
    edit_roles = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
    list_display = ("username", "full_name", "role", "unit", "leader", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    list_select_related = ("unit", "leader")
    ordering = ("username",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("username", "full_name", "mobile", "unit", "leader", "password1", "password2")
        return ("username", "full_name", "mobile", "unit", "leader", "role", "is_active", "last_login")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        user = request_user(request)
        if obj is None:
            return ()
        if user is not None and user.role == Role.SECURITY_ADMIN:
            # Grants roles; may not touch the account's identity or bindings.
            return ("username", "full_name", "mobile", "unit", "leader", "is_active", "last_login")
        # The system admin manages accounts but may not grant roles.
        return ("username", "role", "last_login")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        user = request_user(request)
        return user is not None and user.role == Role.SYSTEM_ADMIN

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = AccountCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_queryset(self, request: HttpRequest) -> Any:
        # Only the separated-duty admins of other accounts: nobody edits their own role or status here.
        user = request_user(request)
        queryset = super().get_queryset(request)
        return queryset.exclude(pk=user.pk) if user else queryset.none()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user = request_user(request)
        if not change and user is not None:
            # A new account starts without a role; the security admin grants it.
            obj.county_id = user.county_id
            obj.role = Role.NONE
        super().save_model(request, obj, form, change)
