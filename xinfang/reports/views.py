"""The report pages: the daily report (preview the day's messages, send them, resend, see delivery), the
weekly analysis (the year's issues, a draft to edit and approve, an issue with its deliveries and 批示)
and the monthly situation analysis (the same pages without 批示)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.accounts.models import User
from xinfang.core.decorators import role_required
from xinfang.core.documents import Document, document_html
from xinfang.core.forms import form_errors_from
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import County
from xinfang.documents.models import IssuedDocument
from xinfang.documents.selectors import deliveries_of, document_get_for_user
from xinfang.documents.services import delivery_read
from xinfang.reports.forms import (
    InstructionForm,
    MonthForm,
    MonthlyTextForm,
    ReportDayForm,
    WeekForm,
    WeeklyTextForm,
)
from xinfang.reports.models import AnalysisReport, MonthlyReport, WeeklyReport
from xinfang.reports.monthly import last_closed_month
from xinfang.reports.selectors import (
    daily_deliveries,
    daily_report_get,
    daily_reports_recent,
    monthly_get_for_user,
    monthly_reports,
    monthly_years,
    weekly_get_for_user,
    weekly_instructions,
    weekly_reports,
    weekly_years,
)
from xinfang.reports.services import daily_report_preview, daily_report_resend, daily_report_send
from xinfang.reports.services.monthly import (
    monthly_approve,
    monthly_draft,
    monthly_edit,
    monthly_recount,
    monthly_render,
)
from xinfang.reports.services.weekly import (
    weekly_approve,
    weekly_draft,
    weekly_edit,
    weekly_instruct,
    weekly_recount,
    weekly_render,
)
from xinfang.reports.weekly import previous_week, week_of


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


# ---------------------------------------------------------------------------------------------------------
# The weekly analysis (每周访情分析) and the monthly situation analysis (月信访形势分析): the same pages, each
# analysis described by an `Analysis`; the weekly's 批示 parts are its own.


@dataclass(frozen=True)
class Analysis:
    """What the two analyses' pages differ in. `name` is their URL names' stem (reports:<name>,
    reports:<name>_new, reports:<name>_issue) and their templates' (reports/<name>_list.html,
    reports/<name>_issue.html)."""

    name: str
    get_for_user: Callable[..., Any]  # the gate: (user=, report_id=) → the report, 404 out of scope
    reports: Callable[..., Any]  # (county=, year=) → the year's issues
    years: Callable[..., list[int]]  # (county=) → the years with issues
    period_form: Callable[..., forms.Form]  # the period to draft, with the latest period initially
    latest_period: Callable[[dt.date], dict[str, Any]]  # today → the form's initial period
    draft: Callable[[County, dict[str, Any], User], tuple[Any, bool]]  # (county, period, by)
    drafted_already: str
    text_form: type[forms.Form]
    render: Callable[[Any], Document]  # a draft as the builder takes it
    edit: Callable[..., Any]
    recount: Callable[..., Any]
    approve: Callable[..., IssuedDocument]
    # The weekly's 批示 part of the issue page: (request, report, reading, its form or None) → context.
    instructions: Callable[..., dict[str, Any]] | None = None


NAV_KEY = "weekly"  # the reports nav item; the list pages have tabs


def _form_errors(form: forms.Form) -> str:
    return "；".join(str(error) for errors in form.errors.values() for error in errors)


@role_required(BUREAU_ROLES)
def analysis_list(request: AuthedRequest, kind: Analysis) -> HttpResponse:
    county = request.user.county
    assert county is not None
    years = kind.years(county=county)
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    context = {
        "reports": kind.reports(county=county, year=year),
        "years": years,
        "year": year,
        "form": kind.period_form(initial=kind.latest_period(timezone.localdate())),
        "nav_key": NAV_KEY,
    }
    return render(request, f"reports/{kind.name}_list.html", context)


@role_required(BUREAU_ROLES)
@require_POST
def analysis_new(request: AuthedRequest, kind: Analysis) -> HttpResponse:
    county = request.user.county
    assert county is not None
    form = kind.period_form(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(f"reports:{kind.name}")
    report, created = kind.draft(county, form.cleaned_data, request.user)
    if not created:
        messages.info(request, kind.drafted_already)
    return redirect(f"reports:{kind.name}_issue", report.pk)


@role_required(BUREAU_ROLES | {Role.MAIN_LEADER})
def analysis_issue(request: AuthedRequest, kind: Analysis, report_id: int) -> HttpResponse:
    report = kind.get_for_user(user=request.user, report_id=report_id)
    if request.method != "POST":
        return analysis_issue_page(request, kind, report)
    if request.user.role not in BUREAU_ROLES:
        raise PermissionDenied
    form = kind.text_form(request.POST)
    if form.is_valid():
        try:
            kind.edit(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect(f"reports:{kind.name}_issue", report.pk)
    return analysis_issue_page(request, kind, report, text_form=form, status=422)


def analysis_issue_page(
    request: AuthedRequest,
    kind: Analysis,
    report: AnalysisReport,
    *,
    text_form: forms.Form | None = None,
    instruction_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    document = report.document
    reading = document_get_for_user(user=request.user, document_id=document.pk) if document else None
    if reading is not None and reading.delivery is not None:
        delivery_read(delivery=reading.delivery, user=request.user)
    context = {
        "report": report,
        "form": text_form
        or kind.text_form(initial={"analysis": report.analysis, "suggestions": report.suggestions}),
        "content_html": document_html(kind.render(report)) if document is None else "",
        "reading": reading,
        "deliveries": deliveries_of(document) if document and request.user.role in BUREAU_ROLES else [],
        "is_bureau": request.user.role in BUREAU_ROLES,
        "is_head": request.user.role == Role.BUREAU_HEAD,
        "nav_key": NAV_KEY,
    }
    if kind.instructions is not None:
        context |= kind.instructions(request, report, reading, instruction_form)
    return render(request, f"reports/{kind.name}_issue.html", context, status=status)


@role_required(BUREAU_ROLES)
@require_POST
def analysis_recount(request: AuthedRequest, kind: Analysis, report_id: int) -> HttpResponse:
    report = kind.get_for_user(user=request.user, report_id=report_id)
    try:
        kind.recount(report=report, by=request.user)
        messages.success(request, "已按最新登记重新统计。")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect(f"reports:{kind.name}_issue", report.pk)


@role_required({Role.BUREAU_HEAD})
@require_POST
def analysis_approve(request: AuthedRequest, kind: Analysis, report_id: int) -> HttpResponse:
    report = kind.get_for_user(user=request.user, report_id=report_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请确认后再审定印发。")
        return redirect(f"reports:{kind.name}_issue", report.pk)
    try:
        document = kind.approve(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已审定印发{document.label}，已报送县主要领导和县委常委。")
    return redirect(f"reports:{kind.name}_issue", report.pk)


# ---------------------------------------------------------------------------------------------------------
# The weekly analysis's 批示


def _instruction_form(
    request: AuthedRequest,
    report: WeeklyReport,
    data: Any = None,
    files: Any = None,
    *,
    omit: frozenset[str] = frozenset(),
) -> Any:
    """The 批示 form; its key matters are those of the reader's copy (`omit`: the ones it leaves out)."""
    assert report.document is not None
    keys = [row for row in report.document.snapshot.get("key_matters", []) if row["number"] not in omit]
    return InstructionForm(
        data, files, county=report.county, key_matters=keys, paper=request.user.role in BUREAU_ROLES
    )


def _weekly_instructions(
    request: AuthedRequest, report: WeeklyReport, reading: Any, instruction_form: forms.Form | None
) -> dict[str, Any]:
    """The issue's 批示 and, for the main leaders and the bureau once it is issued, the form to add one."""
    instructing = report.document is not None and (
        request.user.role in BUREAU_ROLES or request.user.role == Role.MAIN_LEADER
    )
    omit = frozenset(reading.copy.omitted) if reading is not None else frozenset()
    return {
        "instructions": weekly_instructions(report=report, omit=omit),
        "instruction_form": (instruction_form or _instruction_form(request, report, omit=omit))
        if instructing
        else None,
    }


@role_required(BUREAU_ROLES | {Role.MAIN_LEADER})
@require_POST
def weekly_instruct_view(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = weekly_get_for_user(user=request.user, report_id=report_id)
    if report.document is None:
        raise Http404
    reading = document_get_for_user(user=request.user, document_id=report.document.pk)
    form = _instruction_form(
        request, report, request.POST, request.FILES, omit=frozenset(reading.copy.omitted)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            weekly_instruct(
                report=report, by=request.user, matter_number=data["matter"], instruction=data["instruction"],
                leader=data["leader"], units=list(data["units"]), deadline=data["deadline"],
                instructed_by=data.get("instructed_by"), scan=data.get("scan"),
            )  # fmt: skip
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "批示已交办，已生成督办事项并短信通知牵头领导和责任单位。")
            return redirect("reports:weekly_issue", report.pk)
    return analysis_issue_page(request, WEEKLY, report, instruction_form=form, status=422)


def _weekly_draft(county: County, period: dict[str, Any], by: User) -> tuple[WeeklyReport, bool]:
    date_from, date_to = week_of(period["week"])
    return weekly_draft(county=county, date_from=date_from, date_to=date_to, by=by)


def _monthly_draft(county: County, period: dict[str, Any], by: User) -> tuple[MonthlyReport, bool]:
    return monthly_draft(county=county, month=period["month"], by=by)


WEEKLY = Analysis(
    name="weekly",
    get_for_user=weekly_get_for_user,
    reports=weekly_reports,
    years=weekly_years,
    period_form=WeekForm,
    latest_period=lambda today: {"week": previous_week(today)[0]},
    draft=_weekly_draft,
    drafted_already="该周的访情分析已经起草，已为您打开。",
    text_form=WeeklyTextForm,
    render=weekly_render,
    edit=weekly_edit,
    recount=weekly_recount,
    approve=weekly_approve,
    instructions=_weekly_instructions,
)
MONTHLY = Analysis(
    name="monthly",
    get_for_user=monthly_get_for_user,
    reports=monthly_reports,
    years=monthly_years,
    period_form=MonthForm,
    latest_period=lambda today: {"month": str(last_closed_month(today))},
    draft=_monthly_draft,
    drafted_already="该月的信访形势分析已经起草，已为您打开。",
    text_form=MonthlyTextForm,
    render=monthly_render,
    edit=monthly_edit,
    recount=monthly_recount,
    approve=monthly_approve,
)
