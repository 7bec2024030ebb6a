"""The maintenance pages (Django admin in Chinese), opened by role instead of Django permissions.

Bureau staff and the bureau head maintain their county's directory; the system admin manages
accounts; the security admin grants roles. Every change writes an audit record in the same
transaction as the change (the admin wraps each save in one).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record


def request_user(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_active else None


class ManageSite(admin.AdminSite):
    site_header = "信访工作平台 · 维护"
    site_title = "信访工作平台维护"
    index_title = "维护"
    site_url = "/"
    enable_nav_sidebar = False

    # Roles that may open the maintenance pages at all; each ModelAdmin narrows it further.
    allowed_roles = frozenset({"bureau_staff", "bureau_head", "system_admin", "security_admin"})

    def has_permission(self, request: HttpRequest) -> bool:
        user = request_user(request)
        return user is not None and user.role in self.allowed_roles


manage_site = ManageSite(name="manage")


def form_changes(form: ModelForm[Any]) -> dict[str, Any]:
    """{field: [before, after]} for a bound model form's changed fields."""
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        before = form.initial.get(name)
        after = form.cleaned_data.get(name)
        changes[name] = [_plain(before), _plain(after)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | models.QuerySet):
        return [str(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class RoleModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose access is decided by role and whose rows are limited to the user's county."""

    view_roles: frozenset[str] = frozenset()
    edit_roles: frozenset[str] = frozenset()
    county_field: str = "county"
    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        user = request_user(request)
        return user is not None and user.role in self.view_roles | self.edit_roles

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request_user(request)
        return user is not None and user.role in self.edit_roles

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nothing in the directory is deleted: rows are deactivated and stay for history.
        return False

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        user = request_user(request)
        queryset = super().get_queryset(request)
        if user is None or user.county_id is None:
            return queryset.none()
        return queryset.filter(**{self.county_field: user.county_id})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
            actor=request_user(request),
            obj=obj,
            changes=form_changes(form),
        )

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet[Any, Any, Any], change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [changed for changed, _ in formset.changed_objects]:
            audit_record(action=f"{obj._meta.model_name}.save", actor=request_user(request), obj=obj)
        for obj in formset.deleted_objects:
            audit_record(action=f"{obj._meta.model_name}.delete", actor=request_user(request), obj=obj)

    # The audit app keeps the history; Django's own LogEntry table is not written.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        return []
