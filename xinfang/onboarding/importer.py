"""The directory importer: applies a county's workbook sheet by sheet (county, townships, villages,
departments, township teams, county leaders, unit accounts), recording every problem."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from xinfang.accounts.models import User
from xinfang.core.roles import Role
from xinfang.directory.models import (
    Category,
    County,
    Leader,
    Unit,
    UnitOfficial,
    Village,
    county_code_validator,
)
from xinfang.directory.services import categories_seed, derive_short_name
from xinfang.lib.cells import split_list
from xinfang.onboarding.results import DirectoryImportResult, SheetReader
from xinfang.onboarding.workbook import Sheet, SheetRow

MAX_ORDER = 9999
_USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.]{2,29}$")


class Rollback(Exception):
    """Raised inside the import transaction to undo everything (dry run, or any problem)."""


class DirectoryImporter(SheetReader):
    """Applies sheets in dependency order, recording every problem and skipping only the bad row.

    Writing while validating lets later sheets refer to rows of earlier ones; the caller's
    transaction is rolled back at the end when there was any problem or it was a dry run.
    """

    def __init__(
        self, sheets: dict[str, Sheet], result: DirectoryImportResult, share_password_hashes: bool = False
    ) -> None:
        super().__init__(sheets, result)
        self.share_password_hashes = share_password_hashes
        self.county: County | None = None
        self.password_hashes: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------------

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
                flag = self.yes_no(sheet, row, column)
                ok = ok and flag is not None
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
            is_head = self.yes_no(sheet, row, "单位负责人")
            if None in (username, unit_name, full_name, phone, is_head):
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
                is_unit_head=bool(is_head),
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
                user.save()
                # set_password would have recorded it on save: its history and the start of its expiry.
                password_validation.password_changed(password, user)
            else:
                user.set_password(password)
                user.save()
            self.count(sheet, True)


def is_ascii_number(text: str) -> bool:
    """Digits 0-9 only: str.isdigit() also accepts ² and ①, which int() then rejects."""
    return text.isascii() and text.isdigit()


def generate_password() -> str:
    """A random initial password that satisfies the password policy."""
    alphabet = "".join(
        c for c in string.ascii_letters + string.digits if c not in "ilo IO01"
    )  # no look-alikes
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{body}@{secrets.choice('23456789')}Xa"
