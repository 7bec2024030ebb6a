"""Session policy (docs/security.md): a session ends after XINFANG_SESSION_IDLE_MINUTES without a
request and at the latest SESSION_COOKIE_AGE after login; a role that needs a second factor reaches
nothing but its page until it is passed; an expired password must be changed before anything else (the
API answers such a session 403)."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import get_user
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from xinfang.accounts.models import User
from xinfang.accounts.selectors import account_locked_until, password_expired
from xinfang.accounts.services import TWO_FACTOR_DONE, auth_session_expired_record, two_factor_required
from xinfang.core.api import is_api_request

# Rewriting the session on every request would be a database write per page: once a minute is enough.
_ACTIVITY_GRANULARITY = 60


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The user itself, not AuthenticationMiddleware's lazy stand-in: every read of an attribute through
        # the stand-in costs a failed lookup, and a page reads the user's attributes a hundred times.
        request.user = user = get_user(request)
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
            elif _second_factor_pending(user, session) and account_locked_until(username=user.username):
                logout(request)  # locked before passing the second factor (failed codes)
            else:
                if now - last >= _ACTIVITY_GRANULARITY or "last_activity" not in session:
                    session["last_activity"] = now
                if _second_factor_pending(user, session):
                    if is_api_request(request):
                        return _api_refusal("请先在网页上完成第二步验证（动态验证码），再使用接口")
                    if not _only(request, "accounts:two_factor"):
                        return redirect(
                            f"{reverse('accounts:two_factor')}?{urlencode({'next': request.get_full_path()})}"
                        )
                elif password_expired(user=user) and not _only(
                    request, "accounts:password_change", "accounts:password_change_done"
                ):
                    message = (
                        "您使用的是系统管理员发给您的临时密码，请先设置新密码。"
                        if user.password_must_change
                        else f"密码已超过{settings.XINFANG_PASSWORD_MAX_AGE_DAYS}天未修改，请先修改密码。"
                    )
                    if is_api_request(request):
                        return _api_refusal(message)
                    messages.warning(request, message)
                    return redirect("accounts:password_change")
        return self.get_response(request)


def _api_refusal(message: str) -> HttpResponse:
    """An API request held at a step answers 403 in the API's error shape (core/api.py), not a redirect
    to a page its client cannot use."""
    return JsonResponse({"detail": message}, status=403, json_dumps_params={"ensure_ascii": False})


def _second_factor_pending(user: User, session: SessionBase) -> bool:
    return two_factor_required(user) and session.get(TWO_FACTOR_DONE) != user.pk


def _only(request: HttpRequest, *names: str) -> bool:
    """Whether the request is for one of the named pages, logging out, or a static file: all a user held
    at a step (the second factor, an expired password) may reach."""
    path = request.path
    return path in {reverse(name) for name in (*names, "accounts:logout")} or path.startswith(
        settings.STATIC_URL
    )
