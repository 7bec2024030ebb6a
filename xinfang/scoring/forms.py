"""The competition's forms: typed values with Chinese field errors; the services decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms

from xinfang.core.attachments import ACCEPT
from xinfang.core.forms import InputModelForm
from xinfang.directory.models import County, Unit
from xinfang.lib.periods import Quarter, quarter_parse
from xinfang.scoring.models import RuleSet


class RuleSetForm(InputModelForm):
    quarter = forms.CharField(label="起用季度", max_length=6, help_text="如 2026Q3：该季度起按本规则评分")

    class Meta:
        model = RuleSet
        fields = (
            "base", "per", "points_beijing", "points_province", "points_city", "collective_persons",
            "collective_factor", "annual", "note",
        )  # fmt: skip

    field_order = ("quarter", *Meta.fields)

    def clean_quarter(self) -> Quarter:
        try:
            return quarter_parse(self.cleaned_data["quarter"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def _units(county: County) -> Any:
    return Unit.objects.filter(county=county, is_active=True).order_by("kind", "order", "id")


class AdditionForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="单位", empty_label="请选择")
    points = forms.DecimalField(label="加分", min_value=0.1, max_value=100, decimal_places=1, max_digits=5)
    reason = forms.CharField(label="加分事由", max_length=300, help_text="如：化解信访积案一件（事项编号）")
    evidence = forms.FileField(
        label="证明材料", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), help_text="PDF、JPG或PNG"
    )

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(county)  # type: ignore[attr-defined]


class VetoForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="单位", empty_label="请选择")
    reason = forms.CharField(label="否决事由", max_length=300)
    document_number = forms.CharField(label="上级文件文号", max_length=100, help_text="如：平信〔2026〕12号")

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(county)  # type: ignore[attr-defined]


class AppealForm(forms.Form):
    event = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="申诉理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="决定", choices=(("1", "申诉成立，免予扣分"), ("0", "申诉不成立，维持扣分")),
        coerce=lambda value: value == "1", widget=forms.RadioSelect,
    )  # fmt: skip
    reason = forms.CharField(label="决定理由", max_length=500)
