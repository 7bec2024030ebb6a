"""The issued documents' REST API: a leader's inbox, one document in the copy the reader may see (reading it
is the read receipt, as on the page) and the main leaders' sign-off (签批), under core/api.py's contract. The
Word and PDF files stay on the pages' URLs (each download audited); the detail names them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.accounts.models import User
from xinfang.core.api import Conflict, ContractApi, StrictSerializer, error_responses
from xinfang.core.roles import BUREAU_ROLES, LEADER_ROLES
from xinfang.documents.models import Delivery, DocumentKind, IssuedDocument
from xinfang.documents.selectors import (
    Reading,
    deliveries_of,
    document_get_for_user,
    documents_for_user,
    inbox_for_user,
    inbox_unread,
)
from xinfang.documents.services import delivery_read, delivery_sign

READERS = BUREAU_ROLES | LEADER_ROLES
LIMIT = 200  # rows of each list, as on the page
NOTE_MAX = 2000
DOCUMENT_ID = OpenApiParameter(
    "document_id", {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, OpenApiParameter.PATH,
    description="印发文件的编号（id）",
)  # fmt: skip
KIND = OpenApiParameter(
    "kind", str, enum=list(DocumentKind.values),
    description="只看某一文种（信访局的全县文件列表）：" + "、".join(
        f"{value}={label}" for value, label in DocumentKind.choices),
)  # fmt: skip


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in READERS or user.county_id is None:
        raise PermissionDenied("您的角色无权进行此操作")
    return user


def _reading(user: User, document_id: int) -> Reading:
    try:
        return document_get_for_user(user=user, document_id=document_id)
    except Http404 as error:
        raise NotFound("文件不存在或未报送给您") from error


# Output ---------------------------------------------------------------------------------------------


class DocumentOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    # The metaclass takes declared fields off the class, so this "label" never shadows Field.label.
    label = serializers.CharField(help_text="如“2026年第1期每周访情分析”")  # type: ignore[assignment]
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    kind_label = serializers.CharField()
    year = serializers.IntegerField()
    number = serializers.IntegerField(help_text="期号")
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    approved_at = serializers.DateTimeField()


# A delivery's purpose is its own component (DeliveryPurpose) in the document: a matter's "purpose" is
# another choice set, which drf-spectacular would otherwise rename with a warning.
@extend_schema_field(
    {"type": "string", "enum": list(Delivery.Purpose.values)}, component_name="DeliveryPurpose"
)
class DeliveryPurposeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Delivery.Purpose.choices, help_text="sign=签批，read=阅知", **kwargs)


class DeliveryOutSerializer(serializers.Serializer[Any]):
    purpose = DeliveryPurposeField()
    sent_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True, help_text="阅读时间；未读为 null")
    signed_at = serializers.DateTimeField(allow_null=True, help_text="签批时间；未签批或阅知件为 null")
    sign_note = serializers.CharField(allow_blank=True, help_text="签批意见")


class InboxRowSerializer(DeliveryOutSerializer):
    document = DocumentOutSerializer()


class DocumentListSerializer(serializers.Serializer[Any]):
    inbox = InboxRowSerializer(many=True, help_text=f"报送给本人的文件，新的在前（至多{LIMIT}件）")
    unread = serializers.IntegerField(help_text="其中未读的件数")
    documents = DocumentOutSerializer(
        many=True, help_text=f"全县已印发的文件，新的在前（仅信访局；至多{LIMIT}件；其他角色为空）"
    )


class RecipientOutSerializer(DeliveryOutSerializer):
    leader = serializers.CharField()
    post = serializers.CharField(allow_blank=True)
    full_copy = serializers.BooleanField(help_text="收到全文；false 为略去反映其本人事项的删减本")


class DocumentFilesSerializer(serializers.Serializer[Any]):
    docx = serializers.CharField(help_text="Word 文件的下载地址（页面地址，下载记入审计）")
    pdf = serializers.CharField(help_text="PDF 文件的下载地址（页面地址，下载记入审计）")
    docx_sha256 = serializers.CharField(help_text="本人所见版本的 Word 文件 SHA-256")
    pdf_sha256 = serializers.CharField(help_text="本人所见版本的 PDF 文件 SHA-256")


class DocumentDetailSerializer(DocumentOutSerializer):
    approved_by = serializers.CharField(help_text="审定人；系统自动印发的为“系统”")
    page_url = serializers.CharField(allow_blank=True, help_text="该文件的业务页面")
    url = serializers.CharField(help_text="文件的阅读页面")
    delivery = DeliveryOutSerializer(allow_null=True, help_text="报送本人的情况；未报送本人为 null")
    files = DocumentFilesSerializer()
    deliveries = RecipientOutSerializer(many=True, help_text="报送与签批情况（仅信访局；其他角色为空）")


def _document(document: IssuedDocument) -> dict[str, Any]:
    return {
        "id": document.pk, "label": document.label, "title": document.title, "kind": document.kind,
        "kind_label": document.get_kind_display(), "year": document.year, "number": document.number,
        "period_from": document.period_from, "period_to": document.period_to,
        "approved_at": document.approved_at,
    }  # fmt: skip


def _delivery(delivery: Delivery) -> dict[str, Any]:
    return {
        "purpose": delivery.purpose, "sent_at": delivery.sent_at, "read_at": delivery.read_at,
        "signed_at": delivery.signed_at, "sign_note": delivery.sign_note,
    }  # fmt: skip


def _detail(user: User, reading: Reading) -> Response:
    document, copy = reading.document, reading.copy
    recipients = []
    if user.role in BUREAU_ROLES:
        recipients = [
            _delivery(delivery) | {
                "leader": delivery.leader.name, "post": delivery.leader.post,
                "full_copy": delivery.copy.is_full,
            }
            # the copies' files are not needed here, only whether each is the full one
            for delivery in deliveries_of(document).defer("copy__html", "copy__docx", "copy__pdf")
        ]  # fmt: skip
    data = _document(document) | {
        "approved_by": document.approved_by.display_name if document.approved_by else "系统",
        "page_url": document.page_url, "url": reverse("documents:document", args=[document.pk]),
        "delivery": _delivery(reading.delivery) if reading.delivery else None,
        "files": {
            "docx": reverse("documents:file", args=[document.pk, "docx"]),
            "pdf": reverse("documents:file", args=[document.pk, "pdf"]),
            "docx_sha256": copy.docx_sha256, "pdf_sha256": copy.pdf_sha256,
        },
        "deliveries": recipients,
    }  # fmt: skip
    return Response(DocumentDetailSerializer(data).data)


# Input ----------------------------------------------------------------------------------------------


class DocumentListQuerySerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)


class DocumentSignInSerializer(StrictSerializer):
    note = serializers.CharField(
        max_length=NOTE_MAX, required=False, allow_blank=True, help_text="签批意见（可不填）"
    )


# Views ----------------------------------------------------------------------------------------------


class DocumentListApi(ContractApi):
    query_parameters: ClassVar[Mapping[str, frozenset[str]]] = {"get": frozenset({"kind"})}

    @extend_schema(
        operation_id="documents_list",
        summary="文件：报送本人的文件（县级领导），信访局另见全县已印发的文件",
        parameters=[KIND],
        responses={200: DocumentListSerializer, **error_responses(400, 403)},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        query = DocumentListQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        inbox = [
            _delivery(delivery) | {"document": _document(delivery.document)}
            for delivery in inbox_for_user(user=user)[:LIMIT]
        ]
        documents = []
        if user.role in BUREAU_ROLES:
            kind = query.validated_data.get("kind", "")
            documents = [_document(document) for document in documents_for_user(user=user, kind=kind)[:LIMIT]]
        data = {"inbox": inbox, "unread": inbox_unread(user=user), "documents": documents}
        return Response(DocumentListSerializer(data).data)


class DocumentDetailApi(ContractApi):
    @extend_schema(
        operation_id="documents_detail",
        summary="一份文件（本人可见的版本）：报送本人的，读取即为阅读回执；文件下载见 files",
        parameters=[DOCUMENT_ID],
        responses={200: DocumentDetailSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, document_id: int) -> Response:
        user = _user(request)
        reading = _reading(user, document_id)
        if reading.delivery is not None:
            delivery_read(delivery=reading.delivery, user=user)
        return _detail(user, reading)


class DocumentSignApi(ContractApi):
    @extend_schema(
        operation_id="documents_sign",
        summary="签批（报送本人签批的县主要领导本人；只能签批一次，再签为 409）",
        parameters=[DOCUMENT_ID],
        request=DocumentSignInSerializer,
        responses={200: DocumentDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        user = _user(request)
        reading = _reading(user, document_id)
        serializer = DocumentSignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = reading.delivery
        if delivery is None:
            raise PermissionDenied("该文件未报送您签批")
        if delivery.purpose != Delivery.Purpose.SIGN:
            raise PermissionDenied("该文件报送您阅知，无需签批")
        if delivery.signed_at is not None:
            raise Conflict("该文件已签批")
        try:
            delivery_sign(delivery=delivery, user=user, note=serializer.validated_data.get("note", ""))
        except DjangoValidationError as error:  # signed meanwhile (the note's length is checked above)
            raise Conflict(error.messages[0]) from error
        return _detail(user, _reading(user, document_id))
