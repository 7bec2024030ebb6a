"""The directory importer's validation: all or nothing, every problem located (sheet, row, column) and in
Chinese.

Workbooks are built in `tmp_path` from a small new county, 郏县 (410425), so nothing collides with the
demo county 宝丰县 (410421) that `django_db_setup` loads. Each test overrides only the sheet it is about.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from tests.onboarding.support import (
    CODE,
    Rows,
    db_counts,
    import_book,
    import_rows,
    jiaxian_rows,
    problems,
    with_cells,
    with_row,
    write_book,
)
from xinfang.demo.directory import demo_directory_rows
from xinfang.directory.models import County

pytestmark = pytest.mark.django_db


# -- bad rows: located, in Chinese, and nothing written ----------------------------------------------------


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
        "account-head-maybe",
        lambda r: with_row(r, "单位账号", 用户名="abc_head", 所属单位="安良镇", 单位负责人="也许"),
        ("单位账号", 4, "单位负责人", "单位负责人应填“是”或“否”：也许"),
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


# -- regressions of bugs found while writing these tests ---------------------------------------------------


def test_it_reports_a_superscript_digit_order_instead_of_crashing(tmp_path):
    rows = with_row(jiaxian_rows(), "县级领导", 姓名="鲍文", 职务类别="县委常委", 所属班子="县委", 排序="²")

    result = import_rows(tmp_path, rows)

    assert problems(result) == [("县级领导", 4, "排序", "排序应为1至9999的整数：²")]


def test_it_reports_a_huge_order_number(tmp_path):
    rows = with_cells(jiaxian_rows(), "县级领导", 1, 排序="99999999999999999999")
    assert problems(import_rows(tmp_path, rows)) == [
        ("县级领导", 3, "排序", "排序应为1至9999的整数：99999999999999999999")
    ]
