"""Project-wide views: health check and the Chinese error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from xinfang.core.api import is_api_request


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers; for load balancers and the demo's start-up wait."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def _api_error(status: int, message: str) -> HttpResponse:
    """Django's own refusals of an API request (an unknown path, a body too large), as JSON in the shapes
    of the API's document (core/api.py): its clients never get an HTML page."""
    body = {"non_field_errors": [message]} if status == 400 else {"detail": message}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return _api_error(400, "请求无法识别（如请求体过大）")
    return _error(request, 400, "请求有误", "请求的内容无法识别，请返回上一页重试。")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return _api_error(403, "您的账号无权访问此接口")
    return _error(
        request, 403, "无权访问", "您的账号没有访问此页面的权限。如需开通，请联系信访局或安全管理员。"
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "页面已过期", "表单已过期或来源无法验证，请刷新页面后重新提交。")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return _api_error(404, "接口地址不存在，或信访事项不存在或不在您的管辖范围内")
    return _error(request, 404, "页面不存在", "您要找的页面不存在，或不在您的管辖范围内。")


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return _api_error(500, "服务器内部错误，请稍后重试或联系系统管理员")
    # No template context processors here: the failure may be in them.
    return render(request, "500.html", status=500)
