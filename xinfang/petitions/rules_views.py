"""The county's registry rules and deadline profile page (登记与时限规则): read by the bureau, changed by the
bureau head. The page sits in `petitions` because the rules are the registry's; the directory below it
knows nothing of them."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.forms import InputModelForm, form_errors_from
from xinfang.core.roles import BUREAU_ROLES
from xinfang.lib.deadlines import PROFILES, Clock, RuleProfile, profile_on
from xinfang.petitions.models import RegistryRules, RuleProfileAssignment
from xinfang.petitions.rows import rule_profiles
from xinfang.petitions.selectors import registry_rules, rule_profile_get_for_user
from xinfang.petitions.services.common import local_today
from xinfang.petitions.services.county_rules import (
    RULES_EDITOR_ROLES,
    registry_rules_update,
    rule_profile_schedule,
    rule_profile_withdraw,
)


class RegistryRulesForm(InputModelForm):
    class Meta:
        model = RegistryRules
        fields = ("repeat_window_days", "repeat_similarity", "deadline_warning_days")
        help_texts: ClassVar = {
            "repeat_window_days": "登记时在这段时间内查找可能的重复信访（1—3650天）",
            "repeat_similarity": "两件事项内容相似到这个程度（0.1—1.0）即提示可能重复",
            "deadline_warning_days": "期限届满前多少天起提示“即将到期”（0—30天）",
        }


class RuleProfileForm(InputModelForm):
    class Meta:
        model = RuleProfileAssignment
        fields = ("profile", "effective_from")
        widgets: ClassVar = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


# The days of each clock as the page compares the profiles.
CLOCK_ROWS = (
    (Clock.DISPOSE, "转送、交办"),
    (Clock.ACCEPT_NOTICE, "告知是否受理"),
    (Clock.HANDLE, "办理期限"),
    (Clock.REVIEW_REQUEST, "申请复查"),
    (Clock.REVIEW_DECIDE, "复查决定"),
    (Clock.RE_REVIEW_REQUEST, "申请复核"),
    (Clock.RE_REVIEW_DECIDE, "复核决定"),
)


def _days(profile: RuleProfile, clock: Clock) -> int | None:
    """The clock's days under the profile; None where the profile has no such step (Henan: no 复核)."""
    if clock in (Clock.RE_REVIEW_REQUEST, Clock.RE_REVIEW_DECIDE) and not profile.re_review_allowed:
        return None
    return profile.days(clock)


def _page(
    request: AuthedRequest, *, rules_form: Any = None, profile_form: Any = None, status: int = 200
) -> HttpResponse:
    county = request.user.county
    assert county is not None  # role_required lets only county staff through
    rules = registry_rules(county.pk)
    assignments = list(RuleProfileAssignment.objects.filter(county=county).order_by("effective_from"))
    today = local_today()
    can_edit = request.user.role in RULES_EDITOR_ROLES
    profiles = list(PROFILES.values())
    context = {
        "rules": rules,
        "rules_form": rules_form or (RegistryRulesForm(instance=rules) if can_edit else None),
        "profile_form": profile_form
        or (RuleProfileForm(initial={"effective_from": today}) if can_edit else None),
        "current": profile_on(today, rule_profiles(county)),
        "assignments": assignments,
        "today": today,
        "profiles": profiles,
        "clock_rows": [
            (label, [(profile.name, _days(profile, clock)) for profile in profiles])
            for clock, label in CLOCK_ROWS
        ],
        "can_edit": can_edit,
        "nav_key": "rules",
    }
    return render(request, "petitions/rules.html", context, status=status)


@role_required(BUREAU_ROLES)
def county_rules(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@role_required(RULES_EDITOR_ROLES)
@require_POST
def rules_save(request: AuthedRequest) -> HttpResponse:
    county = request.user.county
    assert county is not None
    form = RegistryRulesForm(request.POST, instance=registry_rules(county.pk))
    if form.is_valid():
        try:
            registry_rules_update(by=request.user, county=county, changes=form.changes())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "已保存登记规则")
            return redirect("county_rules:page")
    return _page(request, rules_form=form, status=422)


@role_required(RULES_EDITOR_ROLES)
@require_POST
def profile_schedule(request: AuthedRequest) -> HttpResponse:
    county = request.user.county
    assert county is not None
    form = RuleProfileForm(request.POST)
    if form.is_valid():
        try:
            assignment = rule_profile_schedule(by=request.user, county=county, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request,
                f"已设置：{assignment.effective_from:%Y-%m-%d} 起适用{assignment.get_profile_display()}",
            )
            return redirect("county_rules:page")
    return _page(request, profile_form=form, status=422)


@role_required(RULES_EDITOR_ROLES)
@require_POST
def profile_withdraw(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    assignment = rule_profile_get_for_user(user=request.user, assignment_id=assignment_id)
    try:
        rule_profile_withdraw(by=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request, f"已撤销：{assignment.effective_from:%Y-%m-%d} 起适用{assignment.get_profile_display()}"
        )
    return redirect("county_rules:page")
