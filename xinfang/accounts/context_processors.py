from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xinfang.accounts.navigation import navigation_for
from xinfang.directory.selectors import county_by_code_or_only


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The role's navigation and the county shown in every page's header.

    Before login the header names the county when the installation serves exactly one.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_county": county_by_code_or_only()}
    return {"nav_items": navigation_for(user), "user_county": user.county}
