"""Session policy (docs/security.md): a session ends after XINFANG_SESSION_IDLE_MINUTES without a
request and at the latest SESSION_COOKIE_AGE after login; an expired password must be changed before
anything else is reached."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from xinfang.accounts.models import User
from xinfang.accounts.selectors import password_expired
from xinfang.accounts.services import auth_session_expired_record

# Rewriting the session on every request would be a database write per page: once a minute is enough.
_ACTIVITY_GRANULARITY = 60


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User):
            now = time.time()
            session = request.session
            started = session.setdefault("login_at", now)
            last = session.get("last_activity", now)
            idle = now - last > settings.XINFANG_SESSION_IDLE_MINUTES * 60
            if idle or now - started > settings.SESSION_COOKIE_AGE:
                auth_session_expired_record(user=user, idle=idle)
                logout(request)  # the server-side session is deleted, not just the cookie
                messages.info(
                    request,
                    "长时间未操作，已自动退出，请重新登录。" if idle else "登录已超过时限，请重新登录。",
                )
            else:
                if now - last >= _ACTIVITY_GRANULARITY or "last_activity" not in session:
                    session["last_activity"] = now
                if password_expired(user=user) and not _exempt(request):
                    messages.warning(
                        request, f"密码已超过{settings.XINFANG_PASSWORD_MAX_AGE_DAYS}天未修改，请先修改密码。"
                    )
                    return redirect("accounts:password_change")
        return self.get_response(request)


def _exempt(request: HttpRequest) -> bool:
    """What a user whose password expired may still reach: changing it, logging out, static files."""
    path = request.path
    allowed = (
        reverse("accounts:password_change"),
        reverse("accounts:password_change_done"),
        reverse("accounts:logout"),
    )
    return path in allowed or path.startswith(settings.STATIC_URL)
