"""The bureau's maintenance forms for the directory: typed values and Chinese field errors; the services
validate whole rows (unique names, one head per unit, the two-level category tree)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from xinfang.core.forms import InputModelForm
from xinfang.core.widgets import FastSelectMultiple
from xinfang.directory.models import Category, Leader, LeaderUnavailability, Unit, UnitOfficial, Village

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitForm(InputModelForm):
    class Meta:
        model = Unit
        fields = ("name", "short_name", "code", "order", "is_active")

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]  # a new unit is active


class VillageForm(InputModelForm):
    class Meta:
        model = Village
        fields = ("name", "kind", "order", "is_active")

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]


TOWNSHIP_POSITIONS = (
    UnitOfficial.Position.PARTY_SECRETARY,
    UnitOfficial.Position.TOWNSHIP_HEAD,
    UnitOfficial.Position.TEAM_MEMBER,
)
DEPARTMENT_POSITIONS = (UnitOfficial.Position.DEPARTMENT_HEAD, UnitOfficial.Position.DEPUTY)


class OfficialForm(InputModelForm):
    class Meta:
        model = UnitOfficial
        fields = ("name", "position", "title", "mobile", "is_head", "order", "is_active")
        help_texts: ClassVar = {"is_head": "每个单位只能有一位在职的一把手"}

    def __init__(self, *args: Any, unit: Unit, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        positions = TOWNSHIP_POSITIONS if unit.is_township else DEPARTMENT_POSITIONS
        field = self.fields["position"]
        field.choices = [(p.value, p.label) for p in positions]  # type: ignore[attr-defined]
        if creating:
            del self.fields["is_active"]


class TownshipsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    widget = forms.CheckboxSelectMultiple


class CategoriesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.parent.name}/{obj.name}" if obj.parent_id else f"{obj.code} {obj.name}"


class LeaderForm(InputModelForm):
    LINKS = ("liaison_townships", "portfolio_departments", "portfolio_categories")

    liaison_townships = TownshipsField(queryset=Unit.objects.none(), required=False, label="分包联系乡镇")
    portfolio_departments = TownshipsField(queryset=Unit.objects.none(), required=False, label="分管单位")
    portfolio_categories = CategoriesField(
        queryset=Category.objects.none(),
        required=False,
        label="分管领域(问题分类)",
        widget=FastSelectMultiple,
        help_text="可多选（电脑上按住 Ctrl 点选）",
    )

    class Meta:
        model = Leader
        fields = (
            "name", "post_kind", "post", "body", "protocol_order", "is_standing_committee", "is_top_six",
            "mobile", "is_active", "liaison_townships", "portfolio_departments", "portfolio_categories",
        )  # fmt: skip

    def __init__(self, *args: Any, county_id: int, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(county_id=county_id, is_active=True).order_by("order", "id")
        self.fields["liaison_townships"].queryset = units.filter(kind=Unit.Kind.TOWNSHIP)  # type: ignore[attr-defined]
        self.fields["portfolio_departments"].queryset = units.filter(kind=Unit.Kind.DEPARTMENT)  # type: ignore[attr-defined]
        categories = Category.objects.filter(county_id=county_id, is_active=True).select_related("parent")
        self.fields["portfolio_categories"].queryset = categories.order_by("code")  # type: ignore[attr-defined]
        if creating:
            del self.fields["is_active"]

    def fields_and_links(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The changed plain fields and the changed links, apart (the services set links after saving)."""
        changes = self.changes()
        links = {name: list(changes.pop(name)) for name in self.LINKS if name in changes}
        return changes, links


class UnavailabilityForm(InputModelForm):
    class Meta:
        model = LeaderUnavailability
        fields = ("start", "end", "reason")
        widgets: ClassVar = {"start": DATE_WIDGET, "end": DATE_WIDGET}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "结束日期不能早于开始日期")
        return data


class CategoryForm(InputModelForm):
    parent = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        required=False,
        label="一级分类",
        empty_label="（不选：新增一级分类）",
        help_text="新增二级分类时选择其一级分类；保存后不能再移动",
    )

    class Meta:
        model = Category
        fields = ("parent", "code", "name", "order", "is_active")

    def __init__(self, *args: Any, county_id: int, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            first = Category.objects.filter(county_id=county_id, parent__isnull=True, is_active=True)
            self.fields["parent"].queryset = first.order_by("code")  # type: ignore[attr-defined]
            del self.fields["is_active"]
        else:
            del self.fields["parent"]  # a category's place in the tree never changes
