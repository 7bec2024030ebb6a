"""API shapes of the ownership system (领导包案): the output of batches and owned cases, and input that
refuses unknown fields, with Chinese messages (core/api.py's contract)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from xinfang.core.api import StrictSerializer
from xinfang.ownership.models import Batch, Closure, Escalation, Package
from xinfang.ownership.services import TEXT_MAX
from xinfang.petitions.models import Ownership
from xinfang.petitions.serializers import MatterOutSerializer

MAX_ID = 2**63 - 1
EARLIEST = dt.date(1990, 1, 1)  # as the registry's earliest visit date
# The five 包's states as the selectors name them (未开展/进行中/已完成), with a code for each.
PACKAGE_STATES = {"未开展": "not_started", "进行中": "in_progress", "已完成": "done"}
REASON_MAX = 300  # a reason kept on a batch entry or a reassignment (the services' limit)
NOTE_MAX = 500  # the bureau's note on a 销号 and a unit's reason to escalate


# Each choice set is its own component in the document: several are named "state", which drf-spectacular
# would otherwise rename with a warning.
def _enum(
    component: str, choices: list[tuple[str, str]], blank: bool = False
) -> Callable[..., serializers.ChoiceField]:
    values = [value for value, _ in choices]

    @extend_schema_field(
        {"type": "string", "enum": [*values, ""] if blank else values}, component_name=component
    )
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("help_text", "，".join(f"{value}={label}" for value, label in choices))
            super().__init__(choices=choices, allow_blank=blank, **kwargs)

    return Field


BatchStateField = _enum("BatchState", Batch.State.choices)
PackageField = _enum("OwnershipPackage", Package.choices)
PackageStateField = _enum("PackageState", [(code, label) for label, code in PACKAGE_STATES.items()])
ClosureStateField = _enum("ClosureState", Closure.State.choices)
EscalationStateField = _enum("EscalationState", Escalation.State.choices)
EndReasonField = _enum("OwnershipEndReason", Ownership.EndReason.choices, blank=True)


# Output ---------------------------------------------------------------------------------------------


class OwnershipNamedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OwnershipAttachmentOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="字节")
    url = serializers.CharField(help_text="下载地址（页面的附件下载，记入审计）")


class BatchOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    # The metaclass takes declared fields off the class, so this "label" never shadows Field.label.
    label = serializers.CharField(help_text="如“2026年第3期”；草稿为“包案草稿”")  # type: ignore[assignment]
    state = BatchStateField()
    year = serializers.IntegerField(allow_null=True, help_text="年度；草稿为 null")
    number = serializers.IntegerField(allow_null=True, help_text="期次（本县本年连续编号）；草稿为 null")
    week_from = serializers.DateField(
        allow_null=True, help_text="候选事项所在周的起始日期；手工新建的为 null"
    )
    week_to = serializers.DateField(allow_null=True)
    imported = serializers.BooleanField(help_text="由台账的“包案期次”列导入")
    issued_on = serializers.DateField(allow_null=True, help_text="印发日期；草稿为 null")
    entry_count = serializers.IntegerField(help_text="本人可见的包案事项件数")
    created_at = serializers.DateTimeField()
    document = serializers.IntegerField(allow_null=True, help_text="印发文件的编号（/api/v1/documents/）")


class BatchPageSerializer(serializers.Serializer[Any]):
    results = BatchOutSerializer(many=True)
    next = serializers.CharField(allow_blank=True, help_text="下一页的完整链接（没有下一页时为空）")


class BatchEntryOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    matter = MatterOutSerializer()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="提请理由，最重要的在前")
    suggested_leader = OwnershipNamedSerializer(allow_null=True, help_text="建议包案领导；无可建议的为 null")
    suggestion = serializers.CharField(allow_blank=True, help_text="建议理由")
    leader = OwnershipNamedSerializer(allow_null=True, help_text="确定的包案领导；未确定为 null")
    choice_reason = serializers.CharField(allow_blank=True, help_text="改派理由（未采用建议时）")
    deadline = serializers.DateField(allow_null=True, help_text="化解期限；印发时未定的按设置的天数")
    ownership = serializers.IntegerField(
        allow_null=True, help_text="印发后的包案编号（/api/v1/ownership/cases/）；草稿为 null"
    )


class BatchDetailSerializer(BatchOutSerializer):
    entries = BatchEntryOutSerializer(many=True, help_text="包案事项（反映本人的事项不列出）")


class PackageOutSerializer(serializers.Serializer[Any]):
    package = PackageField()
    package_label = serializers.CharField()
    state = PackageStateField()
    state_label = serializers.CharField()


class PackageEntryOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    date = serializers.DateField()
    content = serializers.CharField()
    completes = serializers.BooleanField(help_text="本项已完成")
    by = serializers.CharField(help_text="填报人")
    at = serializers.DateTimeField(help_text="填报时间")
    attachments = OwnershipAttachmentOutSerializer(many=True)


class PackageDetailSerializer(PackageOutSerializer):
    entries = PackageEntryOutSerializer(many=True, help_text="工作记录，旧的在前")


class OwnerMeetingOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    date = serializers.DateField()
    place = serializers.CharField()
    attendees = serializers.CharField()
    agreed = serializers.CharField(help_text="约谈结果")
    by = serializers.CharField(help_text="记录人")
    at = serializers.DateTimeField()
    attachments = OwnershipAttachmentOutSerializer(many=True)


class ClosureOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    state = ClosureStateField()
    state_label = serializers.CharField()
    note = serializers.CharField(help_text="销号说明")
    requested_by = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField(allow_blank=True, help_text="确认意见或退回理由")


class CaseBatchSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]


class CaseOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="包案编号")
    matter = MatterOutSerializer()
    leader = OwnershipNamedSerializer(help_text="包案领导")
    since = serializers.DateField(help_text="包案日期")
    is_current = serializers.BooleanField(help_text="当前仍在包案；销号或改派后为 false")
    ended_on = serializers.DateField(allow_null=True)
    end_reason = EndReasonField(help_text="replaced=改派，closed=销号；仍在包案时为空")
    batch = CaseBatchSerializer(allow_null=True, help_text="交办的期次；手工确定的包案为 null")
    deadline = serializers.DateField(allow_null=True, help_text="化解期限")
    overdue = serializers.BooleanField(help_text="仍在包案、事项未办结而已过化解期限")
    packages = PackageOutSerializer(many=True, help_text="五包，按固定顺序")
    empty = serializers.IntegerField(help_text="五包中尚未开展的项数")
    meeting_count = serializers.IntegerField(help_text="见面约谈次数")
    closure_pending = serializers.BooleanField(help_text="已申请销号，待信访局确认")


class CasePageSerializer(serializers.Serializer[Any]):
    results = CaseOutSerializer(many=True)
    next = serializers.CharField(allow_blank=True, help_text="下一页的完整链接（没有下一页时为空）")


class CaseDetailSerializer(CaseOutSerializer):
    packages = PackageDetailSerializer(many=True, help_text="五包及其工作记录，按固定顺序")
    meetings = OwnerMeetingOutSerializer(many=True, help_text="见面约谈，旧的在前")
    closures = ClosureOutSerializer(many=True, help_text="销号申请及其处理，旧的在前")


class ReassignOutSerializer(serializers.Serializer[Any]):
    moved = serializers.IntegerField(help_text="改派的包案件数")
    leader = OwnershipNamedSerializer(help_text="原包案领导")
    to = OwnershipNamedSerializer(allow_null=True, help_text="接手的领导；按建议分别改派时为 null")


class EscalationOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    matter = serializers.IntegerField(help_text="信访事项的编号（id）")
    matter_number = serializers.CharField()
    unit = OwnershipNamedSerializer(help_text="提请单位")
    reason = serializers.CharField()
    state = EscalationStateField()
    state_label = serializers.CharField()
    requested_at = serializers.DateTimeField()


# Input ----------------------------------------------------------------------------------------------


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class BatchListQuerySerializer(StrictSerializer):
    state = serializers.ChoiceField(choices=Batch.State.choices, required=False)
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False)
    after = serializers.CharField(max_length=50, required=False)


class CaseListQuerySerializer(StrictSerializer):
    leader = _id(required=False)
    after = serializers.CharField(max_length=50, required=False)


class BatchCreateInSerializer(StrictSerializer):
    pass


class BatchEntryAddInSerializer(StrictSerializer):
    matter = serializers.CharField(max_length=40, help_text="信访事项的登记编号（本县、本人管辖范围内）")
    reason = serializers.CharField(max_length=REASON_MAX, help_text="列入理由")


class BatchEntryRemoveInSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=REASON_MAX, help_text="移出理由；该事项待列入的提请包案一并以此理由不予列入"
    )


class BatchEntryOwnerInSerializer(StrictSerializer):
    leader = _id(help_text="包案领导的编号（本县在任；不能是事项反映的领导，不能是今日不在岗的领导）")
    reason = serializers.CharField(
        max_length=REASON_MAX, required=False, allow_blank=True,
        help_text="改派理由：选择的不是建议的领导时必填",
    )  # fmt: skip
    deadline = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="化解期限（不早于今天）；不填则不变，印发时未定的按设置的天数",
    )

    def validate_deadline(self, value: dt.date | None) -> dt.date | None:
        if value is not None and value < timezone.localdate():
            raise serializers.ValidationError("化解期限不能早于今天")
        return value


class BatchIssueInSerializer(StrictSerializer):
    confirm = serializers.BooleanField(
        help_text="已核对事项、包案领导和期限，确认印发（编号、交办包案领导并短信通知，不能撤回）"
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("请确认后再印发")
        return value


def _past_date(value: dt.date) -> dt.date:
    if value > timezone.localdate():
        raise serializers.ValidationError("日期不能晚于今天")
    if value < EARLIEST:
        raise serializers.ValidationError("日期不能早于1990年1月1日")
    return value


class PackageEntryInSerializer(StrictSerializer):
    package = PackageField()
    date = serializers.DateField(help_text="工作日期（不晚于今天）")
    content = serializers.CharField(max_length=TEXT_MAX, help_text="工作内容")
    completes = serializers.BooleanField(required=False, default=False, help_text="本项已完成")

    def validate_date(self, value: dt.date) -> dt.date:
        return _past_date(value)


class OwnerMeetingInSerializer(StrictSerializer):
    date = serializers.DateField(help_text="约谈日期（不晚于今天）")
    place = serializers.CharField(max_length=100, help_text="地点")
    attendees = serializers.CharField(max_length=500, help_text="参加人员")
    agreed = serializers.CharField(max_length=TEXT_MAX, help_text="约谈结果")

    def validate_date(self, value: dt.date) -> dt.date:
        return _past_date(value)


class ClosureRequestInSerializer(StrictSerializer):
    note = serializers.CharField(max_length=TEXT_MAX, help_text="销号说明")


class ClosureConfirmInSerializer(StrictSerializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, help_text="确认意见")


class ClosureReturnInSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=NOTE_MAX, help_text="退回理由")


class ReassignInSerializer(StrictSerializer):
    to = _id(
        required=False, allow_null=True,
        help_text="接手全部包案的领导编号（本县在任）；不填或 null 为每件按建议改派给其他领导",
    )  # fmt: skip
    reason = serializers.CharField(max_length=REASON_MAX, help_text="调整理由（如离任、长期不在岗）")


class EscalationInSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=NOTE_MAX, help_text="提请理由")
