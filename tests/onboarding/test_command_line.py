"""`xinfang import-directory`: checking and importing a workbook from the command line, its output (text or
JSON) and exit codes."""

from __future__ import annotations

import json

import pytest

from tests.onboarding.support import CODE, db_counts, jiaxian_rows, with_cells, with_row, write_book
from xinfang import cli
from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import County

pytestmark = pytest.mark.django_db


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


@pytest.mark.django_db(transaction=False)
def test_a_directory_workbook_bomb_is_refused_before_it_is_parsed(tmp_path, capsys, monkeypatch):
    """The ledger's bounded reader guards the directory import too: a sheet of a good workbook swollen
    to more rows than any county has (limits made small here) is refused unread, exit 2, nothing kept."""
    import zipfile

    from xinfang.lib.ledger_file import ReadLimits
    from xinfang.onboarding import workbook

    monkeypatch.setattr(workbook, "DIRECTORY_LIMITS", ReadLimits(max_rows=1000, setting=""))
    good = write_book(tmp_path, jiaxian_rows())
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":  # the villages, not the first sheet
                data = data.replace(b"</sheetData>", b"<row><c><v>1</v></c></row>" * 5000 + b"</sheetData>")
            target.writestr(item.filename, data)
    before = db_counts()
    assert cli.main(["import-directory", str(bomb)]) == 2
    error = capsys.readouterr().err
    assert "超出上限" in error and "上限为 1,000 行" in error
    assert db_counts() == before
