from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from xinfang.directory.models import County, Leader, Unit
from xinfang.lib.periods import Month, month_parse
from xinfang.reports.monthly import last_closed_month


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


INSTRUCTION_EXAMPLE = "如：请XX同志牵头办理，县人社局配合，月底前化解到位。"


class InstructionForm(forms.Form):
    """A 批示 on the issue or one of its key matters; the bureau may record a paper one with its scan."""

    matter = forms.ChoiceField(label="批示对象", required=False)
    instruction = forms.CharField(
        label="批示内容", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": INSTRUCTION_EXAMPLE}),
    )  # fmt: skip
    leader = forms.ModelChoiceField(
        label="牵头领导", queryset=Leader.objects.none(), empty_label="请选择",
        widget=forms.Select(attrs={"data-search": ""}),
    )  # fmt: skip
    units = forms.ModelMultipleChoiceField(
        label="责任单位", queryset=Unit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"data-search": ""}),
    )  # fmt: skip
    deadline = forms.DateField(
        label="办理期限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写办理期限", "invalid": "日期应写作 YYYY-MM-DD"},
    )  # fmt: skip
    # The bureau recording a paper instruction on the leader's behalf:
    instructed_by = forms.ModelChoiceField(
        label="批示领导", queryset=Leader.objects.none(), empty_label="请选择", required=False
    )
    scan = forms.FileField(label="批示原件扫描件（PDF、JPG 或 PNG）", required=False)

    def __init__(
        self, *args: Any, county: County, key_matters: list[dict[str, Any]], paper: bool, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        choices = [("", "全文（整期）")] + [
            (
                row["number"],
                f"{row['number']} {row['township']} {row['petitioner']} {'、'.join(row['reasons'])}",
            )
            for row in key_matters
        ]
        cast(forms.ChoiceField, self.fields["matter"]).choices = choices
        leaders = Leader.objects.filter(county=county, is_active=True).order_by("protocol_order", "id")
        cast(forms.ModelChoiceField, self.fields["leader"]).queryset = leaders  # type: ignore[type-arg]
        units = Unit.objects.filter(county=county, is_active=True).order_by("kind", "order", "id")
        cast(forms.ModelMultipleChoiceField, self.fields["units"]).queryset = units  # type: ignore[type-arg]
        if paper:
            main = leaders.filter(post_kind__in=Leader.MAIN_POSTS)
            field = cast(forms.ModelChoiceField, self.fields["instructed_by"])  # type: ignore[type-arg]
            field.queryset, field.required = main, True
            self.fields["scan"].required = True
        else:
            del self.fields["instructed_by"], self.fields["scan"]

    def clean_deadline(self) -> dt.date:
        day: dt.date = self.cleaned_data["deadline"]
        if day < timezone.localdate():
            raise forms.ValidationError("办理期限不能早于今天")
        return day


class MonthForm(forms.Form):
    """A statistical month to draft, "YYYY-MM"; one not yet closed is refused."""

    month = forms.CharField(
        label="统计月", max_length=7, error_messages={"required": "请填写统计月（YYYY-MM）"},
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )  # fmt: skip

    def clean_month(self) -> Month:
        try:
            month = month_parse(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        newest = last_closed_month(timezone.localdate())
        if month > newest:
            raise forms.ValidationError(f"{month.label}尚未结束，最近可起草的月份是{newest.label}")
        return month


class MonthlyTextForm(forms.Form):
    analysis = forms.CharField(
        label="形势研判", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    suggestions = forms.CharField(
        label="下一步工作", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )
