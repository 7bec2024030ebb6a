"""API shapes of the registry: masked output, validated input with Chinese messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from xinfang.accounts.models import User
from xinfang.core.api import StrictSerializer
from xinfang.directory.models import Category, Unit, Village
from xinfang.lib.idcard import InvalidValue, normalize_id_number, normalize_phone
from xinfang.lib.masking import mask_name
from xinfang.petitions.models import Channel, Event, Level, Matter, Petitioner
from xinfang.petitions.services.workflow import BACKDATE_DAYS


class PetitionerOutSerializer(serializers.ModelSerializer[Petitioner]):
    name = serializers.SerializerMethodField()
    id_number = serializers.CharField(source="id_number_masked")
    phone = serializers.CharField(source="phone_masked")
    address = serializers.CharField(source="address_brief")

    class Meta:
        model = Petitioner
        fields = ("id", "name", "id_number", "phone", "address")

    def get_name(self, obj: Petitioner) -> str:
        return obj.name if self.context.get("handles") else mask_name(obj.name)


class EventOutSerializer(serializers.ModelSerializer[Event]):
    class Meta:
        model = Event
        fields = ("id", "date", "channel", "level", "persons", "is_collective", "note")


class MatterOutSerializer(serializers.ModelSerializer[Matter]):
    origin_township = serializers.CharField(source="origin_township.name")
    category = serializers.CharField(source="category.__str__")
    responsible_unit = serializers.CharField(source="responsible_unit.name", default=None, allow_null=True)
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Matter
        fields: tuple[str, ...] = (
            "id", "number", "status", "status_display", "first_event_date", "last_event_date", "event_count",
            "person_count", "channel", "top_level", "is_collective", "origin_township", "category",
            "responsible_unit", "content", "appeal", "purpose", "source", "is_threat", "is_urgent",
            "is_litigation", "is_backlog", "clock", "due_date",
        )  # fmt: skip


class MatterDetailSerializer(MatterOutSerializer):
    petitioners = serializers.SerializerMethodField()
    events = EventOutSerializer(many=True)

    class Meta(MatterOutSerializer.Meta):
        fields = (*MatterOutSerializer.Meta.fields, "petitioners", "events", "answer", "answered_on")

    @extend_schema_field(PetitionerOutSerializer(many=True))
    def get_petitioners(self, obj: Matter) -> list[dict[str, Any]]:
        return PetitionerOutSerializer(obj.petitioners.all(), many=True, context=self.context).data  # type: ignore[return-value]


# The earliest visit the registry takes (older ones are history, not registrations): the service's rule.
EARLIEST_EVENT_DATE = dt.date(1990, 1, 1)


class EventInSerializer(StrictSerializer):
    date = serializers.DateField(help_text="信访日期：不早于1990-01-01，不晚于今天")
    channel = serializers.ChoiceField(choices=Channel.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    persons = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_date(self, value: Any) -> Any:
        if value > timezone.localdate():
            raise serializers.ValidationError("信访日期不能晚于今天")
        if value < EARLIEST_EVENT_DATE:
            raise serializers.ValidationError("信访日期不能早于1990年1月1日")
        return value


class PetitionerInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_id_number(self, value: str) -> str:
        try:
            return normalize_id_number(value, today=timezone.localdate()) if value.strip() else ""
        except InvalidValue as error:
            raise serializers.ValidationError(str(error)) from error

    def validate_phone(self, value: str) -> str:
        try:
            return normalize_phone(value) if value.strip() else ""
        except InvalidValue as error:
            raise serializers.ValidationError(str(error)) from error


class CountyScopedField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A related row chosen by id, only among the active rows of the user's county; another id is a 400."""

    def __init__(self, model: Any, county_path: str, **kwargs: Any) -> None:
        self.model, self.county_path = model, county_path
        # The full queryset only names the model (for the OpenAPI document); lookups use get_queryset.
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self) -> Any:
        user = self.context["request"].user
        return self.model.objects.filter(**{self.county_path: user.county_id or 0, "is_active": True})


class MatterInSerializer(StrictSerializer):
    event = EventInSerializer()
    petitioners = PetitionerInSerializer(  # type: ignore[call-arg]  # DRF takes max_length; its stubs do not
        many=True, max_length=20, required=False, default=list
    )
    origin_township = CountyScopedField(Unit, "county_id", help_text="本县乡镇的编号")
    origin_village = CountyScopedField(
        Village, "township__county_id", required=False, allow_null=True, default=None,
        help_text="所选乡镇的村(社区)编号",
    )  # fmt: skip
    origin_village_text = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    category = CountyScopedField(Category, "county_id", help_text="本县问题类别的编号")
    responsible_unit = CountyScopedField(
        Unit, "county_id", required=False, allow_null=True, default=None, help_text="本县责任单位的编号"
    )
    content = serializers.CharField(max_length=5000)
    appeal = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a declared field, not Field.source
        choices=Matter.Source.choices, default=Matter.Source.LOCAL
    )
    source_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    purpose = serializers.ChoiceField(choices=Matter.Purpose.choices, default=Matter.Purpose.DEMAND)
    reported_units = CountyScopedField(
        Unit, "county_id", many=True, required=False, default=list, help_text="被反映的本县单位的编号"
    )
    reported_persons = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reported_accounts = CountyScopedField(
        User, "county_id", many=True, required=False, default=list, help_text="被反映人在本县的账号编号"
    )
    is_threat = serializers.BooleanField(default=False)
    is_urgent = serializers.BooleanField(default=False)
    is_litigation = serializers.BooleanField(default=False)
    is_backlog = serializers.BooleanField(default=False)


class TransitionInSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=Matter.Status.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    answer = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="办理日期（默认当日）：不能晚于今天，不能早于信访日期或上一步办理日期，"
        f"补录最多早于今天{BACKDATE_DAYS}天",
    )  # fmt: skip
    delivered_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="答复或复查(复核)意见的送达日期（默认为办理日期）：不早于办理日期，不晚于今天",
    )  # fmt: skip
    requested_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="复查(复核)：信访人提出请求的日期（默认当日）",
    )
    organ_unit = CountyScopedField(
        Unit, "county_id", required=False, allow_null=True, default=None,
        help_text="复查(复核)机关：本县名录中的单位编号",
    )  # fmt: skip
    organ_name = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="或名录外机关的名称"
    )
    document_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class MatterPageSerializer(serializers.Serializer[Any]):
    results = MatterOutSerializer(many=True)
    next = serializers.CharField(allow_blank=True, help_text="下一页的完整链接（没有下一页时为空）")
