"""The village star ratings' forms: typed values with Chinese field errors; the services decide the rest."""

from __future__ import annotations

import re

from django import forms


def split_numbers(text: str) -> list[str]:
    """Matter numbers typed one per line or separated by commas, spaces or 、."""
    return [part for part in re.split(r"[\s,，、;；]+", text or "") if part]


class StarsForm(forms.Form):
    names = forms.CharField(label="星级（每行一个，按顺序）", widget=forms.Textarea(attrs={"rows": 5}))
    petition = forms.CharField(label="信访相关星", max_length=30, help_text="须是上面所列星名之一")

    def clean_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]


class RewardsForm(forms.Form):
    rows = forms.CharField(
        label="奖励标准（每行：星数 工作经费 干部报酬）", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="如：5 20000 6000；金额单位为元",
    )  # fmt: skip

    def clean_rows(self) -> list[tuple[int, str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["rows"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 3 or not parts[0].isdigit():
                raise forms.ValidationError(f"第{number}行应为：星数 工作经费 干部报酬")
            rows.append((int(parts[0]), parts[1], parts[2]))
        return rows


class ResolveForm(forms.Form):
    township = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(max_length=50, widget=forms.HiddenInput)
    village = forms.IntegerField(label="匹配到村(社区)")


class PublishForm(forms.Form):
    reason = forms.CharField(label="仍有未匹配村(社区)时公布的理由", max_length=300, required=False)


class RectificationForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    reason = forms.CharField(label="软弱涣散情形", max_length=300)
    matters = forms.CharField(label="关联信访事项（登记编号）", required=False, max_length=2000)


class TaskForm(forms.Form):
    text = forms.CharField(label="整改任务", max_length=300)
    responsible = forms.CharField(label="责任人", max_length=50)
    deadline = forms.DateField(
        label="完成时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ProgressForm(forms.Form):
    text = forms.CharField(label="进展情况", max_length=500)
    done = forms.BooleanField(label="任务已完成", required=False)


class VisitForm(forms.Form):
    date = forms.DateField(
        label="下访日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    officials = forms.CharField(label="下访人员", max_length=200)
    content = forms.CharField(label="下访内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    matters = forms.CharField(label="关联信访事项（登记编号，可不填）", required=False, max_length=2000)


class CloseForm(forms.Form):
    closed_on = forms.DateField(
        label="销号日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    conclusion = forms.CharField(label="整治结论", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        label="未完成任务时销号的理由", max_length=300, required=False,
        help_text="整改任务全部完成时可不填",
    )  # fmt: skip


class ReopenForm(forms.Form):
    reason = forms.CharField(label="重新打开的理由", max_length=300)
