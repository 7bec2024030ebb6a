"""Roles (SPEC §3). One role per account: that keeps the three admin duties apart by construction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    BUREAU_STAFF = "bureau_staff", "信访局工作人员"
    BUREAU_HEAD = "bureau_head", "信访局长"
    MAIN_LEADER = "main_leader", "县主要领导"
    COUNTY_LEADER = "county_leader", "县级领导"
    UNIT_USER = "unit_user", "乡镇/县直单位用户"
    AUDITOR = "auditor", "审计员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    # A new account created by the system admin has no role until the security admin grants one.
    NONE = "none", "未授权"


BUREAU_ROLES = frozenset({Role.BUREAU_STAFF, Role.BUREAU_HEAD})
# Roles that see every unit and matter of their county.
COUNTY_WIDE_ROLES = frozenset({Role.BUREAU_STAFF, Role.BUREAU_HEAD, Role.MAIN_LEADER})
# Roles that work with petition content at all; the three admin roles never do.
CONTENT_ROLES = frozenset(
    {Role.BUREAU_STAFF, Role.BUREAU_HEAD, Role.MAIN_LEADER, Role.COUNTY_LEADER, Role.UNIT_USER}
)
LEADER_ROLES = frozenset({Role.MAIN_LEADER, Role.COUNTY_LEADER})
ADMIN_ROLES = frozenset({Role.AUDITOR, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


def bureau_only(by: Any, county_id: int | None, doing: str, *, system: bool = True) -> None:
    """The gate of a service only the county's bureau may use: PermissionDenied ("只有本县信访局可以…")
    for anyone else. `by` None is the worker (allowed when `system`)."""
    if by is None and system:
        return
    if by is None or by.role not in BUREAU_ROLES or by.county_id != county_id:
        raise PermissionDenied(f"只有本县信访局可以{doing}")
