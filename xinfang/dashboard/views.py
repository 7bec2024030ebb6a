from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from xinfang.accounts.http import AuthedRequest
from xinfang.accounts.selectors import accounts_summary
from xinfang.core.decorators import role_required
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, COUNTY_WIDE_ROLES, Role
from xinfang.dashboard.selectors import dashboard_figures, todo_cards
from xinfang.directory.models import Unit
from xinfang.directory.selectors import (
    directory_figures,
    leaders_with_portfolios,
    unit_get_for_user,
    units_with_heads,
)
from xinfang.petitions.selectors import situation

# What the situation figures count over, by role (the same scope as every list: matters_for_user).
SITUATION_SCOPES = {
    Role.BUREAU_STAFF: "全县",
    Role.BUREAU_HEAD: "全县",
    Role.MAIN_LEADER: "全县",
    Role.COUNTY_LEADER: "本人包案",
    Role.UNIT_USER: "本单位责任、承办及属地事项",
}


@role_required(Role.values)
def home(request: AuthedRequest) -> HttpResponse:
    """Each role's home page: today's and this week's situation and the role's to-do cards first; the
    bureau's county directory below them; the admins' overview."""
    user = request.user
    if user.role == Role.AUDITOR:
        return redirect("audit:log")
    if user.role == Role.NONE:
        return render(request, "dashboard/no_role.html")
    if user.role not in CONTENT_ROLES:
        return render(request, "dashboard/admin.html", {**accounts_summary(county_id=user.county_id),
                                                        "nav_key": "home"})  # fmt: skip
    if user.role == Role.MAIN_LEADER:  # the secretary's home leads with the dashboard, to-do cards below it
        leading: dict[str, Any] = {
            **dashboard_figures(user=user),
            "cards": todo_cards(user=user),
            "my_townships": user.leader.liaison_townships.all() if user.leader else [],
            "nav_key": "home",
        }
        return render(request, "dashboard/dashboard.html", leading)
    context: dict[str, Any] = {
        "situation": situation(user=user),
        "cards": todo_cards(user=user),
        "situation_scope": SITUATION_SCOPES.get(Role(user.role), ""),
        "nav_key": "home",
    }
    if user.role == Role.UNIT_USER and user.unit_id:
        context["unit"] = unit_get_for_user(user=user, unit_id=user.unit_id)
        return render(request, "dashboard/unit.html", context)
    context["my_townships"] = user.leader.liaison_townships.all() if user.leader else []
    if user.role in BUREAU_ROLES and user.county:
        context |= {
            "figures": directory_figures(county=user.county),
            "townships": units_with_heads(user=user, kind=Unit.Kind.TOWNSHIP).prefetch_related(
                "liaison_leaders"
            ),
            "top_leaders": leaders_with_portfolios(user=user).filter(is_top_six=True),
        }
    return render(request, "dashboard/county.html", context)


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    """态势: the county's situation for the main leaders and the bureau (docs/dashboard.md), every figure
    linking to the events or matters it counts."""
    context = {**dashboard_figures(user=request.user), "nav_key": "dashboard"}
    return render(request, "dashboard/dashboard.html", context)
