from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from xinfang.accounts.models import User
from xinfang.accounts.roles import CONTENT_ROLES

View = Callable[..., HttpResponse]


class AuthedRequest(HttpRequest):
    """The request type of views behind `role_required`: the user is a logged-in `User`."""

    user: User
    htmx: HtmxDetails


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
