"""The directory importer with good files: workbook in, county directory out, again and again, and a dry run
that writes nothing.

Workbooks are built in `tmp_path` from a small new county, 郏县 (410425), so nothing collides with the
demo county 宝丰县 (410421) that `django_db_setup` loads. Each test overrides only the sheet it is about.
"""

from __future__ import annotations

import json

import pytest

from tests.onboarding.support import (
    CODE,
    PASSWORD,
    db_counts,
    import_book,
    import_rows,
    jiaxian_rows,
    problems,
    with_cells,
    with_row,
    write_book,
)
from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.core.roles import Role
from xinfang.directory.categories import CATEGORY_TREE
from xinfang.directory.models import Category, County, Leader, Unit, UnitOfficial, Village
from xinfang.onboarding.services import directory_import
from xinfang.onboarding.workbook import sheet_from_dicts

pytestmark = pytest.mark.django_db


# -- a good file -------------------------------------------------------------------------------------------


def test_it_imports_a_new_county_with_every_sheet(tmp_path):
    result = import_rows(tmp_path, jiaxian_rows())

    assert result.ok, problems(result)
    assert result.county_code == CODE
    assert result.created == {
        "县": 1,
        "乡镇": 2,
        "村(社区)": 4,
        "县直单位": 1,
        "乡镇班子成员": 2,
        "县级领导": 2,
        "单位账号": 2,
    }
    assert result.updated == {}
    county = County.objects.get(code=CODE)
    assert (county.name, county.city, county.province, county.bureau_name) == (
        "郏县",
        "平顶山市",
        "河南省",
        "郏县信访局",
    )
    assert Category.objects.filter(county=county, parent__isnull=True).count() == 17 == len(CATEGORY_TREE)
    assert Category.objects.filter(county=county).count() == sum(
        1 + len(children) for *_, children in CATEGORY_TREE
    )

    units = {unit.name: unit for unit in Unit.objects.filter(county=county)}
    assert {name: (u.kind, u.short_name, u.code, u.order) for name, u in units.items()} == {
        "安良镇": (Unit.Kind.TOWNSHIP, "安良", "410425101", 1),
        "白庙乡": (Unit.Kind.TOWNSHIP, "白庙", "410425201", 2),
        "县人社局": (Unit.Kind.DEPARTMENT, "人社局", "", 1),
    }
    villages = {
        (v.township.name, v.name): (v.kind, v.order) for v in Village.objects.filter(township__county=county)
    }
    assert villages == {
        ("安良镇", "安良社区"): (Village.Kind.COMMUNITY, 1),  # 社区 inferred from the name
        ("安良镇", "王庄村"): (Village.Kind.VILLAGE, 2),
        ("白庙乡", "李寨村"): (Village.Kind.VILLAGE, 1),  # township given by its short name
        ("白庙乡", "新华里"): (Village.Kind.COMMUNITY, 2),  # 类型 column wins over the name
    }

    officials = {
        (o.unit.name, o.name): (o.position, o.title, o.mobile, o.is_head)
        for o in UnitOfficial.objects.filter(unit__county=county)
    }
    assert officials == {
        ("安良镇", "岳建华"): (UnitOfficial.Position.PARTY_SECRETARY, "党委书记", "13937590001", True),
        ("安良镇", "常晓峰"): (UnitOfficial.Position.TOWNSHIP_HEAD, "镇长", "13937590002", False),
        ("白庙乡", "聂红军"): (UnitOfficial.Position.PARTY_SECRETARY, "党委书记", "", True),
        ("县人社局", "樊志刚"): (UnitOfficial.Position.DEPARTMENT_HEAD, "局长", "0375-5191234", True),
        ("安良镇", "贾春梅"): (UnitOfficial.Position.TEAM_MEMBER, "党委副书记", "13737590001", False),
        ("白庙乡", "屈东升"): (UnitOfficial.Position.TEAM_MEMBER, "班子成员", "", False),
    }

    head = Leader.objects.get(county=county, name="师国强")
    assert (head.post_kind, head.post, head.body, head.protocol_order) == (
        Leader.PostKind.COUNTY_HEAD,
        "县委副书记、县长",
        Leader.Body.GOVERNMENT,
        1,
    )
    assert head.is_standing_committee and head.is_top_six
    assert not head.liaison_townships.exists() and not head.portfolio_categories.exists()
    vice = Leader.objects.get(county=county, name="邢晓雨")
    assert (vice.post_kind, vice.post, vice.protocol_order, vice.mobile) == (
        Leader.PostKind.VICE_HEAD,
        "副县长",
        2,
        "",
    )
    assert not vice.is_standing_committee and not vice.is_top_six
    assert sorted(vice.liaison_townships.values_list("name", flat=True)) == ["安良镇", "白庙乡"]
    assert set(vice.portfolio_categories.values_list("name", flat=True)) == {"劳动和社会保障", "民政"}
    assert all(c.parent_id is None and c.county_id == county.pk for c in vice.portfolio_categories.all())
    assert list(vice.portfolio_departments.values_list("name", flat=True)) == ["县人社局"]

    clerk = User.objects.get(username="jx_anliang")
    assert (clerk.role, clerk.county, clerk.unit, clerk.full_name, clerk.mobile) == (
        Role.UNIT_USER,
        county,
        units["安良镇"],
        "郜佳怡",
        "13537590001",
    )
    assert clerk.check_password(PASSWORD)
    renshe = User.objects.get(username="jx_renshe")  # the username is lower-cased
    assert (renshe.role, renshe.unit) == (Role.UNIT_USER, units["县人社局"])
    assert [username for username, _ in result.generated_passwords] == ["jx_renshe"]
    assert renshe.check_password(result.generated_passwords[0][1])
    assert not User.objects.filter(username="JX_Renshe").exists()

    audit = AuditRecord.objects.get(action="directory.import", object_id=CODE)
    assert audit.county == county
    assert audit.actor is None and audit.actor_name == "system"
    assert audit.changes["created"] == result.created
    assert "初始密码" not in json.dumps(audit.changes, ensure_ascii=False)
    assert PASSWORD not in json.dumps(audit.changes) and PASSWORD not in audit.message


def test_it_changes_nothing_and_keeps_passwords_when_the_same_file_is_imported_again(tmp_path):
    path = write_book(tmp_path, jiaxian_rows())
    first = import_book(path)
    assert first.ok, problems(first)
    generated = dict(first.generated_passwords)["jx_renshe"]
    before = db_counts()

    again = import_book(path)

    assert again.ok, problems(again)
    assert again.created == {}
    assert again.updated == first.created
    assert again.generated_passwords == []
    assert db_counts() == {**before, "audit": before["audit"] + 1}  # one more import, no more rows
    assert User.objects.get(username="jx_renshe").check_password(generated)
    assert User.objects.get(username="jx_anliang").check_password(PASSWORD)
    assert AuditRecord.objects.filter(action="directory.import", object_id=CODE).count() == 2


def test_it_updates_changed_rows_in_place_on_a_second_import(tmp_path):
    assert import_rows(tmp_path, jiaxian_rows()).ok
    rows = with_cells(jiaxian_rows(), "乡镇", 0, 党委书记="岳新民", 党委书记电话="13937590009")
    with_cells(rows, "县级领导", 1, 分包联系乡镇="白庙乡", 分管领域="", 县委常委="是")
    with_cells(rows, "单位账号", 0, 初始密码="Another@2027", 手机="")

    result = import_rows(tmp_path, rows)

    assert result.ok, problems(result)
    assert result.created == {}
    anliang = Unit.objects.get(county__code=CODE, name="安良镇")
    secretaries = UnitOfficial.objects.filter(unit=anliang, position=UnitOfficial.Position.PARTY_SECRETARY)
    assert [(o.name, o.mobile, o.is_head) for o in secretaries.filter(is_active=True)] == [
        ("岳新民", "13937590009", True)
    ]
    # The previous secretary is kept, inactive, for history.
    assert [(o.name, o.is_head) for o in secretaries.filter(is_active=False)] == [("岳建华", False)]
    vice = Leader.objects.get(county__code=CODE, name="邢晓雨")
    assert list(vice.liaison_townships.values_list("name", flat=True)) == ["白庙乡"]
    assert not vice.portfolio_categories.exists()
    assert vice.is_standing_committee
    clerk = User.objects.get(username="jx_anliang")
    assert clerk.check_password(PASSWORD)  # an existing account's password is never reset
    assert clerk.mobile == ""


# -- dry run -----------------------------------------------------------------------------------------------


def test_it_writes_nothing_on_a_dry_run_of_a_good_file(tmp_path):
    path = write_book(tmp_path, jiaxian_rows())
    before = db_counts()

    result = import_book(path, dry_run=True)

    assert result.ok, problems(result)
    assert result.dry_run and not result.as_dict()["imported"]
    assert result.created == {
        "县": 1,
        "乡镇": 2,
        "村(社区)": 4,
        "县直单位": 1,
        "乡镇班子成员": 2,
        "县级领导": 2,
        "单位账号": 2,
    }
    assert result.generated_passwords == []  # a password for an account that does not exist would mislead
    assert not County.objects.filter(code=CODE).exists()
    assert not User.objects.filter(username__in=["jx_anliang", "jx_renshe"]).exists()
    assert db_counts() == before


def test_it_reports_the_same_problems_on_a_dry_run_as_on_a_real_run(tmp_path):
    rows = with_row(jiaxian_rows(), "村(社区)", 乡镇="东风乡", 名称="红旗村")
    with_row(rows, "单位账号", 用户名="bureau", 所属单位="安良镇")
    path = write_book(tmp_path, rows)
    before = db_counts()

    dry = import_book(path, dry_run=True)
    real = import_book(path)

    assert (
        problems(dry)
        == problems(real)
        == [
            ("村(社区)", 6, "乡镇", "未知乡镇：东风乡"),
            ("单位账号", 4, "用户名", "用户名已被其他账号使用：bureau"),
        ]
    )
    assert not real.as_dict()["imported"] and real.generated_passwords == []
    assert db_counts() == before
    assert not County.objects.filter(code=CODE).exists()


# -- regressions of bugs found while writing these tests ---------------------------------------------------


def test_it_keeps_the_party_secretary_when_he_is_also_the_township_head(tmp_path):
    rows = with_cells(jiaxian_rows(), "乡镇", 1, 乡镇长="聂红军")

    result = import_rows(tmp_path, rows)

    baimiao = Unit.objects.get(county__code=CODE, name="白庙乡")
    main_posts = UnitOfficial.objects.filter(unit=baimiao, position__in=UnitOfficial.MAIN_POSITIONS)
    positions = set(main_posts.filter(is_active=True).values_list("position", flat=True))
    assert result.ok
    assert positions == {UnitOfficial.Position.PARTY_SECRETARY}
    head = UnitOfficial.objects.get(unit=baimiao, is_head=True)
    assert (head.name, head.title) == ("聂红军", "党委书记、乡长")


def test_it_records_the_file_hash_unmasked_in_the_audit_record():
    digest = "ab13937501234" + "f" * 51

    sheets = {name: sheet_from_dicts(name, rows) for name, rows in jiaxian_rows().items()}

    result = directory_import(sheets=sheets, dry_run=False, source="郏县名录.xlsx", sha256=digest)

    assert result.ok
    audit = AuditRecord.objects.get(action="directory.import", object_id=CODE)
    assert audit.changes["sha256"] == digest


def test_it_moves_the_head_title_without_crashing_when_another_official_held_it(tmp_path):
    assert import_rows(tmp_path, jiaxian_rows()).ok
    township = Unit.objects.get(county__code=CODE, name="安良镇")
    UnitOfficial.objects.filter(unit=township).update(is_head=False)
    UnitOfficial.objects.filter(unit=township, position=UnitOfficial.Position.TOWNSHIP_HEAD).update(
        is_head=True
    )

    result = import_rows(tmp_path, jiaxian_rows())

    assert result.ok, problems(result)
    head = UnitOfficial.objects.get(unit=township, is_head=True)
    assert head.position == UnitOfficial.Position.PARTY_SECRETARY
