"""The county's registry rules and deadline profile (SPEC §4: data the bureau edits, not constants in
code): repeat detection, deadline warnings, and from which day the clocks follow which statutory profile.
Changed by the bureau head only (docs/roles.md); each change audited in its transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record, model_diff
from xinfang.core.roles import Role
from xinfang.directory.models import County
from xinfang.lib.deadlines import PROFILES, profile_on
from xinfang.petitions.models import Matter, RegistryRules, RuleProfileAssignment
from xinfang.petitions.rows import rule_profiles
from xinfang.petitions.services.common import local_today

RULES_EDITOR_ROLES = frozenset({Role.BUREAU_HEAD})
RULES_FIELDS = frozenset({"repeat_window_days", "repeat_similarity", "deadline_warning_days"})


def county_rules_check(*, by: User, county_id: int | None) -> None:
    if by.role not in RULES_EDITOR_ROLES:
        raise PermissionDenied("只有信访局长可以修改本县的登记与时限规则")
    if county_id is None or by.county_id != county_id:
        raise PermissionDenied("只能修改本县的规则")


@transaction.atomic
def registry_rules_update(*, by: User, county: County, changes: Mapping[str, Any]) -> RegistryRules:
    """Set the county's repeat detection window and threshold and the deadline warning; the first save
    replaces the defaults. Raises ValidationError (bounds) or PermissionDenied, in Chinese."""
    county_rules_check(by=by, county_id=county.pk)
    if set(changes) - RULES_FIELDS:
        raise PermissionDenied("不能修改这些内容")
    rules = RegistryRules.objects.select_for_update().filter(county=county).first() or RegistryRules(
        county=county
    )
    before = {name: getattr(rules, name) for name in changes}
    for name, value in changes.items():
        setattr(rules, name, value)
    diff = model_diff(before, {name: getattr(rules, name) for name in changes})
    if not diff:
        return rules
    rules.full_clean()
    if rules.pk is None:
        rules.save()
    else:
        rules.save(update_fields=sorted(diff))
    audit_record(action="registryrules.update", actor=by, obj=rules, county=county, changes=diff)
    return rules


def _clocks_since(county: County, day: dt.date) -> bool:
    """Whether a matter's running clock started on or after `day`: its deadline was computed by the rule in
    force then, and a switch from that day would leave it computed by another."""
    return Matter.objects.filter(county=county, clock_started__gte=day).exists()


@transaction.atomic
def rule_profile_schedule(
    *, by: User, county: County, profile: str, effective_from: dt.date
) -> RuleProfileAssignment:
    """From `effective_from` on, clocks follow `profile`. A deadline once computed (and told to a
    petitioner) never moves: the date may be in the past only while no clock has started since (a county
    setting up, before it imports its ledgers)."""
    county_rules_check(by=by, county_id=county.pk)
    if profile not in PROFILES:
        raise ValidationError({"profile": "没有这种时限规则"})
    if effective_from <= local_today() and _clocks_since(county, effective_from):
        message = "该日期以后已有事项按原规则计算了期限，请选择以后的日期（已算出的期限不会重算）"
        raise ValidationError({"effective_from": message})
    assignments = rule_profiles(county)
    if any(day == effective_from for day, _ in assignments):
        raise ValidationError({"effective_from": "该日期已设置时限规则，请先撤销原设置"})
    if profile_on(effective_from, assignments).key == profile:
        raise ValidationError({"profile": f"该日期起已适用{PROFILES[profile].name}，无需切换"})
    assignment = RuleProfileAssignment(county=county, profile=profile, effective_from=effective_from)
    assignment.full_clean()
    assignment.save()
    audit_record(
        action="ruleprofileassignment.create",
        actor=by,
        obj=assignment,
        county=county,
        changes={"profile": profile, "effective_from": effective_from},
    )
    return assignment


@transaction.atomic
def rule_profile_withdraw(*, by: User, assignment: RuleProfileAssignment) -> None:
    """Withdraw a switch no deadline was computed by yet; one in use is replaced by scheduling another."""
    county_rules_check(by=by, county_id=assignment.county_id)
    if assignment.effective_from <= local_today() and _clocks_since(
        assignment.county, assignment.effective_from
    ):
        raise ValidationError("已有事项按该规则计算了期限，不能撤销；需要时请设置新的生效日期切换")
    audit_record(
        action="ruleprofileassignment.delete",
        actor=by,
        obj=assignment,
        county=assignment.county,
        changes={"profile": assignment.profile, "effective_from": assignment.effective_from},
    )
    assignment.delete()
