from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from xinfang.accounts.navigation import navigation_for
from xinfang.accounts.services import TWO_FACTOR_DONE, two_factor_required
from xinfang.directory.selectors import county_by_code_or_only


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The role's navigation and the county shown in every page's header.

    Before login the header names the county when the installation serves exactly one.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:  # the public's pages never carry the staff's banner
        return {"user_county": county_by_code_or_only()}
    # Two-factor login switched off (the demo does): every page of the staff says so.
    shared = {"two_factor_off": not settings.XINFANG_2FA_ROLES}
    if two_factor_required(user) and request.session.get(TWO_FACTOR_DONE) != user.pk:
        return {**shared, "nav_items": (), "user_county": user.county}  # nothing opens before the 2nd factor
    return {**shared, "nav_items": navigation_for(user), "user_county": user.county}
