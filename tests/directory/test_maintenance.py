"""The bureau keeps its county's directory on the directory pages (issue 14, item 7): every change through a
service, audited in its transaction; other roles refused (403 pages, a Chinese PermissionDenied from the
service); objects of another county 404; rows that others refer to are deactivated, never deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xinfang.audit.models import AuditRecord
from xinfang.audit.templatetags.audit_tags import change_lines
from xinfang.directory import services
from xinfang.directory.models import Category, Leader, LeaderUnavailability, Unit, UnitOfficial, Village

pytestmark = pytest.mark.django_db


def unit(name: str) -> Unit:
    return Unit.objects.get(county__code="410421", name=name)


def leader(name: str = "杜文博") -> Leader:
    return Leader.objects.get(county__code="410421", name=name)


def last_record(action: str, obj) -> AuditRecord:
    return AuditRecord.objects.filter(action=action, object_id=str(obj.pk)).latest("id")


# -- services ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["bureau", "bureau_head"])
def test_both_bureau_roles_keep_the_directory_and_each_change_is_audited(persona, county, username):
    by = persona(username)
    township = services.unit_create(
        by=by, county=county, kind=Unit.Kind.TOWNSHIP, name="新城街道", short_name="新城", order=14
    )
    record = last_record("township.create", township)
    assert (record.actor_name, record.changes["name"], record.county_id) == (username, "新城街道", county.pk)
    services.unit_update(by=by, unit=township, changes={"name": "新城街道办事处", "is_active": False})
    township.refresh_from_db()
    assert (township.name, township.is_active) == ("新城街道办事处", False)
    assert last_record("township.update", township).changes == {
        "is_active": [True, False],
        "name": ["新城街道", "新城街道办事处"],
    }


@pytest.mark.parametrize(
    "username", ["secretary", "leader", "zhouzhuang", "renshe", "auditor", "sysadmin", "secadmin"]
)
def test_every_other_role_is_refused_in_chinese_and_nothing_changes(persona, county, username):
    by = persona(username)
    before = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied, match="只有信访局工作人员和信访局长可以维护名录"):
        services.unit_update(by=by, unit=unit("周庄镇"), changes={"short_name": "周"})
    with pytest.raises(PermissionDenied, match="只有信访局工作人员和信访局长可以维护名录"):
        services.leader_unavailability_add(
            by=by, leader=leader(), start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 2)
        )
    with pytest.raises(PermissionDenied):
        services.category_create(by=by, county=county, parent=None, code="99", name="新分类")
    assert unit("周庄镇").short_name == "周庄"
    assert AuditRecord.objects.count() == before


def test_the_bureau_of_another_county_is_refused_by_the_service(outsider):
    with pytest.raises(PermissionDenied, match="只能维护本县的名录"):
        services.unit_update(by=outsider, unit=unit("周庄镇"), changes={"short_name": "周"})


def test_a_leaders_links_and_unavailable_days_are_audited_by_name(persona):
    bureau, du = persona("bureau"), leader()
    extra = unit("城关镇")
    townships = [*du.liaison_townships.all(), extra]
    services.leader_update(
        by=bureau, leader=du, changes={"post": du.post}, links={"liaison_townships": townships}
    )
    assert extra in du.liaison_townships.all()
    update = last_record("leader.update", du)
    assert (
        "城关镇" in update.changes["liaison_townships"][1]
        and "城关镇" not in update.changes["liaison_townships"][0]
    )
    period = services.leader_unavailability_add(
        by=bureau, leader=du, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 3), reason="赴省开会"
    )
    created = last_record("leaderunavailability.create", period)
    assert created.changes == {
        "leader": "杜文博",
        "start": "2026-12-01",
        "end": "2026-12-03",
        "reason": "赴省开会",
    }
    assert sorted(change_lines(created)) == sorted(
        ["县级领导：杜文博", "开始日期：2026-12-01", "结束日期：2026-12-03", "理由：赴省开会"]
    )
    services.leader_unavailability_remove(by=bureau, period=period)
    assert not LeaderUnavailability.objects.filter(pk=created.object_id).exists()
    assert AuditRecord.objects.filter(
        action="leaderunavailability.delete", object_id=created.object_id
    ).exists()


def test_it_refuses_another_countys_township_as_a_liaison(persona, outsider):
    other = Unit.objects.create(county=outsider.county, kind=Unit.Kind.TOWNSHIP, name="辛集乡")
    with pytest.raises(ValidationError) as error:
        services.leader_update(
            by=persona("bureau"), leader=leader(), changes={}, links={"liaison_townships": [other]}
        )
    assert "不在本县" in str(error.value)
    assert other not in leader().liaison_townships.all()


def test_it_refuses_overlapping_or_reversed_unavailable_days(persona):
    bureau, du = persona("bureau"), leader()
    services.leader_unavailability_add(
        by=bureau, leader=du, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 5)
    )
    with pytest.raises(ValidationError, match="重叠"):
        services.leader_unavailability_add(
            by=bureau, leader=du, start=dt.date(2026, 12, 5), end=dt.date(2026, 12, 8)
        )
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        services.leader_unavailability_add(
            by=bureau, leader=du, start=dt.date(2026, 12, 10), end=dt.date(2026, 12, 9)
        )
    assert du.unavailable_periods.count() == 1


def test_it_keeps_one_active_head_per_unit(persona):
    zhouzhuang = unit("周庄镇")
    with pytest.raises(ValidationError, match="每个单位只能有一位在职的一把手"):
        services.official_create(
            by=persona("bureau"), unit=zhouzhuang, name="王新", position="team_member", is_head=True
        )
    official = services.official_create(
        by=persona("bureau"),
        unit=zhouzhuang,
        name="王新",
        position="team_member",
        title="副镇长",
        mobile="13900000001",
    )
    record = last_record("unitofficial.create", official)
    assert record.changes["mobile"] == "139****0001"  # phones are masked in the audit log


def test_categories_stay_two_levels_deep_and_a_parent_is_deactivated_after_its_children(persona, county):
    bureau = persona("bureau")
    zhengfa = Category.objects.get(county=county, code="01")
    wages = Category.objects.get(county=county, code="0702")
    with pytest.raises(ValidationError, match="上级只能是一级分类"):
        services.category_create(by=bureau, county=county, parent=wages, code="070201", name="三级")
    with pytest.raises(ValidationError, match="已经存在"):
        services.category_create(by=bureau, county=county, parent=None, code="01", name="重复代码")
    new = services.category_create(by=bureau, county=county, parent=zhengfa, code="0199", name="新增分类")
    assert new.parent == zhengfa and last_record("category.create", new).changes["parent"] == "政法"
    with pytest.raises(ValidationError, match="请先停用该分类下的二级分类"):
        services.category_update(by=bureau, category=zhengfa, changes={"is_active": False})
    with pytest.raises(PermissionDenied):
        services.category_update(by=bureau, category=new, changes={"parent": wages.parent})


# -- pages ------------------------------------------------------------------------------------------------


def test_the_bureau_adds_a_township_on_the_page_and_a_duplicate_is_refused_in_chinese(client_for, county):
    client = client_for("bureau")
    assert "新增乡镇" in client.get("/directory/units/").content.decode()
    response = client.post(
        "/directory/units/new/?kind=township",
        {"name": "新城街道", "short_name": "新城", "code": "", "order": "14"},
    )
    township = Unit.objects.get(county=county, name="新城街道")
    assert response.status_code == 302 and response["Location"] == f"/directory/units/{township.pk}/"
    assert township.kind == Unit.Kind.TOWNSHIP
    again = client.post(
        "/directory/units/new/?kind=department", {"name": "周庄镇", "short_name": "周庄2", "order": "1"}
    )
    assert again.status_code == 422
    assert "包含 所属县 和 名称 的 单位 已经存在" in again.content.decode()
    short = client.post(
        f"/directory/units/{township.pk}/edit/",
        {"name": "新城街道", "short_name": "城关", "order": "14", "is_active": "on"},
    )
    assert short.status_code == 422 and "已被本县其他单位使用" in short.content.decode()


def test_a_deactivated_unit_leaves_the_lists_but_the_bureau_can_reinstate_it(client_for):
    client = client_for("bureau")
    naodian = unit("闹店镇")
    data = {
        "name": naodian.name,
        "short_name": naodian.short_name,
        "code": naodian.code,
        "order": naodian.order,
    }
    assert client.post(f"/directory/units/{naodian.pk}/edit/", data).status_code == 302
    page = client.get("/directory/units/").content.decode()
    assert "已停用的单位" in page and "修改或启用" in page
    assert "闹店镇" not in client_for("secretary").get("/directory/units/").content.decode()
    client.post(f"/directory/units/{naodian.pk}/edit/", {**data, "is_active": "on"})
    assert unit("闹店镇").is_active


def test_the_bureau_adds_and_renames_a_village_and_an_official(client_for):
    client = client_for("bureau")
    zhouzhuang = unit("周庄镇")
    response = client.post(
        f"/directory/units/{zhouzhuang.pk}/villages/new/",
        {"name": "新建社区", "kind": "community", "order": "20"},
    )
    assert response.status_code == 302
    village = Village.objects.get(township=zhouzhuang, name="新建社区")
    assert (
        client.post(
            f"/directory/villages/{village.pk}/edit/",
            {"name": "新建社区", "kind": "community", "order": "20"},
        ).status_code
        == 302
    )
    assert not Village.objects.get(pk=village.pk).is_active  # 启用 unticked: deactivated, not deleted
    renshe = unit("县人社局")
    assert client.get(f"/directory/units/{renshe.pk}/villages/new/").status_code == 404
    added = client.post(
        f"/directory/units/{renshe.pk}/officials/new/",
        {"name": "赵副局", "position": "deputy", "title": "副局长", "mobile": "1390000", "order": "5"},
    )
    assert added.status_code == 422 and "请填写11位手机号码" in added.content.decode()
    assert not UnitOfficial.objects.filter(name="赵副局").exists()


def test_the_bureau_records_a_leaders_unavailable_days_on_the_leader_page(client_for):
    client = client_for("bureau")
    du = leader()
    page = client.get(f"/directory/leaders/{du.pk}/").content.decode()
    assert "登记不在岗日期" in page
    response = client.post(
        f"/directory/leaders/{du.pk}/unavailable/",
        {"start": "2026-12-01", "end": "2026-12-03", "reason": "赴省开会"},
    )
    assert response.status_code == 302
    period = du.unavailable_periods.get()
    assert "2026-12-01" in client.get(f"/directory/leaders/{du.pk}/").content.decode()
    reversed_ = client.post(
        f"/directory/leaders/{du.pk}/unavailable/", {"start": "2026-12-10", "end": "2026-12-01"}
    )
    assert reversed_.status_code == 422 and "结束日期不能早于开始日期" in reversed_.content.decode()
    assert client.post(f"/directory/unavailable/{period.pk}/remove/").status_code == 302
    assert not du.unavailable_periods.exists()


def test_leaders_read_the_leader_page_without_the_bureaus_forms(client_for):
    du = leader()
    page = client_for("secretary").get(f"/directory/leaders/{du.pk}/").content.decode()
    assert "不在岗日期" in page and 'data-testid="unavailable-form"' not in page
    assert f"/directory/leaders/{du.pk}/edit/" not in page and "/remove/" not in page


def test_the_bureau_edits_a_leader_and_a_former_leader_stays_reachable(client_for):
    client = client_for("bureau")
    du = leader()
    form = client.get(f"/directory/leaders/{du.pk}/edit/").content.decode()
    assert 'name="liaison_townships"' in form and 'type="checkbox"' in form
    data = {
        "name": du.name,
        "post_kind": du.post_kind,
        "post": du.post,
        "body": du.body,
        "protocol_order": du.protocol_order,
        "mobile": du.mobile,
        "liaison_townships": [t.pk for t in du.liaison_townships.all()],
    }
    assert client.post(f"/directory/leaders/{du.pk}/edit/", data).status_code == 302
    assert not leader().is_active  # 在任 unticked
    assert "已离任" in client.get("/directory/leaders/").content.decode()
    assert client.get(f"/directory/leaders/{du.pk}/").status_code == 200
    assert client_for("secretary").get(f"/directory/leaders/{du.pk}/").status_code == 404
    assert client.post(f"/directory/leaders/{du.pk}/edit/", {**data, "is_active": "on"}).status_code == 302
    assert leader().is_active


def test_the_bureau_adds_a_category_under_a_first_level_one(client_for, county):
    client = client_for("bureau")
    zhengfa = Category.objects.get(county=county, code="01")
    response = client.post(
        "/directory/categories/new/",
        {"parent": zhengfa.pk, "code": "0199", "name": "新增分类", "order": "99"},
    )
    assert response.status_code == 302
    new = Category.objects.get(county=county, code="0199")
    assert new.parent == zhengfa
    edit = client.get(f"/directory/categories/{new.pk}/edit/").content.decode()
    assert 'name="parent"' not in edit  # its place in the tree never changes


@pytest.mark.parametrize("username", ["secretary", "leader", "zhouzhuang", "auditor", "sysadmin", "secadmin"])
def test_the_maintenance_pages_are_403_to_every_other_role(client_for, username):
    client = client_for(username)
    du, zhouzhuang = leader(), unit("周庄镇")
    for path in (
        "/directory/units/new/",
        f"/directory/units/{zhouzhuang.pk}/edit/",
        f"/directory/leaders/{du.pk}/edit/",
        "/directory/categories/new/",
    ):
        assert client.get(path).status_code == 403, path
    response = client.post(
        f"/directory/leaders/{du.pk}/unavailable/", {"start": "2026-12-01", "end": "2026-12-02"}
    )
    assert response.status_code == 403
    assert not du.unavailable_periods.exists()


def test_another_countys_objects_are_404_to_the_bureau(client_for, outsider):
    client = client_for(outsider)
    du, zhouzhuang = leader(), unit("周庄镇")
    village = zhouzhuang.villages.first()
    official = zhouzhuang.officials.first()
    category = Category.objects.get(county__code="410421", code="01")
    assert village is not None and official is not None
    for path in (
        f"/directory/units/{zhouzhuang.pk}/edit/",
        f"/directory/leaders/{du.pk}/edit/",
        f"/directory/villages/{village.pk}/edit/",
        f"/directory/officials/{official.pk}/edit/",
        f"/directory/categories/{category.pk}/edit/",
        f"/directory/units/{zhouzhuang.pk}/officials/new/",
    ):
        assert client.get(path).status_code == 404, path
    period = LeaderUnavailability.objects.create(
        leader=du, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 1)
    )
    assert client.post(f"/directory/unavailable/{period.pk}/remove/").status_code == 404
    assert LeaderUnavailability.objects.filter(pk=period.pk).exists()


def test_it_builds_the_leader_form_in_a_bounded_number_of_queries(client_for, django_assert_max_num_queries):
    client = client_for("bureau")
    with django_assert_max_num_queries(20):
        assert client.get(f"/directory/leaders/{leader().pk}/edit/").status_code == 200
