from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from xinfang.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request type of views behind `core.decorators.role_required`: the user is a logged-in `User`."""

    user: User
    htmx: HtmxDetails


def request_account(request: HttpRequest) -> User | None:
    """The active account behind the request, typed for the apps above accounts (maintenance pages)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_active else None
