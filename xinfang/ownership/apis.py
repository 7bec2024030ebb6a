"""The ownership system's REST API (领导包案, issue 16): the same gates, selectors and services as the pages,
under core/api.py's contract (unknown fields and parameters refused, JSON only, the error shapes).

The bureau edits and issues the batches, which the main leaders may read; a county leader reads and works
their own cases, the bureau and the main leaders the county's; a unit asks for a matter of theirs to be
escalated. A matter that reports the reader (Art. 46) is in none of their lists and its case is a 404.
Files of the five 包 and of meetings are uploaded on the pages only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from xinfang.accounts.models import User
from xinfang.core.api import Conflict, ContractApi, StrictSerializer, error_responses
from xinfang.core.models import Attachment
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES, LEADER_ROLES, Role
from xinfang.directory.models import Leader
from xinfang.directory.selectors import leader_get_for_user, leaders_for_user
from xinfang.ownership.models import Batch, BatchEntry, Closure, Escalation, Package
from xinfang.ownership.pages import CaseRow, batch_list, case_rows
from xinfang.ownership.selectors import (
    batch_entries,
    batch_get_for_user,
    closure_pending,
    meetings_of,
    ownership_get_for_user,
    ownerships_for_user,
    package_states,
)
from xinfang.ownership.serializers import (
    MAX_ID,
    PACKAGE_STATES,
    BatchCreateInSerializer,
    BatchDetailSerializer,
    BatchEntryAddInSerializer,
    BatchEntryOutSerializer,
    BatchEntryOwnerInSerializer,
    BatchEntryRemoveInSerializer,
    BatchIssueInSerializer,
    BatchListQuerySerializer,
    BatchPageSerializer,
    CaseDetailSerializer,
    CaseListQuerySerializer,
    CasePageSerializer,
    ClosureConfirmInSerializer,
    ClosureRequestInSerializer,
    ClosureReturnInSerializer,
    EscalationInSerializer,
    EscalationOutSerializer,
    OwnerMeetingInSerializer,
    PackageEntryInSerializer,
    ReassignInSerializer,
    ReassignOutSerializer,
)
from xinfang.ownership.services import (
    batch_create,
    batch_entry_add,
    batch_entry_choose,
    batch_entry_remove,
    batch_issue,
    closure_decide,
    closure_request,
    escalation_request,
    owner_meeting_add,
    ownerships_reassign,
    package_entry_add,
)
from xinfang.petitions.models import Ownership
from xinfang.petitions.selectors import matter_get_for_user, matters_for_user
from xinfang.petitions.services.common import RegistryError

PAGE_SIZE = 50
BATCH_READERS = COUNTY_WIDE_ROLES  # the bureau and the main leaders, as the batch pages
CASE_READERS = BUREAU_ROLES | LEADER_ROLES
# A batch list's cursor: after a draft, its creation time (microseconds since 1970) and id; after an issued
# batch, its year and number (the list's order: drafts first, newest first, then issues by number).
BATCH_CURSOR = r"^(d-?\d{1,18}\.\d{1,18}|i\d{4}\.\d{1,9})$"
CASE_CURSOR = r"^\d{1,18}$"  # the last case's id: cases newest first
BAD_CURSOR = "分页游标无效，请使用上一页返回的 next 链接"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
ISSUED = "已印发，不能再修改"
NOT_CURRENT = "该包案已销号或改派，不能再填报"
NOT_FOUND_ENTRY = "包案事项不存在或不在您的管辖范围内"


def _path_id(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.PATH,
        description=description,
    )  # fmt: skip


BATCH_ID = _path_id("batch_id", "包案期次的编号（id）")
ENTRY_ID = _path_id("entry_id", "期次中包案事项的编号（id）")
CASE_ID = _path_id("ownership_id", "包案的编号（id）")
LEADER_ID = _path_id("leader_id", "县级领导的编号（id）")
MATTER_ID = _path_id("matter_id", "信访事项的编号（id）")
BATCH_PARAMETERS = [
    OpenApiParameter("state", str, enum=list(Batch.State.values), description="draft=草稿，issued=已印发"),
    OpenApiParameter(
        "year", {"type": "integer", "minimum": 1990, "maximum": 2100},
        description="年度：该年已印发的期次（草稿没有年度，总是列出；只看已印发的用 state=issued）",
    ),
    OpenApiParameter("after", str, pattern=BATCH_CURSOR, description="分页游标（由上一页的 next 链接带出）"),
]  # fmt: skip
CASE_PARAMETERS = [
    OpenApiParameter(
        "leader", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        description="只看某位包案领导的（信访局和县主要领导）；县级领导只能看到本人的",
    ),
    OpenApiParameter("after", str, pattern=CASE_CURSOR, description="分页游标（由上一页的 next 链接带出）"),
]  # fmt: skip


def _user(request: Request, roles: frozenset[str]) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in roles or user.county_id is None:
        raise PermissionDenied("您的角色无权进行此操作")
    return user


def _invalid(error: DjangoValidationError) -> ValidationError:
    """A service's refusal as a 400, beside its field when it names one."""
    if hasattr(error, "error_dict"):
        return ValidationError(dict(error.message_dict))
    return ValidationError({"non_field_errors": error.messages})


def _batch_refusal(error: DjangoValidationError, batch: Batch) -> Exception:
    """A draft's edit refused: 409 when it has been issued meanwhile, else a 400."""
    batch.refresh_from_db(fields=["state", "year", "number", "week_from"])
    if batch.state != Batch.State.DRAFT:
        return Conflict(f"{batch.label}{ISSUED}")
    return _invalid(error)


def _draft_only(batch: Batch) -> None:
    if batch.state != Batch.State.DRAFT:
        raise Conflict(f"{batch.label}{ISSUED}")


def _current_only(ownership: Ownership) -> None:
    if not ownership.is_current:
        raise Conflict(NOT_CURRENT)


def _next_link(request: Request, cursor: str) -> str:
    query = request.query_params.copy()
    query["after"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _named(leader: Leader | None) -> dict[str, Any] | None:
    return {"id": leader.pk, "name": leader.name} if leader is not None else None


def _files(ownership: Ownership, attachments: Iterable[Attachment]) -> list[dict[str, Any]]:
    return [
        {"id": file.pk, "name": file.name, "content_type": file.content_type, "size": file.size,
         "url": reverse("ownership:file", args=[ownership.pk, file.pk])}
        for file in attachments
    ]  # fmt: skip


# Batches ---------------------------------------------------------------------------------------------


def _batch_cursor(batch: Batch) -> str:
    if batch.state == Batch.State.ISSUED:
        return f"i{batch.year}.{batch.number}"
    return f"d{(batch.created_at - EPOCH) // MICROSECOND}.{batch.pk}"


def _batches_after(batches: QuerySet[Batch], after: str) -> QuerySet[Batch]:
    """The batches after the cursor, in the order of `batches_for_user`."""
    if not after:
        return batches
    if re.fullmatch(BATCH_CURSOR, after) is None:
        raise ValidationError({"after": [BAD_CURSOR]})
    first, second = after[1:].split(".")
    issued = Q(state=Batch.State.ISSUED)
    if after[0] == "i":
        return batches.filter(issued & (Q(year__lt=int(first)) | Q(year=int(first), number__lt=int(second))))
    try:
        created = EPOCH + int(first) * MICROSECOND
    except OverflowError as error:
        raise ValidationError({"after": [BAD_CURSOR]}) from error
    draft = Q(state=Batch.State.DRAFT)
    return batches.filter(
        issued | (draft & Q(created_at__lt=created)) | (draft & Q(created_at=created, pk__lt=int(second)))
    )


def _batch(batch: Batch, entries: int) -> dict[str, Any]:
    return {
        "id": batch.pk, "label": batch.label, "state": batch.state, "year": batch.year,
        "number": batch.number, "week_from": batch.week_from, "week_to": batch.week_to,
        "imported": batch.imported, "issued_on": batch.issued_on, "entry_count": entries,
        "created_at": batch.created_at,
        "document": batch.document_id,
    }  # fmt: skip


def _entry(entry: BatchEntry) -> dict[str, Any]:
    return {
        "id": entry.pk, "matter": entry.matter, "reasons": entry.reasons,
        "suggested_leader": _named(entry.suggested_leader), "suggestion": entry.suggestion,
        "leader": _named(entry.leader), "choice_reason": entry.choice_reason, "deadline": entry.deadline,
        "ownership": entry.ownership_id,
    }  # fmt: skip


def _batch_detail(user: User, batch_id: int, *, code: int = status.HTTP_200_OK) -> Response:
    batch = batch_get_for_user(user=user, batch_id=batch_id)
    entries = [_entry(entry) for entry in batch_entries(user=user, batch=batch)]
    data = _batch(batch, len(entries)) | {"entries": entries}
    return Response(BatchDetailSerializer(data).data, status=code)


def _entry_get(user: User, batch: Batch, entry_id: int) -> BatchEntry:
    """The gate of a batch's matter: one the user sees in the batch, or 404."""
    entry = batch_entries(user=user, batch=batch).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(NOT_FOUND_ENTRY)
    return entry


class BatchListApi(ContractApi):
    query_parameters: ClassVar[Mapping[str, frozenset[str]]] = {
        "get": frozenset(parameter.name for parameter in BATCH_PARAMETERS)
    }

    @extend_schema(
        operation_id="ownership_batches",
        summary="包案期次列表（信访局、县主要领导）：草稿在前，已印发的按期次倒序，游标分页",
        parameters=BATCH_PARAMETERS,
        responses={200: BatchPageSerializer, **error_responses(400, 403)},
    )
    def get(self, request: Request) -> Response:
        user = _user(request, BATCH_READERS)
        query = BatchListQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        batches = batch_list(user=user, year=values.get("year"))  # as the page: each with its visible count
        if values.get("state"):
            batches = batches.filter(state=values["state"])
        page = list(_batches_after(batches, values.get("after", ""))[: PAGE_SIZE + 1])
        following = _next_link(request, _batch_cursor(page[PAGE_SIZE - 1])) if len(page) > PAGE_SIZE else ""
        results = [_batch(batch, batch.matters) for batch in page[:PAGE_SIZE]]  # type: ignore[attr-defined]
        return Response(BatchPageSerializer({"results": results, "next": following}).data)

    @extend_schema(
        operation_id="ownership_batch_create",
        summary="新建空白的包案草稿（信访局；每周的草稿由系统自动起草）",
        request=BatchCreateInSerializer,
        responses={201: BatchDetailSerializer, **error_responses(400, 403, 415)},
    )
    def post(self, request: Request) -> Response:
        user = _user(request, BUREAU_ROLES)
        BatchCreateInSerializer(data=request.data).is_valid(raise_exception=True)
        batch = batch_create(by=user, now=timezone.now())
        return _batch_detail(user, batch.pk, code=status.HTTP_201_CREATED)


class BatchDetailApi(ContractApi):
    @extend_schema(
        operation_id="ownership_batch",
        summary="一期包案：事项、提请理由、建议的包案领导及理由、确定的领导、期限（反映本人的事项不列出）",
        parameters=[BATCH_ID],
        responses={200: BatchDetailSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, batch_id: int) -> Response:
        return _batch_detail(_user(request, BATCH_READERS), batch_id)


class BatchEntriesApi(ContractApi):
    @extend_schema(
        operation_id="ownership_entry_add",
        summary="把一件信访事项列入草稿（信访局），附列入理由；自动给出建议的包案领导；已印发的 409",
        parameters=[BATCH_ID],
        request=BatchEntryAddInSerializer,
        responses={201: BatchEntryOutSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, batch_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        batch = batch_get_for_user(user=user, batch_id=batch_id)
        serializer = BatchEntryAddInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _draft_only(batch)
        matter = matters_for_user(user=user).filter(number=data["matter"]).first()
        if matter is None:
            raise ValidationError({"matter": ["信访事项不存在或不在您的管辖范围内"]})
        try:
            entry = batch_entry_add(by=user, batch=batch, matter=matter, reason=data["reason"])
        except DjangoValidationError as error:
            raise _batch_refusal(error, batch) from error
        return Response(
            BatchEntryOutSerializer(_entry(_entry_get(user, batch, entry.pk))).data,
            status=status.HTTP_201_CREATED,
        )


class BatchEntryRemoveApi(ContractApi):
    @extend_schema(
        operation_id="ownership_entry_remove",
        summary="把一件事项移出草稿（信访局），附移出理由；已印发的 409",
        parameters=[BATCH_ID, ENTRY_ID],
        request=BatchEntryRemoveInSerializer,
        responses={200: BatchDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, batch_id: int, entry_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        batch = batch_get_for_user(user=user, batch_id=batch_id)
        entry = _entry_get(user, batch, entry_id)
        serializer = BatchEntryRemoveInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _draft_only(batch)
        try:
            batch_entry_remove(by=user, entry=entry, reason=serializer.validated_data["reason"])
        except DjangoValidationError as error:
            raise _batch_refusal(error, batch) from error
        return _batch_detail(user, batch.pk)


class BatchEntryOwnerApi(ContractApi):
    @extend_schema(
        operation_id="ownership_entry_owner",
        summary="确定一件事项的包案领导（信访局）：采用建议或另选（须说明理由），可定化解期限；已印发的 409",
        parameters=[BATCH_ID, ENTRY_ID],
        request=BatchEntryOwnerInSerializer,
        responses={200: BatchEntryOutSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, batch_id: int, entry_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        batch = batch_get_for_user(user=user, batch_id=batch_id)
        entry = _entry_get(user, batch, entry_id)
        serializer = BatchEntryOwnerInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _draft_only(batch)
        leader = leaders_for_user(user=user).filter(pk=data["leader"]).first()
        if leader is None:
            raise ValidationError({"leader": ["领导不存在或已不在任"]})
        try:
            batch_entry_choose(
                by=user,
                entry=entry,
                leader=leader,
                reason=data.get("reason", ""),
                deadline=data.get("deadline"),
            )
        except DjangoValidationError as error:
            raise _batch_refusal(error, batch) from error
        return Response(BatchEntryOutSerializer(_entry(_entry_get(user, batch, entry.pk))).data)


class BatchIssueApi(ContractApi):
    @extend_schema(
        operation_id="ownership_batch_issue",
        summary="印发（信访局）：编号、交办各包案领导、存档并短信通知；有事项未定领导等时 400，已印发的 409",
        parameters=[BATCH_ID],
        request=BatchIssueInSerializer,
        responses={200: BatchDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, batch_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        batch = batch_get_for_user(user=user, batch_id=batch_id)
        BatchIssueInSerializer(data=request.data).is_valid(raise_exception=True)
        _draft_only(batch)
        try:
            batch_issue(by=user, batch=batch)
        except DjangoValidationError as error:
            raise _batch_refusal(error, batch) from error
        except RegistryError as error:  # the registry's refusal to hand a matter to its owner, passed through
            raise _batch_refusal(DjangoValidationError(str(error)), batch) from error
        return _batch_detail(user, batch.pk)


# Owned cases -----------------------------------------------------------------------------------------


def _package(package: Package, state: str) -> dict[str, Any]:
    return {
        "package": package.value, "package_label": package.label, "state": PACKAGE_STATES[state],
        "state_label": state,
    }  # fmt: skip


def _case(row: CaseRow) -> dict[str, Any]:
    ownership, entry = row.ownership, row.entry
    return {
        "id": ownership.pk, "matter": ownership.matter, "leader": _named(ownership.leader),
        "since": ownership.since, "is_current": ownership.is_current, "ended_on": ownership.ended_on,
        "end_reason": ownership.end_reason,
        "batch": {"id": entry.batch.pk, "label": entry.batch.label} if entry is not None else None,
        "deadline": entry.deadline if entry is not None else None, "overdue": row.overdue,
        # the tags come in the order of the five 包
        "packages": [
            _package(package, tag.state) for package, tag in zip(Package, row.packages, strict=True)
        ],
        "empty": len(row.empty), "meeting_count": row.meetings, "closure_pending": row.closure_pending,
    }  # fmt: skip


def _case_detail(user: User, ownership_id: int, *, code: int = status.HTTP_200_OK) -> Response:
    ownership = ownership_get_for_user(user=user, ownership_id=ownership_id)
    (row,) = case_rows([ownership], timezone.localdate())
    packages = [
        _package(state.package, state.state) | {
            "entries": [
                {"id": record.pk, "date": record.date, "content": record.content,
                 "completes": record.completes,
                 "by": record.by.display_name, "at": record.at,
                 "attachments": _files(ownership, record.attachments.all())}
                for record in state.entries
            ]
        }
        for state in package_states(ownership)
    ]  # fmt: skip
    meetings = [
        {"id": meeting.pk, "date": meeting.date, "place": meeting.place, "attendees": meeting.attendees,
         "agreed": meeting.agreed, "by": meeting.by.display_name, "at": meeting.at,
         "attachments": _files(ownership, meeting.attachments.all())}
        for meeting in meetings_of(ownership)
    ]  # fmt: skip
    closures = [
        {"id": closure.pk, "state": closure.state, "state_label": closure.get_state_display(),
         "note": closure.note, "requested_by": closure.requested_by.display_name,
         "requested_at": closure.requested_at,
         "decided_by": closure.decided_by.display_name if closure.decided_by else None,
         "decided_at": closure.decided_at, "decision_note": closure.decision_note}
        for closure in ownership.closures.select_related("requested_by", "decided_by")
    ]  # fmt: skip
    data = _case(row) | {"packages": packages, "meetings": meetings, "closures": closures}
    return Response(CaseDetailSerializer(data).data, status=code)


class CaseListApi(ContractApi):
    query_parameters: ClassVar[Mapping[str, frozenset[str]]] = {
        "get": frozenset(parameter.name for parameter in CASE_PARAMETERS)
    }

    @extend_schema(
        operation_id="ownership_cases",
        summary="当前的包案（县级领导：本人的；信访局、县主要领导：全县的），含五包状态，新的在前，游标分页",
        parameters=CASE_PARAMETERS,
        responses={200: CasePageSerializer, **error_responses(400, 403)},
    )
    def get(self, request: Request) -> Response:
        user = _user(request, CASE_READERS)
        query = CaseListQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        cases = ownerships_for_user(user=user).select_related(
            "matter__origin_township", "matter__category__parent", "matter__responsible_unit", "leader"
        )
        if values.get("leader"):
            cases = cases.filter(leader_id=values["leader"])
        after = values.get("after", "")
        if after:
            if re.fullmatch(CASE_CURSOR, after) is None:
                raise ValidationError({"after": [BAD_CURSOR]})
            cases = cases.filter(pk__lt=int(after))
        page = list(cases.order_by("-id")[: PAGE_SIZE + 1])
        following = _next_link(request, str(page[PAGE_SIZE - 1].pk)) if len(page) > PAGE_SIZE else ""
        results = [_case(row) for row in case_rows(page[:PAGE_SIZE], timezone.localdate())]
        return Response(CasePageSerializer({"results": results, "next": following}).data)


class CaseDetailApi(ContractApi):
    @extend_schema(
        operation_id="ownership_case",
        summary="一件包案：五包及其工作记录、见面约谈、销号申请（包括已销号或改派的）",
        parameters=[CASE_ID],
        responses={200: CaseDetailSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, ownership_id: int) -> Response:
        return _case_detail(_user(request, CASE_READERS), ownership_id)


def _case_record(
    request: Request,
    ownership_id: int,
    serializer_class: type[Serializer[Any]],
    record: Callable[..., object],
) -> Response:
    """Record a 包 entry or a meeting on a current case: gate, validate, the service, the case as now."""
    user = _user(request, CASE_READERS)
    ownership = ownership_get_for_user(user=user, ownership_id=ownership_id)
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    _current_only(ownership)
    try:
        record(by=user, ownership=ownership, **serializer.validated_data)
    except DjangoValidationError as error:
        raise _invalid(error) from error
    return _case_detail(user, ownership.pk, code=status.HTTP_201_CREATED)


class CasePackageApi(ContractApi):
    @extend_schema(
        operation_id="ownership_package_add",
        summary="填报五包中一项的工作情况（包案领导本人或信访局）；已销号或改派的 409",
        description="附件（照片、扫描件）不通过接口上传，请在“我的包案”页面上添加。",
        parameters=[CASE_ID],
        request=PackageEntryInSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, ownership_id: int) -> Response:
        return _case_record(request, ownership_id, PackageEntryInSerializer, package_entry_add)


class CaseMeetingApi(ContractApi):
    @extend_schema(
        operation_id="ownership_meeting_add",
        summary="记录见面约谈（包案领导本人或信访局）：日期、地点、参加人员、约谈结果；已销号或改派的 409",
        description="附件不通过接口上传，请在“我的包案”页面上添加。",
        parameters=[CASE_ID],
        request=OwnerMeetingInSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, ownership_id: int) -> Response:
        return _case_record(request, ownership_id, OwnerMeetingInSerializer, owner_meeting_add)


class CaseClosureApi(ContractApi):
    @extend_schema(
        operation_id="ownership_closure_request",
        summary="申请销号（包案领导本人或信访局）：五包都已填报、事项已化解或办结才能申请，否则 409",
        parameters=[CASE_ID],
        request=ClosureRequestInSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, ownership_id: int) -> Response:
        user = _user(request, CASE_READERS)
        ownership = ownership_get_for_user(user=user, ownership_id=ownership_id)
        serializer = ClosureRequestInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _current_only(ownership)
        try:
            closure_request(by=user, ownership=ownership, note=serializer.validated_data["note"])
        except DjangoValidationError as error:
            # The note is checked above: what the service refuses is the case's state (a 包 still empty,
            # the matter not finished, a request already waiting).
            raise Conflict(error.messages[0]) from error
        return _case_detail(user, ownership.pk, code=status.HTTP_201_CREATED)


def _decide(
    request: Request, ownership_id: int, form: type[StrictSerializer], *, confirm: bool, note: str
) -> Response:
    """The bureau's confirmation or send-back of the case's waiting 销号 request."""
    user = _user(request, BUREAU_ROLES)
    ownership = ownership_get_for_user(user=user, ownership_id=ownership_id)
    serializer = form(data=request.data)
    serializer.is_valid(raise_exception=True)
    closure = closure_pending(ownership)
    if closure is None:
        raise Conflict("没有待确认的销号申请")
    try:
        closure_decide(
            by=user, closure=closure, confirm=confirm, note=serializer.validated_data.get(note, "")
        )
    except DjangoValidationError as error:
        closure.refresh_from_db(fields=["state"])
        if closure.state != Closure.State.REQUESTED:  # decided meanwhile
            raise Conflict("该销号申请已处理") from error
        raise _invalid(error) from error
    return _case_detail(user, ownership.pk)


class CaseClosureConfirmApi(ContractApi):
    @extend_schema(
        operation_id="ownership_closure_confirm",
        summary="确认销号（信访局）：包案结束；没有待确认的申请时 409",
        parameters=[CASE_ID],
        request=ClosureConfirmInSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, ownership_id: int) -> Response:
        return _decide(request, ownership_id, ClosureConfirmInSerializer, confirm=True, note="note")


class CaseClosureReturnApi(ContractApi):
    @extend_schema(
        operation_id="ownership_closure_return",
        summary="退回销号申请（信访局），附退回理由；没有待确认的申请时 409",
        parameters=[CASE_ID],
        request=ClosureReturnInSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, ownership_id: int) -> Response:
        return _decide(request, ownership_id, ClosureReturnInSerializer, confirm=False, note="reason")


# Leaders and units -----------------------------------------------------------------------------------


class LeaderReassignApi(ContractApi):
    @extend_schema(
        operation_id="ownership_reassign",
        summary="领导离任或长期不在岗时一次改派其全部当前包案（信访局）：给指定的领导，或每件按建议改派",
        parameters=[LEADER_ID],
        request=ReassignInSerializer,
        responses={200: ReassignOutSerializer, **error_responses(400, 403, 404, 415)},
    )
    def post(self, request: Request, leader_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        leader = leader_get_for_user(user=user, leader_id=leader_id, inactive=True)
        serializer = ReassignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        to = None
        if data.get("to") is not None:
            to = leaders_for_user(user=user).filter(pk=data["to"]).first()
            if to is None:
                raise ValidationError({"to": ["领导不存在或已不在任"]})
        try:
            moved = ownerships_reassign(by=user, leader=leader, to=to, reason=data["reason"])
        except DjangoValidationError as error:
            raise _invalid(error) from error
        return Response(
            ReassignOutSerializer({"moved": moved, "leader": _named(leader), "to": _named(to)}).data
        )


class MatterEscalationApi(ContractApi):
    @extend_schema(
        operation_id="ownership_escalate",
        summary="提请县级领导包案（乡镇、县直单位）：下一期草稿将列入并附本单位的理由",
        description="事项已办结、已有包案领导，或本单位已提请尚待列入时为 409。",
        parameters=[MATTER_ID],
        request=EscalationInSerializer,
        responses={201: EscalationOutSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, matter_id: int) -> Response:
        user = _user(request, frozenset({Role.UNIT_USER}))
        matter = matter_get_for_user(user=user, matter_id=matter_id)
        serializer = EscalationInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            escalation = escalation_request(
                by=user, matter=matter, reason=serializer.validated_data["reason"]
            )
        except DjangoValidationError as error:
            # The scope and the reason are checked above: what the service refuses is the matter's state.
            raise Conflict(error.messages[0]) from error
        return Response(EscalationOutSerializer(_escalation(escalation)).data, status=status.HTTP_201_CREATED)


def _escalation(escalation: Escalation) -> dict[str, Any]:
    return {
        "id": escalation.pk, "matter": escalation.matter_id, "matter_number": escalation.matter.number,
        "unit": {"id": escalation.unit.pk, "name": escalation.unit.name}, "reason": escalation.reason,
        "state": escalation.state, "state_label": escalation.get_state_display(),
        "requested_at": escalation.requested_at,
    }  # fmt: skip
