from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xinfang.accounts.decorators import AuthedRequest, role_required
from xinfang.accounts.roles import CONTENT_ROLES
from xinfang.stats.forms import EventFilterForm, month_start
from xinfang.stats.selectors import events_for_user


@role_required(CONTENT_ROLES)
@require_GET
def event_list(request: AuthedRequest) -> HttpResponse:
    """The events (信访批次) behind a statistics figure, in the user's scope."""
    data = request.GET.copy()
    data.setdefault("date_from", month_start().isoformat())
    data.setdefault("date_to", timezone.localdate().isoformat())
    form = EventFilterForm(data, county_id=request.user.county_id)
    valid = form.is_valid()
    events = events_for_user(user=request.user, **form.selection()) if valid else None
    page = None
    if events is not None:
        related = events.select_related("matter", "township", "category_top")
        page = Paginator(related, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav_key": "events"}
    return render(request, "stats/events.html", context, status=200 if valid else 422)
