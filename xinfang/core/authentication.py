"""The API's authentication, apart from `core.api`: DRF reads it while defining its views (a module that
imports `rest_framework.views` cannot hold it)."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication with its CSRF refusal in Chinese (DRF's own is English)."""

    def enforce_csrf(self, request: Any) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as error:
            raise exceptions.PermissionDenied(
                "CSRF 校验失败：请在 X-CSRFToken 请求头中带上 csrftoken Cookie 的值，或刷新页面后重试"
            ) from error
