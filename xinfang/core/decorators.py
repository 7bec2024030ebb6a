"""The role gate of every page: log-in required, then the account's role must be one of the view's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, Protocol

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from xinfang.core.roles import CONTENT_ROLES

View = Callable[..., HttpResponse]


class Member(Protocol):
    """What the apps below accounts know of a logged-in account: its role and where it belongs.
    `accounts.models.User` is one; apps above accounts use the `User` type itself."""

    @property
    def is_authenticated(self) -> bool: ...

    role: str
    county_id: int | None
    unit_id: int | None
    leader_id: int | None


class MemberRequest(HttpRequest):
    """The request type of views below accounts behind `role_required`."""

    user: Member  # type: ignore[assignment]


def role_required(roles: Iterable[str]) -> Callable[[View], View]:
    """Log-in required, then the user's role must be one of `roles`; otherwise 403."""
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            role = getattr(request.user, "role", None)
            if role not in allowed:
                raise PermissionDenied("您的角色无权访问此页面")
            if role in CONTENT_ROLES and getattr(request.user, "county_id", None) is None:
                raise PermissionDenied("您的账号没有所属县，请联系系统管理员")
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
