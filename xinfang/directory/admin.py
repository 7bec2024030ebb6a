from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseInlineFormSet
from django.http import HttpRequest

from xinfang.core.roles import BUREAU_ROLES, LEADER_ROLES
from xinfang.directory.models import (
    Category,
    Department,
    Leader,
    LeaderUnavailability,
    Township,
    Unit,
    UnitOfficial,
    Village,
)
from xinfang.maintenance.site import RoleModelAdmin, manage_site, request_user


class CountyScopedChoices:
    """Limits every choice list in the form to the user's county."""

    def _limit(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        user = request_user(request)
        county_id = user.county_id if user else None
        model = queryset.model
        if model is Category:
            return queryset.filter(county_id=county_id).select_related("parent")  # its name shows the parent
        if model in (Unit, Township, Department, Leader):
            return queryset.filter(county_id=county_id)
        if model is Village:
            return queryset.filter(township__county_id=county_id)
        return queryset

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._limit(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._limit(request, field.queryset)
        return field


class DirectoryAdmin(CountyScopedChoices, RoleModelAdmin):
    view_roles = frozenset(LEADER_ROLES)
    edit_roles = frozenset(BUREAU_ROLES)
    exclude: ClassVar[tuple[str, ...]] = ("county",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The form, with a new row placed in the user's county before validation, so that the
        county-wide unique constraints (name, code) are checked there and fail in Chinese, not in the DB."""
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if "county" not in self.exclude:
            return form_class
        user = request_user(request)
        county_id = user.county_id if user else None

        class CountyForm(form_class):  # type: ignore[valid-type, misc]
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, **form_kwargs)
                if self.instance.county_id is None:
                    self.instance.county_id = county_id

            def _get_validation_exclusions(self) -> set[str]:
                return super()._get_validation_exclusions() - {"county"}

        return CountyForm


class BureauInline(CountyScopedChoices, admin.TabularInline):  # type: ignore[type-arg]
    """Rows edited inside a directory page: visible to whoever sees the page, edited by the bureau."""

    extra = 1

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request_user(request)
        return user is not None and user.role in BUREAU_ROLES

    has_change_permission = has_add_permission
    has_delete_permission = has_add_permission

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


class OneHeadFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        heads = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_head")
            and form.cleaned_data.get("is_active")
        ]
        if len(heads) > 1:
            raise ValidationError("每个单位只能有一位在职的一把手")


class OfficialInline(BureauInline):
    model = UnitOfficial
    formset = OneHeadFormSet

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an official who leaves is marked 不在职, and stays for history

    fields = ("name", "position", "title", "mobile", "is_head", "order", "is_active")


class VillageInline(BureauInline):
    model = Village
    fields = ("name", "kind", "order", "is_active")
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # villages are deactivated, never deleted


@admin.register(Township, site=manage_site)
class TownshipAdmin(DirectoryAdmin):
    list_display = ("name", "short_name", "code", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name")
    fields = ("name", "short_name", "code", "order", "is_active")
    inlines = (OfficialInline, VillageInline)


@admin.register(Department, site=manage_site)
class DepartmentAdmin(DirectoryAdmin):
    list_display = ("name", "short_name", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name")
    fields = ("name", "short_name", "code", "order", "is_active")
    inlines = (OfficialInline,)


@admin.register(Village, site=manage_site)
class VillageAdmin(DirectoryAdmin):
    county_field = "township__county"
    list_display = ("name", "township", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "township__name")
    list_select_related = ("township",)
    exclude = ()


class UnavailabilityInline(BureauInline):
    model = LeaderUnavailability


@admin.register(Leader, site=manage_site)
class LeaderAdmin(DirectoryAdmin):
    list_display = (
        "name",
        "post",
        "body",
        "protocol_order",
        "is_standing_committee",
        "is_top_six",
        "is_active",
    )
    list_filter = ("body", "is_standing_committee", "is_top_six", "is_active")
    search_fields = ("name", "post")
    filter_horizontal = ("liaison_townships", "portfolio_categories", "portfolio_departments")
    inlines = (UnavailabilityInline,)


class FirstLevelFilter(admin.SimpleListFilter):
    """Filter by first-level category, listing only the user's county's."""

    title = "一级分类"
    parameter_name = "parent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        user = request_user(request)
        if user is None or user.county_id is None:
            return []
        first = Category.objects.filter(county_id=user.county_id, parent__isnull=True)
        return [(str(category.pk), f"{category.code} {category.name}") for category in first.order_by("code")]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        value = self.value()
        return queryset.filter(parent_id=value) if value and value.isdigit() else queryset


@admin.register(Category, site=manage_site)
class CategoryAdmin(DirectoryAdmin):
    list_display = ("code", "name", "parent", "order", "is_active")
    list_filter = (FirstLevelFilter, "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a category in the tree would re-file its past matters in every statistic: add a new one.
        return ("parent",) if obj is not None else ()

    search_fields = ("code", "name")
    list_select_related = ("parent",)
