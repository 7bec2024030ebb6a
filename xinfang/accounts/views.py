from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from xinfang.accounts.decorators import AuthedRequest, role_required
from xinfang.accounts.forms import LoginForm, UnlockForm
from xinfang.accounts.models import User
from xinfang.accounts.selectors import accounts_locked
from xinfang.accounts.services import (
    UNLOCKING_ROLES,
    account_password_changed_record,
    account_unlock,
    auth_login_failed_record,
    auth_login_record,
    auth_logout_record,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        self.request.session["login_at"] = time.time()  # the session's absolute lifetime starts here
        auth_login_record(user=form.get_user())
        return response

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        username = form.data.get("username", "")
        if username:
            auth_login_failed_record(username=str(username), locked=form.locked)
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
