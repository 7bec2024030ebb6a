"""The maintenance pages (Django admin in Chinese), opened by role instead of Django permissions.

Bureau staff and the bureau head maintain their county's directory; the system admin manages
accounts; the security admin grants roles. Every change writes an audit record in the same
transaction as the change (the admin wraps each save in one).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms import BaseInlineFormSet, ModelChoiceField, ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from xinfang.audit.services import audit_record
from xinfang.core.decorators import Member
from xinfang.core.roles import Role


def request_user(request: HttpRequest) -> Member | None:
    """The active account behind the request, or None (anonymous, disabled)."""
    user = getattr(request, "user", None)
    return user if getattr(user, "is_active", False) and getattr(user, "role", None) is not None else None


class ManageSite(admin.AdminSite):
    site_header = "信访工作平台 · 维护"
    site_title = "信访工作平台维护"
    index_title = "维护"
    site_url = "/"
    enable_nav_sidebar = False

    # Roles that may open the maintenance pages at all; each ModelAdmin narrows it further.
    allowed_roles = frozenset({Role.BUREAU_STAFF, Role.BUREAU_HEAD, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})

    def has_permission(self, request: HttpRequest) -> bool:
        user = request_user(request)
        return user is not None and user.role in self.allowed_roles

    # Logging in and out and changing passwords go through the app's own audited views.
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied("您的角色无权访问维护页面")
        return redirect_to_login(request.GET.get("next", reverse("manage:index")), reverse("accounts:login"))

    # Logging out is routed to the accounts app's audited view by the site's URLs, ahead of this site.

    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        return redirect("accounts:password_change")


manage_site = ManageSite(name="manage")

# Form fields that never reach an audit summary, whatever the form.
_SECRET_FORM_FIELDS = frozenset({"password", "password1", "password2"})


def form_changes(form: ModelForm[Any]) -> dict[str, Any]:
    """{field: [before, after]} for the model fields a bound form changed; related rows by name."""
    model_fields = {field.name for field in form._meta.model._meta.get_fields()}
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        if name in _SECRET_FORM_FIELDS or name not in model_fields:
            continue
        before, after = form.initial.get(name), form.cleaned_data.get(name)
        field = form.fields[name]
        if isinstance(field, ModelChoiceField) and before is not None and not isinstance(before, list):
            # The initial value of a choice is the related row's id; show the row instead.
            before = field.queryset.filter(pk=before).first() if field.queryset is not None else before
        changes[name] = [before, after]  # audit_summarize turns rows and dates into text
    return changes


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
        # Summaries are taken before saving: afterwards a deleted row has lost its id.
        deleted = [row.instance for row in formset.deleted_forms if row.instance.pk]
        deleted_records = [(obj._meta.label_lower, obj._meta.model_name, obj.pk, str(obj)) for obj in deleted]
        edited = [
            (row, row.instance.pk is None, form_changes(row))
            for row in formset.forms
            if row.has_changed() and row not in formset.deleted_forms
        ]
        super().save_formset(request, form, formset, change)
        actor = request_user(request)
        for row, created, changes in edited:
            obj = row.instance
            action = f"{obj._meta.model_name}.{'create' if created else 'update'}"
            audit_record(action=action, actor=actor, obj=obj, changes=changes)
        for label, model_name, pk, text in deleted_records:
            audit_record(
                action=f"{model_name}.delete",
                actor=actor,
                object_type=label,
                object_id=pk,
                object_repr=text,
            )

    # The audit app keeps the history; Django's own LogEntry table is not written.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        return []
