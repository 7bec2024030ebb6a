from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from xinfang.core.decorators import MemberRequest, role_required
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, LEADER_ROLES
from xinfang.directory.models import Unit
from xinfang.directory.selectors import (
    categories_tree,
    leader_get_for_user,
    leaders_with_portfolios,
    official_phones_in_full,
    unit_get_for_user,
    units_with_heads,
)

COUNTY_VIEW_ROLES = BUREAU_ROLES | LEADER_ROLES


@role_required(COUNTY_VIEW_ROLES)
def unit_list(request: MemberRequest) -> HttpResponse:
    context = {
        "townships": units_with_heads(user=request.user, kind=Unit.Kind.TOWNSHIP),
        "departments": units_with_heads(user=request.user, kind=Unit.Kind.DEPARTMENT),
        "phones_in_full": official_phones_in_full(user=request.user),
        "nav_key": "units",
    }
    return render(request, "directory/unit_list.html", context)


@role_required(CONTENT_ROLES)
def unit_detail(request: MemberRequest, unit_id: int) -> HttpResponse:
    unit = unit_get_for_user(user=request.user, unit_id=unit_id)
    context = {"unit": unit, "phones_in_full": official_phones_in_full(user=request.user), "nav_key": "unit"}
    return render(request, "directory/unit_detail.html", context)


@role_required(COUNTY_VIEW_ROLES)
def leader_list(request: MemberRequest) -> HttpResponse:
    leaders = leaders_with_portfolios(user=request.user)
    context = {
        "leaders": leaders,
        "phones_in_full": official_phones_in_full(user=request.user),
        "nav_key": "leaders",
    }
    return render(request, "directory/leader_list.html", context)


@role_required(COUNTY_VIEW_ROLES)
def leader_detail(request: MemberRequest, leader_id: int) -> HttpResponse:
    leader = leader_get_for_user(user=request.user, leader_id=leader_id)
    context = {
        "leader": leader,
        "phones_in_full": official_phones_in_full(user=request.user),
        "nav_key": "leaders",
    }
    return render(request, "directory/leader_detail.html", context)


@role_required(COUNTY_VIEW_ROLES)
def category_list(request: MemberRequest) -> HttpResponse:
    tree = categories_tree(county_id=request.user.county_id)
    return render(request, "directory/category_list.html", {"tree": tree, "nav_key": "categories"})
