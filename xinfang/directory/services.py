"""Writes to the directory: creating a county, seeding categories, importing a directory workbook."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from xinfang.accounts.models import User
from xinfang.accounts.roles import Role
from xinfang.audit.services import audit_record
from xinfang.directory.categories import CATEGORY_TREE
from xinfang.directory.models import (
    Category,
    County,
    Leader,
    Unit,
    UnitOfficial,
    Village,
    county_code_validator,
    phone_validator,
)
from xinfang.directory.workbook import REQUIRED_COLUMNS, Sheet, SheetRow
from xinfang.lib.cells import parse_yes_no, split_list

MAX_ORDER = 9999
_USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.]{2,29}$")
_UNIT_SUFFIXES = ("街道办事处", "街道", "林站", "镇", "乡")


def categories_seed(*, county: County) -> int:
    """Create the national taxonomy's categories for a county that has none; return how many."""
    if county.categories.exists():
        return 0
    created = 0
    for order, (code, name, children) in enumerate(CATEGORY_TREE, start=1):
        parent = Category.objects.create(county=county, code=code, name=name, order=order)
        Category.objects.bulk_create(
            Category(county=county, parent=parent, code=child_code, name=child_name, order=child_order)
            for child_order, (child_code, child_name) in enumerate(children, start=1)
        )
        created += 1 + len(children)
    return created


def derive_short_name(name: str) -> str:
    """周庄镇 -> 周庄, 县人社局 -> 人社局: the short form bureaus use in ledgers."""
    if name.startswith("县") and len(name) > 2:
        return name[1:]
    for suffix in _UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class DirectoryImportResult:
    dry_run: bool
    problems: list[ImportProblem] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # (username, password) of accounts created with a generated initial password.
    generated_passwords: list[tuple[str, str]] = field(default_factory=list)
    county_code: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "county": self.county_code,
            "dry_run": self.dry_run,
            "imported": self.ok and not self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "errors": [problem.as_dict() for problem in self.problems],
            "generated_passwords": [
                {"username": username, "password": password}
                for username, password in self.generated_passwords
            ],
        }


class _Rollback(Exception):
    """Raised inside the import transaction to undo everything (dry run, or any problem)."""


class _DirectoryImporter:
    """Applies sheets in dependency order, recording every problem and skipping only the bad row.

    Writing while validating lets later sheets refer to rows of earlier ones; the caller's
    transaction is rolled back at the end when there was any problem or it was a dry run.
    """

    def __init__(
        self, sheets: dict[str, Sheet], result: DirectoryImportResult, share_password_hashes: bool = False
    ) -> None:
        self.sheets = sheets
        self.result = result
        self.share_password_hashes = share_password_hashes
        self.county: County | None = None
        self.password_hashes: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------------

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.result.problems.append(ImportProblem(sheet, row, column, message))

    def count(self, sheet: str, created: bool) -> None:
        bucket = self.result.created if created else self.result.updated
        bucket[sheet] = bucket.get(sheet, 0) + 1

    def rows(self, sheet_name: str) -> tuple[SheetRow, ...]:
        sheet = self.sheets.get(sheet_name)
        if sheet is None:
            return ()
        missing = [column for column in REQUIRED_COLUMNS[sheet_name] if column not in sheet.columns]
        for column in missing:
            self.problem(sheet_name, 1, column, f"缺少必需的列：{column}")
        return () if missing else sheet.rows

    def required(self, sheet: str, row: SheetRow, column: str, max_length: int = 50) -> str | None:
        value = row.get(column)
        if not value:
            self.problem(sheet, row.number, column, f"{column}不能为空")
            return None
        if len(value) > max_length:
            self.problem(sheet, row.number, column, f"{column}过长（最多{max_length}个字）")
            return None
        return value

    def optional(self, sheet: str, row: SheetRow, column: str, max_length: int = 50) -> str | None:
        value = row.get(column)
        if len(value) > max_length:
            self.problem(sheet, row.number, column, f"{column}过长（最多{max_length}个字）")
            return None
        return value

    def phone(self, sheet: str, row: SheetRow, column: str) -> str | None:
        value = row.get(column).replace(" ", "")
        if not value:
            return ""
        try:
            phone_validator(value)
        except ValidationError:
            self.problem(sheet, row.number, column, f"电话号码格式不正确：{value}")
            return None
        return value

    def no_duplicates(
        self, sheet: str, row: SheetRow, key: object, seen: dict[object, int], column: str
    ) -> bool:
        if key in seen:
            self.problem(sheet, row.number, column, f"与第{seen[key]}行重复")
            return False
        seen[key] = row.number
        return True

    def unit_by_name(self, name: str, kind: str | None = None) -> Unit | None:
        """A unit of this county by full name, or by a short name that is unique."""
        assert self.county is not None
        units = Unit.objects.filter(county=self.county)
        if kind:
            units = units.filter(kind=kind)
        exact = units.filter(name=name).first()
        if exact:
            return exact
        by_short = list(units.filter(short_name=name)[:2])
        return by_short[0] if len(by_short) == 1 else None

    def save_official(
        self, unit: Unit, position: str, name: str, title: str, mobile: str, is_head: bool
    ) -> None:
        """Put `name` into a single-holder post (party secretary, township head, unit head).

        A previous holder of the post leaves it: their row is kept, inactive, for history.
        """
        self.vacate_post(unit, position, keep=name)
        if is_head:
            # A unit has one head: whoever held the title under another post gives it up.
            UnitOfficial.objects.filter(unit=unit, is_head=True).exclude(name=name).update(is_head=False)
        UnitOfficial.objects.update_or_create(
            unit=unit,
            name=name,
            defaults={
                "position": position,
                "title": title,
                "mobile": mobile,
                "is_head": is_head,
                "is_active": True,
                "order": 0,
            },
        )

    def vacate_post(self, unit: Unit, position: str, *, keep: str) -> None:
        UnitOfficial.objects.filter(unit=unit, position=position, is_active=True).exclude(name=keep).update(
            is_active=False, is_head=False
        )

    # -- sheets ----------------------------------------------------------------------------------

    def run(self) -> None:
        self.import_county()
        if self.county is None:
            return
        self.result.county_code = self.county.code
        steps: list[Callable[[], None]] = [
            self.import_townships,
            self.import_villages,
            self.import_departments,
            self.import_team_members,
            self.import_leaders,
            self.import_accounts,
        ]
        for step in steps:
            step()

    def import_county(self) -> None:
        sheet = "县"
        if sheet not in self.sheets:
            self.problem(sheet, 1, "", "缺少工作表“县”：名录文件必须写明所属县")
            return
        missing_columns = len(self.result.problems)
        rows = self.rows(sheet)
        if len(self.result.problems) > missing_columns:
            return
        if len(rows) != 1:
            number = rows[1].number if len(rows) > 1 else 2
            self.problem(sheet, number, "", "工作表“县”应当有且只有一行数据")
            return
        row = rows[0]
        code = self.required(sheet, row, "行政区划代码", 6)
        name = self.required(sheet, row, "名称")
        city = self.required(sheet, row, "所属市")
        province = self.required(sheet, row, "所属省")
        if code is not None:
            try:
                county_code_validator(code)
            except ValidationError:
                self.problem(sheet, row.number, "行政区划代码", f"行政区划代码应为6位数字：{code}")
                code = None
        if code is None or name is None or city is None or province is None:
            return
        bureau_name = row.get("信访局名称") or f"{name}信访局"
        county, created = County.objects.update_or_create(
            code=code, defaults={"name": name, "city": city, "province": province, "bureau_name": bureau_name}
        )
        if created:
            categories_seed(county=county)
        self.count(sheet, created)
        self.county = county

    def import_townships(self) -> None:
        sheet = "乡镇"
        seen: dict[object, int] = {}
        for order, row in enumerate(self.rows(sheet), start=1):
            name = self.required(sheet, row, "名称")
            short_name = self.optional(sheet, row, "简称", 20)
            code = self.optional(sheet, row, "代码", 20)
            secretary = self.optional(sheet, row, "党委书记", 30)
            secretary_phone = self.phone(sheet, row, "党委书记电话")
            head = self.optional(sheet, row, "乡镇长", 30)
            head_phone = self.phone(sheet, row, "乡镇长电话")
            if code and not is_ascii_number(code):
                self.problem(sheet, row.number, "代码", f"代码应为数字：{code}")
                continue
            if None in (name, short_name, code, secretary, secretary_phone, head, head_phone):
                continue
            assert name is not None
            if not self.no_duplicates(sheet, row, name, seen, "名称"):
                continue
            unit = self.upsert_unit(sheet, row, Unit.Kind.TOWNSHIP, name, short_name or "", code or "", order)
            if unit is None:
                continue
            head_title = "乡长" if name.endswith("乡") else ("站长" if name.endswith("站") else "镇长")
            if secretary and secretary == head:
                # One person holding both posts (书记兼镇长) is one official, the unit's head.
                title = f"党委书记、{head_title}"
                self.save_official(
                    unit,
                    UnitOfficial.Position.PARTY_SECRETARY,
                    secretary,
                    title,
                    secretary_phone or head_phone or "",
                    True,
                )
                self.vacate_post(unit, UnitOfficial.Position.TOWNSHIP_HEAD, keep=secretary)
                continue
            if secretary:
                self.save_official(
                    unit,
                    UnitOfficial.Position.PARTY_SECRETARY,
                    secretary,
                    "党委书记",
                    secretary_phone or "",
                    True,
                )
            if head:
                self.save_official(
                    unit, UnitOfficial.Position.TOWNSHIP_HEAD, head, head_title, head_phone or "", False
                )

    def upsert_unit(
        self, sheet: str, row: SheetRow, kind: str, name: str, short_name: str, code: str, order: int
    ) -> Unit | None:
        assert self.county is not None
        existing = Unit.objects.filter(county=self.county, name=name).first()
        if existing and existing.kind != kind:
            other = "乡镇" if existing.kind == Unit.Kind.TOWNSHIP else "县直单位"
            self.problem(sheet, row.number, "名称", f"“{name}”已登记为{other}")
            return None
        short_name = short_name or derive_short_name(name)
        clash = (
            Unit.objects.filter(county=self.county, short_name=short_name)
            .exclude(name=name)
            .values_list("name", flat=True)
            .first()
        )
        if clash:
            self.problem(sheet, row.number, "简称", f"简称“{short_name}”与“{clash}”重复")
            return None
        values = {"kind": kind, "short_name": short_name, "code": code, "order": order, "is_active": True}
        unit, created = Unit.objects.update_or_create(county=self.county, name=name, defaults=values)
        self.count(sheet, created)
        return unit

    def import_villages(self) -> None:
        sheet = "村(社区)"
        seen: dict[object, int] = {}
        orders: dict[int, int] = {}
        for row in self.rows(sheet):
            township_name = self.required(sheet, row, "乡镇")
            name = self.required(sheet, row, "名称")
            kind_label = row.get("类型")
            if township_name is None or name is None:
                continue
            township = self.unit_by_name(township_name, Unit.Kind.TOWNSHIP)
            if township is None:
                self.problem(sheet, row.number, "乡镇", f"未知乡镇：{township_name}")
                continue
            kinds = {label: value for value, label in Village.Kind.choices}
            if kind_label and kind_label not in kinds:
                self.problem(sheet, row.number, "类型", f"类型应为“村”或“社区”：{kind_label}")
                continue
            if not self.no_duplicates(sheet, row, (township.pk, name), seen, "名称"):
                continue
            kind = kinds.get(kind_label) or (
                Village.Kind.COMMUNITY if name.endswith("社区") else Village.Kind.VILLAGE
            )
            orders[township.pk] = orders.get(township.pk, 0) + 1
            _, created = Village.objects.update_or_create(
                township=township,
                name=name,
                defaults={"kind": kind, "order": orders[township.pk], "is_active": True},
            )
            self.count(sheet, created)

    def import_departments(self) -> None:
        sheet = "县直单位"
        seen: dict[object, int] = {}
        for order, row in enumerate(self.rows(sheet), start=1):
            name = self.required(sheet, row, "名称")
            short_name = self.optional(sheet, row, "简称", 20)
            head = self.optional(sheet, row, "主要负责人", 30)
            title = self.optional(sheet, row, "职务", 50)
            phone = self.phone(sheet, row, "电话")
            if None in (name, short_name, head, title, phone):
                continue
            assert name is not None
            if not self.no_duplicates(sheet, row, name, seen, "名称"):
                continue
            unit = self.upsert_unit(sheet, row, Unit.Kind.DEPARTMENT, name, short_name or "", "", order)
            if unit is not None and head:
                self.save_official(
                    unit,
                    UnitOfficial.Position.DEPARTMENT_HEAD,
                    head,
                    title or "主要负责人",
                    phone or "",
                    True,
                )

    def import_team_members(self) -> None:
        sheet = "乡镇班子成员"
        seen: dict[object, int] = {}
        for order, row in enumerate(self.rows(sheet), start=1):
            township_name = self.required(sheet, row, "乡镇")
            name = self.required(sheet, row, "姓名", 30)
            title = self.optional(sheet, row, "职务", 50)
            phone = self.phone(sheet, row, "电话")
            if None in (township_name, name, title, phone):
                continue
            assert township_name is not None and name is not None
            township = self.unit_by_name(township_name, Unit.Kind.TOWNSHIP)
            if township is None:
                self.problem(sheet, row.number, "乡镇", f"未知乡镇：{township_name}")
                continue
            if not self.no_duplicates(sheet, row, (township.pk, name), seen, "姓名"):
                continue
            official = UnitOfficial.objects.filter(unit=township, name=name).first()
            if official and official.position != UnitOfficial.Position.TEAM_MEMBER:
                self.problem(
                    sheet, row.number, "姓名", f"{name}已是{township.name}{official.get_position_display()}"
                )
                continue
            _, created = UnitOfficial.objects.update_or_create(
                unit=township,
                name=name,
                defaults={
                    "position": UnitOfficial.Position.TEAM_MEMBER,
                    "title": title or "班子成员",
                    "mobile": phone or "",
                    "order": order,
                    "is_active": True,
                },
            )
            self.count(sheet, created)

    def import_leaders(self) -> None:
        assert self.county is not None
        sheet = "县级领导"
        seen: dict[object, int] = {}
        post_kinds = {label: value for value, label in Leader.PostKind.choices}
        bodies = {label: value for value, label in Leader.Body.choices}
        first_level = {c.name: c for c in Category.objects.filter(county=self.county, parent__isnull=True)}
        for index, row in enumerate(self.rows(sheet), start=1):
            name = self.required(sheet, row, "姓名", 30)
            post_kind = self.required(sheet, row, "职务类别", 40)
            body = self.required(sheet, row, "所属班子", 20)
            post = self.optional(sheet, row, "职务全称", 80)
            phone = self.phone(sheet, row, "手机")
            ok = None not in (name, post_kind, body, post, phone)
            if post_kind and post_kind not in post_kinds:
                self.problem(sheet, row.number, "职务类别", f"未知职务类别：{post_kind}")
                ok = False
            if body and body not in bodies:
                self.problem(
                    sheet, row.number, "所属班子", f"所属班子应为县委、县政府、县人大或县政协：{body}"
                )
                ok = False
            order_text = row.get("排序") or str(index)
            if not is_ascii_number(order_text) or not 1 <= int(order_text) <= MAX_ORDER:
                self.problem(sheet, row.number, "排序", f"排序应为1至{MAX_ORDER}的整数：{order_text}")
                ok = False
            flags: dict[str, bool] = {}
            for column in ("县委常委", "下沉抽签"):
                flag = parse_yes_no(row.get(column))
                if flag is None:
                    self.problem(sheet, row.number, column, f"{column}应填“是”或“否”：{row.get(column)}")
                    ok = False
                flags[column] = bool(flag)
            townships = self.resolve_many(
                sheet, row, "分包联系乡镇", "未知乡镇", lambda n: self.unit_by_name(n, Unit.Kind.TOWNSHIP)
            )
            departments = self.resolve_many(
                sheet, row, "分管单位", "未知县直单位", lambda n: self.unit_by_name(n, Unit.Kind.DEPARTMENT)
            )
            categories = self.resolve_many(
                sheet, row, "分管领域", "未知问题分类(应为一级分类名称)", first_level.get
            )
            if not ok or townships is None or departments is None or categories is None:
                continue
            assert name is not None and post_kind is not None and body is not None
            if not self.no_duplicates(sheet, row, name, seen, "姓名"):
                continue
            leader, created = Leader.objects.update_or_create(
                county=self.county,
                name=name,
                defaults={
                    "post_kind": post_kinds[post_kind],
                    "post": post or post_kind,
                    "body": bodies[body],
                    "protocol_order": int(order_text),
                    "is_standing_committee": flags["县委常委"],
                    "is_top_six": flags["下沉抽签"],
                    "mobile": phone or "",
                    "is_active": True,
                },
            )
            leader.liaison_townships.set(townships)
            leader.portfolio_departments.set(departments)
            leader.portfolio_categories.set(categories)
            self.count(sheet, created)

    def resolve_many(
        self, sheet: str, row: SheetRow, column: str, unknown: str, lookup: Callable[[str], Any]
    ) -> list[Any] | None:
        found, ok = [], True
        for name in split_list(row.get(column)):
            item = lookup(name)
            if item is None:
                self.problem(sheet, row.number, column, f"{unknown}：{name}")
                ok = False
            else:
                found.append(item)
        return found if ok else None

    def import_accounts(self) -> None:
        assert self.county is not None
        sheet = "单位账号"
        seen: dict[object, int] = {}
        for row in self.rows(sheet):
            username = self.required(sheet, row, "用户名", 30)
            unit_name = self.required(sheet, row, "所属单位")
            full_name = self.optional(sheet, row, "姓名", 30)
            phone = self.phone(sheet, row, "手机")
            password = row.get("初始密码")
            if None in (username, unit_name, full_name, phone):
                continue
            assert username is not None and unit_name is not None
            username = username.lower()
            if not _USERNAME_RE.match(username):
                self.problem(
                    sheet,
                    row.number,
                    "用户名",
                    f"用户名应为3-30位小写字母、数字、下划线或点，以字母开头：{username}",
                )
                continue
            unit = self.unit_by_name(unit_name)
            if unit is None:
                self.problem(sheet, row.number, "所属单位", f"未知单位：{unit_name}")
                continue
            if not self.no_duplicates(sheet, row, username, seen, "用户名"):
                continue
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                if existing.role != Role.UNIT_USER or existing.unit_id != unit.pk:
                    self.problem(sheet, row.number, "用户名", f"用户名已被其他账号使用：{username}")
                    continue
                existing.full_name, existing.mobile = full_name or existing.full_name, phone or ""
                existing.save(update_fields=["full_name", "mobile"])
                self.count(sheet, False)
                continue
            user = User(
                username=username,
                full_name=full_name or "",
                mobile=phone or "",
                role=Role.UNIT_USER,
                county=self.county,
                unit=unit,
            )
            if password:
                try:
                    password_validation.validate_password(password, user)
                except ValidationError as exc:
                    self.problem(sheet, row.number, "初始密码", "；".join(exc.messages))
                    continue
            else:
                password = generate_password()
                self.result.generated_passwords.append((username, password))
            if self.share_password_hashes:
                # Demo accounts all have the published demo password: one slow hash serves them all.
                if password not in self.password_hashes:
                    self.password_hashes[password] = make_password(password)
                user.password = self.password_hashes[password]
            else:
                user.set_password(password)
            user.save()
            self.count(sheet, True)


def is_ascii_number(text: str) -> bool:
    """Digits 0-9 only: str.isdigit() also accepts ² and ①, which int() then rejects."""
    return text.isascii() and text.isdigit()


def generate_password() -> str:
    """A random initial password that satisfies the password policy."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{body}@{secrets.choice('23456789')}Xa"


def directory_import(
    *,
    sheets: dict[str, Sheet],
    dry_run: bool,
    by: User | None = None,
    source: str = "",
    sha256: str = "",
    share_password_hashes: bool = False,
) -> DirectoryImportResult:
    """Import a county directory, all or nothing.

    Every problem is reported with its sheet, row and column; a dry run, or any problem, writes
    nothing. A real import is one transaction with one audit record (source file, hash, counts).
    """
    result = DirectoryImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            _DirectoryImporter(sheets, result, share_password_hashes).run()
            if dry_run or result.problems:
                raise _Rollback
            audit_record(
                action="directory.import",
                actor=by,
                object_type="directory.county",
                object_id=result.county_code,
                object_repr=source or "名录导入",
                county=County.objects.get(code=result.county_code),
                changes={
                    "created": result.created,
                    "updated": result.updated,
                    **({"sha256": sha256} if sha256 else {}),
                },
                message=f"导入名录 {source}".strip(),
                actor_name="" if by else "system",
            )
    except _Rollback:
        pass
    if result.problems or dry_run:
        result.generated_passwords.clear()
    return result


def demo_county_load() -> bool:
    """Load the demo county's directory and every role's demo account, unless already there.

    Goes through the same importer a real county uses. Returns False when it was already loaded.
    """
    from xinfang.accounts.services import DEMO_ACCOUNTS, account_create
    from xinfang.directory.demo import (
        DEMO_COUNTY_CODE,
        DEMO_PASSWORD,
        DEMO_SECRETARY_NAME,
        DEMO_VICE_HEAD_NAME,
        demo_directory_rows,
    )
    from xinfang.directory.workbook import sheet_from_dicts

    if County.objects.filter(code=DEMO_COUNTY_CODE).exists():
        return False
    sheets = {name: sheet_from_dicts(name, rows) for name, rows in demo_directory_rows().items()}
    with transaction.atomic():
        result = directory_import(
            sheets=sheets, dry_run=False, source="演示县名录", share_password_hashes=True
        )
        if not result.ok:
            raise RuntimeError(f"demo directory is invalid: {result.problems[:3]}")
        county = County.objects.get(code=DEMO_COUNTY_CODE)
        leaders = {"县委书记": DEMO_SECRETARY_NAME, "副县长(分包周庄镇)": DEMO_VICE_HEAD_NAME}
        staff_names = {
            "bureau": "王晓燕",
            "bureau_head": "李建国",
            "auditor": "赵敏",
            "sysadmin": "孙磊",
            "secadmin": "周静",
        }
        for username, role, binding in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue  # the unit accounts came with the workbook
            leader = Leader.objects.get(county=county, name=leaders[binding]) if binding in leaders else None
            account_create(
                by=None,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                county=county,
                full_name=leader.name if leader else staff_names[username],
                leader=leader,
            )
    return True


SIMULATED_COUNTY_CODE = "4199{:02d}"  # 4199xx: no real county has it


def simulated_county_load(index: int) -> County:
    """A synthetic county for benchmarks over several counties: the demo county's directory under the
    code 4199NN and the name 模拟NN县, without accounts (usernames are global). Loaded through the same
    importer, once; returns the county."""
    from xinfang.directory.demo import SHEET_COUNTY, SHEET_UNIT_ACCOUNTS, demo_directory_rows
    from xinfang.directory.workbook import sheet_from_dicts

    if not 2 <= index <= 99:
        raise ValueError("simulated counties are numbered 2 to 99")
    code = SIMULATED_COUNTY_CODE.format(index)
    existing = County.objects.filter(code=code).first()
    if existing is not None:
        return existing
    rows = demo_directory_rows()
    name = f"模拟{index:02d}县"
    rows[SHEET_COUNTY] = [
        {**rows[SHEET_COUNTY][0], "行政区划代码": code, "名称": name, "信访局名称": f"{name}信访局"}
    ]
    del rows[SHEET_UNIT_ACCOUNTS]
    result = directory_import(
        sheets={sheet: sheet_from_dicts(sheet, sheet_rows) for sheet, sheet_rows in rows.items()},
        dry_run=False,
        source=f"模拟县名录 {code}",
    )
    if not result.ok:
        raise RuntimeError(f"simulated county directory is invalid: {result.problems[:3]}")
    return County.objects.get(code=code)
