from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from xinfang.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request type of views behind `core.decorators.role_required`: the user is a logged-in `User`."""

    user: User
    htmx: HtmxDetails
