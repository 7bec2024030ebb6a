"""Forms of the registry: typed values and Chinese field errors; business rules stay in the services."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.captcha import CaptchaForm
from xinfang.core.roles import Role
from xinfang.core.widgets import FastSelect, FastSelectsMixin
from xinfang.directory.models import Category, County, Leader, Unit, Village
from xinfang.directory.selectors import county_cached
from xinfang.lib.idcard import InvalidValue, normalize_id_number, normalize_phone
from xinfang.petitions import todo
from xinfang.petitions.models import Assignment, Channel, Level, Matter, Rating
from xinfang.petitions.selectors import FLAG_FIELDS, MatterFilter
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def set_choices(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    """Limit a model choice field to the rows of the user's county."""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset  # type: ignore[type-arg]


def county_categories(county_id: int | None) -> QuerySet[Category]:
    return (
        Category.objects.filter(county_id=county_id or 0, is_active=True)
        .select_related("parent")
        .order_by("code")
    )


def reportable_accounts(county_id: int | None) -> QuerySet[User]:
    """Accounts a matter may report: the county's leaders' and units' accounts, by name."""
    return User.objects.filter(
        county_id=county_id or 0,
        is_active=True,
        role__in=(Role.MAIN_LEADER, Role.COUNTY_LEADER, Role.UNIT_USER),
    ).order_by("role", "username")


def county_units(county_id: int | None) -> QuerySet[Unit]:
    return Unit.objects.filter(county_id=county_id or 0, is_active=True)


def _not_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError("信访日期不能晚于今天")


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.parent.name}/{obj.name}" if obj.parent_id else f"{obj.name}（一级）"


class EventFields(forms.Form):
    date = forms.DateField(label="信访日期", widget=DATE_WIDGET, validators=[_not_future])
    channel = forms.ChoiceField(label="信访形式", choices=Channel.choices)
    level = forms.ChoiceField(label="访别", choices=Level.choices)
    persons = forms.IntegerField(label="人数", min_value=1, max_value=100000, initial=1)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def event_input(self) -> EventInput:
        data = self.cleaned_data
        return EventInput(data["date"], data["channel"], data["level"], data["persons"], data.get("note", ""))


def township_villages(township: Any) -> list[tuple[str, str]]:
    """The options of a village list: one township's villages (none until a township is chosen)."""
    township_id = str(getattr(township, "pk", township) or "")
    if not township_id.isdigit():
        return [("", "（请先选择乡镇）")]
    villages = Village.objects.filter(township_id=int(township_id), is_active=True)
    options = [(str(village.pk), village.name) for village in villages]
    return [("", "（请选择村/社区）" if options else "（请先选择乡镇）"), *options]


class MatterFields(FastSelectsMixin, forms.Form):
    """The registration fields of a matter, shared by registering and correcting it."""

    origin_township = forms.ModelChoiceField(
        label="乡镇", queryset=Unit.objects.none(), empty_label="请选择乡镇",
        widget=forms.Select(attrs={"data-search": ""}),
    )  # fmt: skip
    origin_village = forms.ModelChoiceField(
        label="村(社区)", queryset=Village.objects.none(), required=False, empty_label="（请先选择乡镇）"
    )
    origin_village_text = forms.CharField(label="村(社区)(名录中没有时填写)", max_length=50, required=False)
    category = CategoryChoiceField(
        label="问题类别", queryset=Category.objects.none(), empty_label="请选择问题类别",
        widget=forms.Select(attrs={"data-search": ""}),
    )  # fmt: skip
    responsible_unit = forms.ModelChoiceField(
        label="责任单位", queryset=Unit.objects.none(), required=False, empty_label="（暂不确定）",
        widget=forms.Select(attrs={"data-search": ""}),
    )  # fmt: skip
    content = forms.CharField(label="反映问题", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    appeal = forms.CharField(
        label="诉求", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
    source = forms.ChoiceField(label="来源", choices=Matter.Source.choices, initial=Matter.Source.LOCAL)
    source_number = forms.CharField(label="上级转交办编号", max_length=60, required=False)
    purpose = forms.ChoiceField(
        label="信访目的", choices=Matter.Purpose.choices, initial=Matter.Purpose.DEMAND
    )
    reported_units = forms.ModelMultipleChoiceField(
        label="被反映单位", queryset=Unit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"data-search": ""}),
    )  # fmt: skip
    reported_persons = forms.CharField(label="被反映人", max_length=200, required=False)
    reported_accounts = forms.ModelMultipleChoiceField(
        label="被反映人（本系统账号）",
        queryset=User.objects.none(),
        required=False,
        help_text="被反映人在本系统有账号时选择：该事项将对其本人不可见",
        widget=forms.SelectMultiple(attrs={"data-search": ""}),
    )
    is_threat = forms.BooleanField(label="扬言", required=False)
    is_urgent = forms.BooleanField(label="重大紧急", required=False)
    is_litigation = forms.BooleanField(label="涉法涉诉", required=False)
    is_backlog = forms.BooleanField(label="积案", required=False)

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county
        units = county_units(county.pk)
        set_choices(self, "origin_township", units.filter(kind=Unit.Kind.TOWNSHIP))
        set_choices(
            self,
            "origin_village",
            Village.objects.filter(township__county=county, is_active=True).select_related("township"),
        )
        set_choices(self, "category", county_categories(county.pk))
        set_choices(self, "responsible_unit", units)
        set_choices(self, "reported_units", units)
        set_choices(self, "reported_accounts", reportable_accounts(county.pk))
        village_target = f"#{self.auto_id % 'origin_village'}" if isinstance(self.auto_id, str) else ""
        self.fields["origin_township"].widget.attrs.update(
            {"hx-get": reverse("petitions:villages"), "hx-target": village_target, "hx-swap": "innerHTML"}
        )
        self.use_fast_selects()
        # The village list shows the chosen township's villages only (the page swaps it when the township
        # changes); validation still knows every village of the county and checks the pair.
        township = self.data.get("origin_township") if self.is_bound else self.initial.get("origin_township")
        self.fields["origin_village"].widget.choices = township_villages(township)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        village, township = cleaned.get("origin_village"), cleaned.get("origin_township")
        if village and township and village.township_id != township.pk:
            self.add_error("origin_village", "该村(社区)不属于所选乡镇")
        return cleaned


class RegistrationForm(EventFields, MatterFields):
    attach_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_facts = forms.CharField(
        label="新的事实和理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="仅当本次反映的是已终结事项时填写：没有新的事实和理由的，按不予受理登记（《信访工作条例》第三十六条）",
    )

    def registration_input(
        self, petitioners: list[PetitionerInput], terminated: Matter | None = None
    ) -> RegistrationInput:
        data = self.cleaned_data
        return RegistrationInput(
            terminated=terminated,
            new_facts=data.get("new_facts", "") if terminated else "",
            county=self.county,
            event=self.event_input(),
            origin_township=data["origin_township"],
            origin_village=data.get("origin_village"),
            origin_village_text=data.get("origin_village_text", ""),
            category=data["category"],
            responsible_unit=data.get("responsible_unit"),
            content=data["content"],
            appeal=data.get("appeal", ""),
            source=data["source"],
            source_number=data.get("source_number", ""),
            purpose=data["purpose"],
            reported_units=list(data.get("reported_units") or []),
            reported_persons=data.get("reported_persons", ""),
            reported_accounts=list(data.get("reported_accounts") or []),
            is_threat=data.get("is_threat", False),
            is_urgent=data.get("is_urgent", False),
            is_litigation=data.get("is_litigation", False),
            is_backlog=data.get("is_backlog", False),
            petitioners=petitioners,
        )


class PetitionerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=30, required=False)
    id_number = forms.CharField(label="身份证号", max_length=24, required=False)
    phone = forms.CharField(label="联系电话", max_length=24, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "").strip()
        try:
            return normalize_id_number(value, today=timezone.localdate()) if value else ""
        except InvalidValue as error:
            raise forms.ValidationError(str(error)) from error

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        try:
            return normalize_phone(value) if value else ""
        except InvalidValue as error:
            raise forms.ValidationError(str(error)) from error

    def petitioner_input(self) -> PetitionerInput | None:
        data = self.cleaned_data
        if not any(data.get(key) for key in ("name", "id_number", "phone", "address")):
            return None
        return PetitionerInput(data["name"], data["id_number"], data["phone"], data["address"])


PetitionerFormSet = forms.formset_factory(PetitionerForm, extra=1, max_num=20, validate_max=True)


def _filter_options(county_id: int | None) -> dict[str, list[tuple[int, str]]]:
    """The options of MatterFilterForm's directory fields, labelled as their label_from_instance would."""
    units = list(county_units(county_id).values_list("pk", "name", "kind"))
    categories = county_categories(county_id).values_list("pk", "name", "parent__name")
    leaders = Leader.objects.filter(county_id=county_id or 0).values_list("pk", "name", "post")
    return {
        "township": [(pk, name) for pk, name, kind in units if kind == Unit.Kind.TOWNSHIP],
        "unit": [(pk, name) for pk, name, _ in units],
        "category": [
            (pk, f"{parent}/{name}" if parent else f"{name}（一级）") for pk, name, parent in categories
        ],
        "owner": [(pk, f"{name}({post})") for pk, name, post in leaders],
    }


def _directory_options(county_id: int | None, user: User | None) -> dict[str, list[tuple[int, str]]]:
    """_filter_options, read once per county revision (county_cached) when the user's county is at hand:
    the list renders these options on every request."""
    county = user.county if user is not None and county_id is not None else None
    if county is None:
        return _filter_options(county_id)
    return county_cached(county, "matter-filter-options", functools.partial(_filter_options, county_id))


def _todo_choices(user: User | None) -> list[tuple[str, str]]:
    queues = todo.queues_for(user) if user is not None else todo.QUEUES
    return [("", "全部"), *((queue.key, f"{queue.label}（{queue.scope}）") for queue in queues)]


def _option_rows(options: Callable[[], dict[str, list[tuple[int, str]]]], name: str) -> list[tuple[int, str]]:
    return options()[name]


class MatterFilterForm(FastSelectsMixin, forms.Form):
    q = forms.CharField(label="内容检索", max_length=50, required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label="截止日期", required=False, widget=DATE_WIDGET)
    level = forms.ChoiceField(label="访别", choices=[("", "全部"), *Level.choices], required=False)
    channel = forms.ChoiceField(label="信访形式", choices=[("", "全部"), *Channel.choices], required=False)
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *Matter.Status.choices], required=False)
    category = CategoryChoiceField(
        label="问题类别", queryset=Category.objects.none(), required=False, empty_label="全部"
    )
    township = forms.ModelChoiceField(
        label="乡镇", queryset=Unit.objects.none(), required=False, empty_label="全部"
    )
    unit = forms.ModelChoiceField(
        label="责任单位", queryset=Unit.objects.none(), required=False, empty_label="全部"
    )
    overdue = forms.BooleanField(label="已超期", required=False)
    owner = forms.ModelChoiceField(
        label="包案领导", queryset=Leader.objects.none(), required=False, empty_label="全部"
    )
    todo = forms.ChoiceField(label="待办", required=False)
    flags = forms.MultipleChoiceField(
        label="标记",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("threat", "扬言"), ("urgent", "重大紧急"), ("litigation", "涉法涉诉"), ("backlog", "积案"),
                 ("collective", "集体访")],
    )  # fmt: skip

    DIRECTORY_FIELDS = ("township", "unit", "category", "owner")  # their options are the county's rows

    def __init__(self, *args: Any, county_id: int | None, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:  # what a choice is checked against; an unbound form only renders the options
            units = county_units(county_id)
            set_choices(self, "township", units.filter(kind=Unit.Kind.TOWNSHIP))
            set_choices(self, "unit", units)
            set_choices(self, "category", county_categories(county_id))
            set_choices(self, "owner", Leader.objects.filter(county_id=county_id or 0))
        cast(forms.ChoiceField, self.fields["todo"]).choices = _todo_choices(user)
        self.use_fast_selects()
        options = functools.cache(functools.partial(_directory_options, county_id, user))
        for name in self.DIRECTORY_FIELDS:
            self._options(name, functools.partial(_option_rows, options, name))

    @classmethod
    def unfilled_key(cls, *, county_id: int | None, user: User | None) -> tuple[Any, ...]:
        """What the unfilled form renders that is not fixed: the user's to-do queues and the county's
        directory options. Equal keys, equal HTML: the list renders the form once for them."""
        options = _directory_options(county_id, user)
        return (tuple(_todo_choices(user)), *(tuple(options[name]) for name in cls.DIRECTORY_FIELDS))

    def _options(self, name: str, rows: Callable[[], Iterable[tuple[int, str]]]) -> None:
        """The select's options, read once and only if they are shown (a callable is Django's lazy
        choices): the export and the API build this form but never render it."""
        field = cast(forms.ModelChoiceField, self.fields[name])  # type: ignore[type-arg]
        empty = ("", str(field.empty_label))
        options = functools.cache(lambda: [empty, *rows()])
        widget = cast(FastSelect, field.widget)
        widget.choices = options  # type: ignore[assignment]
        widget.option_rows = options

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return cleaned

    def matter_filter(self) -> MatterFilter:
        data = self.cleaned_data
        return MatterFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            level=data.get("level", ""),
            channel=data.get("channel", ""),
            category_id=data["category"].pk if data.get("category") else None,
            township_id=data["township"].pk if data.get("township") else None,
            unit_id=data["unit"].pk if data.get("unit") else None,
            status=data.get("status", ""),
            overdue=bool(data.get("overdue")),
            flags=tuple(flag for flag in data.get("flags", []) if flag in FLAG_FIELDS),
            q=data.get("q", "").strip(),
            todo=data.get("todo", ""),
            owner_id=data["owner"].pk if data.get("owner") else None,
        )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(
        label="办理为", choices=Matter.Status.choices, widget=forms.Select(attrs={"data-step-select": ""})
    )
    on = forms.DateField(label="日期", required=False, widget=DATE_WIDGET)
    reason = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
    answer = forms.CharField(label="答复意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                             required=False)  # fmt: skip
    delivered_on = forms.DateField(
        label="送达日期", required=False, widget=DATE_WIDGET, help_text="答复或复查(复核)意见送达信访人的日期"
    )
    requested_on = forms.DateField(
        label="请求日期", required=False, widget=DATE_WIDGET, help_text="复查(复核)：信访人提出请求的日期"
    )
    organ_unit = forms.ModelChoiceField(
        label="复查(复核)机关",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="（名录外机关，在下栏填写）",
    )
    organ_name = forms.CharField(
        label="名录外机关", max_length=60, required=False, help_text="如：平顶山市人民政府"
    )
    document_number = forms.CharField(label="文号", max_length=60, required=False)

    def __init__(self, *args: Any, county_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "organ_unit", county_units(county_id))

    def clean(self) -> dict[str, Any]:
        """A field the chosen step does not use is dropped, whatever was typed into it before switching."""
        cleaned = super().clean() or {}
        needed = TRANSITION_FIELDS.get(cleaned.get("to", ""), ())
        for name, field in self.fields.items():
            if name != "to" and name not in needed:
                cleaned[name] = "" if isinstance(field, forms.CharField) else None
        return cleaned


_REVIEW_FIELDS = ("requested_on", "organ_unit", "organ_name", "document_number", "reason")
# The fields each step uses; the page shows only these once the step is chosen.
TRANSITION_FIELDS: dict[str, tuple[str, ...]] = {
    Matter.Status.ACCEPTED: ("on", "reason"),
    Matter.Status.REJECTED: ("on", "reason"),
    Matter.Status.IN_PROGRESS: ("on", "reason"),
    Matter.Status.ANSWERED: ("on", "answer", "delivered_on"),
    Matter.Status.RESOLVED: ("on", "reason"),
    Matter.Status.REVIEW: _REVIEW_FIELDS,
    Matter.Status.RE_REVIEW: _REVIEW_FIELDS,
}


def steps_using(field: str, offered: list[str]) -> str:
    """The offered steps that use the field, as the page's `data-show-when` lists them."""
    return " ".join(step for step in offered if field in TRANSITION_FIELDS.get(step, ()))


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="承办单位", queryset=Unit.objects.none(), empty_label="请选择承办单位",
        widget=forms.Select(attrs={"data-search": ""}),
    )  # fmt: skip
    kind = forms.ChoiceField(label="方式", choices=Assignment.Kind.choices)
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args: Any, county_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", county_units(county_id))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ObjectionDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结果",
        choices=[("1", "异议成立，重新交办"), ("0", "异议不成立，继续办理")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="处理意见", max_length=2000)


class ExtensionForm(forms.Form):
    """The handling unit's request; the service checks the days against the rule profile."""

    days = forms.IntegerField(label="延长天数", min_value=1, max_value=90)
    reason = forms.CharField(label="延期理由", max_length=2000)


class HearingForm(forms.Form):
    days = forms.IntegerField(label="听证天数", min_value=1, max_value=90)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ExtensionDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批结果", choices=[("1", "批准延期"), ("0", "不批准")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="审批意见", max_length=2000, required=False)
    petitioner_notified = forms.BooleanField(label="已告知信访人延期理由", required=False)


class OwnerForm(forms.Form):
    leader = forms.ModelChoiceField(
        label="包案领导", queryset=Leader.objects.none(), empty_label="请选择包案领导"
    )

    def __init__(self, *args: Any, county_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "leader", Leader.objects.filter(county_id=county_id, is_active=True))


class RevealForm(forms.Form):
    petitioner = forms.IntegerField(widget=forms.HiddenInput)
    what = forms.ChoiceField(choices=[("id_number", "身份证号"), ("phone", "联系电话"), ("address", "住址")])
    reason = forms.CharField(label="查看理由", min_length=4, max_length=200)


class ExportReasonForm(forms.Form):
    """Why the bureau exports the list with real names (the filters travel in the query string)."""

    reason = forms.CharField(
        label="实名导出理由", min_length=4, max_length=200,
        error_messages={"required": "请填写实名导出理由", "min_length": "实名导出理由至少4个字",
                        "max_length": "实名导出理由不能超过200个字"},
    )  # fmt: skip


class QueryCodeForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=20)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper().replace("-", "").replace(" ", "")


class RatingForm(forms.Form):
    bureau_score = forms.ChoiceField(
        label="对信访部门", choices=Rating.Score.choices, widget=forms.RadioSelect
    )
    unit_score = forms.ChoiceField(label="对责任单位", choices=Rating.Score.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="意见建议", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OnlineSubmissionForm(CaptchaForm):
    """The public online petition form (网上信访): no login, rate limited, a CAPTCHA; kept to be screened."""

    field_order = ("name", "id_number", "phone", "township", "village", "address", "content", "appeal")

    name = forms.CharField(label="姓名", max_length=30)
    id_number = forms.CharField(label="身份证号", max_length=24)
    phone = forms.CharField(label="联系电话", max_length=24)
    township = forms.ModelChoiceField(
        label="所在乡镇", queryset=Unit.objects.none(), empty_label="请选择乡镇"
    )
    village = forms.CharField(label="村(社区)", max_length=50, required=False)
    address = forms.CharField(label="详细住址", max_length=200, required=False)
    content = forms.CharField(
        label="反映问题", widget=forms.Textarea(attrs={"rows": 6}), min_length=10, max_length=5000
    )
    appeal = forms.CharField(
        label="诉求", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
    clean_id_number = PetitionerForm.clean_id_number
    clean_phone = PetitionerForm.clean_phone

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county
        set_choices(self, "township", county_units(county.pk).filter(kind=Unit.Kind.TOWNSHIP))


class OnlineAcceptForm(forms.Form):
    """Accepting an online submission: the bureau classifies it as it registers it."""

    category = forms.ModelChoiceField(
        label="问题类别", queryset=Category.objects.none(), empty_label="请选择问题类别"
    )

    def __init__(self, *args: Any, county_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", county_categories(county_id))


class OnlineRejectForm(forms.Form):
    reason = forms.CharField(
        label="不予登记理由",
        min_length=4,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="信访人凭查询码可以看到这段理由，请写明原因和可以反映的途径。",
    )


class MatterEditForm(MatterFields):
    """Correcting a registered matter; only what changed is handed to the service."""

    def changes(self) -> dict[str, Any]:
        lists = ("reported_units", "reported_accounts")
        return {name: self.cleaned_data[name] for name in self.changed_data if name not in lists}

    def reported(self) -> list[Unit] | None:
        return list(self.cleaned_data["reported_units"]) if "reported_units" in self.changed_data else None

    def reported_people(self) -> list[User] | None:
        changed = "reported_accounts" in self.changed_data
        return list(self.cleaned_data["reported_accounts"]) if changed else None


def matter_edit_initial(matter: Matter) -> dict[str, Any]:
    from xinfang.petitions.services.registration import EDITABLE_FIELDS

    initial: dict[str, Any] = {name: getattr(matter, name) for name in EDITABLE_FIELDS}
    initial["reported_units"] = list(matter.reported_units.all())
    initial["reported_accounts"] = list(matter.reported_accounts.all())
    return initial
