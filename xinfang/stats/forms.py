from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from xinfang.directory.models import Category, Unit
from xinfang.lib.periods import month_of
from xinfang.petitions.forms import county_categories, county_units, set_choices
from xinfang.petitions.models import Channel, Level

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def with_default_period(query: QueryDict) -> QueryDict:
    """The query with the period defaulting to this month so far."""
    data = query.copy()
    today = timezone.localdate()
    data.setdefault("date_from", today.replace(day=1).isoformat())
    data.setdefault("date_to", today.isoformat())
    return data


def with_statistical_month(query: QueryDict) -> QueryDict:
    """The query with the period defaulting to the current statistical month (XINFANG_MONTH_START_DAY)
    so far."""
    data = query.copy()
    today = timezone.localdate()
    start, _end = month_of(today, settings.XINFANG_MONTH_START_DAY).range(settings.XINFANG_MONTH_START_DAY)
    data.setdefault("date_from", start.isoformat())
    data.setdefault("date_to", today.isoformat())
    return data


class PeriodForm(forms.Form):
    date_from = forms.DateField(label="起始日期", widget=DATE_WIDGET)
    date_to = forms.DateField(label="截止日期", widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError("统计期间最长十年")
        return cleaned


class EventFilterForm(PeriodForm):
    level = forms.ChoiceField(label="访别", choices=[("", "全部"), *Level.choices], required=False)
    channel = forms.ChoiceField(label="信访形式", choices=[("", "全部"), *Channel.choices], required=False)
    category = forms.ModelChoiceField(label="问题类别", queryset=Category.objects.none(), required=False,
                                      empty_label="全部")  # fmt: skip
    township = forms.ModelChoiceField(
        label="乡镇", queryset=Unit.objects.none(), required=False, empty_label="全部"
    )
    collective = forms.BooleanField(label="集体访", required=False)
    over_level = forms.BooleanField(label="越级访", required=False)
    repeat = forms.BooleanField(label="重复访", required=False)

    def __init__(self, *args: Any, county_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", county_categories(county_id).filter(parent__isnull=True))
        set_choices(self, "township", county_units(county_id).filter(kind=Unit.Kind.TOWNSHIP))

    def selection(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "level": data.get("level", ""),
            "channel": data.get("channel", ""),
            "category_top_id": data["category"].pk if data.get("category") else None,
            "township_id": data["township"].pk if data.get("township") else None,
            "collective": bool(data.get("collective")),
            "over_level": bool(data.get("over_level")),
            "repeat": bool(data.get("repeat")),
        }
