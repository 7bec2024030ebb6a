from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from xinfang.accounts.forms import LoginForm, TwoFactorForm, UnlockForm
from xinfang.accounts.http import AuthedRequest
from xinfang.accounts.models import User
from xinfang.accounts.selectors import accounts_locked
from xinfang.accounts.services import (
    TWO_FACTOR_DONE,
    UNLOCKING_ROLES,
    account_password_changed_record,
    account_unlock,
    auth_login_failed_record,
    auth_login_record,
    auth_logout_record,
    two_factor_pending,
    two_factor_required,
    two_factor_secret,
    two_factor_verify,
)
from xinfang.core.decorators import role_required
from xinfang.core.ratelimit import hit, hits
from xinfang.lib.totp import provisioning_uri


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        self.request.session["login_at"] = time.time()  # the session's absolute lifetime starts here
        auth_login_record(user=form.get_user())
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Failed logins per address are limited too (the lockout counts per account): an address that
        failed too often in the window is refused before any password is tried."""
        limit, window = settings.XINFANG_LOGIN_RATE
        if hits(request, "login-failed", window_seconds=window) >= limit:
            form = self.get_form()
            form.add_error(None, "登录尝试过于频繁，请稍后再试。")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        hit(self.request, "login-failed", window_seconds=settings.XINFANG_LOGIN_RATE[1])
        if form.attempt is not None:
            auth_login_failed_record(attempt=form.attempt)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if isinstance(request.user, User):
            auth_logout_record(user=request.user)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            account_password_changed_record(user=form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@role_required(UNLOCKING_ROLES)
def locked_accounts(request: AuthedRequest) -> HttpResponse:
    """Accounts locked after repeated failed logins, with an unlock button each."""
    form = UnlockForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            account = accounts_locked(user=request.user).filter(pk=form.cleaned_data["account"]).first()
            if account is None:
                raise Http404("账号不存在或未被锁定")
            account_unlock(by=request.user, account=account)
            messages.success(request, f"已解锁账号 {account.username}")
        return redirect("accounts:locked")
    context = {"accounts": accounts_locked(user=request.user), "nav_key": "locked"}
    return render(request, "accounts/locked.html", context)


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    """The second factor after the password: enrol an authenticator app (QR code, first code, recovery
    codes shown once), or enter its code or a recovery code. Nothing else opens until it is passed."""
    if not two_factor_required(request.user):
        return redirect("dashboard:home")
    record = two_factor_pending(user=request.user)
    form = TwoFactorForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        issued = two_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if issued is not None:
            request.session[TWO_FACTOR_DONE] = request.user.pk
            request.session.cycle_key()  # a new session id once fully authenticated
            if issued:
                shown = {"codes": issued, "next": next_url or reverse("dashboard:home")}
                return render(request, "accounts/recovery_codes.html", shown)
            return redirect(next_url or "dashboard:home")
        form.add_error("code", "验证码不正确或已使用，请重新输入")
    context: dict[str, Any] = {"form": form, "enrolled": record.confirmed_at is not None, "next": next_url}
    if record.confirmed_at is None:
        secret = two_factor_secret(record)
        uri = provisioning_uri(secret, account=request.user.username, issuer=_issuer(request.user))
        context |= {"qr": segno.make(uri, error="m").svg_data_uri(scale=5), "secret": _grouped(secret)}
    return render(request, "accounts/two_factor.html", context, status=422 if form.errors else 200)


def _issuer(user: User) -> str:
    return f"{user.county.name}信访工作平台" if user.county else "信访工作平台"


def _grouped(secret: str) -> str:
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
