"""The reception pages' forms (schedules and records): input into typed values, errors in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from xinfang.directory.models import County, Leader, Unit, UnitOfficial
from xinfang.petitions.forms import MatterFields, PetitionerForm
from xinfang.petitions.models import Matter
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.reception.models import ReceivedMatter, Reception
from xinfang.reception.planning import parse_month
from xinfang.reception.records import AttendeeInput, ReceivedInput, ReceptionInput


class MonthForm(forms.Form):
    month = forms.CharField(label="月份", max_length=7)
    regenerate = forms.BooleanField(label="按当前名录重新生成草稿（已做的修改将丢失）", required=False)

    def clean_month(self) -> dt.date:
        try:
            return parse_month(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class AdjustForm(forms.Form):
    person = forms.ChoiceField(label="接访领导")
    note = forms.CharField(label="说明（公开显示）", max_length=300, required=False)
    reason = forms.CharField(
        label="调整原因", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], published: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = choices  # type: ignore[attr-defined]
        if published:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "已公布的排班调整须写明原因"


# ---------------------------------------------------------------------------------------------------------
# Records


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def person_choices(county_id: int) -> list[tuple[str, Any]]:
    """Who may receive: the county's leaders (in office first), then each township's officials, grouped."""
    leaders = Leader.objects.filter(county_id=county_id).order_by("-is_active", "protocol_order", "id")
    choices: list[tuple[str, Any]] = [
        ("", "请选择接访领导"),
        ("县级领导", [(f"leader:{leader.pk}", f"{leader.name}（{leader.post}）"
                      + ("" if leader.is_active else "，已离任")) for leader in leaders]),
    ]  # fmt: skip
    officials = (
        UnitOfficial.objects.filter(unit__county_id=county_id, unit__kind=Unit.Kind.TOWNSHIP, is_active=True)
        .select_related("unit").order_by("unit__order", "unit_id", "order", "id")
    )  # fmt: skip
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for official in officials:
        by_unit.setdefault(official.unit.name, []).append(
            (
                f"official:{official.pk}",
                f"{official.name}（{official.title or official.get_position_display()}）",
            )
        )
    choices.extend(by_unit.items())
    return choices


class RecordForm(forms.Form):
    """A reception held, or a leader who did not come."""

    date = forms.DateField(label="接访日期", widget=DATE_WIDGET)
    kind = forms.ChoiceField(label="接访类型", choices=Reception.Kind.choices)
    township = forms.ModelChoiceField(
        label="乡镇", queryset=Unit.objects.none(), required=False, empty_label="（县接待中心）",
        help_text="乡镇接访、下沉接访时选择接访所在的乡镇",
    )  # fmt: skip
    person = forms.ChoiceField(label="接访领导")
    companion = forms.ModelChoiceField(
        label="陪同接访的县级领导", queryset=Leader.objects.none(), required=False, empty_label="（无）",
        help_text="下沉接访时陪同的乡镇联系县级领导，计入其季度下沉任务",
    )  # fmt: skip
    absent = forms.BooleanField(label="领导未到场", required=False)
    absence_reason = forms.CharField(label="未到原因", max_length=200, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county
        self.fields["township"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            county=county, kind=Unit.Kind.TOWNSHIP, is_active=True
        )
        self.fields["person"].choices = person_choices(county.pk)  # type: ignore[attr-defined]
        self.fields["companion"].queryset = Leader.objects.filter(  # type: ignore[attr-defined]
            county=county, is_active=True
        )

    def clean_person(self) -> tuple[Leader | None, UnitOfficial | None]:
        kind, _, ident = self.cleaned_data["person"].partition(":")
        if kind == "leader" and ident.isdecimal():
            leader = Leader.objects.filter(pk=int(ident), county=self.county).first()
            if leader is not None:
                return leader, None
        if kind == "official" and ident.isdecimal():
            official = UnitOfficial.objects.filter(pk=int(ident), unit__county=self.county).first()
            if official is not None:
                return None, official
        raise forms.ValidationError("请选择本县的县级领导或乡镇领导")

    def reception_input(self) -> ReceptionInput:
        data = self.cleaned_data
        leader, official = data["person"]
        attendees = [
            AttendeeInput(
                leader=leader,
                official=official,
                present=not data["absent"],
                absence_reason=data["absence_reason"],
            )
        ]
        if data.get("companion") and data["companion"] != leader:  # 陪同: present whoever else is not
            attendees.append(AttendeeInput(leader=data["companion"]))
        return ReceptionInput(
            county=self.county, date=data["date"], kind=data["kind"], township=data["township"],
            attendees=tuple(attendees), note=data["note"],
        )  # fmt: skip


class ReceivedFields(forms.Form):
    """What every matter received carries: who came, how many, the outcome and who received it."""

    persons = forms.IntegerField(label="人数", min_value=1, max_value=100000, initial=1)
    outcome = forms.ChoiceField(
        label="处理结果", choices=ReceivedMatter.Outcome.choices, widget=forms.RadioSelect
    )
    attendee = forms.TypedChoiceField(label="接待领导", coerce=int, required=False, empty_value="0")

    def set_attendees(self, attendees: list[tuple[int, str]]) -> None:
        self.fields["attendee"].choices = attendees  # type: ignore[attr-defined]
        if len(attendees) < 2:
            self.fields["attendee"].widget = forms.HiddenInput()


class KnownMatterForm(ReceivedFields):
    """A matter already registered comes again: a new 来访 event of it."""

    number = forms.CharField(label="登记编号", max_length=40)

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county

    def clean_number(self) -> Matter:
        number = self.cleaned_data["number"].strip()
        matter = Matter.objects.filter(county=self.county, number=number).first()
        if matter is None:
            raise forms.ValidationError("本县没有这个登记编号的事项")
        return matter

    def received_input(self) -> ReceivedInput:
        data = self.cleaned_data
        return ReceivedInput(
            outcome=data["outcome"],
            persons=data["persons"],
            matter=data["number"],
            attendee=int(data["attendee"] or 0),
        )


class NewMatterForm(ReceivedFields, MatterFields, PetitionerForm):
    """A new matter received: registered as the registration page registers it, its event the reception's."""

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, county=county, **kwargs)
        for name in ("source", "purpose"):
            self.fields[name].required = False

    def received_input(self) -> ReceivedInput:
        data = self.cleaned_data
        person = self.petitioner_input()
        registration = RegistrationInput(
            county=self.county,
            event=EventInput(date=dt.date.min, channel="", level=""),  # replaced by the reception's
            origin_township=data["origin_township"],
            origin_village=data.get("origin_village"),
            origin_village_text=data.get("origin_village_text", ""),
            category=data["category"],
            responsible_unit=data.get("responsible_unit"),
            content=data["content"],
            appeal=data.get("appeal", ""),
            purpose=data.get("purpose") or Matter.Purpose.DEMAND,
            is_threat=data.get("is_threat", False),
            is_urgent=data.get("is_urgent", False),
            petitioners=(person,) if person else (),
        )
        return ReceivedInput(
            outcome=data["outcome"], persons=data["persons"], registration=registration,
            attendee=int(data["attendee"] or 0),
        )  # fmt: skip


class StatsForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=DATE_WIDGET)
    end = forms.DateField(label="结束日期", widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "结束日期不能早于开始日期")
        if start and end and (end - start).days > 3660:
            self.add_error("start", "统计期间不能超过十年")
        return cleaned
