"""The county's registry rules and deadline profile (/rules/, issue 14, item 7): read by the bureau,
changed by the bureau head only, each change audited; a switch takes effect from a date not in the past
and may be withdrawn until then."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Category, Unit
from xinfang.petitions.models import Matter, RegistryRules, RuleProfileAssignment
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.county_rules import (
    registry_rules_update,
    rule_profile_schedule,
    rule_profile_withdraw,
)
from xinfang.petitions.services.registration import matter_register

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _national_profile(county):
    # The demo switches the county to the Henan profile; these tests start from the national default.
    RuleProfileAssignment.objects.filter(county=county).delete()


def test_the_bureau_head_schedules_the_henan_profile_and_it_is_audited(client_for, county):
    client = client_for("bureau_head")
    page = client.get("/rules/").content.decode()
    assert "《信访工作条例》（2022年）" in page and 'data-testid="profile-form"' in page
    response = client.post("/rules/profiles/", {"profile": "henan", "effective_from": "2026-12-01"})
    assert response.status_code == 302
    assignment = RuleProfileAssignment.objects.get(county=county)
    assert (assignment.profile, assignment.effective_from) == ("henan", dt.date(2026, 12, 1))
    record = AuditRecord.objects.get(action="ruleprofileassignment.create", object_id=str(assignment.pk))
    assert record.changes == {"profile": "henan", "effective_from": "2026-12-01"}
    assert "待生效" in client.get("/rules/").content.decode()
    assert client.post(f"/rules/profiles/{assignment.pk}/withdraw/").status_code == 302
    assert not RuleProfileAssignment.objects.filter(county=county).exists()
    assert AuditRecord.objects.filter(action="ruleprofileassignment.delete").exists()


def test_a_switch_never_changes_the_rule_behind_a_deadline_already_computed(persona, county):
    """A county setting up may date its profile back (before it imports its ledgers); once a clock has
    started since a day, a switch from that day is refused and one in use cannot be withdrawn."""
    head = persona("bureau_head")
    assert not Matter.objects.filter(county=county).exists()
    back = rule_profile_schedule(by=head, county=county, profile="henan", effective_from=dt.date(2026, 1, 1))
    rule_profile_withdraw(by=head, assignment=back)
    with pytest.raises(ValidationError, match="无需切换"):
        rule_profile_schedule(
            by=head, county=county, profile="national-2022", effective_from=dt.date(2026, 12, 1)
        )
    matter = matter_register(by=persona("bureau"), data=RegistrationInput(
        county=county, event=EventInput(dt.date(2026, 11, 19), "visit", "county"),
        origin_township=Unit.objects.get(county=county, name="周庄镇"),
        category=Category.objects.get(county=county, code="0702"), content="拖欠工资",
    ))  # fmt: skip
    assert matter.clock_started is not None and matter.clock_started <= dt.date(2026, 11, 20)
    with pytest.raises(ValidationError, match="已有事项按原规则计算了期限"):
        rule_profile_schedule(by=head, county=county, profile="henan", effective_from=matter.clock_started)
    in_use = RuleProfileAssignment.objects.create(
        county=county, profile="henan", effective_from=dt.date(2026, 11, 1)
    )
    with pytest.raises(ValidationError, match="不能撤销"):
        rule_profile_withdraw(by=head, assignment=in_use)
    assert RuleProfileAssignment.objects.filter(pk=in_use.pk).exists()


def test_the_bureau_head_sets_the_registry_rules_within_bounds(client_for, county):
    client = client_for("bureau_head")
    bad = client.post(
        "/rules/registry/",
        {"repeat_window_days": "999999", "repeat_similarity": "0.5", "deadline_warning_days": "3"},
    )
    assert bad.status_code == 422 and "3650" in bad.content.decode()
    assert not RegistryRules.objects.filter(county=county).exists()
    good = client.post(
        "/rules/registry/",
        {"repeat_window_days": "90", "repeat_similarity": "0.6", "deadline_warning_days": "5"},
    )
    assert good.status_code == 302
    rules = RegistryRules.objects.get(county=county)
    assert (rules.repeat_window_days, rules.repeat_similarity, rules.deadline_warning_days) == (90, 0.6, 5)
    record = AuditRecord.objects.get(action="registryrules.update")
    assert record.changes["repeat_window_days"] == [180, 90]


def test_bureau_staff_read_the_rules_but_cannot_change_them(client_for, persona, county):
    client = client_for("bureau")
    page = client.get("/rules/").content.decode()
    assert "重复件检测时间范围" in page and 'data-testid="rules-form"' not in page
    assert (
        client.post("/rules/profiles/", {"profile": "henan", "effective_from": "2026-12-01"}).status_code
        == 403
    )
    assert client.post("/rules/registry/", {"repeat_window_days": "90"}).status_code == 403
    with pytest.raises(PermissionDenied, match="只有信访局长可以修改"):
        registry_rules_update(by=persona("bureau"), county=county, changes={"repeat_window_days": 90})
    assert not RuleProfileAssignment.objects.filter(county=county).exists()


@pytest.mark.parametrize("username", ["secretary", "leader", "zhouzhuang", "auditor", "sysadmin", "secadmin"])
def test_the_rules_page_is_403_to_every_other_role(client_for, username):
    assert client_for(username).get("/rules/").status_code == 403


def test_another_countys_switch_is_404_and_its_head_is_refused_by_the_service(
    client_for, persona, county, outsider
):
    assignment = rule_profile_schedule(
        by=persona("bureau_head"), county=county, profile="henan", effective_from=dt.date(2026, 12, 1)
    )
    outsider.role = "bureau_head"
    outsider.save(update_fields=["role"])
    assert client_for(outsider).post(f"/rules/profiles/{assignment.pk}/withdraw/").status_code == 404
    with pytest.raises(PermissionDenied, match="只能修改本县的规则"):
        rule_profile_withdraw(by=outsider, assignment=assignment)
    assert RuleProfileAssignment.objects.filter(pk=assignment.pk).exists()
