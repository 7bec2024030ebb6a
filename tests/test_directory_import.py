"""The directory importer: workbook in, county directory out — all or nothing, every problem located.

Workbooks are built in `tmp_path` from a small new county, 郏县 (410425), so nothing collides with the
demo county 宝丰县 (410421) that `django_db_setup` loads. Each test overrides only the sheet it is about.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from xinfang import cli
from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.core.roles import Role
from xinfang.demo.directory import DEMO_COUNTY_CODE, DEMO_PASSWORD, demo_directory_rows
from xinfang.directory.categories import CATEGORY_TREE
from xinfang.directory.models import Category, County, Leader, Unit, UnitOfficial, Village
from xinfang.onboarding.results import DirectoryImportResult
from xinfang.onboarding.services import directory_import
from xinfang.onboarding.workbook import read_directory_workbook, sheet_from_dicts, write_directory_workbook

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent
SHIPPED_TEMPLATE = REPO / "docs" / "directory-template.xlsx"

CODE = "410425"
PASSWORD = "Jiaxian@2026"
Rows = dict[str, list[dict[str, Any]]]


# -- helpers ---------------------------------------------------------------------------------------------


def jiaxian_rows() -> Rows:
    """A fresh, valid, minimal directory of a new county (郏县); every call returns a new copy."""
    rows: Rows = {
        "县": [
            {"行政区划代码": CODE, "名称": "郏县", "所属市": "平顶山市", "所属省": "河南省", "信访局名称": ""}
        ],
        "乡镇": [
            {
                "名称": "安良镇",
                "简称": "",
                "代码": "410425101",
                "党委书记": "岳建华",
                "党委书记电话": "13937590001",
                "乡镇长": "常晓峰",
                "乡镇长电话": "13937590002",
            },
            {
                "名称": "白庙乡",
                "简称": "",
                "代码": "410425201",
                "党委书记": "聂红军",
                "党委书记电话": "",
                "乡镇长": "",
                "乡镇长电话": "",
            },
        ],
        "村(社区)": [
            {"乡镇": "安良镇", "名称": "安良社区", "类型": ""},
            {"乡镇": "安良镇", "名称": "王庄村", "类型": "村"},
            {"乡镇": "白庙", "名称": "李寨村", "类型": ""},
            {"乡镇": "白庙乡", "名称": "新华里", "类型": "社区"},
        ],
        "县直单位": [
            {"名称": "县人社局", "简称": "", "主要负责人": "樊志刚", "职务": "局长", "电话": "0375-5191234"},
        ],
        "乡镇班子成员": [
            {"乡镇": "安良镇", "姓名": "贾春梅", "职务": "党委副书记", "电话": "13737590001"},
            {"乡镇": "白庙", "姓名": "屈东升", "职务": "", "电话": ""},
        ],
        "县级领导": [
            {
                "姓名": "师国强",
                "职务类别": "县长",
                "职务全称": "县委副书记、县长",
                "所属班子": "县政府",
                "排序": "1",
                "县委常委": "是",
                "下沉抽签": "是",
                "分包联系乡镇": "",
                "分管领域": "",
                "分管单位": "",
                "手机": "13937591001",
            },
            {
                "姓名": "邢晓雨",
                "职务类别": "副县长",
                "职务全称": "",
                "所属班子": "县政府",
                "排序": "",
                "县委常委": "否",
                "下沉抽签": "",
                "分包联系乡镇": "安良镇、白庙",
                "分管领域": "劳动和社会保障，民政",
                "分管单位": "人社局",
                "手机": "",
            },
        ],
        "单位账号": [
            {
                "用户名": "jx_anliang",
                "姓名": "郜佳怡",
                "所属单位": "安良镇",
                "手机": "13537590001",
                "初始密码": PASSWORD,
            },
            {"用户名": "JX_Renshe", "姓名": "", "所属单位": "人社局", "手机": "", "初始密码": ""},
        ],
    }
    return copy.deepcopy(rows)


def with_row(rows: Rows, sheet: str, **cells: Any) -> Rows:
    """Append one row to a sheet (so the bad row lands after all the good ones)."""
    rows[sheet].append(cells)
    return rows


def with_cells(rows: Rows, sheet: str, index: int, **cells: Any) -> Rows:
    """Change some cells of an existing row (index 0 is spreadsheet row 2)."""
    rows[sheet][index].update(cells)
    return rows


def write_book(tmp_path: Path, rows: Rows, name: str = "名录.xlsx") -> Path:
    path = tmp_path / name
    write_directory_workbook(rows, path)
    return path


def import_book(path: Path, *, dry_run: bool = False) -> DirectoryImportResult:
    return directory_import(sheets=read_directory_workbook(path), dry_run=dry_run, source=path.name)


def import_rows(tmp_path: Path, rows: Rows, *, dry_run: bool = False) -> DirectoryImportResult:
    return import_book(write_book(tmp_path, rows), dry_run=dry_run)


def problems(result: DirectoryImportResult) -> list[tuple[str, int, str, str]]:
    return [(p.sheet, p.row, p.column, p.message) for p in result.problems]


def db_counts() -> dict[str, int]:
    """How many rows the importer could have touched: compare before/after to prove nothing was written."""
    return {
        "county": County.objects.count(),
        "unit": Unit.objects.count(),
        "village": Village.objects.count(),
        "official": UnitOfficial.objects.count(),
        "leader": Leader.objects.count(),
        "liaison": Leader.liaison_townships.through.objects.count(),
        "portfolio_category": Leader.portfolio_categories.through.objects.count(),
        "portfolio_department": Leader.portfolio_departments.through.objects.count(),
        "user": User.objects.count(),
        "category": Category.objects.count(),
        "audit": AuditRecord.objects.filter(action="directory.import").count(),
    }


def sheet_sizes(rows: Rows) -> dict[str, int]:
    return {sheet: len(sheet_rows) for sheet, sheet_rows in rows.items()}


def demo_sheets() -> dict[str, Any]:
    return {name: sheet_from_dicts(name, rows) for name, rows in demo_directory_rows().items()}


# -- a good file -----------------------------------------------------------------------------------------


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


# -- dry run ---------------------------------------------------------------------------------------------


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


# -- bad rows: located, in Chinese, and nothing written -------------------------------------------------


def _demo_county_with_township(name: str) -> Rows:
    county = demo_directory_rows()["县"]
    return {"县": county, "乡镇": [{"名称": name}]}


BAD_ROWS: list[tuple[str, Callable[[Rows], Rows], tuple[str, int, str, str]]] = [
    # 县
    (
        "county-code-too-short",
        lambda r: with_cells(r, "县", 0, 行政区划代码="41042"),
        ("县", 2, "行政区划代码", "行政区划代码应为6位数字：41042"),
    ),
    (
        "county-code-not-digits",
        lambda r: with_cells(r, "县", 0, 行政区划代码="41042X"),
        ("县", 2, "行政区划代码", "行政区划代码应为6位数字：41042X"),
    ),
    ("county-blank-city", lambda r: with_cells(r, "县", 0, 所属市=""), ("县", 2, "所属市", "所属市不能为空")),
    (
        "county-two-rows",
        lambda r: with_row(r, "县", 行政区划代码="410426", 名称="宝丰县"),
        ("县", 3, "", "工作表“县”应当有且只有一行数据"),
    ),
    ("county-no-rows", lambda r: {**r, "县": []}, ("县", 2, "", "工作表“县”应当有且只有一行数据")),
    # 乡镇
    ("township-blank-name", lambda r: with_row(r, "乡镇", 简称="茨芭"), ("乡镇", 4, "名称", "名称不能为空")),
    ("township-duplicate", lambda r: with_row(r, "乡镇", 名称="安良镇"), ("乡镇", 4, "名称", "与第2行重复")),
    (
        "township-code-not-digits",
        lambda r: with_row(r, "乡镇", 名称="茨芭镇", 代码="4104251O3"),
        ("乡镇", 4, "代码", "代码应为数字：4104251O3"),
    ),
    (
        "township-code-too-long",
        lambda r: with_row(r, "乡镇", 名称="茨芭镇", 代码="1" * 21),
        ("乡镇", 4, "代码", "代码过长（最多20个字）"),
    ),
    (
        "township-is-a-department",
        lambda r: _demo_county_with_township("县人社局"),
        ("乡镇", 2, "名称", "“县人社局”已登记为县直单位"),
    ),
    (
        "department-is-a-township",
        lambda r: with_row(r, "县直单位", 名称="安良镇"),
        ("县直单位", 3, "名称", "“安良镇”已登记为乡镇"),
    ),
    (
        "township-derived-short-name-clash",
        lambda r: with_row(r, "乡镇", 名称="安良乡"),
        ("乡镇", 4, "简称", "简称“安良”与“安良镇”重复"),
    ),
    (
        "department-short-name-clash",
        lambda r: with_row(r, "县直单位", 名称="县白庙管理处", 简称="白庙"),
        ("县直单位", 3, "简称", "简称“白庙”与“白庙乡”重复"),
    ),
    (
        "township-bad-phone",
        lambda r: with_row(r, "乡镇", 名称="茨芭镇", 党委书记="甲", 党委书记电话="12345"),
        ("乡镇", 4, "党委书记电话", "电话号码格式不正确：12345"),
    ),
    (
        "township-name-too-long",
        lambda r: with_row(r, "乡镇", 名称="安" * 50 + "镇"),
        ("乡镇", 4, "名称", "名称过长（最多50个字）"),
    ),
    # 村(社区)
    (
        "village-unknown-township",
        lambda r: with_row(r, "村(社区)", 乡镇="东风乡", 名称="红旗村"),
        ("村(社区)", 6, "乡镇", "未知乡镇：东风乡"),
    ),
    (
        "village-township-is-a-department",
        lambda r: with_row(r, "村(社区)", 乡镇="县人社局", 名称="红旗村"),
        ("村(社区)", 6, "乡镇", "未知乡镇：县人社局"),
    ),
    (
        "village-bad-kind",
        lambda r: with_row(r, "村(社区)", 乡镇="安良镇", 名称="红旗村", 类型="居委会"),
        ("村(社区)", 6, "类型", "类型应为“村”或“社区”：居委会"),
    ),
    (
        "village-blank-name",
        lambda r: with_row(r, "村(社区)", 乡镇="安良镇"),
        ("村(社区)", 6, "名称", "名称不能为空"),
    ),
    (
        "village-duplicate-via-short-name",
        lambda r: with_row(r, "村(社区)", 乡镇="安良", 名称="王庄村"),
        ("村(社区)", 6, "名称", "与第3行重复"),
    ),
    # 县直单位
    (
        "department-bad-phone",
        lambda r: with_row(r, "县直单位", 名称="县教体局", 主要负责人="乔磊", 电话="12345"),
        ("县直单位", 3, "电话", "电话号码格式不正确：12345"),
    ),
    (
        "department-duplicate",
        lambda r: with_row(r, "县直单位", 名称="县人社局"),
        ("县直单位", 3, "名称", "与第2行重复"),
    ),
    # 乡镇班子成员
    (
        "team-unknown-township",
        lambda r: with_row(r, "乡镇班子成员", 乡镇="东风乡", 姓名="石磊"),
        ("乡镇班子成员", 4, "乡镇", "未知乡镇：东风乡"),
    ),
    (
        "team-member-is-the-secretary",
        lambda r: with_row(r, "乡镇班子成员", 乡镇="安良镇", 姓名="岳建华"),
        ("乡镇班子成员", 4, "姓名", "岳建华已是安良镇党委书记"),
    ),
    (
        "team-member-duplicate",
        lambda r: with_row(r, "乡镇班子成员", 乡镇="安良", 姓名="贾春梅"),
        ("乡镇班子成员", 4, "姓名", "与第2行重复"),
    ),
    (
        "team-member-name-too-long",
        lambda r: with_row(r, "乡镇班子成员", 乡镇="安良镇", 姓名="贾" * 31),
        ("乡镇班子成员", 4, "姓名", "姓名过长（最多30个字）"),
    ),
    # 县级领导
    (
        "leader-unknown-post-kind",
        lambda r: with_row(r, "县级领导", 姓名="鲍文", 职务类别="县委秘书长", 所属班子="县委"),
        ("县级领导", 4, "职务类别", "未知职务类别：县委秘书长"),
    ),
    (
        "leader-unknown-body",
        lambda r: with_row(r, "县级领导", 姓名="鲍文", 职务类别="县委常委", 所属班子="县纪委"),
        ("县级领导", 4, "所属班子", "所属班子应为县委、县政府、县人大或县政协：县纪委"),
    ),
    (
        "leader-blank-body",
        lambda r: with_row(r, "县级领导", 姓名="鲍文", 职务类别="县委常委"),
        ("县级领导", 4, "所属班子", "所属班子不能为空"),
    ),
    (
        "leader-standing-committee-maybe",
        lambda r: with_row(r, "县级领导", 姓名="鲍文", 职务类别="县委常委", 所属班子="县委", 县委常委="也许"),
        ("县级领导", 4, "县委常委", "县委常委应填“是”或“否”：也许"),
    ),
    (
        "leader-order-not-integer",
        lambda r: with_row(r, "县级领导", 姓名="鲍文", 职务类别="县委常委", 所属班子="县委", 排序="1.5"),
        ("县级领导", 4, "排序", "排序应为1至9999的整数：1.5"),
    ),
    (
        "leader-unknown-liaison-township",
        lambda r: with_row(
            r, "县级领导", 姓名="鲍文", 职务类别="副县长", 所属班子="县政府", 分包联系乡镇="安良镇、东风乡"
        ),
        ("县级领导", 4, "分包联系乡镇", "未知乡镇：东风乡"),
    ),
    (
        "leader-second-level-category",
        lambda r: with_row(
            r, "县级领导", 姓名="鲍文", 职务类别="副县长", 所属班子="县政府", 分管领域="社会治安"
        ),
        ("县级领导", 4, "分管领域", "未知问题分类(应为一级分类名称)：社会治安"),
    ),
    (
        "leader-unknown-department",
        lambda r: with_row(
            r, "县级领导", 姓名="鲍文", 职务类别="副县长", 所属班子="县政府", 分管单位="县教育局"
        ),
        ("县级领导", 4, "分管单位", "未知县直单位：县教育局"),
    ),
    (
        "leader-bad-mobile",
        lambda r: with_cells(r, "县级领导", 0, 手机="1393759100"),
        ("县级领导", 2, "手机", "电话号码格式不正确：1393759100"),
    ),
    (
        "leader-duplicate",
        lambda r: with_row(r, "县级领导", 姓名="师国强", 职务类别="县长", 所属班子="县政府"),
        ("县级领导", 4, "姓名", "与第2行重复"),
    ),
    # 单位账号
    (
        "username-chinese",
        lambda r: with_row(r, "单位账号", 用户名="用户", 所属单位="安良镇"),
        ("单位账号", 4, "用户名", "用户名应为3-30位小写字母、数字、下划线或点，以字母开头：用户"),
    ),
    (
        "username-symbol",
        lambda r: with_row(r, "单位账号", 用户名="a!", 所属单位="安良镇"),
        ("单位账号", 4, "用户名", "用户名应为3-30位小写字母、数字、下划线或点，以字母开头：a!"),
    ),
    (
        "username-too-short",
        lambda r: with_row(r, "单位账号", 用户名="AB", 所属单位="安良镇"),
        ("单位账号", 4, "用户名", "用户名应为3-30位小写字母、数字、下划线或点，以字母开头：ab"),
    ),
    (
        "username-starts-with-digit",
        lambda r: with_row(r, "单位账号", 用户名="1abc", 所属单位="安良镇"),
        ("单位账号", 4, "用户名", "用户名应为3-30位小写字母、数字、下划线或点，以字母开头：1abc"),
    ),
    (
        "username-too-long",
        lambda r: with_row(r, "单位账号", 用户名="a" * 31, 所属单位="安良镇"),
        ("单位账号", 4, "用户名", "用户名过长（最多30个字）"),
    ),
    (
        "username-duplicate-in-sheet",
        lambda r: with_row(r, "单位账号", 用户名="JX_ANLIANG", 所属单位="白庙乡"),
        ("单位账号", 4, "用户名", "与第2行重复"),
    ),
    (
        "username-of-bureau-staff",
        lambda r: with_row(r, "单位账号", 用户名="bureau", 所属单位="安良镇"),
        ("单位账号", 4, "用户名", "用户名已被其他账号使用：bureau"),
    ),
    (
        "username-of-another-countys-unit",
        lambda r: with_row(r, "单位账号", 用户名="zhouzhuang", 所属单位="安良镇"),
        ("单位账号", 4, "用户名", "用户名已被其他账号使用：zhouzhuang"),
    ),
    (
        "account-unknown-unit",
        lambda r: with_row(r, "单位账号", 用户名="jx_jiaoyu", 所属单位="县教育局"),
        ("单位账号", 4, "所属单位", "未知单位：县教育局"),
    ),
    (
        "account-blank-unit",
        lambda r: with_row(r, "单位账号", 用户名="jx_jiaoyu"),
        ("单位账号", 4, "所属单位", "所属单位不能为空"),
    ),
    (
        "account-bad-mobile",
        lambda r: with_cells(r, "单位账号", 0, 手机="12345"),
        ("单位账号", 2, "手机", "电话号码格式不正确：12345"),
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [case[1:] for case in BAD_ROWS], ids=[case[0] for case in BAD_ROWS]
)
def test_it_reports_a_bad_row_with_its_place_and_writes_nothing(tmp_path, mutate, expected):
    before = db_counts()

    result = import_rows(tmp_path, mutate(jiaxian_rows()))

    assert problems(result) == [expected]
    assert not result.ok and not result.as_dict()["imported"]
    assert result.generated_passwords == []
    assert db_counts() == before
    assert not County.objects.filter(code=CODE).exists()


def test_it_reports_a_weak_initial_password_in_chinese(tmp_path):
    before = db_counts()
    rows = with_row(jiaxian_rows(), "单位账号", 用户名="jx_baimiao", 所属单位="白庙乡", 初始密码="123")

    result = import_rows(tmp_path, rows)

    [(sheet, row, column, message)] = problems(result)
    assert (sheet, row, column) == ("单位账号", 4, "初始密码")
    # Every failing validator's message, joined with "；".
    assert (
        "；这个密码太常见了。；密码只包含数字。；密码须包含大写字母、小写字母、数字、符号中的至少3类。"
        in message
    )
    assert db_counts() == before


def test_it_reports_a_too_short_initial_password_in_chinese(tmp_path):
    rows = with_row(jiaxian_rows(), "单位账号", 用户名="jx_baimiao", 所属单位="白庙乡", 初始密码="Ab1!xyz")

    result = import_rows(tmp_path, rows)

    [(sheet, row, column, message)] = problems(result)
    assert (sheet, row, column) == ("单位账号", 4, "初始密码")
    assert "password" not in message.lower()


def test_it_reports_a_missing_county_sheet(tmp_path):
    path = write_book(tmp_path, jiaxian_rows())
    workbook = load_workbook(path)
    del workbook["县"]
    workbook.save(path)
    before = db_counts()

    result = import_book(path)

    assert problems(result) == [("县", 1, "", "缺少工作表“县”：名录文件必须写明所属县")]
    assert result.county_code == ""
    assert db_counts() == before


def test_it_reports_a_missing_required_column_at_row_1(tmp_path):
    path = write_book(tmp_path, jiaxian_rows())
    workbook = load_workbook(path)
    workbook["乡镇"]["A1"] = "乡镇名"  # was 名称
    workbook.save(path)
    before = db_counts()

    result = import_book(path)

    found = problems(result)
    assert found[0] == ("乡镇", 1, "名称", "缺少必需的列：名称")
    assert not [p for p in found if p[0] == "乡镇" and p[1] != 1]  # the sheet's rows are not read at all
    assert ("村(社区)", 2, "乡镇", "未知乡镇：安良镇") in found  # so later sheets cannot find its townships
    assert db_counts() == before


def test_it_reports_a_missing_county_column(tmp_path):
    path = write_book(tmp_path, jiaxian_rows())
    workbook = load_workbook(path)
    workbook["县"]["D1"] = None  # 所属省
    workbook.save(path)

    result = import_book(path)

    assert problems(result) == [("县", 1, "所属省", "缺少必需的列：所属省")]
    assert not County.objects.filter(code=CODE).exists()


def test_it_reports_every_problem_of_a_file_including_several_in_one_row(tmp_path):
    rows = jiaxian_rows()
    with_row(rows, "乡镇", 名称="茨芭镇", 代码="X1", 党委书记电话="12345")  # two problems, one row
    with_row(rows, "村(社区)", 乡镇="东风乡", 名称="红旗村")
    with_row(
        rows,
        "县级领导",
        姓名="鲍文",
        职务类别="县委秘书长",
        所属班子="县纪委",
        排序="第三",
        县委常委="也许",
        分包联系乡镇="东风乡",
        分管领域="劳动保障",
        分管单位="县教育局",
        手机="12345",
    )
    with_row(rows, "单位账号", 用户名="用户", 所属单位="安良镇")
    with_row(rows, "单位账号", 用户名="jx_x", 所属单位="安良镇", 初始密码="123")
    before = db_counts()

    result = import_rows(tmp_path, rows)

    found = problems(result)
    planted = [
        ("乡镇", 4, "代码", "代码应为数字：X1"),
        ("乡镇", 4, "党委书记电话", "电话号码格式不正确：12345"),
        ("村(社区)", 6, "乡镇", "未知乡镇：东风乡"),
        ("县级领导", 4, "手机", "电话号码格式不正确：12345"),
        ("县级领导", 4, "职务类别", "未知职务类别：县委秘书长"),
        ("县级领导", 4, "所属班子", "所属班子应为县委、县政府、县人大或县政协：县纪委"),
        ("县级领导", 4, "排序", "排序应为1至9999的整数：第三"),
        ("县级领导", 4, "县委常委", "县委常委应填“是”或“否”：也许"),
        ("县级领导", 4, "分包联系乡镇", "未知乡镇：东风乡"),
        ("县级领导", 4, "分管领域", "未知问题分类(应为一级分类名称)：劳动保障"),
        ("县级领导", 4, "分管单位", "未知县直单位：县教育局"),
        ("单位账号", 4, "用户名", "用户名应为3-30位小写字母、数字、下划线或点，以字母开头：用户"),
    ]
    for problem in planted:
        assert problem in found
    assert ("单位账号", 5, "初始密码") in [p[:3] for p in found]
    assert len(found) >= len(planted) + 1
    assert len([p for p in found if p[:2] == ("县级领导", 4)]) == 8
    assert db_counts() == before


# -- reading the file: row numbers, headers, cells -------------------------------------------------------


def test_it_skips_a_blank_row_but_keeps_spreadsheet_row_numbers(tmp_path):
    rows = jiaxian_rows()
    rows["村(社区)"].insert(2, {})  # a row of empty cells: row 4
    with_row(rows, "村(社区)", 乡镇="东风乡", 名称="红旗村")  # row 7
    path = write_book(tmp_path, rows)
    workbook = load_workbook(path)
    workbook["村(社区)"].insert_rows(3)  # a row with no cells at all: row 3; the bad row moves to 8
    workbook.save(path)

    sheets = read_directory_workbook(path)
    result = import_book(path)

    assert [row.number for row in sheets["村(社区)"].rows] == [2, 4, 6, 7, 8]
    assert problems(result) == [("村(社区)", 8, "乡镇", "未知乡镇：东风乡")]


def test_it_imports_the_good_rows_around_a_blank_row(tmp_path):
    rows = jiaxian_rows()
    rows["村(社区)"].insert(2, {"乡镇": " ", "名称": "", "类型": None})

    result = import_rows(tmp_path, rows)

    assert result.ok, problems(result)
    assert result.created["村(社区)"] == 4


def test_it_matches_sheet_titles_and_headers_with_spaces_and_full_width_brackets(tmp_path):
    path = write_book(tmp_path, jiaxian_rows())
    workbook = load_workbook(path)
    workbook["村(社区)"].title = "村（社区）"
    workbook["乡镇"].title = " 乡 镇 "
    workbook[" 乡 镇 "]["A1"] = " 名 称 "
    workbook["村（社区）"]["A1"] = "乡镇\u3000"  # an ideographic space
    workbook["单位账号"]["C1"] = "所属 单位"
    workbook.save(path)

    sheets = read_directory_workbook(path)
    result = import_book(path)

    assert {"乡镇", "村(社区)", "单位账号"} <= set(sheets)
    assert "名称" in sheets["乡镇"].columns and "乡镇" in sheets["村(社区)"].columns
    assert result.ok, problems(result)
    assert result.created["乡镇"] == 2 and result.created["村(社区)"] == 4 and result.created["单位账号"] == 2
    assert Village.objects.filter(township__county__code=CODE).count() == 4


def test_it_accepts_full_width_digits_and_numeric_cells(tmp_path):
    rows = jiaxian_rows()
    with_cells(rows, "乡镇", 0, 党委书记电话="１３９３７５９０００１", 乡镇长电话=13937590002, 代码=410425101)
    with_cells(rows, "县级领导", 1, 排序=2, 手机=13937591002)
    with_cells(rows, "县", 0, 行政区划代码=int(CODE))

    result = import_rows(tmp_path, rows)

    assert result.ok, problems(result)
    anliang = Unit.objects.get(county__code=CODE, name="安良镇")
    assert anliang.code == "410425101"
    mobiles = dict(UnitOfficial.objects.filter(unit=anliang).values_list("name", "mobile"))
    assert mobiles["岳建华"] == "13937590001"
    assert mobiles["常晓峰"] == "13937590002"
    vice = Leader.objects.get(county__code=CODE, name="邢晓雨")
    assert (vice.protocol_order, vice.mobile) == (2, "13937591002")


def test_it_strips_spaces_from_a_phone_cell(tmp_path):
    rows = with_cells(jiaxian_rows(), "单位账号", 0, 手机=" 135 3759 0001 ")

    result = import_rows(tmp_path, rows)

    assert result.ok, problems(result)
    assert User.objects.get(username="jx_anliang").mobile == "13537590001"


def test_it_updates_only_the_sheets_a_file_has_in_any_sheet_and_column_order(tmp_path):
    county_row = demo_directory_rows()["县"][0]
    workbook = Workbook()
    leaders = workbook.active
    leaders.title = "县级领导"
    # Columns in any order; 备注 is not a directory column and is ignored.
    leaders.append(["备注", "手机", "分包联系乡镇", "所属班子", "职务类别", "姓名"])
    leaders.append(["换届调整", "13937599999", "周庄", "县政府", "副县长", "杜文博"])
    workbook.create_sheet("说明").append(["这张表会被忽略"])
    workbook.create_sheet("县").append(list(reversed(county_row)))
    workbook["县"].append(list(reversed(county_row.values())))
    path = tmp_path / "leaders.xlsx"
    workbook.save(path)
    before = db_counts()

    result = import_book(path)

    assert result.ok, problems(result)
    assert (result.created, result.updated) == ({}, {"县": 1, "县级领导": 1})
    vice = Leader.objects.get(county__code=DEMO_COUNTY_CODE, name="杜文博")
    assert vice.mobile == "13937599999"
    assert list(vice.liaison_townships.values_list("name", flat=True)) == ["周庄镇"]
    assert not vice.portfolio_categories.exists()  # a blank or absent list cell clears the list
    assert db_counts() == {
        **before,
        "liaison": before["liaison"] - 1,
        "portfolio_category": before["portfolio_category"] - 2,
        "portfolio_department": before["portfolio_department"] - 3,
        "audit": before["audit"] + 1,
    }


# -- the template and the demo county --------------------------------------------------------------------


def test_it_generates_a_template_that_reads_back_as_the_demo_rows(tmp_path):
    path = tmp_path / "t.xlsx"
    call_command("directorytemplate", path, stdout=io.StringIO())

    sheets = read_directory_workbook(path)

    assert {
        name: [row.cells for row in sheet.rows] for name, sheet in sheets.items()
    } == demo_directory_rows()
    assert all(
        row.number == index for sheet in sheets.values() for index, row in enumerate(sheet.rows, start=2)
    )


def test_it_dry_runs_the_generated_template_cleanly_against_the_demo_county(tmp_path):
    path = tmp_path / "t.xlsx"
    call_command("directorytemplate", path, stdout=io.StringIO())
    before = db_counts()

    result = import_book(path, dry_run=True)

    assert result.ok, problems(result)[:5]
    assert result.county_code == DEMO_COUNTY_CODE
    assert result.created == {}
    assert result.updated == sheet_sizes(demo_directory_rows())
    assert db_counts() == before


def test_it_ships_a_template_equal_to_the_demo_rows():
    if not SHIPPED_TEMPLATE.exists():
        pytest.skip("docs/directory-template.xlsx has not been generated yet")

    sheets = read_directory_workbook(SHIPPED_TEMPLATE)
    result = directory_import(sheets=sheets, dry_run=True)

    assert {
        name: [row.cells for row in sheet.rows] for name, sheet in sheets.items()
    } == demo_directory_rows()
    assert result.ok and result.created == {}


def test_it_reimports_the_demo_rows_through_the_service_without_changes():
    before = db_counts()
    clerk_hash = User.objects.get(username="zhouzhuang").password

    # The demo county was loaded from these very rows by the same service: this is the second application.
    result = directory_import(sheets=demo_sheets(), dry_run=False)

    assert result.ok, problems(result)[:5]
    assert result.created == {}
    assert result.updated == sheet_sizes(demo_directory_rows())
    assert result.generated_passwords == []
    assert db_counts() == {**before, "audit": before["audit"] + 1}
    zhouzhuang = User.objects.get(username="zhouzhuang")
    assert zhouzhuang.password == clerk_hash and zhouzhuang.check_password(DEMO_PASSWORD)
    vice = Leader.objects.get(county__code=DEMO_COUNTY_CODE, name="杜文博")
    assert sorted(vice.liaison_townships.values_list("name", flat=True)) == ["周庄镇", "闹店镇"]


# -- the command line ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=False)
def test_it_checks_a_good_file_from_the_command_line(tmp_path, capsys):
    path = write_book(tmp_path, jiaxian_rows())

    code = cli.main(["import-directory", str(path), "--dry-run"])

    out = capsys.readouterr().out
    assert code == 0
    assert "检查通过（未写入）" in out
    assert "县 新增1 更新0" in out and "村(社区) 新增4 更新0" in out and "单位账号 新增2 更新0" in out
    assert "初始密码" not in out
    assert not County.objects.filter(code=CODE).exists()


@pytest.mark.django_db(transaction=False)
def test_it_imports_a_good_file_from_the_command_line_and_prints_generated_passwords(tmp_path, capsys):
    path = write_book(tmp_path, jiaxian_rows())

    code = cli.main(["import-directory", str(path)])

    out = capsys.readouterr().out
    assert code == 0
    assert "导入完成" in out
    [line] = [line for line in out.splitlines() if line.startswith("新账号")]
    password = line.removeprefix("新账号 jx_renshe 初始密码 ").split("（")[0]
    assert User.objects.get(username="jx_renshe").check_password(password)
    audit = AuditRecord.objects.get(action="directory.import", object_id=CODE)
    assert audit.object_repr == path.name
    assert len(audit.changes["sha256"]) == 64


@pytest.mark.django_db(transaction=False)
def test_it_lists_every_problem_from_the_command_line_and_exits_1(tmp_path, capsys):
    rows = with_row(jiaxian_rows(), "乡镇", 简称="茨芭")
    with_row(rows, "县级领导", 姓名="鲍文", 职务类别="副县长", 所属班子="县政府", 县委常委="也许")
    path = write_book(tmp_path, rows)
    before = db_counts()

    code = cli.main(["import-directory", str(path)])

    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert "乡镇 第4行「名称」：名称不能为空" in out
    assert "县级领导 第4行「县委常委」：县委常委应填“是”或“否”：也许" in out
    assert out[-1] == "共 2 处错误，未写入任何数据。"
    assert db_counts() == before


@pytest.mark.django_db(transaction=False)
def test_it_prints_problems_without_a_column_from_the_command_line(tmp_path, capsys):
    path = write_book(tmp_path, with_cells(jiaxian_rows(), "县", 0, 行政区划代码="41042"))
    path2 = write_book(tmp_path, {**jiaxian_rows(), "县": []}, "empty.xlsx")

    assert cli.main(["import-directory", str(path), "--dry-run"]) == 1
    assert cli.main(["import-directory", str(path2), "--dry-run"]) == 1

    out = capsys.readouterr().out.splitlines()
    assert "县 第2行「行政区划代码」：行政区划代码应为6位数字：41042" in out
    assert "县 第2行：工作表“县”应当有且只有一行数据" in out


@pytest.mark.django_db(transaction=False)
def test_it_prints_json_from_the_command_line(tmp_path, capsys):
    good = write_book(tmp_path, jiaxian_rows(), "good.xlsx")
    bad = write_book(tmp_path, with_row(jiaxian_rows(), "村(社区)", 乡镇="东风乡", 名称="红旗村"), "bad.xlsx")
    keys = {"county", "dry_run", "imported", "created", "updated", "errors", "generated_passwords"}

    assert cli.main(["import-directory", str(good), "--dry-run", "--format", "json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert cli.main(["import-directory", str(bad), "--format", "json"]) == 1
    failed = json.loads(capsys.readouterr().out)
    assert cli.main(["import-directory", str(good), "--format", "json"]) == 0
    imported = json.loads(capsys.readouterr().out)

    assert set(checked) == set(failed) == set(imported) == keys
    assert checked["county"] == CODE
    assert (checked["dry_run"], checked["imported"], checked["errors"]) == (True, False, [])
    assert checked["created"]["村(社区)"] == 4 and checked["updated"] == {}
    assert checked["generated_passwords"] == []
    assert (failed["dry_run"], failed["imported"], failed["generated_passwords"]) == (False, False, [])
    assert failed["errors"] == [
        {"sheet": "村(社区)", "row": 6, "column": "乡镇", "message": "未知乡镇：东风乡"}
    ]
    assert (imported["dry_run"], imported["imported"], imported["errors"]) == (False, True, [])
    [generated] = imported["generated_passwords"]
    assert set(generated) == {"username", "password"} and generated["username"] == "jx_renshe"
    assert User.objects.get(username="jx_renshe").check_password(generated["password"])


@pytest.mark.django_db(transaction=False)
def test_it_exits_2_for_a_missing_file(tmp_path, capsys):
    code = cli.main(["import-directory", str(tmp_path / "无此文件.xlsx"), "--dry-run"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("错误：文件不存在")
    assert "无此文件.xlsx" in captured.err
    assert captured.out == ""


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize(
    ("name", "content"), [("x.xlsx", b"not a workbook at all"), ("x.csv", "县,名称\n".encode())]
)
def test_it_exits_2_for_a_file_that_is_not_a_workbook(tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    before = db_counts()

    code = cli.main(["import-directory", str(path)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip() == f"错误：无法读取文件 {name}：请使用 .xlsx 格式的名录模板"
    assert db_counts() == before


# -- regressions of bugs found while writing these tests --


def test_it_reports_a_superscript_digit_order_instead_of_crashing(tmp_path):
    rows = with_row(jiaxian_rows(), "县级领导", 姓名="鲍文", 职务类别="县委常委", 所属班子="县委", 排序="²")

    result = import_rows(tmp_path, rows)

    assert problems(result) == [("县级领导", 4, "排序", "排序应为1至9999的整数：²")]


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


def test_it_reports_a_huge_order_number(tmp_path):
    rows = with_cells(jiaxian_rows(), "县级领导", 1, 排序="99999999999999999999")
    assert problems(import_rows(tmp_path, rows)) == [
        ("县级领导", 3, "排序", "排序应为1至9999的整数：99999999999999999999")
    ]


def test_it_exits_2_for_a_workbook_with_a_damaged_sheet(tmp_path, capsys):
    import zipfile

    good = write_book(tmp_path, jiaxian_rows())
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(
                item, b"<worksheet><sheetData><row>" if item.filename.startswith("xl/worksheets/") else data
            )
    assert cli.main(["import-directory", str(damaged)]) == 2
    assert "无法读取文件" in capsys.readouterr().err
