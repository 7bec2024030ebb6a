from __future__ import annotations

from typing import Any

from django.db.models import Count

from xinfang.accounts.models import User
from xinfang.accounts.roles import Role


def accounts_summary(*, county_id: int | None) -> dict[str, Any]:
    """Accounts of a county by role, and active/inactive counts, for the admins' home page."""
    accounts = User.objects.filter(county_id=county_id) if county_id else User.objects.none()
    by_role = dict(accounts.values_list("role").annotate(n=Count("pk")).order_by())
    return {
        "role_rows": [(label, by_role.get(value, 0)) for value, label in Role.choices],
        "active": accounts.filter(is_active=True).count(),
        "inactive": accounts.filter(is_active=False).count(),
    }
