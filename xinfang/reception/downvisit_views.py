"""下沉接访 pages: the bureau's month of the first-Tuesday draw (draw after a confirmation). The public page's
section is `views.public`'s. Gate → validate → one service → respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.roles import BUREAU_ROLES
from xinfang.lib.workdays import UnknownYear
from xinfang.reception.downvisits import draw_make, draw_verify, month_draw, upcoming_month
from xinfang.reception.draw import HISTORY_MONTHS, month_label
from xinfang.reception.planning import next_month, parse_month, previous_month

NAV = "reception"


def _month(request: AuthedRequest, source: Any) -> Any:
    try:
        return parse_month(source.get("month", "")) if source.get("month") else None
    except ValueError:
        return None


def _page(request: AuthedRequest, month: Any, status: int = 200, **extra: Any) -> HttpResponse:
    county = request.user.county
    assert county is not None  # role_required: the bureau's roles belong to a county
    today = timezone.localdate()
    entry = month_draw(county, month)
    # In December the next day may wait for next year's holidays to be entered: the page says so.
    passed = entry.date is not None and entry.date < today
    following = month_draw(county, next_month(month)) if passed else None
    context = {
        "month": month,
        "label": month_label(month),
        "previous": previous_month(month),
        "next": next_month(month),
        "entry": entry,
        "problems": draw_verify(entry.draw) if entry.draw else [],
        "can_draw": entry.draw is None and entry.date is not None and entry.date >= today,
        "next_unknown": following.unknown_year if following else "",
        "confirming": request.GET.get("confirm") == "draw",
        "history_months": HISTORY_MONTHS,
        "nav_key": NAV,
        **extra,
    }
    return render(request, "reception/downvisit.html", context, status=status)


@role_required(BUREAU_ROLES)
@require_GET
def downvisit(request: AuthedRequest) -> HttpResponse:
    """A month's down-to-township day and draw (the next one unless `?month=` says otherwise)."""
    return _page(request, _month(request, request.GET) or upcoming_month(timezone.localdate()))


@role_required(BUREAU_ROLES)
@require_POST
def downvisit_draw(request: AuthedRequest) -> HttpResponse:
    month = _month(request, request.POST)
    if month is None:
        return _page(request, upcoming_month(timezone.localdate()), 422, draw_errors=["月份应写作 YYYY-MM"])
    page = f"{reverse('reception:downvisit')}?month={month:%Y-%m}"
    if request.POST.get("confirm") != "1":  # not confirmed on the page: ask first
        return redirect(f"{page}&confirm=draw#draw")
    county = request.user.county
    assert county is not None
    try:
        draw = draw_make(county=county, month=month, by=request.user, now=timezone.now())
    except PermissionDenied as error:
        return _page(request, month, 403, draw_errors=[str(error)])
    except ValidationError as error:
        return _page(request, month, 422, draw_errors=error.messages)
    except UnknownYear as error:
        return _page(request, month, 422, draw_errors=[str(error)])
    messages.success(
        request, f"已完成{month_label(month)}下沉接访抽签，种子 {draw.seed}，结果已在公开页面公布"
    )
    return redirect(page)
