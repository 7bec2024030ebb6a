"""The navigation each role sees: one table, read by the base layout."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse

from xinfang.accounts.models import User
from xinfang.accounts.services import UNLOCKING_ROLES
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, COUNTY_WIDE_ROLES, LEADER_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def navigation_for(user: User) -> tuple[NavItem, ...]:
    return _navigation(user.role, user.unit_id, get_script_prefix())


@functools.lru_cache(maxsize=256)
def _navigation(role: str, unit_id: int | None, prefix: str) -> tuple[NavItem, ...]:
    """The items of a role (and unit): built once, as every page shows them (some twenty `reverse()`
    calls a request otherwise). The URLs depend on the script prefix, which is part of the key."""
    items: list[NavItem] = []
    if role in CONTENT_ROLES or role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}:
        items.append(NavItem("工作台", reverse("dashboard:home"), "home"))
    if role in COUNTY_WIDE_ROLES:  # the leaders' dashboard (issue 18)
        items.append(NavItem("态势", reverse("dashboard:dashboard"), "dashboard"))
    if role in CONTENT_ROLES:
        items.append(NavItem("信访事项", reverse("petitions:list"), "matters"))
        items.append(NavItem("统计", reverse("stats:page"), "stats"))
        items.append(NavItem("督办", reverse("supervision:list"), "supervision"))
        items.append(NavItem("比拼", reverse("scoring:board"), "competition"))  # issue 19
    if role in COUNTY_WIDE_ROLES:
        items.append(NavItem("领导包案", reverse("ownership:index"), "ownership"))
    elif role == Role.COUNTY_LEADER:
        items.append(NavItem("我的包案", reverse("ownership:mine"), "ownership"))
        items.append(NavItem("我的下沉", reverse("reception:duty_mine"), "reception"))
    if role == Role.MAIN_LEADER:  # the figures, and their own going down (the reception pages' tabs)
        items.append(NavItem("领导接访", reverse("reception:stats"), "reception"))
    if role in BUREAU_ROLES:
        items.append(NavItem("登记", reverse("petitions:register"), "register"))
        items.append(NavItem("网上信访", reverse("petitions:online_list"), "online"))
        items.append(NavItem("台账导入", reverse("ledger:list"), "ledger"))
        items.append(NavItem("每日访情", reverse("reports:daily"), "daily"))
        items.append(NavItem("分析报告", reverse("reports:weekly"), "weekly"))  # weekly and monthly, as tabs
        items.append(NavItem("联席会议", reverse("meetings:index"), "meetings"))  # 候选筛选 a tab (issue 20)
        # 排班, 记录, 统计, 下沉抽签 and 季度下沉 are the reception pages' own tabs.
        items.append(NavItem("领导接访", reverse("reception:index"), "reception"))
        items.append(NavItem("定时任务", reverse("jobs:runs"), "jobs"))
    if role in BUREAU_ROLES or role in LEADER_ROLES:
        items.append(NavItem("文件", reverse("documents:inbox"), "documents"))
        items += [
            NavItem("乡镇与单位", reverse("directory:units"), "units"),
            NavItem("县级领导", reverse("directory:leaders"), "leaders"),
            NavItem("问题分类", reverse("directory:categories"), "categories"),
        ]
    if role == Role.UNIT_USER and unit_id:
        items.append(NavItem("本单位", reverse("directory:unit", args=[unit_id]), "unit"))
        items.append(NavItem("会议纪要", reverse("meetings:minutes"), "minutes"))  # the unit head's copies
    if role in BUREAU_ROLES:
        # The directory is kept on its own pages above; the county's rules have a page of their own.
        items.append(NavItem("时限规则", reverse("county_rules:page"), "rules"))
    if role == Role.SYSTEM_ADMIN:
        items.append(NavItem("账号管理", reverse("accounts:accounts"), "accounts"))
    if role == Role.SECURITY_ADMIN:
        items.append(NavItem("角色授权", reverse("accounts:roles"), "roles"))
    if role in UNLOCKING_ROLES:
        items.append(NavItem("账号解锁", reverse("accounts:locked"), "locked"))
    if role == Role.AUDITOR:
        items.append(NavItem("审计日志", reverse("audit:log"), "audit"))
    items.append(NavItem("修改密码", reverse("accounts:password_change"), "password"))
    return tuple(items)
