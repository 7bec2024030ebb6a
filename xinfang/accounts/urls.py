from django.urls import path

from xinfang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/locked/", views.locked_accounts, name="locked"),
    path("account/2fa/", views.two_factor, name="two_factor"),
    path("account/password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_new, name="account_new"),
    path("accounts/<int:account_id>/", views.account_edit, name="account"),
    path(
        "accounts/<int:account_id>/password-reset/",
        views.account_password_reset_view,
        name="account_password_reset",
    ),
    path("accounts/roles/", views.role_list, name="roles"),
    path("accounts/<int:account_id>/role/", views.role_grant, name="role"),
]
