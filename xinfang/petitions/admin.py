"""The bureau head's registry settings: repeat detection, deadline warnings, the statutory profile."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from xinfang.accounts.http import request_account
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.admin import DirectoryAdmin
from xinfang.maintenance.site import manage_site
from xinfang.petitions.models import RegistryRules, RuleProfileAssignment


class BureauHeadSettingsAdmin(DirectoryAdmin):
    """Readable by bureau staff; changed by the bureau head only (county rules, SPEC §4)."""

    view_roles = frozenset(BUREAU_ROLES)
    edit_roles = frozenset({Role.BUREAU_HEAD})


@admin.register(RegistryRules, site=manage_site)
class RegistryRulesAdmin(BureauHeadSettingsAdmin):
    list_display = ("county", "repeat_window_days", "repeat_similarity", "deadline_warning_days")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # One row per county: until the bureau head saves one, the defaults apply.
        user = request_account(request)
        county = user.county if user is not None else None
        taken = county is not None and RegistryRules.objects.filter(county=county).exists()
        return super().has_add_permission(request, *args) and not taken


@admin.register(RuleProfileAssignment, site=manage_site)
class RuleProfileAssignmentAdmin(BureauHeadSettingsAdmin):
    list_display = ("effective_from", "profile")
    exclude: ClassVar[tuple[str, ...]] = ("county",)
