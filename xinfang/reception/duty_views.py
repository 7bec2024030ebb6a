"""季度下沉任务 pages: the bureau's quarter (each bound leader's compliance, the townships ranked, the plan
form and cancelling) and a leader's own duty. Gate → validate → one service → respond.

The plan form lives here rather than in forms.py: it is this page's only form and shares nothing with the
schedules' and records' forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.forms import form_errors_from
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import County, Leader, Unit
from xinfang.lib.periods import Quarter, quarter_of, quarter_parse
from xinfang.reception.duty import (
    RANKING_DAYS,
    DutyState,
    downvisit_cancel,
    downvisit_plan,
    duty_compliance,
    duty_counts,
    duty_leaders,
    ranking_weights,
    township_ranking,
)
from xinfang.reception.models import DownVisit
from xinfang.reception.selectors import downvisit_get_for_user

NAV = "reception"
LEADER_PAGE_ROLES = (Role.COUNTY_LEADER, Role.MAIN_LEADER)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DutyPlanForm(forms.Form):
    leader = forms.ModelChoiceField(queryset=Leader.objects.none(), label="县级领导", empty_label="请选择")
    township = forms.ModelChoiceField(queryset=Unit.objects.none(), label="乡镇", empty_label="请选择")
    date = forms.DateField(label="下沉日期", widget=DATE_WIDGET)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, county: County, quarter: Quarter, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quarter, self.today = quarter, today
        self.fields["leader"].queryset = duty_leaders(county)  # type: ignore[attr-defined]
        self.fields["township"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            county=county, kind=Unit.Kind.TOWNSHIP, is_active=True
        ).order_by("order", "id")
        self.fields["date"].widget.attrs.update(
            min=max(today, quarter.first).isoformat(), max=quarter.last.isoformat()
        )

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if day not in self.quarter:
            raise forms.ValidationError(f"请选择{self.quarter.label}内的日期")
        if day < self.today:
            raise forms.ValidationError("下沉日期不能早于今天")
        return day


def _quarter(request: AuthedRequest, today: dt.date) -> Quarter:
    try:
        return quarter_parse(request.GET.get("quarter") or request.POST.get("quarter") or "")
    except ValueError:
        return quarter_of(today)


def _duty_page(
    request: AuthedRequest, quarter: Quarter, form: DutyPlanForm | None = None, status: int = 200
) -> HttpResponse:
    county = request.user.county
    assert county is not None  # role_required: the bureau's roles belong to a county
    today = timezone.localdate()
    duties = duty_compliance(county=county, quarter=quarter, today=today)
    open_for_plans = quarter.last >= today
    context = {
        "quarter": quarter,
        "today": today,
        "duties": duties,
        "counts": duty_counts(duties),
        "ranking": township_ranking(county=county, day=today),
        "ranking_days": RANKING_DAYS,
        "weights": ranking_weights(),
        "form": form
        or (DutyPlanForm(county=county, quarter=quarter, today=today) if open_for_plans else None),
        "planned_kind": DownVisit.Kind.PLANNED,
        "missing": DutyState.MISSING,
        "nav_key": NAV,
    }
    return render(request, "reception/duty.html", context, status=status)


@role_required(BUREAU_ROLES)
@require_GET
def duty(request: AuthedRequest) -> HttpResponse:
    """The quarter's duty (`?quarter=2026Q4`, this quarter by default)."""
    return _duty_page(request, _quarter(request, timezone.localdate()))


@role_required(BUREAU_ROLES)
@require_POST
def duty_plan(request: AuthedRequest) -> HttpResponse:
    county = request.user.county
    assert county is not None
    now = timezone.now()
    quarter = _quarter(request, timezone.localdate(now))
    form = DutyPlanForm(request.POST, county=county, quarter=quarter, today=timezone.localdate(now))
    if form.is_valid():
        try:
            visit = downvisit_plan(by=request.user, now=now, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            where = f"{visit.date:%Y-%m-%d}到{visit.township.name}"
            messages.success(request, f"已安排{visit.name}于{where}下沉接访")
            return redirect(f"{reverse('reception:duty')}?quarter={quarter.code}")
    return _duty_page(request, quarter, form, status=422)


@role_required(BUREAU_ROLES)
@require_POST
def duty_cancel(request: AuthedRequest, visit_id: int) -> HttpResponse:
    visit = downvisit_get_for_user(user=request.user, visit_id=visit_id)
    quarter = quarter_of(visit.date)
    page = f"{reverse('reception:duty')}?quarter={quarter.code}"
    try:
        downvisit_cancel(by=request.user, visit=visit, now=timezone.now())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(page)
    messages.success(request, f"已取消{visit.name}{visit.date:%Y-%m-%d}到{visit.township.name}的下沉接访")
    return redirect(page)


@role_required(LEADER_PAGE_ROLES)
@require_GET
def duty_mine(request: AuthedRequest) -> HttpResponse:
    """A county leader's own quarter: done, planned or missing, their visits, and where conflicts gather."""
    user = request.user
    county = user.county
    assert county is not None
    today = timezone.localdate()
    quarter = _quarter(request, today)
    leader = user.leader
    bound = leader is not None and leader.is_active and not leader.is_top_six
    duty = None
    if leader is not None and bound:
        duty = duty_compliance(county=county, quarter=quarter, today=today, leaders=[leader])[0]
    context = {
        "quarter": quarter,
        "today": today,
        "leader": leader,
        "duty": duty,
        "ranking": township_ranking(county=county, day=today)[:5],
        "ranking_days": RANKING_DAYS,
        "nav_key": NAV,
    }
    return render(request, "reception/duty_mine.html", context)
