from __future__ import annotations

from django import forms

from xinfang.audit.models import AuditRecord


class AuditSearchForm(forms.Form):
    q = forms.CharField(
        label="关键词", required=False, max_length=100, help_text="账号、对象、说明、请求编号或IP"
    )
    action = forms.CharField(label="操作", required=False, max_length=60)
    outcome = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *AuditRecord.Outcome.choices]
    )
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return cleaned
