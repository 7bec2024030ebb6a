"""The daily report page: preview the day's messages, send them, resend, and see delivery."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.roles import BUREAU_ROLES
from xinfang.reports.forms import ReportDayForm
from xinfang.reports.selectors import daily_deliveries, daily_report_get, daily_reports_recent
from xinfang.reports.services import daily_report_preview, daily_report_resend, daily_report_send


@role_required(BUREAU_ROLES)
def daily(request: AuthedRequest) -> HttpResponse:
    county = request.user.county
    assert county is not None
    form = ReportDayForm({"date": request.GET.get("date") or timezone.localdate().isoformat()})
    if not form.is_valid():
        context = {"form": form, "nav_key": "daily", "recent": daily_reports_recent(county=county)}
        return render(request, "reports/daily.html", context, status=422)
    day = form.cleaned_data["date"]
    draft = daily_report_preview(county=county, day=day)
    deliveries = daily_deliveries(county=county, day=day)
    rows = [
        {
            "message": message,
            "deliveries": deliveries.get(message.recipient.key, []) if message.index == 1 else [],
        }
        for message in draft.messages
    ]
    context = {
        "form": form,
        "day": day,
        "draft": draft,
        "rows": rows,
        "report": daily_report_get(county=county, day=day),
        "recent": daily_reports_recent(county=county),
        "nav_key": "daily",
        # Sending asks first: the page shows what will go out and to how many, then the button that sends.
        "confirming": request.GET.get("confirm") == "send",
        "recipients": len({message.recipient.key for message in draft.messages}),
        "parts": sum(message.parts for message in draft.messages),
        "file_gateway": settings.XINFANG_SMS_GATEWAY == "file",
    }
    return render(request, "reports/daily.html", context)


def _day_page(day: dt.date | None = None) -> HttpResponse:
    url = reverse("reports:daily")
    return redirect(f"{url}?date={day.isoformat()}" if day else url)


def _posted(request: AuthedRequest) -> ReportDayForm | None:
    """The posted day (and recipient), or None with the reason shown on the page."""
    form = ReportDayForm(request.POST)
    if form.is_valid():
        return form
    messages.error(request, "；".join(str(error) for errors in form.errors.values() for error in errors))
    return None


@role_required(BUREAU_ROLES)
@require_POST
def daily_send(request: AuthedRequest) -> HttpResponse:
    assert request.user.county is not None
    if (form := _posted(request)) is None:
        return _day_page()
    day = form.cleaned_data["date"]
    if request.POST.get("confirm") != "1":  # not confirmed on the page: show what would go out first
        return redirect(f"{reverse('reports:daily')}?date={day.isoformat()}&confirm=send")
    _, queued = daily_report_send(county=request.user.county, day=day, by=request.user)
    if queued:
        messages.success(request, f"已排队发送 {queued} 条短信。")
    else:
        messages.info(request, "每位收件人都已收到当日报告，未重复发送；如需再次发送请用“重发”。")
    return _day_page(day)


@role_required(BUREAU_ROLES)
@require_POST
def daily_resend(request: AuthedRequest) -> HttpResponse:
    assert request.user.county is not None
    if (form := _posted(request)) is None:
        return _day_page()
    day = form.cleaned_data["date"]
    report = daily_report_get(county=request.user.county, day=day)
    if report is None:
        raise Http404("当日报告尚未发送")
    queued = daily_report_resend(report=report, by=request.user, recipient_key=form.cleaned_data["recipient"])
    messages.success(request, f"已重发 {queued} 条短信。")
    return _day_page(day)
