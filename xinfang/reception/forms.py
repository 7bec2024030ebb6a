"""The reception schedule's forms: input into typed values, errors in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from xinfang.reception.planning import parse_month


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
