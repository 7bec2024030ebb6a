from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.core.decorators import MemberRequest, role_required
from xinfang.core.forms import form_errors_from
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, LEADER_ROLES
from xinfang.directory import services
from xinfang.directory.forms import (
    CategoryForm,
    LeaderForm,
    OfficialForm,
    UnavailabilityForm,
    UnitForm,
    VillageForm,
)
from xinfang.directory.models import County, Unit, UnitOfficial
from xinfang.directory.selectors import (
    categories_tree,
    category_get_for_user,
    leader_get_for_user,
    leaders_inactive,
    leaders_with_portfolios,
    official_get_for_user,
    official_phones_in_full,
    official_unavailability_get_for_user,
    unavailability_get_for_user,
    unit_get_for_user,
    units_inactive,
    units_with_heads,
    village_get_for_user,
)

COUNTY_VIEW_ROLES = BUREAU_ROLES | LEADER_ROLES
# Who keeps the directory: both bureau roles (docs/roles.md); the services refuse everyone else too.
EDITOR_ROLES = services.EDITOR_ROLES


def _can_edit(request: MemberRequest) -> bool:
    return request.user.role in EDITOR_ROLES


def _county(request: MemberRequest) -> County:
    return County.objects.get(pk=request.user.county_id or 0)


def _form_page(
    request: MemberRequest,
    form: Any,
    *,
    title: str,
    back: str,
    nav_key: str,
    template: str = "directory/form.html",
    status: int | None = None,
    **extra: Any,
) -> HttpResponse:
    """The one maintenance form page: the fields, save and cancel; 422 while the form has errors."""
    context = {"form": form, "title": title, "back": back, "nav_key": nav_key, **extra}
    return render(request, template, context, status=status or (422 if form.errors else 200))


@role_required(COUNTY_VIEW_ROLES)
def unit_list(request: MemberRequest) -> HttpResponse:
    context = {
        "townships": units_with_heads(user=request.user, kind=Unit.Kind.TOWNSHIP),
        "departments": units_with_heads(user=request.user, kind=Unit.Kind.DEPARTMENT),
        "inactive": units_inactive(user=request.user),
        "phones_in_full": official_phones_in_full(user=request.user),
        "can_edit": _can_edit(request),
        "nav_key": "units",
    }
    return render(request, "directory/unit_list.html", context)


@role_required(CONTENT_ROLES)
def unit_detail(request: MemberRequest, unit_id: int) -> HttpResponse:
    can_edit = _can_edit(request)
    unit = unit_get_for_user(user=request.user, unit_id=unit_id, inactive=can_edit)
    context = {
        "unit": unit,
        "phones_in_full": official_phones_in_full(user=request.user),
        "can_edit": can_edit,
        "nav_key": "units" if request.user.role in COUNTY_VIEW_ROLES else "unit",
    }
    return render(request, "directory/unit_detail.html", context)


@role_required(EDITOR_ROLES)
def unit_new(request: MemberRequest) -> HttpResponse:
    kind = request.GET.get("kind", Unit.Kind.TOWNSHIP)
    if kind not in Unit.Kind.values:
        raise Http404("没有这种单位类型")
    form = UnitForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                by=request.user, county=_county(request), kind=kind, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已新增{unit.get_kind_display()}：{unit.name}")
            return redirect("directory:unit", unit.pk)
    title = "新增乡镇" if kind == Unit.Kind.TOWNSHIP else "新增县直单位"
    return _form_page(request, form, title=title, back=reverse("directory:units"), nav_key="units")


@role_required(EDITOR_ROLES)
def unit_edit(request: MemberRequest, unit_id: int) -> HttpResponse:
    unit = unit_get_for_user(user=request.user, unit_id=unit_id)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(by=request.user, unit=unit, changes=form.changes())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已保存：{unit.name}")
            return redirect("directory:unit", unit.pk)
    back = reverse("directory:unit", args=[unit.pk])
    return _form_page(
        request,
        form,
        title=f"修改{unit.get_kind_display()}：{unit.name}",
        back=back,
        nav_key="units",
        deactivate_note="停用后不再出现在登记、导入的选项中，已有事项和统计不受影响。",
    )


@role_required(EDITOR_ROLES)
def official_new(request: MemberRequest, unit_id: int) -> HttpResponse:
    unit = unit_get_for_user(user=request.user, unit_id=unit_id)
    form = OfficialForm(request.POST or None, unit=unit, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            official = services.official_create(by=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已新增{unit.name}领导：{official.name}")
            return redirect("directory:unit", unit.pk)
    back = reverse("directory:unit", args=[unit.pk])
    title = f"新增{'乡镇领导' if unit.is_township else '单位负责人'}：{unit.name}"
    return _form_page(request, form, title=title, back=back, nav_key="units")


@role_required(EDITOR_ROLES)
def official_edit(request: MemberRequest, official_id: int) -> HttpResponse:
    official = official_get_for_user(user=request.user, official_id=official_id)
    form = OfficialForm(request.POST or None, instance=official, unit=official.unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.official_update(by=request.user, official=official, changes=form.changes())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已保存：{official.name}")
            return redirect("directory:unit", official.unit_id)
    return _official_page(request, official, form)


def _official_page(
    request: MemberRequest,
    official: UnitOfficial,
    form: OfficialForm,
    period_form: UnavailabilityForm | None = None,
    status: int | None = None,
) -> HttpResponse:
    """The official's edit page; a township official's also lists and takes their unavailable days."""
    return _form_page(
        request,
        form,
        title=f"修改{official.unit.name}领导：{official.name}",
        back=reverse("directory:unit", args=[official.unit_id]),
        nav_key="units",
        template="directory/official_form.html",
        status=status,
        deactivate_note="调离或退休的领导请取消“在职”，不要删除：历史记录仍要用到。",
        official=official,
        period_form=period_form or UnavailabilityForm(),
    )


@role_required(EDITOR_ROLES)
def village_new(request: MemberRequest, unit_id: int) -> HttpResponse:
    township = unit_get_for_user(user=request.user, unit_id=unit_id)
    if not township.is_township:
        raise Http404("县直单位没有村(社区)")
    form = VillageForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            village = services.village_create(by=request.user, township=township, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已新增{township.name}的{village.get_kind_display()}：{village.name}")
            return redirect("directory:unit", township.pk)
    back = reverse("directory:unit", args=[township.pk])
    return _form_page(request, form, title=f"新增村(社区)：{township.name}", back=back, nav_key="units")


@role_required(EDITOR_ROLES)
def village_edit(request: MemberRequest, village_id: int) -> HttpResponse:
    village = village_get_for_user(user=request.user, village_id=village_id)
    form = VillageForm(request.POST or None, instance=village)
    if request.method == "POST" and form.is_valid():
        try:
            services.village_update(by=request.user, village=village, changes=form.changes())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已保存：{village.name}")
            return redirect("directory:unit", village.township_id)
    back = reverse("directory:unit", args=[village.township_id])
    return _form_page(
        request,
        form,
        title=f"修改村(社区)：{village.name}",
        back=back,
        nav_key="units",
        deactivate_note="撤并的村(社区)请取消“启用”，不要删除：已有事项仍指向它。",
    )


@role_required(COUNTY_VIEW_ROLES)
def leader_list(request: MemberRequest) -> HttpResponse:
    leaders = leaders_with_portfolios(user=request.user)
    context = {
        "leaders": leaders,
        "inactive": leaders_inactive(user=request.user),
        "phones_in_full": official_phones_in_full(user=request.user),
        "can_edit": _can_edit(request),
        "nav_key": "leaders",
    }
    return render(request, "directory/leader_list.html", context)


@role_required(COUNTY_VIEW_ROLES)
def leader_detail(request: MemberRequest, leader_id: int) -> HttpResponse:
    can_edit = _can_edit(request)
    leader = leader_get_for_user(user=request.user, leader_id=leader_id, inactive=can_edit)
    context = {
        "leader": leader,
        "phones_in_full": official_phones_in_full(user=request.user),
        "can_edit": can_edit,
        "period_form": UnavailabilityForm() if can_edit else None,
        "nav_key": "leaders",
    }
    return render(request, "directory/leader_detail.html", context)


@role_required(EDITOR_ROLES)
def leader_new(request: MemberRequest) -> HttpResponse:
    county_id = request.user.county_id or 0
    form = LeaderForm(request.POST or None, county_id=county_id, creating=True)
    if request.method == "POST" and form.is_valid():
        fields, links = form.fields_and_links()
        try:
            leader = services.leader_create(
                by=request.user, county=_county(request), fields=fields, links=links
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已新增县级领导：{leader.name}")
            return redirect("directory:leader", leader.pk)
    return _form_page(
        request, form, title="新增县级领导", back=reverse("directory:leaders"), nav_key="leaders"
    )


@role_required(EDITOR_ROLES)
def leader_edit(request: MemberRequest, leader_id: int) -> HttpResponse:
    leader = leader_get_for_user(user=request.user, leader_id=leader_id, inactive=True)
    form = LeaderForm(request.POST or None, instance=leader, county_id=leader.county_id)
    if request.method == "POST" and form.is_valid():
        fields, links = form.fields_and_links()
        try:
            services.leader_update(by=request.user, leader=leader, changes=fields, links=links)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已保存：{leader.name}")
            return redirect("directory:leader", leader.pk)
    back = reverse("directory:leader", args=[leader.pk])
    return _form_page(
        request,
        form,
        title=f"修改县级领导：{leader.name}",
        back=back,
        nav_key="leaders",
        deactivate_note="离任的领导请取消“在任”，不要删除：包案、接访记录和账号仍指向他。",
    )


@role_required(EDITOR_ROLES)
@require_POST
def unavailability_add(request: MemberRequest, leader_id: int) -> HttpResponse:
    leader = leader_get_for_user(user=request.user, leader_id=leader_id, inactive=True)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.leader_unavailability_add(by=request.user, leader=leader, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            messages.success(request, f"已登记{leader.name}不在岗：{start:%Y-%m-%d}至{end:%Y-%m-%d}")
            return redirect(reverse("directory:leader", args=[leader.pk]) + "#unavailable")
    context = {
        "leader": leader,
        "phones_in_full": official_phones_in_full(user=request.user),
        "can_edit": True,
        "period_form": form,
        "nav_key": "leaders",
    }
    return render(request, "directory/leader_detail.html", context, status=422)


@role_required(EDITOR_ROLES)
@require_POST
def official_unavailability_add(request: MemberRequest, official_id: int) -> HttpResponse:
    official = official_get_for_user(user=request.user, official_id=official_id)
    if not official.unit.is_township:
        raise Http404("只有乡镇领导登记不在岗日期")
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.official_unavailability_add(by=request.user, official=official, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            messages.success(request, f"已登记{official.name}不在岗：{start:%Y-%m-%d}至{end:%Y-%m-%d}")
            return redirect(reverse("directory:official_edit", args=[official.pk]) + "#unavailable")
    return _official_page(request, official, OfficialForm(instance=official, unit=official.unit), form, 422)


@role_required(EDITOR_ROLES)
@require_POST
def official_unavailability_remove(request: MemberRequest, period_id: int) -> HttpResponse:
    period = official_unavailability_get_for_user(user=request.user, period_id=period_id)
    official = period.official
    services.unavailability_remove(by=request.user, period=period)
    messages.success(
        request, f"已删除{official.name}的不在岗日期：{period.start:%Y-%m-%d}至{period.end:%Y-%m-%d}"
    )
    return redirect(reverse("directory:official_edit", args=[official.pk]) + "#unavailable")


@role_required(EDITOR_ROLES)
@require_POST
def unavailability_remove(request: MemberRequest, period_id: int) -> HttpResponse:
    period = unavailability_get_for_user(user=request.user, period_id=period_id)
    leader = period.leader
    services.leader_unavailability_remove(by=request.user, period=period)
    messages.success(
        request, f"已删除{leader.name}的不在岗日期：{period.start:%Y-%m-%d}至{period.end:%Y-%m-%d}"
    )
    return redirect(reverse("directory:leader", args=[leader.pk]) + "#unavailable")


@role_required(COUNTY_VIEW_ROLES)
def category_list(request: MemberRequest) -> HttpResponse:
    can_edit = _can_edit(request)
    tree = categories_tree(county_id=request.user.county_id, inactive=can_edit)
    context = {"tree": tree, "can_edit": can_edit, "nav_key": "categories"}
    return render(request, "directory/category_list.html", context)


@role_required(EDITOR_ROLES)
def category_new(request: MemberRequest) -> HttpResponse:
    county_id = request.user.county_id or 0
    form = CategoryForm(request.POST or None, county_id=county_id, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(by=request.user, county=_county(request), **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已新增问题分类：{category.code} {category}")
            return redirect(reverse("directory:categories") + f"#category-{category.pk}")
    back = reverse("directory:categories")
    return _form_page(request, form, title="新增问题分类", back=back, nav_key="categories")


@role_required(EDITOR_ROLES)
def category_edit(request: MemberRequest, category_id: int) -> HttpResponse:
    category = category_get_for_user(user=request.user, category_id=category_id)
    form = CategoryForm(request.POST or None, instance=category, county_id=category.county_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(by=request.user, category=category, changes=form.changes())
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已保存问题分类：{category.code} {category}")
            return redirect(reverse("directory:categories") + f"#category-{category.pk}")
    back = reverse("directory:categories")
    return _form_page(
        request,
        form,
        title=f"修改问题分类：{category.code} {category}",
        back=back,
        nav_key="categories",
        deactivate_note="不再使用的分类请取消“启用”：已有事项仍按原分类统计。",
    )
