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
