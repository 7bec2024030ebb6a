"""The supervision REST API: the same gate, selectors and services as the pages, under core/api.py's
contract (unknown fields and parameters refused, JSON only, the error shapes)."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.accounts.models import User
from xinfang.core.api import Conflict, ContractApi, StrictSerializer, error_responses
from xinfang.core.attachments import MB, attachment_max_bytes
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES
from xinfang.supervision.models import OVERDUE, SupervisionItem, SupervisionProgress, state_label
from xinfang.supervision.selectors import (
    STATE_FILTERS,
    ItemFilter,
    item_get_for_user,
    items_filtered,
    progress_of,
)
from xinfang.supervision.services import (
    MAX_FILES,
    TEXT_MAX,
    SupervisionConflict,
    item_accept,
    item_return,
    progress_report,
)

PAGE_SIZE = 50
ITEM_ID = OpenApiParameter(
    "item_id", {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, OpenApiParameter.PATH,
    description="督办事项的编号（id）",
)  # fmt: skip
_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
LIST_PARAMETERS = [
    OpenApiParameter("state", str, enum=list(STATE_FILTERS), description="状态：" + "、".join(
        f"{key}={label}" for key, label in STATE_FILTERS.items())),
    OpenApiParameter("leader", _ID, description="牵头领导的编号"),
    OpenApiParameter("unit", _ID, description="责任单位的编号"),
    OpenApiParameter("page", {"type": "integer", "minimum": 1, "maximum": 100000}, description="页码"),
]  # fmt: skip
STATES = [
    *(state.value for state in SupervisionItem.State),
    OVERDUE,
]


def _user(request: Request, roles: frozenset[str] = CONTENT_ROLES) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in roles or user.county_id is None:
        raise PermissionDenied("您的角色无权进行此操作")
    return user


def _refusal(error: DjangoValidationError) -> Exception:
    if isinstance(error, SupervisionConflict):
        return Conflict(error.messages[0])
    if hasattr(error, "error_dict"):
        return ValidationError(dict(error.message_dict))
    return ValidationError({"non_field_errors": error.messages})


# Output ---------------------------------------------------------------------------------------------


class SupervisionNamedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SupervisionAttachmentOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField(help_text="下载地址（页面的附件下载，记入审计）")


class SupervisionProgressOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    unit = SupervisionNamedSerializer(allow_null=True, help_text="报送单位；牵头领导本人报送时为 null")
    reported_by = serializers.CharField()
    date = serializers.DateField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = SupervisionAttachmentOutSerializer(many=True)


class SupervisionReviewOutSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["accept", "return"], help_text="accept=验收办结，return=退回")
    note = serializers.CharField()
    decided_by = serializers.CharField()
    decided_at = serializers.DateTimeField()


class SupervisionItemOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=STATES, help_text="todo=待办，in_progress=办理中，done=已办结，overdue=超期"
    )
    state_label = serializers.CharField()
    awaiting_review = serializers.BooleanField(help_text="有尚未验收或退回的办理情况（待验收）")
    instruction = serializers.CharField()
    source_kind = serializers.ChoiceField(choices=SupervisionItem.SourceKind.choices)
    source_title = serializers.CharField()
    source_url = serializers.CharField()
    matter_number = serializers.CharField(allow_null=True)
    instructed_by = serializers.CharField(allow_null=True)
    instructed_at = serializers.DateField()
    on_paper = serializers.BooleanField()
    leader = SupervisionNamedSerializer()
    units = SupervisionNamedSerializer(many=True)
    deadline = serializers.DateField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class SupervisionItemDetailSerializer(SupervisionItemOutSerializer):
    progress = SupervisionProgressOutSerializer(many=True)
    reviews = SupervisionReviewOutSerializer(many=True)


class SupervisionItemPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    results = SupervisionItemOutSerializer(many=True)
    next = serializers.CharField(help_text="下一页的完整地址；没有下一页时为空")


def _item(item: SupervisionItem) -> dict[str, Any]:
    shown = item.display_state
    return {
        "id": item.pk, "state": shown, "state_label": state_label(shown),
        "awaiting_review": item.awaiting_review,
        "instruction": item.instruction, "source_kind": item.source_kind, "source_title": item.source_title,
        "source_url": item.source_url, "matter_number": item.matter.number if item.matter else None,
        "instructed_by": item.instructed_by.name if item.instructed_by else None,
        "instructed_at": item.instructed_at, "on_paper": item.on_paper,
        "leader": {"id": item.leader_id, "name": item.leader.name},
        "units": [{"id": unit.pk, "name": unit.name} for unit in item.units.all()],
        "deadline": item.deadline, "created_at": item.created_at, "closed_at": item.closed_at,
    }  # fmt: skip


def _progress(item: SupervisionItem, report: SupervisionProgress) -> dict[str, Any]:
    return {
        "id": report.pk, "unit": {"id": report.unit.pk, "name": report.unit.name} if report.unit else None,
        "reported_by": report.reported_by.display_name, "date": report.date, "text": report.text,
        "created_at": report.created_at,
        "attachments": [
            {"id": file.pk, "name": file.name, "content_type": file.content_type, "size": file.size,
             "url": reverse("supervision:file", args=[item.pk, file.pk])}
            for file in report.attachments.all()
        ],
    }  # fmt: skip


def _detail(user: User, item_id: int) -> Response:
    item = item_get_for_user(user=user, item_id=item_id)
    data = _item(item) | {
        "progress": [_progress(item, report) for report in progress_of(item)],
        "reviews": [
            {"decision": review.decision, "note": review.note, "decided_by": review.decided_by.display_name,
             "decided_at": review.decided_at}
            for review in item.reviews.select_related("decided_by").order_by("decided_at", "id")
        ],
    }  # fmt: skip
    return Response(SupervisionItemDetailSerializer(data).data)


# Input ----------------------------------------------------------------------------------------------


class SupervisionListQuerySerializer(StrictSerializer):
    state = serializers.ChoiceField(choices=list(STATE_FILTERS), required=False)
    leader = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    page = serializers.IntegerField(min_value=1, max_value=100000, required=False)


class SupervisionAttachmentInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, help_text="文件名")
    content_base64 = serializers.CharField(
        max_length=math.ceil(10 * MB / 3) * 4,
        help_text="文件内容（base64）；PDF、JPG 或 PNG，按设置的大小上限",
    )


class SupervisionProgressInSerializer(StrictSerializer):
    date = serializers.DateField(help_text="办理日期（不晚于今天，不早于批示日期）")
    text = serializers.CharField(max_length=TEXT_MAX, help_text="办理情况")
    unit = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
        help_text="信访局代为报送时：代报的责任单位编号（不填为代牵头领导报送）；其他角色不填",
    )  # fmt: skip
    attachments = serializers.ListField(
        child=SupervisionAttachmentInSerializer(), max_length=MAX_FILES, required=False
    )


class SupervisionAcceptInSerializer(StrictSerializer):
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, help_text="验收意见")


class SupervisionReturnInSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=TEXT_MAX, help_text="退回理由（短信告知责任单位）")


def _uploads(files: list[dict[str, str]]) -> list[SimpleUploadedFile]:
    uploads = []
    for index, file in enumerate(files):
        try:
            content = base64.b64decode(file["content_base64"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError({"attachments": {str(index): ["文件内容不是有效的 base64"]}}) from error
        if len(content) > attachment_max_bytes():
            raise ValidationError(
                {"attachments": {str(index): [f"文件过大：上限为 {attachment_max_bytes() // MB} MB"]}}
            )
        uploads.append(SimpleUploadedFile(file["name"], content))
    return uploads


# Views ----------------------------------------------------------------------------------------------


class ItemListApi(ContractApi):
    query_parameters: ClassVar[Mapping[str, frozenset[str]]] = {
        "get": frozenset(parameter.name for parameter in LIST_PARAMETERS)
    }

    @extend_schema(
        operation_id="supervision_list",
        summary="督办事项列表（本人可见范围；未办结的在前，按办理期限排序）",
        parameters=LIST_PARAMETERS,
        responses={200: SupervisionItemPageSerializer, **error_responses(400, 403)},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        query = SupervisionListQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        filters = ItemFilter(values.get("state", ""), values.get("leader"), values.get("unit"))
        items = items_filtered(user=user, filters=filters).select_related("leader", "instructed_by", "matter")
        number = values.get("page", 1)
        start = (number - 1) * PAGE_SIZE
        total = items.count()
        page = list(items.prefetch_related("units")[start : start + PAGE_SIZE])
        following = ""
        if start + PAGE_SIZE < total:
            params = request.query_params.copy()
            params["page"] = str(number + 1)
            following = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        results = [_item(item) for item in page]
        return Response(
            SupervisionItemPageSerializer({"count": total, "results": results, "next": following}).data
        )


class ItemDetailApi(ContractApi):
    @extend_schema(
        operation_id="supervision_detail",
        summary="督办事项详情（含办理情况和验收记录）",
        parameters=[ITEM_ID],
        responses={200: SupervisionItemDetailSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, item_id: int) -> Response:
        return _detail(_user(request), item_id)


class ItemProgressApi(ContractApi):
    @extend_schema(
        operation_id="supervision_progress",
        summary="报送办理情况（责任单位、牵头领导本人，或信访局代报）；附件以 base64 提交",
        parameters=[ITEM_ID],
        request=SupervisionProgressInSerializer,
        responses={201: SupervisionItemDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, item_id: int) -> Response:
        user = _user(request)
        item = item_get_for_user(user=user, item_id=item_id)
        serializer = SupervisionProgressInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = None
        if data.get("unit") is not None:
            if user.role not in BUREAU_ROLES:
                raise ValidationError({"unit": ["只有信访局代为报送时才填写单位"]})
            unit = item.units.filter(pk=data["unit"]).first()
            if unit is None:
                raise ValidationError({"unit": ["该单位不是此督办事项的责任单位"]})
        try:
            progress_report(
                item=item, user=user, date=data["date"], text=data["text"],
                files=_uploads(data.get("attachments", [])), unit=unit,
            )  # fmt: skip
        except DjangoValidationError as error:
            raise _refusal(error) from error
        response = _detail(user, item.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class ItemAcceptApi(ContractApi):
    @extend_schema(
        operation_id="supervision_accept",
        summary="验收办结（信访局）",
        parameters=[ITEM_ID],
        request=SupervisionAcceptInSerializer,
        responses={200: SupervisionItemDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, item_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        item = item_get_for_user(user=user, item_id=item_id)
        serializer = SupervisionAcceptInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            item_accept(item=item, user=user, note=serializer.validated_data.get("note", ""))
        except DjangoValidationError as error:
            raise _refusal(error) from error
        return _detail(user, item.pk)


class ItemReturnApi(ContractApi):
    @extend_schema(
        operation_id="supervision_return",
        summary="退回（信访局；短信告知责任单位）",
        parameters=[ITEM_ID],
        request=SupervisionReturnInSerializer,
        responses={200: SupervisionItemDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, item_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        item = item_get_for_user(user=user, item_id=item_id)
        serializer = SupervisionReturnInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            item_return(item=item, user=user, reason=serializer.validated_data["reason"])
        except DjangoValidationError as error:
            raise _refusal(error) from error
        return _detail(user, item.pk)
