from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render

from xinfang.accounts.http import AuthedRequest
from xinfang.accounts.selectors import accounts_summary
from xinfang.core.decorators import role_required
from xinfang.core.roles import BUREAU_ROLES, LEADER_ROLES, Role
from xinfang.directory.models import Unit
from xinfang.directory.selectors import (
    directory_figures,
    leaders_with_portfolios,
    unit_get_for_user,
    units_with_heads,
)
from xinfang.petitions.selectors import registry_overview


@role_required(Role.values)
def home(request: AuthedRequest) -> HttpResponse:
    """Each role's home page: the county dashboard, the unit's page, or the admin's overview."""
    user = request.user
    if user.role == Role.AUDITOR:
        return redirect("audit:log")
    if user.role == Role.NONE:
        return render(request, "dashboard/no_role.html")
    context: dict[str, Any]
    if user.role in BUREAU_ROLES or user.role in LEADER_ROLES:
        context = {
            "figures": directory_figures(county=user.county) if user.county else None,
            "registry": registry_overview(user=user),
            "townships": units_with_heads(user=user, kind=Unit.Kind.TOWNSHIP).prefetch_related(
                "liaison_leaders"
            ),
            "my_townships": user.leader.liaison_townships.all() if user.leader else [],
            "top_leaders": leaders_with_portfolios(user=user).filter(is_top_six=True),
            "nav_key": "home",
        }
        return render(request, "dashboard/county.html", context)
    if user.role == Role.UNIT_USER and user.unit_id:
        unit = unit_get_for_user(user=user, unit_id=user.unit_id)
        context = {"unit": unit, "registry": registry_overview(user=user), "nav_key": "home"}
        return render(request, "dashboard/unit.html", context)
    summary = accounts_summary(county_id=user.county_id)
    context = {**summary, "nav_key": "home"}
    return render(request, "dashboard/admin.html", context)
