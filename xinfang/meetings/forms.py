"""Forms of the joint meeting's pages: typed values and Chinese field errors; the rules stay in the
services. The pickers list the county's leaders in office and its units' heads (from the directory)."""

from __future__ import annotations

from typing import Any

from django import forms

from xinfang.directory.models import County, Leader, Unit, UnitOfficial
from xinfang.lib.periods import Month, month_parse

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _required(label: str) -> dict[str, str]:
    return {"required": f"请填写{label}", "invalid": f"{label}格式不正确"}


class LeaderChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.post}）"


class LeaderMultiple(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.post}）"


class OfficialMultiple(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit.name} {obj.name}{f'（{obj.title}）' if obj.title else ''}"


def _leaders(county: County) -> Any:
    return Leader.objects.filter(county=county, is_active=True).order_by("protocol_order", "pk")


class MonthForm(forms.Form):
    month = forms.CharField(
        label="筛选月份", max_length=7, error_messages=_required("筛选月份"),
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "inputmode": "numeric"}),
    )  # fmt: skip

    def clean_month(self) -> Month:
        try:
            return month_parse(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ScheduleForm(MonthForm):
    held_on = forms.DateField(label="会议日期", widget=DATE_WIDGET, error_messages=_required("会议日期"))
    place = forms.CharField(label="会议地点", max_length=100, required=False)
    chair = LeaderChoice(label="主持人", queryset=Leader.objects.none(), required=False)

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = _leaders(county)  # type: ignore[attr-defined]


class AttendeesForm(forms.Form):
    held_on = forms.DateField(label="会议日期", widget=DATE_WIDGET, error_messages=_required("会议日期"))
    place = forms.CharField(label="会议地点", max_length=100, required=False)
    chair = LeaderChoice(label="主持人", queryset=Leader.objects.none(), required=False)
    leaders = LeaderMultiple(label="参会县级领导", queryset=Leader.objects.none(), required=False,
                             widget=forms.CheckboxSelectMultiple)  # fmt: skip
    officials = OfficialMultiple(label="参会单位负责人", queryset=UnitOfficial.objects.none(), required=False,
                                 widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = _leaders(county)  # type: ignore[attr-defined]
        self.fields["leaders"].queryset = _leaders(county)  # type: ignore[attr-defined]
        self.fields["officials"].queryset = (  # type: ignore[attr-defined]
            UnitOfficial.objects.filter(
                unit__county=county, unit__is_active=True, is_active=True, is_head=True
            )
            .select_related("unit")
            .order_by("unit__kind", "unit__order", "order", "pk")
        )


class AddForm(forms.Form):
    number = forms.CharField(
        label="登记编号", max_length=40, error_messages=_required("登记编号"),
        widget=forms.TextInput(attrs={"placeholder": "如 XF2026-000123", "autocomplete": "off"}),
    )  # fmt: skip
    reason = forms.CharField(label="列入理由", max_length=200, error_messages=_required("列入理由"))


class RemoveForm(forms.Form):
    reason = forms.CharField(label="移出理由", max_length=200, error_messages=_required("移出理由"))


class DecisionForm(forms.Form):
    """One matter's decision. The pickers' choices are given (the page reads the county's leaders and units
    once for every matter on the agenda); `cleaned_data` holds the Leader and the Units."""

    report = forms.CharField(
        label="包案领导汇报", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    plan = forms.CharField(
        label="化解方案",
        max_length=2000,
        error_messages=_required("化解方案"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    leader = forms.TypedChoiceField(label="责任领导", coerce=int, error_messages=_required("责任领导"))
    units = forms.TypedMultipleChoiceField(
        label="责任单位", coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    deadline = forms.DateField(label="化解期限", widget=DATE_WIDGET, error_messages=_required("化解期限"))
    tasks = forms.CharField(
        label="工作要求（各方分工）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, county: County, leaders: Any = None, units: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._leaders = {
            leader.pk: leader for leader in (leaders if leaders is not None else _leaders(county))
        }
        self._units = {
            unit.pk: unit
            for unit in (
                units
                if units is not None
                else Unit.objects.filter(county=county, is_active=True).order_by("kind", "order", "pk")
            )
        }
        leader_field = self.fields["leader"]
        unit_field = self.fields["units"]
        assert isinstance(leader_field, forms.ChoiceField) and isinstance(unit_field, forms.ChoiceField)
        leader_field.choices = [
            ("", "请选择"),
            *((pk, f"{x.name}（{x.post}）") for pk, x in self._leaders.items()),
        ]
        unit_field.choices = [(pk, unit.name) for pk, unit in self._units.items()]

    def clean_leader(self) -> Leader:
        return self._leaders[self.cleaned_data["leader"]]

    def clean_units(self) -> list[Unit]:
        return [self._units[pk] for pk in self.cleaned_data["units"]]
