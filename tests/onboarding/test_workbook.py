"""Reading the directory workbook (row numbers, sheet titles, headers, cells), the generated and shipped
template, and the demo county loaded from the same rows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from tests.onboarding.support import (
    CODE,
    db_counts,
    demo_sheets,
    import_book,
    import_rows,
    jiaxian_rows,
    problems,
    sheet_sizes,
    with_cells,
    with_row,
    write_book,
)
from xinfang.accounts.models import User
from xinfang.demo.directory import DEMO_COUNTY_CODE, DEMO_PASSWORD, demo_directory_rows
from xinfang.directory.models import Leader, Unit, UnitOfficial, Village
from xinfang.onboarding.services import directory_import
from xinfang.onboarding.workbook import read_directory_workbook

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
SHIPPED_TEMPLATE = REPO / "docs" / "directory-template.xlsx"


# -- reading the file: row numbers, headers, cells ---------------------------------------------------------


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


# -- the template and the demo county ----------------------------------------------------------------------


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
