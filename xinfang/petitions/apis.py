"""The registry's REST API: the same gate, selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.accounts.models import User
from xinfang.core.api import Conflict, ContractApi, error_responses
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES
from xinfang.petitions import todo
from xinfang.petitions.forms import MatterFilterForm
from xinfang.petitions.pages import matter_page, whole_matters
from xinfang.petitions.selectors import matter_get_for_user, matters_filtered, user_handles
from xinfang.petitions.serializers import (
    EventInSerializer,
    EventOutSerializer,
    MatterDetailSerializer,
    MatterInSerializer,
    MatterOutSerializer,
    MatterPageSerializer,
    TransitionInSerializer,
)
from xinfang.petitions.services.common import (
    EventInput,
    PetitionerInput,
    RegistrationInput,
    RegistryConflict,
    RegistryError,
    RegistryRefused,
)
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.petitions.services.workflow import matter_transition, review_input

PAGE_SIZE = 50
# The cursor of `next`: the last row's date and id (pages.matter_page); the id fits a 64-bit integer.
CURSOR_PATTERN = r"^\d{4}-\d{2}-\d{2}\.\d{1,18}$"
_ID = {"type": "integer"}
MATTER_ID = OpenApiParameter(
    "matter_id", {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, OpenApiParameter.PATH,
    description="信访事项的编号（id）",
)  # fmt: skip
FILTER_PARAMETERS = [
    OpenApiParameter("q", {"type": "string", "maxLength": 50}, description="内容检索（中文子串，至多50字）"),
    OpenApiParameter(
        "after", str, pattern=CURSOR_PATTERN, description="分页游标（由上一页的 next 链接带出）"
    ),
    OpenApiParameter("date_from", dt.date, description="最近信访日期不早于此日"),
    OpenApiParameter("date_to", dt.date, description="首次信访日期不晚于此日（不能早于 date_from）"),
    OpenApiParameter("level", {"$ref": "#/components/schemas/LevelEnum"}),
    OpenApiParameter("channel", {"$ref": "#/components/schemas/ChannelEnum"}),
    OpenApiParameter("status", {"$ref": "#/components/schemas/StatusEnum"}),
    OpenApiParameter("category", _ID, description="本县问题类别的编号（一级类别含其下各类）"),
    OpenApiParameter("township", _ID, description="本县乡镇的编号"),
    OpenApiParameter("unit", _ID, description="本县责任单位的编号"),
    OpenApiParameter("overdue", bool, description="只看已超期的事项"),
    OpenApiParameter("owner", _ID, description="本县包案领导的编号"),
    OpenApiParameter(
        "todo",
        str,
        enum=[queue.key for queue in todo.QUEUES],
        description="待办队列（与首页待办一致）；只能是本人角色的队列",
    ),
    OpenApiParameter(
        "flags",
        str,
        many=True,
        enum=["threat", "urgent", "litigation", "backlog", "collective"],
        description="标记：扬言、重大紧急、涉法涉诉、积案、集体访（可多选，须同时具有）",
    ),
]


def _user(request: Request, roles: frozenset[str] = CONTENT_ROLES) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in roles:
        raise PermissionDenied("您的角色无权进行此操作")
    return user


def _refusal(error: RegistryError) -> APIException:
    """A service's refusal as the API answers it: 409 for the matter's state, 403 for the user, else 400."""
    if isinstance(error, RegistryConflict):
        return Conflict(str(error))
    if isinstance(error, RegistryRefused):
        return PermissionDenied(str(error))
    return ValidationError({error.field or "non_field_errors": [str(error)]})


def _cursor(request: Request) -> str:
    after = request.query_params.get("after", "")
    if after:
        valid = re.fullmatch(CURSOR_PATTERN, after) is not None
        try:
            dt.date.fromisoformat(after.partition(".")[0])
        except ValueError:
            valid = False
        if not valid:
            raise ValidationError({"after": ["分页游标无效，请使用上一页返回的 next 链接"]})
    return after


def _detail(user: User, matter_id: int) -> Response:
    matter = matter_get_for_user(user=user, matter_id=matter_id)
    context = {"handles": user_handles(user, matter)}
    return Response(MatterDetailSerializer(matter, context=context).data)


class MatterListApi(ContractApi):
    query_parameters: ClassVar[Mapping[str, frozenset[str]]] = {
        "get": frozenset(parameter.name for parameter in FILTER_PARAMETERS)
    }

    @extend_schema(
        operation_id="matters_list",
        summary="信访事项列表（按最近信访日期倒序，游标分页）",
        parameters=FILTER_PARAMETERS,
        responses={200: MatterPageSerializer, **error_responses(400, 403)},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        form = MatterFilterForm(request.query_params, county_id=user.county_id, user=user)
        if not form.is_valid():
            raise ValidationError({
                "non_field_errors" if field == "__all__" else field: [str(e) for e in errors]
                for field, errors in form.errors.items()
            })  # fmt: skip
        filters = form.matter_filter()
        page = matter_page(
            matters_filtered(user=user, filters=filters, paged=True),
            after=_cursor(request),
            size=PAGE_SIZE,
            query=filters.q,
            rows_of=whole_matters,
        )
        following = ""
        if page.next_cursor:  # the next page as a full link, the same filters with the cursor
            query = request.query_params.copy()
            query["after"] = page.next_cursor
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"results": MatterOutSerializer(page.items, many=True).data, "next": following})

    @extend_schema(summary="登记信访事项（含首次信访和信访人）", request=MatterInSerializer,
                   responses={201: MatterDetailSerializer, **error_responses(400, 403, 415)})  # fmt: skip
    def post(self, request: Request) -> Response:
        user = _user(request, BUREAU_ROLES)
        serializer = MatterInSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        event = EventInput(**data.pop("event"))
        petitioners = [
            PetitionerInput(**person) for person in data.pop("petitioners") if any(person.values())
        ]
        assert user.county is not None
        try:
            matter = matter_register(
                by=user,
                data=RegistrationInput(county=user.county, event=event, petitioners=petitioners, **data),
            )
        except RegistryError as error:
            raise _refusal(error) from error
        response = _detail(user, matter.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class MatterDetailApi(ContractApi):
    @extend_schema(
        summary="信访事项详情",
        parameters=[MATTER_ID],
        responses={200: MatterDetailSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, matter_id: int) -> Response:
        return _detail(_user(request), matter_id)


class MatterEventApi(ContractApi):
    @extend_schema(
        summary="登记重复信访（新的批次）",
        parameters=[MATTER_ID],
        request=EventInSerializer,
        responses={201: EventOutSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, matter_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        matter = matter_get_for_user(user=user, matter_id=matter_id)
        serializer = EventInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            event = event_add(by=user, matter=matter, event=EventInput(**serializer.validated_data))
        except RegistryError as error:
            raise _refusal(error) from error
        return Response(EventOutSerializer(event).data, status=status.HTTP_201_CREATED)


class MatterTransitionApi(ContractApi):
    @extend_schema(
        summary="办理（状态变更）",
        parameters=[MATTER_ID],
        request=TransitionInSerializer,
        responses={200: MatterDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, matter_id: int) -> Response:
        user = _user(request)
        matter = matter_get_for_user(user=user, matter_id=matter_id)
        serializer = TransitionInSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        review = review_input(
            to=data["to"], on=data["on"], requested_on=data.pop("requested_on"),
            organ_unit=data.pop("organ_unit"), organ_name=data.pop("organ_name"),
            document_number=data.pop("document_number"),
        )  # fmt: skip
        try:
            matter_transition(by=user, matter=matter, review=review, **data)
        except RegistryError as error:
            raise _refusal(error) from error
        return _detail(user, matter.pk)
