"""Helpers shared by the directory importer tests: a small new county, 郏县 (410425), as workbook rows,
and ways to write, import and compare it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.demo.directory import demo_directory_rows
from xinfang.directory.models import Category, County, Leader, Unit, UnitOfficial, Village
from xinfang.onboarding.results import DirectoryImportResult
from xinfang.onboarding.services import directory_import
from xinfang.onboarding.workbook import read_directory_workbook, sheet_from_dicts, write_directory_workbook

CODE = "410425"
PASSWORD = "Jiaxian@2026"
Rows = dict[str, list[dict[str, Any]]]


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
