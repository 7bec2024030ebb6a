"""Forms of the supervision pages: typed values and Chinese field errors; the rules stay in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from xinfang.core.attachments import ACCEPT
from xinfang.directory.models import Leader, Unit
from xinfang.supervision.selectors import STATE_FILTERS, ItemFilter
from xinfang.supervision.services import MAX_FILES, TEXT_MAX

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *STATE_FILTERS.items()])
    leader = forms.ModelChoiceField(
        label="牵头领导", required=False, queryset=Leader.objects.none(), empty_label="全部"
    )
    unit = forms.ModelChoiceField(
        label="责任单位", required=False, queryset=Unit.objects.none(), empty_label="全部"
    )

    def __init__(self, *args: Any, county_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leaders = cast(forms.ModelChoiceField, self.fields["leader"])  # type: ignore[type-arg]
        leaders.queryset = Leader.objects.filter(county_id=county_id or 0)
        units = cast(forms.ModelChoiceField, self.fields["unit"])  # type: ignore[type-arg]
        units.queryset = Unit.objects.filter(county_id=county_id or 0)

    def item_filter(self) -> ItemFilter:
        data = self.cleaned_data if self.is_valid() else {}
        leader, unit = data.get("leader"), data.get("unit")
        return ItemFilter(
            state=data.get("state", ""),
            leader_id=leader.pk if leader else None,
            unit_id=unit.pk if unit else None,
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by `core.attachments` when the service keeps it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"每次最多上传{MAX_FILES}个附件")
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class ProgressForm(forms.Form):
    date = forms.DateField(label="办理日期", widget=DATE_WIDGET)
    text = forms.CharField(
        label="办理情况",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "本次办理的进展"}),
    )
    attachments = MultipleFileField(
        label="附件", required=False, help_text=f"PDF、JPG 或 PNG，最多{MAX_FILES}个（可不上传）"
    )
    unit = forms.ModelChoiceField(
        label="代为报送的单位",
        required=False,
        queryset=Unit.objects.none(),
        empty_label="牵头领导（不代单位）",
    )

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if units is None:  # only the bureau reports on behalf of someone
            del self.fields["unit"]
        else:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units  # type: ignore[type-arg]

    def clean_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError("办理日期不能晚于今天")
        return value


class AcceptForm(forms.Form):
    note = forms.CharField(
        label="验收意见", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回理由",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "需补充的内容"}),
    )
