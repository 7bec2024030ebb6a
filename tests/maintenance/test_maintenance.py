"""The maintenance pages (/manage/): separation of duties, audit summaries, and bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.core.roles import Role
from xinfang.directory.models import Category, Leader, Unit

pytestmark = pytest.mark.django_db


def test_it_never_writes_an_initial_password_into_the_audit_log(client_for):
    response = client_for("sysadmin").post(
        "/manage/accounts/user/add/",
        {
            "username": "clerk2",
            "full_name": "职员二",
            "password1": "Secret@Pass99",
            "password2": "Secret@Pass99",
        },
    )
    assert response.status_code == 302
    record = AuditRecord.objects.get(action="account.create", object_repr__contains="职员二")
    assert "Secret@Pass99" not in str(record.changes) + record.message
    assert User.objects.get(username="clerk2").check_password("Secret@Pass99")


def test_it_checks_the_new_password_against_the_username(client_for):
    response = client_for("sysadmin").post(
        "/manage/accounts/user/add/",
        {"username": "zhangweiming", "full_name": "张伟明", "password1": "Zhangweiming@1",
         "password2": "Zhangweiming@1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not User.objects.filter(username="zhangweiming").exists()


def test_it_withdraws_the_role_when_the_system_admin_rebinds_an_account(client_for, persona):
    target = persona("zhouzhuang")
    renshe = Unit.objects.get(county__code="410421", name="县人社局")
    response = client_for("sysadmin").post(
        f"/manage/accounts/user/{target.pk}/change/",
        {"full_name": target.full_name, "mobile": target.mobile, "unit": renshe.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.unit, target.role) == (renshe, Role.NONE)
    record = AuditRecord.objects.filter(action="account.update", object_id=str(target.pk)).latest("id")
    assert record.changes["role"] == ["unit_user", "none"]
    assert record.changes["unit"] == ["周庄镇", "县人社局"]


def test_it_grants_the_main_leader_role_only_to_the_secretary_or_county_head(client_for, persona):
    target = persona("leader")  # a 副县长
    response = client_for("secadmin").post(
        f"/manage/accounts/user/{target.pk}/change/", {"role": Role.MAIN_LEADER}
    )
    assert response.status_code == 200
    assert "只能授予县委书记或县长" in response.content.decode()
    target.refresh_from_db()
    assert target.role == Role.COUNTY_LEADER


def test_it_masks_phones_for_the_security_admin(client_for, persona):
    target = persona("zhouzhuang")
    User.objects.filter(pk=target.pk).update(mobile="13912345678")
    page = client_for("secadmin").get(f"/manage/accounts/user/{target.pk}/change/").content.decode()
    assert "139****5678" in page
    assert "13912345678" not in page


def test_it_sends_maintenance_logins_and_logouts_through_the_audited_views(client_for):
    assert Client().get("/manage/")["Location"] == "/manage/login/?next=/manage/"
    assert Client().get("/manage/login/?next=/manage/")["Location"] == "/login/?next=/manage/"
    assert client_for("zhouzhuang").get("/manage/login/").status_code == 403
    client = client_for("bureau")
    assert client.get("/manage/password_change/")["Location"] == "/account/password/"
    assert client.post("/manage/logout/").status_code == 302
    assert AuditRecord.objects.filter(action="auth.logout", actor_name="bureau").exists()
    assert client.get("/manage/").status_code == 302


def test_it_names_the_county_in_the_maintenance_header(client_for):
    page = client_for("bureau").get("/manage/").content.decode()
    assert "宝丰县" in page.split('id="site-name"')[1][:300]


def test_it_keeps_categories_two_levels_deep_and_in_place(client_for, county):
    zhengfa = Category.objects.get(county=county, code="01")
    wages = Category.objects.get(county=county, code="0702")
    client = client_for("bureau")
    data = {"code": wages.code, "name": wages.name, "order": wages.order, "is_active": "on"}
    response = client.post(f"/manage/directory/category/{wages.pk}/change/", {**data, "parent": zhengfa.pk})
    assert response.status_code == 302  # saved, but the parent is read-only once a category exists
    wages.refresh_from_db()
    assert wages.parent.code == "07"
    new = {"code": "0199", "name": "新增分类", "order": "99", "is_active": "on"}
    assert client.post("/manage/directory/category/add/", {**new, "parent": wages.pk}).status_code == 200
    assert client.post("/manage/directory/category/add/", {**new, "parent": zhengfa.pk}).status_code == 302
    assert Category.objects.get(county=county, code="0199").parent == zhengfa


def test_it_lists_only_the_countys_first_level_categories_in_the_filter(client_for, outsider):
    Category.objects.create(county=outsider.county, code="99", name="外县专用分类")
    page = client_for("bureau").get("/manage/directory/category/").content.decode()
    assert "外县专用分类" not in page


def test_it_refuses_a_short_name_another_unit_uses(client_for):
    zhouzhuang = Unit.objects.get(county__code="410421", name="周庄镇")
    response = client_for("bureau").post(
        f"/manage/directory/township/{zhouzhuang.pk}/change/",
        {"name": "周庄镇", "short_name": "城关", "code": zhouzhuang.code, "order": "2", "is_active": "on",
         "officials-TOTAL_FORMS": "0", "officials-INITIAL_FORMS": "0",
         "villages-TOTAL_FORMS": "0", "villages-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "已被本县其他单位使用" in response.content.decode()


def test_it_summarises_edits_of_related_rows_with_names_not_ids(client_for):
    leader = Leader.objects.get(county__code="410421", name="杜文博")
    townships = list(leader.liaison_townships.values_list("pk", flat=True))
    extra = Unit.objects.get(county__code="410421", name="城关镇")
    response = client_for("bureau").post(
        f"/manage/directory/leader/{leader.pk}/change/",
        {"name": leader.name, "post_kind": leader.post_kind, "post": leader.post, "body": leader.body,
         "protocol_order": leader.protocol_order, "mobile": leader.mobile, "is_active": "on",
         "liaison_townships": [*townships, extra.pk],
         "unavailable_periods-TOTAL_FORMS": "1", "unavailable_periods-INITIAL_FORMS": "0",
         "unavailable_periods-0-start": "2026-12-01", "unavailable_periods-0-end": "2026-12-03",
         "unavailable_periods-0-reason": "赴省开会"},
    )  # fmt: skip
    assert response.status_code == 302
    update = AuditRecord.objects.filter(action="leader.update", object_id=str(leader.pk)).latest("id")
    assert "城关镇" in update.changes["liaison_townships"][1]
    period = AuditRecord.objects.filter(action="leaderunavailability.create").latest("id")
    assert period.changes["reason"] == [None, "赴省开会"]


def test_it_builds_the_leader_form_in_a_bounded_number_of_queries(client_for, django_assert_max_num_queries):
    leader = Leader.objects.get(county__code="410421", name="杜文博")
    client = client_for("bureau")
    with django_assert_max_num_queries(40):
        assert client.get(f"/manage/directory/leader/{leader.pk}/change/").status_code == 200


def test_it_answers_a_stale_form_with_a_chinese_page(persona):
    client = Client(enforce_csrf_checks=True)
    client.force_login(persona("bureau"))
    response = client.post("/logout/")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_it_keeps_the_api_schema_for_logged_in_users(client, client_for):
    assert client.get("/api/schema/").status_code == 403
    page = client_for("bureau").get("/api/docs/").content.decode()
    assert "<script>" not in page.replace("<script src=", "")


def test_it_lets_only_the_bureau_head_switch_the_county_to_the_henan_profile(client_for, county):
    from xinfang.petitions.models import RuleProfileAssignment

    data = {"profile": "henan", "effective_from": "2026-12-01"}
    assert client_for("bureau").post("/manage/petitions/ruleprofileassignment/add/", data).status_code == 403
    response = client_for("bureau_head").post("/manage/petitions/ruleprofileassignment/add/", data)
    assert response.status_code == 302
    assert RuleProfileAssignment.objects.get(county=county).profile == "henan"
    assert AuditRecord.objects.filter(action="ruleprofileassignment.create").exists()


def test_it_lets_the_bureau_head_set_the_repeat_rules_once_and_bounds_them(client_for, county):
    from xinfang.petitions.models import RegistryRules

    client = client_for("bureau_head")
    url = "/manage/petitions/registryrules/add/"
    bad = client.post(url, {"repeat_window_days": "999999999", "repeat_similarity": "0.5",
                            "deadline_warning_days": "3"})  # fmt: skip
    assert bad.status_code == 200
    assert not RegistryRules.objects.exists()
    rules = {"repeat_window_days": "90", "repeat_similarity": "0.6", "deadline_warning_days": "5"}
    good = client.post(url, rules)
    assert good.status_code == 302
    assert RegistryRules.objects.get(county=county).repeat_window_days == 90
    assert client.get("/manage/petitions/registryrules/add/").status_code == 403


def test_the_security_admin_marks_a_unit_head_and_a_rebinding_withdraws_it(client_for, persona):
    """单位负责人 approves the unit's extensions: a privilege like a role, granted by the security admin,
    never by the system admin, and withdrawn when the system admin moves the account to another unit."""
    target = persona("zhouzhuang")
    refused = client_for("sysadmin").post(
        f"/manage/accounts/user/{target.pk}/change/",
        {"full_name": target.full_name, "mobile": target.mobile, "unit": target.unit_id, "is_active": "on",
         "is_unit_head": "on"},
    )  # fmt: skip
    assert refused.status_code == 302
    target.refresh_from_db()
    assert not target.is_unit_head  # not a field the system admin may change
    granted = client_for("secadmin").post(
        f"/manage/accounts/user/{target.pk}/change/", {"role": Role.UNIT_USER, "is_unit_head": "on"}
    )
    assert granted.status_code == 302
    target.refresh_from_db()
    assert target.is_unit_head
    record = AuditRecord.objects.filter(action="account.update", object_id=str(target.pk)).latest("id")
    assert record.changes["is_unit_head"] == [False, True]
    renshe = Unit.objects.get(county__code="410421", name="县人社局")
    client_for("sysadmin").post(
        f"/manage/accounts/user/{target.pk}/change/",
        {"full_name": target.full_name, "mobile": target.mobile, "unit": renshe.pk, "is_active": "on"},
    )
    target.refresh_from_db()
    assert (target.unit, target.role, target.is_unit_head) == (renshe, Role.NONE, False)


def test_only_a_unit_account_can_be_a_unit_head(persona):
    from django.core.exceptions import ValidationError

    bureau = persona("bureau")
    bureau.is_unit_head = True
    with pytest.raises(ValidationError) as error:
        bureau.full_clean(exclude=["password"])
    assert "只有乡镇/县直单位的账号才能作为单位负责人" in str(error.value)


def test_the_demo_has_a_head_for_every_unit_with_accounts_but_the_bureau():
    heads = User.objects.filter(county__code="410421", is_unit_head=True).select_related("unit")
    by_unit = {head.unit.name: head.username for head in heads if head.unit}
    assert by_unit["周庄镇"] == "zhouzhuang_head" and by_unit["县人社局"] == "renshe_head"
    units_with_clerks = set(
        User.objects.filter(county__code="410421", role=Role.UNIT_USER, is_unit_head=False).values_list(
            "unit__name", flat=True
        )
    )
    assert set(by_unit) == units_with_clerks - {"县信访局"}
