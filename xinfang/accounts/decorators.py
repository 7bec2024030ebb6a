from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from xinfang.accounts.models import User

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
            if getattr(request.user, "role", None) not in allowed:
                raise PermissionDenied("您的角色无权访问此页面")
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
