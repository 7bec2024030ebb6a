from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone


class ReportDayForm(forms.Form):
    date = forms.DateField(
        label="报告日期", error_messages={"required": "请填写报告日期", "invalid": "日期应写作 YYYY-MM-DD"}
    )
    recipient = forms.CharField(required=False, max_length=60)

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("报告日期不能晚于今天")
        return day


class WeekForm(forms.Form):
    week = forms.DateField(
        label="所在周的任一日期",
        error_messages={"required": "请填写日期", "invalid": "日期应写作 YYYY-MM-DD"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_week(self) -> dt.date:
        day: dt.date = self.cleaned_data["week"]
        if day > timezone.localdate():
            raise forms.ValidationError("不能起草尚未开始的一周")
        return day


class WeeklyTextForm(forms.Form):
    analysis = forms.CharField(
        label="分析研判", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    suggestions = forms.CharField(
        label="意见建议", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
