"""The registry's REST API: the same gate, selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES
from xinfang.directory.models import Unit
from xinfang.petitions.forms import MatterFilterForm
from xinfang.petitions.pages import matter_page
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
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput, RegistryError
from xinfang.petitions.services.registration import event_add, matter_register
from xinfang.petitions.services.workflow import matter_transition, review_input

PAGE_SIZE = 50
FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="内容检索（中文子串）"),
    OpenApiParameter("after", str, description="上一页返回的 next 游标"),
    *[
        OpenApiParameter(name, str)
        for name in ("date_from", "date_to", "level", "channel", "status", "category", "township", "unit")
    ],
    OpenApiParameter("overdue", bool),
    OpenApiParameter(
        "flags", str, many=True, description="threat / urgent / litigation / backlog / collective"
    ),
]


def _user(request: Request, roles: frozenset[str] = CONTENT_ROLES) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in roles:
        raise PermissionDenied("您的角色无权进行此操作")
    return user


def _registry_error(error: RegistryError) -> ValidationError:
    return ValidationError({error.field or "non_field_errors": [str(error)]})


def _detail(user: User, matter_id: int) -> Response:
    matter = matter_get_for_user(user=user, matter_id=matter_id)
    context = {"handles": user_handles(user, matter)}
    return Response(MatterDetailSerializer(matter, context=context).data)


class MatterListApi(APIView):
    @extend_schema(
        operation_id="matters_list",
        summary="信访事项列表（按最近信访日期倒序，游标分页）",
        parameters=FILTER_PARAMETERS,
        responses=MatterPageSerializer,
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        form = MatterFilterForm(request.query_params, county_id=user.county_id)
        if not form.is_valid():
            raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
        filters = form.matter_filter()
        page = matter_page(
            matters_filtered(user=user, filters=filters),
            after=request.query_params.get("after", ""),
            size=PAGE_SIZE,
            query=filters.q,
        )
        following = ""
        if page.next_cursor:  # the next page as a full link, the same filters with the cursor
            query = request.query_params.copy()
            query["after"] = page.next_cursor
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"results": MatterOutSerializer(page.items, many=True).data, "next": following})

    @extend_schema(summary="登记信访事项（含首次信访和信访人）", request=MatterInSerializer,
                   responses={201: MatterDetailSerializer})  # fmt: skip
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
            raise _registry_error(error) from error
        response = _detail(user, matter.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class MatterDetailApi(APIView):
    @extend_schema(summary="信访事项详情", responses=MatterDetailSerializer)
    def get(self, request: Request, matter_id: int) -> Response:
        return _detail(_user(request), matter_id)


class MatterEventApi(APIView):
    @extend_schema(
        summary="登记重复信访（新的批次）", request=EventInSerializer, responses={201: EventOutSerializer}
    )
    def post(self, request: Request, matter_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        matter = matter_get_for_user(user=user, matter_id=matter_id)
        serializer = EventInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            event = event_add(by=user, matter=matter, event=EventInput(**serializer.validated_data))
        except RegistryError as error:
            raise _registry_error(error) from error
        return Response(EventOutSerializer(event).data, status=status.HTTP_201_CREATED)


class MatterTransitionApi(APIView):
    @extend_schema(
        summary="办理（状态变更）", request=TransitionInSerializer, responses=MatterDetailSerializer
    )
    def post(self, request: Request, matter_id: int) -> Response:
        user = _user(request)
        matter = matter_get_for_user(user=user, matter_id=matter_id)
        serializer = TransitionInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organ = Unit.objects.filter(county_id=matter.county_id, pk=data.pop("organ_unit") or 0).first()
        review = review_input(
            to=data["to"], on=data["on"], requested_on=data.pop("requested_on"), organ_unit=organ,
            organ_name=data.pop("organ_name"), document_number=data.pop("document_number"),
        )  # fmt: skip
        try:
            matter_transition(by=user, matter=matter, review=review, **data)
        except RegistryError as error:
            raise _registry_error(error) from error
        return _detail(user, matter.pk)
