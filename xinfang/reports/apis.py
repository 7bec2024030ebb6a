"""The weekly analysis's REST API (每周访情分析, issue 15): the same gate, selectors and services as the
pages, under core/api.py's contract (unknown fields and parameters refused, JSON only, the error shapes).
A main leader reads an issue in their own copy: the key matters that report them (Art. 46) are left out
of its figures and its 批示 as they are out of the copy delivered to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.accounts.models import User
from xinfang.core.api import Conflict, ContractApi, StrictSerializer, error_responses
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import Leader, Unit
from xinfang.documents.selectors import document_get_for_user
from xinfang.documents.services import delivery_read
from xinfang.reports.models import WeeklyReport
from xinfang.reports.selectors import weekly_get_for_user, weekly_instructions, weekly_reports, weekly_years
from xinfang.reports.services.common import TEXT_LIMIT
from xinfang.reports.services.weekly import (
    weekly_approve,
    weekly_draft,
    weekly_edit,
    weekly_instruct,
)
from xinfang.reports.weekly import week_of
from xinfang.supervision.models import OVERDUE, SupervisionItem, state_label
from xinfang.supervision.services import INSTRUCTION_MAX

READERS = BUREAU_ROLES | {Role.MAIN_LEADER}
MAX_ID = 2**63 - 1
FIRST_WEEK = dt.date(1990, 1, 1)  # as the registry's earliest visit date
MAX_UNITS = 50
REPORT_ID = OpenApiParameter(
    "report_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.PATH,
    description="每周访情分析的编号（id）",
)  # fmt: skip
YEAR = OpenApiParameter(
    "year", {"type": "integer", "minimum": 1990, "maximum": 2100},
    description="年度（按周的最后一天）；不填为有访情分析的最近一年，没有时为今年",
)  # fmt: skip
ISSUED_CONFLICT = "本期已印发，不能再修改"
NOT_IN_ISSUE = "该事项不在本期重点事项中"


def _user(request: Request, roles: frozenset[str]) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in roles or user.county_id is None:
        raise PermissionDenied("您的角色无权进行此操作")
    return user


def _report(user: User, report_id: int) -> WeeklyReport:
    """The page's gate (drafts the bureau's, issues the bureau's and the main leaders'), or 404."""
    try:
        return weekly_get_for_user(user=user, report_id=report_id)
    except Http404 as error:
        raise NotFound("每周访情分析不存在或不在您的查看范围内") from error


def _omitted(user: User, report: WeeklyReport) -> frozenset[str]:
    """The key matters left out of the user's copy of the issue (none for a draft or the full copy)."""
    if report.document_id is None:
        return frozenset()
    reading = document_get_for_user(user=user, document_id=report.document_id)
    return frozenset(reading.copy.omitted)


# Output ---------------------------------------------------------------------------------------------


# The issue's state is its own component (WeeklyState) in the document: other operations name their own
# choices "state" too, which drf-spectacular would otherwise rename with a warning.
@extend_schema_field(
    {"type": "string", "enum": list(WeeklyReport.State.values)}, component_name="WeeklyState"
)
class WeeklyStateField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=WeeklyReport.State.choices, help_text="draft=草稿，issued=已印发", **kwargs)


class WeeklyCountsSerializer(serializers.Serializer[Any]):
    matters = serializers.IntegerField(help_text="件（起）")
    events = serializers.IntegerField(help_text="批次")
    persons = serializers.IntegerField(help_text="人次")


def _breakdown(help_text: str) -> serializers.DictField:
    return serializers.DictField(child=WeeklyCountsSerializer(), help_text=help_text)


class WeeklyBreakdownsSerializer(serializers.Serializer[Any]):
    by_level = _breakdown("按信访层级")
    by_channel = _breakdown("按信访形式")
    by_category = _breakdown("按问题类别（一级）")
    by_township = _breakdown("按乡镇")
    by_unit = _breakdown("按责任单位")


class WeeklyKeyMatterSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    level = serializers.CharField()
    owner = serializers.CharField(allow_blank=True, help_text="包案领导；未包案时为空")
    status = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="重点原因")
    township = serializers.CharField(allow_blank=True)
    unit = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True)
    petitioner = serializers.CharField(help_text="信访人（已脱敏）")
    due_date = serializers.DateField(allow_null=True)
    matter_id = serializers.IntegerField()


class WeeklyFiguresSerializer(WeeklyBreakdownsSerializer):
    county = serializers.CharField(help_text="县代码")
    number = serializers.IntegerField(allow_null=True, help_text="期号；草稿为 null")
    # "from" is a keyword: the two dates are declared below under their JSON names.
    totals = WeeklyCountsSerializer(help_text="本周合计")
    previous = WeeklyCountsSerializer(help_text="上周合计（环比）")
    previous_from = serializers.DateField()
    previous_to = serializers.DateField()
    previous_by = serializers.DictField(
        child=serializers.DictField(child=WeeklyCountsSerializer()), help_text="上周的各项分类"
    )
    collective_events = serializers.IntegerField()
    repeat_events = serializers.IntegerField()
    over_level_events = serializers.IntegerField()
    previous_collective_events = serializers.IntegerField()
    previous_repeat_events = serializers.IntegerField()
    previous_over_level_events = serializers.IntegerField()
    key_matters = WeeklyKeyMatterSerializer(many=True)
    key_matters_total = serializers.IntegerField(help_text="重点事项总数（列出的至多为设置的上限）")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(help_text="本周起始日期")
        fields["to"] = serializers.DateField(help_text="本周截止日期")
        return fields


class WeeklyListItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    # "from" and "to" added in get_fields, as above
    state = WeeklyStateField()
    number = serializers.IntegerField(allow_null=True, help_text="期号；草稿为 null")
    # The metaclass takes declared fields off the class, so this "label" never shadows Field.label.
    label = serializers.CharField(help_text="如“2026年第1期每周访情分析”；草稿为“草稿”")  # type: ignore[assignment]
    events = serializers.IntegerField(help_text="本周信访批次")
    drafted_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    document = serializers.IntegerField(allow_null=True, help_text="印发文件的编号（/api/v1/documents/）")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(help_text="起始日期")
        fields["to"] = serializers.DateField(help_text="截止日期")
        return fields


class WeeklyListSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField(), help_text="有访情分析的年度，新的在前")
    results = WeeklyListItemSerializer(many=True)


class WeeklyNamedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WeeklyInstructionOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="督办事项的编号（/api/v1/supervision/）")
    matter_number = serializers.CharField(allow_null=True, help_text="批示的重点事项；就全文批示时为 null")
    instruction = serializers.CharField()
    instructed_by = WeeklyNamedSerializer(allow_null=True, help_text="批示领导")
    instructed_at = serializers.DateField()
    on_paper = serializers.BooleanField(help_text="信访局代录的纸质批示")
    leader = WeeklyNamedSerializer(help_text="牵头领导")
    units = WeeklyNamedSerializer(many=True, help_text="责任单位")
    deadline = serializers.DateField()
    state = serializers.ChoiceField(
        choices=[*SupervisionItem.State.values, OVERDUE],
        help_text="todo=待办，in_progress=办理中，done=已办结，overdue=超期",
    )
    state_label = serializers.CharField()


class WeeklyDetailSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    state = WeeklyStateField()
    number = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    figures = WeeklyFiguresSerializer(
        help_text="访情数字，与 `xinfang report weekly --format json` 同形；已印发的为审定时冻结的数字"
    )
    figures_at = serializers.DateTimeField(help_text="统计时间")
    analysis = serializers.CharField(allow_blank=True, help_text="分析研判")
    suggestions = serializers.CharField(allow_blank=True, help_text="意见建议")
    drafted_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    document = serializers.IntegerField(allow_null=True, help_text="印发文件的编号（/api/v1/documents/）")
    page_url = serializers.CharField(help_text="本期的页面地址")
    instructions = WeeklyInstructionOutSerializer(many=True, help_text="本期的领导批示（督办事项）")


def _label(report: WeeklyReport) -> str:
    return report.document.label if report.document is not None else "草稿"


def _list_item(report: WeeklyReport) -> dict[str, Any]:
    document = report.document
    return {
        "id": report.pk, "from": report.date_from, "to": report.date_to, "state": report.state,
        "number": document.number if document else None, "label": _label(report),
        "events": report.figures.get("totals", {}).get("events", 0), "drafted_at": report.drafted_at,
        "approved_at": document.approved_at if document else None, "document": report.document_id,
    }  # fmt: skip


def _instruction(item: SupervisionItem) -> dict[str, Any]:
    by = item.instructed_by
    shown = item.display_state
    return {
        "id": item.pk, "matter_number": item.matter.number if item.matter else None,
        "instruction": item.instruction, "instructed_by": {"id": by.pk, "name": by.name} if by else None,
        "instructed_at": item.instructed_at, "on_paper": item.on_paper,
        "leader": {"id": item.leader_id, "name": item.leader.name},
        "units": [{"id": unit.pk, "name": unit.name} for unit in item.units.all()],
        "deadline": item.deadline, "state": shown, "state_label": state_label(shown),
    }  # fmt: skip


def _instructions(report: WeeklyReport, omitted: frozenset[str]) -> list[dict[str, Any]]:
    return [_instruction(item) for item in weekly_instructions(report=report, omit=omitted)]


def _figures(report: WeeklyReport, omitted: frozenset[str]) -> dict[str, Any]:
    """The draft's figures, or the issue's frozen snapshot, as the reader's copy has them."""
    source = report.document.snapshot if report.document is not None else report.figures
    figures = {key: value for key, value in source.items() if key not in ("analysis", "suggestions")}
    if omitted:
        shown = [row for row in figures["key_matters"] if row["number"] not in omitted]
        # The total drops as well: a count above the rows listed would tell that some were left out.
        hidden = len(figures["key_matters"]) - len(shown)
        figures["key_matters"], figures["key_matters_total"] = shown, figures["key_matters_total"] - hidden
    return figures


def _detail(user: User, report: WeeklyReport, *, code: int = status.HTTP_200_OK) -> Response:
    report.refresh_from_db()
    omitted = _omitted(user, report)
    document = report.document
    data = {
        "id": report.pk, "state": report.state, "number": document.number if document else None,
        "label": _label(report), "figures": _figures(report, omitted), "figures_at": report.figures_at,
        "analysis": report.analysis, "suggestions": report.suggestions, "drafted_at": report.drafted_at,
        "edited_at": report.edited_at, "approved_at": document.approved_at if document else None,
        "document": report.document_id, "page_url": reverse("reports:weekly_issue", args=[report.pk]),
        "instructions": _instructions(report, omitted),
    }  # fmt: skip
    return Response(WeeklyDetailSerializer(data).data, status=code)


def _refusal(error: DjangoValidationError, report: WeeklyReport) -> Exception:
    """A draft's edit or approval refused: 409 when it has been issued meanwhile, else as `_invalid`."""
    if WeeklyReport.objects.filter(pk=report.pk, state=WeeklyReport.State.ISSUED).exists():
        return Conflict(ISSUED_CONFLICT)
    return _invalid(error)


def _invalid(error: DjangoValidationError) -> Exception:
    """A service's refusal as a 400, beside its field when it names one."""
    if hasattr(error, "error_dict"):
        return ValidationError(dict(error.message_dict))
    return ValidationError({"non_field_errors": error.messages})


# Input ----------------------------------------------------------------------------------------------


class WeeklyListQuerySerializer(StrictSerializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False)


class WeeklyDraftInSerializer(StrictSerializer):
    week = serializers.DateField(help_text="所在周的任一日期（不早于1990-01-01，不晚于今天）")

    def validate_week(self, day: dt.date) -> dt.date:
        if day > timezone.localdate():
            raise serializers.ValidationError("不能起草尚未开始的一周")
        if day < FIRST_WEEK:
            raise serializers.ValidationError("日期不能早于1990年1月1日")
        return day


class WeeklyEditInSerializer(StrictSerializer):
    analysis = serializers.CharField(
        max_length=TEXT_LIMIT, allow_blank=True, required=False, help_text="分析研判（不填则不变）"
    )
    suggestions = serializers.CharField(
        max_length=TEXT_LIMIT, allow_blank=True, required=False, help_text="意见建议（不填则不变）"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("请至少填写分析研判或意见建议之一")
        return attrs


class WeeklyApproveInSerializer(StrictSerializer):
    confirm = serializers.BooleanField(
        help_text="已核对数字和文字，确认审定印发（编号后报县主要领导签批、送县委常委阅知，不能撤回）"
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("请确认后再审定印发")
        return value


class WeeklyInstructionInSerializer(StrictSerializer):
    matter = serializers.CharField(
        max_length=30, required=False, allow_blank=True,
        help_text="批示的重点事项编号（本期重点事项之一）；不填为就全文（整期）批示",
    )  # fmt: skip
    instruction = serializers.CharField(max_length=INSTRUCTION_MAX, help_text="批示内容")
    leader = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="牵头领导的编号（本县在任）")
    units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=MAX_UNITS, required=False,
        help_text="责任单位的编号（本县在用）",
    )  # fmt: skip
    deadline = serializers.DateField(help_text="办理期限（不早于今天）")


# Views ----------------------------------------------------------------------------------------------


class WeeklyListApi(ContractApi):
    query_parameters: ClassVar[Mapping[str, frozenset[str]]] = {"get": frozenset({"year"})}

    @extend_schema(
        operation_id="weekly_list",
        summary="一年的每周访情分析（信访局：草稿和已印发；县主要领导：已印发），新的在前",
        parameters=[YEAR],
        responses={200: WeeklyListSerializer, **error_responses(400, 403)},
    )
    def get(self, request: Request) -> Response:
        user = _user(request, READERS)
        county = user.county
        assert county is not None
        query = WeeklyListQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        years = weekly_years(county=county)
        year = query.validated_data.get("year") or (years[0] if years else timezone.localdate().year)
        reports = weekly_reports(county=county, year=year)
        if user.role not in BUREAU_ROLES:  # as the gate: the main leaders read issues only
            reports = [report for report in reports if report.document_id is not None]
        results = [_list_item(report) for report in reports]
        return Response(WeeklyListSerializer({"year": year, "years": years, "results": results}).data)

    @extend_schema(
        operation_id="weekly_draft",
        summary="起草某周的访情分析（信访局）：201 为新起草；该周已有的（草稿或已印发）原样返回，200",
        request=WeeklyDraftInSerializer,
        responses={
            201: WeeklyDetailSerializer, 200: WeeklyDetailSerializer, **error_responses(400, 403, 415)
        },
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        user = _user(request, BUREAU_ROLES)
        assert user.county is not None
        serializer = WeeklyDraftInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        date_from, date_to = week_of(serializer.validated_data["week"])
        report, created = weekly_draft(county=user.county, date_from=date_from, date_to=date_to, by=user)
        return _detail(user, report, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class WeeklyDetailApi(ContractApi):
    @extend_schema(
        operation_id="weekly_detail",
        summary="一期访情分析：数字、分析研判、意见建议和批示（县主要领导只能查看已印发的，读取即为阅读回执）",
        parameters=[REPORT_ID],
        responses={200: WeeklyDetailSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, report_id: int) -> Response:
        user = _user(request, READERS)
        report = _report(user, report_id)
        if report.document_id is not None:  # the read receipt, as opening the issue's page gives it
            reading = document_get_for_user(user=user, document_id=report.document_id)
            if reading.delivery is not None:
                delivery_read(delivery=reading.delivery, user=user)
        return _detail(user, report)

    @extend_schema(
        operation_id="weekly_edit",
        summary="修改草稿的分析研判和意见建议（信访局；已印发的不能修改，409）",
        parameters=[REPORT_ID],
        request=WeeklyEditInSerializer,
        responses={200: WeeklyDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def patch(self, request: Request, report_id: int) -> Response:
        user = _user(request, BUREAU_ROLES)
        report = _report(user, report_id)
        serializer = WeeklyEditInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if report.state != WeeklyReport.State.DRAFT:
            raise Conflict(ISSUED_CONFLICT)
        data = serializer.validated_data
        try:
            weekly_edit(
                report=report, by=user, analysis=data.get("analysis", report.analysis),
                suggestions=data.get("suggestions", report.suggestions),
            )  # fmt: skip
        except DjangoValidationError as error:
            raise _refusal(error, report) from error
        return _detail(user, report)


class WeeklyApproveApi(ContractApi):
    @extend_schema(
        operation_id="weekly_approve",
        summary="审定印发（信访局长）：按最新登记再统计一次并冻结，编号、存档并报送；已印发的 409",
        parameters=[REPORT_ID],
        request=WeeklyApproveInSerializer,
        responses={200: WeeklyDetailSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, report_id: int) -> Response:
        user = _user(request, frozenset({Role.BUREAU_HEAD}))
        report = _report(user, report_id)
        serializer = WeeklyApproveInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if report.state != WeeklyReport.State.DRAFT:
            raise Conflict("本期已印发，不能重复审定")
        try:
            weekly_approve(report=report, by=user)
        except DjangoValidationError as error:
            raise _refusal(error, report) from error
        return _detail(user, report)


class WeeklyInstructionsApi(ContractApi):
    @extend_schema(
        operation_id="weekly_instructions",
        summary="本期的领导批示，每条一个督办事项（旧的在前）",
        parameters=[REPORT_ID],
        responses={200: WeeklyInstructionOutSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, report_id: int) -> Response:
        user = _user(request, READERS)
        report = _report(user, report_id)
        items = _instructions(report, _omitted(user, report))
        return Response(WeeklyInstructionOutSerializer(items, many=True).data)

    @extend_schema(
        operation_id="weekly_instruct",
        summary="县主要领导本人批示（就全文或本期的一件重点事项），生成督办事项并短信通知牵头领导和责任单位",
        description=(
            "只有县主要领导本人可以通过接口批示；信访局代录纸质批示须上传批示原件扫描件，只能在页面"
            "（/reports/weekly/{report_id}/）上办理，通过接口为 403。草稿为 404。"
        ),
        parameters=[REPORT_ID],
        request=WeeklyInstructionInSerializer,
        responses={201: WeeklyInstructionOutSerializer, **error_responses(400, 403, 404, 415)},
    )
    def post(self, request: Request, report_id: int) -> Response:
        if isinstance(request.user, User) and request.user.role in BUREAU_ROLES:
            raise PermissionDenied("纸质批示代录须上传扫描件，请在页面上办理")
        user = _user(request, frozenset({Role.MAIN_LEADER}))
        report = _report(user, report_id)
        serializer = WeeklyInstructionInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assert report.document is not None  # a main leader's gate admits issues only
        number = data.get("matter", "").strip()
        if number and number in _omitted(user, report):  # not in the reader's copy: as if not listed
            raise ValidationError({"matter": [NOT_IN_ISSUE]})
        leader = Leader.objects.filter(county=report.county, is_active=True, pk=data["leader"]).first()
        if leader is None:
            raise ValidationError({"leader": ["牵头领导不存在或已不在任"]})
        wanted = list(dict.fromkeys(data.get("units", [])))
        units = {
            unit.pk: unit for unit in Unit.objects.filter(county=report.county, is_active=True, pk__in=wanted)
        }
        unknown = [str(pk) for pk in wanted if pk not in units]
        if unknown:
            raise ValidationError({"units": [f"责任单位不存在或已停用：{'、'.join(unknown)}"]})
        if data["deadline"] < timezone.localdate():
            raise ValidationError({"deadline": ["办理期限不能早于今天"]})
        try:
            item = weekly_instruct(
                report=report, by=user, matter_number=number, instruction=data["instruction"], leader=leader,
                units=[units[pk] for pk in wanted], deadline=data["deadline"],
            )  # fmt: skip
        except DjangoValidationError as error:
            raise _invalid(error) from error
        item = (
            SupervisionItem.objects.select_related("matter", "instructed_by", "leader")
            .prefetch_related("units")
            .get(pk=item.pk)
        )
        return Response(
            WeeklyInstructionOutSerializer(_instruction(item)).data, status=status.HTTP_201_CREATED
        )
