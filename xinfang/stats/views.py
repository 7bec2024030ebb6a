from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.roles import CONTENT_ROLES, COUNTY_WIDE_ROLES
from xinfang.stats.forms import EventFilterForm, PeriodForm, with_default_period, with_statistical_month
from xinfang.stats.kpi import NAMES, Kpi, kpis, kpis_by_unit
from xinfang.stats.selectors import event_statistics, events_for_user, statistics_tables


@role_required(CONTENT_ROLES)
@require_GET
def event_list(request: AuthedRequest) -> HttpResponse:
    """The events (信访批次) behind a statistics figure, in the user's scope."""
    form = EventFilterForm(with_default_period(request.GET), county_id=request.user.county_id)
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


@role_required(CONTENT_ROLES)
@require_GET
def statistics_page(request: AuthedRequest) -> HttpResponse:
    """The figures of `xinfang stats` for the user's scope, each linking to the events behind it."""
    form = PeriodForm(with_default_period(request.GET))
    context: dict[str, Any] = {"form": form, "nav_key": "stats"}
    if not form.is_valid() or request.user.county is None:
        return render(request, "stats/page.html", context, status=422)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    county = request.user.county
    figures = event_statistics(county=county, date_from=start, date_to=end, user=request.user)
    context.update(figures=figures, tables=statistics_tables(county, figures, start, end))
    return render(request, "stats/page.html", context)


@role_required(CONTENT_ROLES)
@require_GET
def kpi_page(request: AuthedRequest) -> HttpResponse:
    """The KPIs of the period (default: the statistical month so far) for what the user may see, with
    their numerators, denominators and definitions; per township and department for the county's bureau
    and main leaders. A unit user's figures are their unit's."""
    form = PeriodForm(with_statistical_month(request.GET))
    context: dict[str, Any] = {"form": form, "nav_key": "stats", "names": NAMES}
    if not form.is_valid() or request.user.county is None:
        return render(request, "stats/kpi.html", context, status=422)
    period = {
        "county": request.user.county,
        "date_from": form.cleaned_data["date_from"],
        "date_to": form.cleaned_data["date_to"],
        "scope_user": request.user,
    }
    if request.user.role in COUNTY_WIDE_ROLES:
        total, units = kpis_by_unit(**period)
        rows = [(row.unit, [_shown(kpi) for kpi in row.kpis.values()]) for row in units]
    else:
        total, rows = kpis(**period), []
    context.update(figures=[_shown(kpi) for kpi in total.values()], units=rows)
    return render(request, "stats/kpi.html", context)


def _shown(kpi: Kpi) -> dict[str, Any]:
    """A KPI as the page shows it: the rate in per cent ("—" when nothing entered it)."""
    percent = "—" if kpi.rate is None else f"{kpi.rate * 100:.1f}%"
    return {"kpi": kpi, "percent": percent}
