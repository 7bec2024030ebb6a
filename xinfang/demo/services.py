"""The demo county (宝丰县) and simulated counties: loaded through the same importer a real county uses."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from xinfang.accounts.models import User
from xinfang.accounts.services import account_create
from xinfang.core.roles import Role
from xinfang.demo.directory import (
    DEMO_COUNTY_CODE,
    DEMO_PASSWORD,
    DEMO_SECRETARY_NAME,
    DEMO_VICE_HEAD_NAME,
    SHEET_COUNTY,
    SHEET_UNIT_ACCOUNTS,
    demo_directory_rows,
)
from xinfang.directory.models import County, Leader
from xinfang.onboarding.services import directory_import
from xinfang.onboarding.workbook import sheet_from_dicts

DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    # username, role, what it is bound to (see demo_county_load)
    ("bureau", Role.BUREAU_STAFF, "信访局登记员"),
    ("bureau_head", Role.BUREAU_HEAD, "信访局长"),
    ("secretary", Role.MAIN_LEADER, "县委书记"),
    ("leader", Role.COUNTY_LEADER, "副县长(分包周庄镇)"),
    ("zhouzhuang", Role.UNIT_USER, "周庄镇"),
    ("zhouzhuang_head", Role.UNIT_USER, "周庄镇负责人（乡镇长，批准本镇延期）"),
    ("renshe", Role.UNIT_USER, "县人社局"),
    ("renshe_head", Role.UNIT_USER, "县人社局负责人（局长，批准本局延期）"),
    ("auditor", Role.AUDITOR, "审计员"),
    ("sysadmin", Role.SYSTEM_ADMIN, "系统管理员"),
    ("secadmin", Role.SECURITY_ADMIN, "安全管理员"),
)


def demo_county_load() -> bool:
    """Load the demo county's directory and every role's demo account, unless already there.

    Goes through the same importer a real county uses. Returns False when it was already loaded.
    """
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


# Online submissions waiting for the bureau in the demo: (township, name, phone, content, appeal).
DEMO_ONLINE_SUBMISSIONS = (
    (
        "周庄镇",
        "马桂兰",
        "13903751234",
        "村东头排水沟堵塞，一下雨就淹到院子里，找过村里两次没有解决。",
        "尽快疏通排水沟",
    ),
    (
        "闹店镇",
        "杨志强",
        "13603752468",
        "在县城某工地干了四个月活，包工头拖欠工资一万二千元至今未给。",
        "帮助讨回工资",
    ),
    ("城关镇", "", "", "小区楼下烧烤店夜里十二点以后还在营业，油烟和噪音影响休息。", "依法整治"),
)


def demo_online_submissions(county: County) -> int:
    """A few online submissions waiting to be screened (网上信访审核), through the public page's service."""
    from xinfang.directory.models import Unit
    from xinfang.petitions.services.common import PetitionerInput
    from xinfang.petitions.services.public import online_submit

    for township, name, phone, content, appeal in DEMO_ONLINE_SUBMISSIONS:
        online_submit(
            county=county,
            township=Unit.objects.get(county=county, name=township),
            village="",
            petitioner=PetitionerInput(name, "", phone),
            content=content,
            appeal=appeal,
        )
    return len(DEMO_ONLINE_SUBMISSIONS)


# The demo county is in Henan: from this day its clocks follow the Henan profile (transfer within 5 days,
# handling 30 days extendable to 90 in all, review ends at 复查). A real county sets the day its
# regulation took effect on /rules/ 时限规则 (before importing its ledgers).
DEMO_HENAN_FROM = dt.date(2025, 1, 1)


def demo_rules_load(county: County) -> None:
    """The demo county's rule profile: Henan's, from DEMO_HENAN_FROM (once)."""
    from xinfang.petitions.models import RuleProfileAssignment

    RuleProfileAssignment.objects.get_or_create(
        county=county,
        effective_from=DEMO_HENAN_FROM,
        defaults={"profile": RuleProfileAssignment.Profile.HENAN},
    )
