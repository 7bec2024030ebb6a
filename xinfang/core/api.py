"""The REST API's contract, one place for every app's API (docs/registry.md, "API contract"): input that
refuses unknown fields, every refusal in one of two JSON shapes with a Chinese message, and the OpenAPI
pieces that say so (error components, `additionalProperties: false`, the responses of each operation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest
from drf_spectacular import authentication as authentication_extensions
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status, views
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

UNKNOWN_FIELD = "未知字段：接口不接受此字段"
UNKNOWN_PARAMETER = "未知参数：接口不接受此查询参数"


# An input serializer that refuses fields it does not declare (400, one message per unknown field) instead
# of ignoring them: a misspelt field would otherwise be dropped without a word. (Comments, not docstrings,
# on the classes here: drf-spectacular prints a serializer's or a view's docstring into the document.)
class StrictSerializer(serializers.Serializer[Any]):
    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        errors: dict[str, Any] = {str(name): [UNKNOWN_FIELD] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not errors or not isinstance(error.detail, Mapping):
                raise
            raise serializers.ValidationError({**error.detail, **errors}) from error
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictSerializerExtension(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """In the OpenAPI document a strict serializer's object admits no other property, and states the
    limits drf-spectacular leaves out: a text that may not be blank, the most items of a list."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        properties = schema.get("properties", {})
        for name, field in self.target.fields.items():
            if isinstance(field, serializers.CharField) and not field.allow_blank:
                properties[name]["minLength"] = max(properties[name].get("minLength", 0), 1)
            most = getattr(field, "max_length", None)  # a ListSerializer's (not in the stubs yet)
            if isinstance(field, serializers.ListSerializer) and most is not None:
                properties[name]["maxItems"] = most
        return schema


# An API view that reads only the query parameters it declares, per method, and refuses any other (400):
# a misspelt filter would otherwise answer the unfiltered list.
class ContractApi(views.APIView):
    query_parameters: ClassVar[Mapping[str, frozenset[str]]] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication and permissions come first (403)
        # A multipart body read by a middleware before DRF would otherwise pass as an empty one (400).
        negotiator = self.get_content_negotiator()
        if (
            request.method not in SAFE_METHODS
            and request.content_type
            and negotiator.select_parser(request, self.get_parsers()) is None
        ):
            raise exceptions.UnsupportedMediaType(request.content_type.split(";")[0])
        known = self.query_parameters.get(request.method.lower() if request.method else "", frozenset())
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise serializers.ValidationError({name: [UNKNOWN_PARAMETER] for name in unknown})


class SessionScheme(authentication_extensions.SessionScheme):  # type: ignore[no-untyped-call]
    """The session cookie of `core.authentication.SessionAuthentication` in the OpenAPI document."""

    target_class = "xinfang.core.authentication.SessionAuthentication"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "当前状态不允许此操作"
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, keeping the Chinese message of a Django PermissionDenied raised by a service
    (DRF's own replaces it with a generic one)."""
    if isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc))
    return views.exception_handler(exc, context)


API_PREFIX = "/api/"


def is_api_request(request: HttpRequest | Request) -> bool:
    """Whether the request is for the API, which answers in JSON even where Django's own pages would not
    (an unmatched URL, a body too large, a session held at the second factor)."""
    return request.path.startswith(API_PREFIX)


ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERRORS = {"$ref": "#/components/schemas/ValidationErrors"}
COMPONENTS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "拒绝的原因（中文）",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": False,
    },
    "ValidationErrors": {
        "type": "object",
        "description": (
            "字段名 → 该字段的中文错误信息列表；嵌套对象的错误按同样的形状嵌套，列表中各项的错误以其序号"
            "（从0起）为键；不属于某个字段的错误在 non_field_errors。未知字段同样在此列出。"
        ),
        "additionalProperties": {"$ref": "#/components/schemas/FieldErrors"},
    },
    "FieldErrors": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"$ref": "#/components/schemas/ValidationErrors"},
        ]
    },
}
RESPONSES = {
    400: OpenApiResponse(
        VALIDATION_ERRORS,
        "请求无效：参数或字段不合规定、引用了未知的编号、含未知字段，或请求体不是 JSON 对象",
    ),
    403: OpenApiResponse(ERROR, "未登录、CSRF 校验失败、角色无权，或无权对该事项进行此操作"),
    404: OpenApiResponse(ERROR, "信访事项不存在或不在您的管辖范围内"),
    409: OpenApiResponse(ERROR, "事项当前的状态不允许此操作（如不能从当前状态改为目标状态）"),
    415: OpenApiResponse(ERROR, "请求体的类型不是 application/json"),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented refusals of an operation, for `extend_schema(responses=...)`."""
    return {code: RESPONSES[code] for code in codes}


def error_components(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the error shapes as named components."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    return result
