"""Forms of the ownership pages: typed values and Chinese field errors; the rules stay in the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from xinfang.ownership.models import Package
from xinfang.supervision.forms import MultipleFileField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILES_HELP = "PDF、JPG 或 PNG，最多5个（可不上传）"
TEXT_MAX = 2000


def _required(label: str) -> dict[str, str]:
    return {"required": f"请填写{label}"}


def _not_future(value: dt.date | None) -> dt.date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError("日期不能晚于今天")
    return value


class EntryAddForm(forms.Form):
    number = forms.CharField(
        label="登记编号", max_length=40, error_messages=_required("登记编号"),
        widget=forms.TextInput(attrs={"placeholder": "如 XF2026-000123", "autocomplete": "off"}),
    )  # fmt: skip
    reason = forms.CharField(
        label="列入理由", max_length=300, error_messages=_required("列入理由"),
        widget=forms.TextInput(attrs={"placeholder": "如：群众反映强烈、久拖未决"}),
    )  # fmt: skip


class EntryRemoveForm(forms.Form):
    reason = forms.CharField(
        label="移出理由", max_length=300, error_messages=_required("移出理由"),
        widget=forms.TextInput(attrs={"placeholder": "如：已由乡镇化解"}),
    )  # fmt: skip


class EntryChooseForm(forms.Form):
    """The owner of a matter in a draft: the leaders in office are given by the page (one list for every
    entry of the batch, read once)."""

    leader = forms.TypedChoiceField(label="包案领导", coerce=int, error_messages=_required("包案领导"))
    reason = forms.CharField(
        label="改派理由", required=False, max_length=300, help_text="另选领导时必填，存档备查",
    )  # fmt: skip
    deadline = forms.DateField(
        label="化解期限", required=False, widget=DATE_WIDGET, help_text="不填则印发后30日"
    )

    def __init__(
        self, *args: Any, leaders: Sequence[tuple[int, str]], suggested: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "请选择"), *leaders]  # type: ignore[attr-defined]
        self.suggested = suggested

    def clean_deadline(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("deadline")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("化解期限不能早于今天")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The service says so too; here the error stands beside the field.
        if data.get("leader") and data["leader"] != self.suggested and not data.get("reason", "").strip():
            self.add_error("reason", "请填写改派理由")
        return data


class PackageEntryForm(forms.Form):
    package = forms.ChoiceField(
        label="五包", choices=[("", "请选择"), *Package.choices], error_messages=_required("五包中的一项")
    )
    date = forms.DateField(label="日期", widget=DATE_WIDGET, error_messages=_required("日期"))
    content = forms.CharField(
        label="工作内容", max_length=TEXT_MAX, error_messages=_required("工作内容"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "做了什么、效果如何"}),
    )  # fmt: skip
    completes = forms.BooleanField(label="本项已完成", required=False)
    attachments = MultipleFileField(label="附件", required=False, help_text=FILES_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initial"] = {"date": timezone.localdate(), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    def clean_date(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("date"))


class MeetingForm(forms.Form):
    date = forms.DateField(label="约谈日期", widget=DATE_WIDGET, error_messages=_required("约谈日期"))
    place = forms.CharField(label="地点", max_length=100, error_messages=_required("地点"))
    attendees = forms.CharField(
        label="参加人员", max_length=500, error_messages=_required("参加人员"),
        widget=forms.TextInput(attrs={"placeholder": "信访人及参加的干部"}),
    )  # fmt: skip
    agreed = forms.CharField(
        label="约谈结果", max_length=TEXT_MAX, error_messages=_required("约谈结果"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "谈了什么、商定了什么"}),
    )  # fmt: skip
    attachments = MultipleFileField(label="附件", required=False, help_text=FILES_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_date(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("date"))


class ClosureRequestForm(forms.Form):
    note = forms.CharField(
        label="销号说明", max_length=TEXT_MAX, error_messages=_required("销号说明"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "问题如何化解、信访人是否息访"}),
    )  # fmt: skip


class ClosureDecideForm(forms.Form):
    """The bureau's answer to a 销号 request: the button pressed says which."""

    decision = forms.ChoiceField(choices=[("confirm", "确认销号"), ("return", "退回")])
    note = forms.CharField(
        label="确认意见或退回理由", required=False, max_length=500, help_text="退回时必填",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    @property
    def confirm(self) -> bool:
        return bool(self.cleaned_data.get("decision") == "confirm")


class ReassignForm(forms.Form):
    """Every current case of one leader, in one step: to another leader, or each to its suggestion."""

    TO, SUGGEST = "to", "suggest"
    leader = forms.TypedChoiceField(label="原包案领导", coerce=int, error_messages=_required("原包案领导"))
    mode = forms.ChoiceField(
        label="调整方式", widget=forms.RadioSelect, initial=TO,
        choices=[(TO, "全部改由一位领导包案"), (SUGGEST, "逐件按建议改派（分管、联系乡镇、包案数量）")],
    )  # fmt: skip
    to = forms.TypedChoiceField(
        label="改由", coerce=int, required=False, help_text="选择“全部改由一位领导包案”时必填"
    )
    reason = forms.CharField(
        label="调整理由", max_length=300, error_messages=_required("调整理由"),
        widget=forms.TextInput(attrs={"placeholder": "如：工作调动离任、长期外出学习"}),
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        owners: Sequence[tuple[int, str]],
        leaders: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "请选择"), *owners]  # type: ignore[attr-defined]
        self.fields["to"].choices = [("", "请选择"), *leaders]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == self.TO and not data.get("to"):
            self.add_error("to", "请选择改由哪位领导包案")
        return data


class EscalationForm(forms.Form):
    reason = forms.CharField(
        label="提请理由", max_length=500, error_messages=_required("提请理由"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：涉及多个部门，本单位无法解决"}),
    )  # fmt: skip


class RatePeriodForm(forms.Form):
    """The period of 包案化解率: batches issued from … to …; this year so far unless asked."""

    date_from = forms.DateField(label="印发日期自", widget=DATE_WIDGET)
    date_to = forms.DateField(label="至", widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError("统计期间不能超过十年")
        return cleaned

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The period asked for when valid, else this year to today."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        if not self.is_bound:  # the fields show the period used
            self.initial = {"date_from": dt.date(today.year, 1, 1), "date_to": today}
        return dt.date(today.year, 1, 1), today
