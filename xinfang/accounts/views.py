from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xinfang.accounts.forms import (
    AccountCreateForm,
    AccountEditForm,
    LoginForm,
    RoleGrantForm,
    TwoFactorForm,
    UnlockForm,
)
from xinfang.accounts.http import AuthedRequest
from xinfang.accounts.models import User
from xinfang.accounts.selectors import account_get_for_admin, accounts_for_admin, accounts_locked
from xinfang.accounts.services import (
    TWO_FACTOR_DONE,
    UNLOCKING_ROLES,
    account_create,
    account_password_changed_record,
    account_password_reset,
    account_role_grant,
    account_unlock,
    account_update,
    auth_login_failed_record,
    auth_login_record,
    auth_logout_record,
    temporary_password,
    two_factor_pending,
    two_factor_required,
    two_factor_secret,
    two_factor_verify,
)
from xinfang.core.decorators import role_required
from xinfang.core.forms import form_errors_from
from xinfang.core.ratelimit import hit, hits
from xinfang.core.roles import Role
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


# -- the admins' account pages: the system admin manages accounts, the security admin grants roles --------

SYSTEM_ADMIN = (Role.SYSTEM_ADMIN,)
SECURITY_ADMIN = (Role.SECURITY_ADMIN,)


def _account_page(request: AuthedRequest, template: str, nav_key: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    role = request.GET.get("role", "")
    accounts = accounts_for_admin(user=request.user, query=query, role=role if role in Role.values else "")
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "page": page,
        "q": query,
        "role": role,
        "roles": Role.choices,
        "query": filters.urlencode(),
        "nav_key": nav_key,
    }
    return render(request, template, context)


@role_required(SYSTEM_ADMIN)
def account_list(request: AuthedRequest) -> HttpResponse:
    return _account_page(request, "accounts/account_list.html", "accounts")


@role_required(SYSTEM_ADMIN)
def account_new(request: AuthedRequest) -> HttpResponse:
    """A new account of the admin's county, without a role (the security admin grants one), with a
    temporary password shown once, which its user changes at the first login."""
    form = AccountCreateForm(request.POST or None, county_id=request.user.county_id)
    if request.method == "POST" and form.is_valid():
        named = {name: form.cleaned_data[name] for name in ("username", "full_name", "mobile")}
        password = temporary_password(User(**named))  # checked against what the account will hold
        try:
            account = account_create(
                by=request.user,
                password=password,
                role=Role.NONE,
                county=request.user.county,
                must_change_password=True,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            context = {"account": account, "password": password, "created": True, "nav_key": "accounts"}
            return render(request, "accounts/account_issued.html", context)
    context = {"form": form, "nav_key": "accounts"}
    return render(request, "accounts/account_new.html", context, status=422 if form.errors else 200)


@role_required(SYSTEM_ADMIN)
def account_edit(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = account_get_for_admin(user=request.user, account_id=account_id)
    locked_until = getattr(account, "locked_until", None)
    form = AccountEditForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        had_role = account.role != Role.NONE
        try:
            if changes:
                account_update(by=request.user, account=account, changes=changes)
        except ValidationError as error:
            account.refresh_from_db()  # the page shows what is stored
            form_errors_from(form, error)
        else:
            withdrawn = had_role and account.role == Role.NONE
            note = "；原角色已撤销，请安全管理员重新授权" if withdrawn else ""
            messages.success(request, f"已保存账号 {account.username}{note}" if changes else "没有修改")
            return redirect("accounts:account", account.pk)
    context = {"account": account, "form": form, "locked_until": locked_until, "nav_key": "accounts"}
    return render(request, "accounts/account_edit.html", context, status=422 if form.errors else 200)


@role_required(SYSTEM_ADMIN)
@require_POST
def account_password_reset_view(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = account_get_for_admin(user=request.user, account_id=account_id)
    password = account_password_reset(by=request.user, account=account)
    context = {"account": account, "password": password, "created": False, "nav_key": "accounts"}
    return render(request, "accounts/account_issued.html", context)


@role_required(SECURITY_ADMIN)
def role_list(request: AuthedRequest) -> HttpResponse:
    return _account_page(request, "accounts/role_list.html", "roles")


@role_required(SECURITY_ADMIN)
def role_grant(request: AuthedRequest, account_id: int) -> HttpResponse:
    """Grant, change or withdraw an account's role (and the unit head's authority), with a reason."""
    account = account_get_for_admin(user=request.user, account_id=account_id)
    initial = {"role": account.role, "is_unit_head": account.is_unit_head}
    form = RoleGrantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account_role_grant(by=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            account.refresh_from_db(fields=["role", "is_unit_head"])  # the page shows what is stored
            form_errors_from(form, error)
        else:
            messages.success(request, f"已将账号 {account.username} 的角色设为：{account.get_role_display()}")
            return redirect("accounts:roles")
    context = {"account": account, "form": form, "nav_key": "roles"}
    return render(request, "accounts/role_grant.html", context, status=422 if form.errors else 200)
