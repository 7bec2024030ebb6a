"""The village star ratings' pages (docs/villages.md), tabs of 比拼: the year's ratings (the bureau's bulk
form), the stars and rewards, the unmatched villages, publication and the Excel export, a village's page
with its rectification and 下访 records. Gate → validate → one service → respond."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, Role
from xinfang.directory.models import County, Village
from xinfang.petitions.services.common import RegistryError
from xinfang.scoring import village_selectors as selectors
from xinfang.scoring import village_services as services
from xinfang.scoring.selectors import visible_matter_ids
from xinfang.scoring.village_document import ratings_xlsx
from xinfang.scoring.village_forms import (
    CloseForm,
    ProgressForm,
    PublishForm,
    RectificationForm,
    ReopenForm,
    ResolveForm,
    RewardsForm,
    StarsForm,
    TaskForm,
    VisitForm,
    split_numbers,
)

NAV = "competition"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _county(request: AuthedRequest) -> County:
    county = request.user.county
    if county is None:
        raise Http404("没有所属县")
    return county


def _year(request: AuthedRequest, value: str | int | None = None) -> int:
    raw = value if value is not None else request.GET.get("year") or request.POST.get("year")
    if not raw:
        return timezone.localdate().year
    try:
        return selectors.year_parse(raw)
    except ValueError as error:
        raise Http404(str(error)) from None


def _list_url(year: int) -> str:
    return f"{reverse('scoring:villages')}?year={year}"


def _errors(request: AuthedRequest, error: ValidationError | PermissionDenied | RegistryError) -> None:
    for message in getattr(error, "messages", None) or [str(error)]:
        messages.error(request, message)


@role_required(CONTENT_ROLES)
@require_http_methods(["GET", "POST"])
def villages(request: AuthedRequest) -> HttpResponse:
    """The year's ratings (`?year=2026`): every village, its stars, the petition star and the events that
    vetoed it, the reward. The bureau sees it as it stands and rates the villages (POST, one form); the
    others see the published list, a township user its own villages only."""
    county, user = _county(request), request.user
    if not selectors.villages_visible(user):
        raise PermissionDenied("只有信访局、县领导和乡镇可以查看村级星级")
    year = _year(request)
    is_bureau = user.role in BUREAU_ROLES
    if request.method == "POST":
        if not is_bureau:
            raise PermissionDenied("只有信访局可以评定村级星级")
        return _rate(request, county, year)
    stored, record, computed_at = selectors.ratings_figures(county, year)
    # Never computed on a view: until the vetoes are stored (the night's job or 重新计算) the list is empty.
    empty: dict[str, Any] = {"villages": [], "totals": {}, "petition_star": ""}
    figures = stored if stored is not None else empty
    visible = (is_bureau or record is not None) and stored is not None
    townships = selectors.township_counts(figures) if visible else []
    own = selectors.own_township_id(user)
    chosen = _township_choice(request, own, {t["township_id"] for t in townships})
    rows = [r for r in figures["villages"] if chosen == ALL or r["township_id"] == chosen] if visible else []
    weak = {
        r.village_id: r
        for r in selectors.weak_villages(county, year, township_id=None if chosen == ALL else chosen)
    }
    # A village's first few vetoing events, as stored and as published (its page lists every one).
    shown = selectors.SHOWN_VETOES
    matters = visible_matter_ids(
        user=user, matter_ids=[v["matter"] for row in rows for v in row["vetoes"][:shown]]
    )
    stars = selectors.stars_of(county)
    held: dict[int, list[str]] = {row["village_id"]: row["stars"] for row in rows}
    context: dict[str, Any] = {
        "year": year, "record": record, "visible": visible, "figures": figures, "nav_key": NAV,
        "computed": stored is not None, "computed_at": computed_at,
        "townships": townships, "township": chosen, "own_township": own,
        "township_name": next((t["township"] for t in townships if t["township_id"] == chosen), ""),
        "rows": [{**row, "vetoes": [{**v, "visible": v["matter"] in matters} for v in row["vetoes"][:shown]],
                  "veto_count": row.get("veto_count", len(row["vetoes"])),
                  "rectification": weak.get(row["village_id"])}
                 for row in rows],
        "is_bureau": is_bureau, "is_head": user.role == Role.BUREAU_HEAD,
        "editable": is_bureau and record is None, "stars": [s for s in stars if not s.is_petition],
        "held": held, "closed": year < timezone.localdate().year,
        "unmatched": selectors.unmatched_villages(county, year) if is_bureau and record is None else [],
        "publish_form": PublishForm(),
    }  # fmt: skip
    return render(request, "scoring/villages.html", context)


ALL = 0  # the whole county's list (`?township=all`)


def _township_choice(request: AuthedRequest, own: int | None, known: set[int]) -> int | None:
    """The township of the list: a township's user always its own; the others the one they pick
    (`?township=<id>`, or `all`), none at first (the picker with its counts). A township not in the list is
    refused with a message and the picker shown."""
    if own is not None:
        return own
    raw = request.GET.get("township", "").strip()
    if raw == "all":
        return ALL
    if not raw:
        return None
    if raw.isdigit() and len(raw) <= 12 and int(raw) in known:
        return int(raw)
    messages.error(request, "没有这个乡镇，请从列表中选择")
    return None


def _rate(request: AuthedRequest, county: County, year: int) -> HttpResponse:
    """The bulk form: `stars-<village id>` holds the ids of the stars the village holds."""
    stars = {star.pk: star for star in selectors.stars_of(county) if not star.is_petition}
    # The form holds one township's villages (or, `all` or no township, the county's): only those are rated.
    raw = request.POST.get("township", "").strip()
    township = int(raw) if raw.isdigit() and len(raw) <= 12 else None
    villages = list(selectors.villages_of(county, township_id=township).filter(is_active=True))
    chosen = {
        village: [stars[int(pk)] for pk in request.POST.getlist(f"stars-{village.pk}")
                  if pk.isdigit() and int(pk) in stars]
        for village in villages
    }  # fmt: skip
    try:
        services.ratings_save(county=county, year=year, chosen=chosen, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    else:
        messages.success(request, f"已保存{year}年村级星级评定")
    return redirect(_list_url(year) + (f"&township={raw}" if township is not None or raw == "all" else ""))


@role_required(BUREAU_ROLES)
@require_http_methods(["GET", "POST"])
def config(request: AuthedRequest) -> HttpResponse:
    """The county's stars and the rewards table; the bureau head edits them."""
    county, user = _county(request), request.user
    stars = selectors.stars_of(county)
    rewards = selectors.rewards_of(county)
    is_head = user.role == Role.BUREAU_HEAD
    petition = next((star.name for star in stars if star.is_petition), "")
    stars_form = StarsForm(initial={"names": "\n".join(s.name for s in stars), "petition": petition})
    rewards_form = RewardsForm(
        initial={"rows": "\n".join(f"{r.stars} {r.work_funds:g} {r.cadre_pay:g}" for r in rewards)}
    )
    if request.method == "POST":
        if not is_head:
            raise PermissionDenied("只有信访局长可以配置星级和奖励")
        if "names" in request.POST:
            stars_form = StarsForm(request.POST)
            if stars_form.is_valid():
                try:
                    services.stars_save(county=county, by=user, **stars_form.cleaned_data)
                except ValidationError as error:
                    stars_form.add_error(None, error)
                else:
                    messages.success(request, "已保存星级")
                    return redirect("scoring:village_config")
        else:
            rewards_form = RewardsForm(request.POST)
            if rewards_form.is_valid():
                try:
                    rows = [(n, Decimal(f), Decimal(p)) for n, f, p in rewards_form.cleaned_data["rows"]]
                    services.rewards_save(county=county, by=user, rewards=rows)
                except InvalidOperation:
                    rewards_form.add_error("rows", "金额应为数字")
                except ValidationError as error:
                    rewards_form.add_error(None, error)
                else:
                    messages.success(request, "已保存星级奖励")
                    return redirect("scoring:village_config")
    context = {
        "stars": stars, "rewards": rewards, "is_head": is_head, "stars_form": stars_form,
        "rewards_form": rewards_form, "nav_key": NAV, "year": timezone.localdate().year,
    }  # fmt: skip
    invalid = stars_form.errors or rewards_form.errors
    return render(request, "scoring/village_config.html", context, status=422 if invalid else 200)


@role_required(BUREAU_ROLES)
@require_http_methods(["GET", "POST"])
def unmatched(request: AuthedRequest) -> HttpResponse:
    """The village names typed but not matched on the year's over-level events, per township; choosing
    the village for a name updates its matters."""
    county, year = _county(request), _year(request)
    if request.method == "POST":
        form = ResolveForm(request.POST)
        village = (
            Village.objects.filter(pk=form.cleaned_data["village"], township__county=county).first()
            if form.is_valid()
            else None
        )
        if village is None:
            messages.error(request, "请选择要匹配的村(社区)")
        else:
            try:
                count = services.unmatched_resolve(
                    county=county, by=request.user, township_id=form.cleaned_data["township"],
                    text=form.cleaned_data["text"], village=village,
                )  # fmt: skip
            except (ValidationError, PermissionDenied, RegistryError) as error:
                _errors(request, error)
            else:
                messages.success(
                    request, f"已将“{form.cleaned_data['text']}”匹配为{village.name}（{count}件事项）"
                )
        return redirect(f"{reverse('scoring:village_unmatched')}?year={year}")
    rows = selectors.unmatched_villages(county, year)
    choices: dict[int, list[Village]] = {}
    for village in selectors.villages_of(county).filter(is_active=True):
        choices.setdefault(village.township_id, []).append(village)
    context = {
        "year": year, "nav_key": NAV, "record": selectors.rating_year_of(county, year),
        "rows": [
            {**row, "villages": choices.get(row["township_id"], []), "more": row["matters"] > 20,
             "matter_list": list(selectors.unmatched_matters(county, row["township_id"], row["text"])[:20])}
            for row in rows
        ],
    }  # fmt: skip
    return render(request, "scoring/village_unmatched.html", context)


@role_required([Role.BUREAU_HEAD])
@require_POST
def publish(request: AuthedRequest, year: int) -> HttpResponse:
    county, year = _county(request), _year(request, year)
    form = PublishForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        record = services.ratings_publish(county=county, year=year, by=request.user, reason=reason)
    except ValidationError as error:
        _errors(request, error)
    else:
        assert record.document is not None
        messages.success(request, f"已公布{year}年村级星级评定结果，印发{record.document.label}")
    return redirect(_list_url(year))


@role_required(BUREAU_ROLES)
@require_POST
def recompute(request: AuthedRequest, year: int) -> HttpResponse:
    """重新计算: the year's petition-star vetoes computed again from the events now (the bureau)."""
    county, year = _county(request), _year(request, year)
    try:
        stored = services.vetoes_refresh(county=county, year=year, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    else:
        local = timezone.localtime(stored.computed_at)
        messages.success(request, f"已按 {local:%Y-%m-%d %H:%M} 的数据重新计算{year}年村级星级")
    return redirect(_list_url(year))


@role_required(CONTENT_ROLES)
@require_GET
def export(request: AuthedRequest, year: int) -> HttpResponse:
    """The year's list as .xlsx: the bureau's as it stands, the others' once published (a township's own
    villages only)."""
    county, user, year = _county(request), request.user, _year(request, year)
    # Refused before every vetoing event of the county is read.
    if not selectors.villages_visible(user) or (
        user.role not in BUREAU_ROLES and selectors.rating_year_of(county, year) is None
    ):
        raise Http404("本年度村级星级评定结果尚未公布")
    figures, _, _ = selectors.ratings_figures(county, year, full=True)
    if figures is None:
        messages.error(request, f"{year}年村级星级尚未计算，请先重新计算")
        return redirect(_list_url(year))
    township = selectors.own_township_id(user)
    if township is not None:
        figures = {**figures, "villages": [r for r in figures["villages"] if r["township_id"] == township]}
    title = f"{county.name}{year}年度村级星级评定"
    response = HttpResponse(ratings_xlsx(figures, title=title), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="village-stars-{year}.xlsx"'
    return response


@role_required(CONTENT_ROLES)
@require_GET
def village(request: AuthedRequest, village_id: int) -> HttpResponse:
    """A village's page: its rating of the year (the events vetoing its petition star), its rectification
    (tasks, progress, linked matters) and 下访 records, and the forms of who may record them."""
    county, user = _county(request), request.user
    the_village = selectors.village_get_for_user(user=user, village_id=village_id)
    year = _year(request)
    figures, record, computed_at = selectors.ratings_figures(county, year, full=the_village.pk)
    row = None
    if figures is not None and (user.role in BUREAU_ROLES or record is not None):
        row = next((r for r in figures["villages"] if r["village_id"] == the_village.pk), None)
    rectifications = selectors.rectifications_of(the_village)
    visits = selectors.visits_of(the_village)
    linked = [m.pk for r in rectifications for m in r.matters.all()] + [
        m.pk for v in visits for m in v.matters.all()
    ]
    visible = visible_matter_ids(user=user, matter_ids=[v["matter"] for v in row["vetoes"]] if row else [])
    visible |= visible_matter_ids(user=user, matter_ids=linked)
    can_record = user.role in BUREAU_ROLES or selectors.own_township_id(user) == the_village.township_id
    context = {
        "village": the_village, "year": year, "row": row, "record": record, "visible": visible,
        "computed": figures is not None, "computed_at": computed_at,
        "rectifications": rectifications, "visits": visits, "can_record": can_record,
        "is_bureau": user.role in BUREAU_ROLES, "nav_key": NAV,
        "rectification_form": RectificationForm(initial={"year": year}), "task_form": TaskForm(),
        "progress_form": ProgressForm(), "visit_form": VisitForm(initial={"date": timezone.localdate()}),
        "close_form": CloseForm(initial={"closed_on": timezone.localdate()}), "reopen_form": ReopenForm(),
        "is_head": user.role == Role.BUREAU_HEAD,
    }  # fmt: skip
    return render(request, "scoring/village.html", context)


def _village_url(village: Village) -> str:
    return reverse("scoring:village", args=[village.pk])


def _matters(request: AuthedRequest, text: str) -> list[Any] | None:
    found, missing = selectors.matters_by_numbers(user=request.user, numbers=split_numbers(text))
    if missing:
        messages.error(request, f"找不到或无权查看的事项：{'、'.join(missing)}")
        return None
    return found


@role_required(BUREAU_ROLES)
@require_POST
def rectification(request: AuthedRequest, village_id: int) -> HttpResponse:
    """Mark the village 软弱涣散 for a year, with linked matters (the bureau)."""
    the_village = selectors.village_get_for_user(user=request.user, village_id=village_id, record=True)
    form = RectificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写年度和软弱涣散情形")
        return redirect(_village_url(the_village))
    matters = _matters(request, form.cleaned_data["matters"])
    if matters is not None:
        try:
            services.rectification_mark(
                village=the_village, year=form.cleaned_data["year"], reason=form.cleaned_data["reason"],
                matters=matters, by=request.user,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        else:
            messages.success(request, f"已认定{the_village.name}为软弱涣散村")
    return redirect(_village_url(the_village))


@role_required([Role.BUREAU_STAFF, Role.BUREAU_HEAD, Role.UNIT_USER])
@require_POST
def task(request: AuthedRequest, rectification_id: int) -> HttpResponse:
    found = selectors.rectification_get_for_user(user=request.user, rectification_id=rectification_id)
    the_village = found.village
    form = TaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写整改任务、责任人和完成时限")
    else:
        try:
            services.task_add(rectification=found, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        else:
            messages.success(request, "已登记整改任务")
    return redirect(_village_url(the_village))


@role_required([Role.BUREAU_STAFF, Role.BUREAU_HEAD, Role.UNIT_USER])
@require_POST
def progress(request: AuthedRequest, task_id: int) -> HttpResponse:
    found = selectors.task_get_for_user(user=request.user, task_id=task_id)
    the_village = found.rectification.village
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写进展情况")
    else:
        try:
            services.task_progress(task=found, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        else:
            messages.success(request, "已填报整改进展")
    return redirect(_village_url(the_village))


@role_required(BUREAU_ROLES)
@require_POST
def close(request: AuthedRequest, rectification_id: int) -> HttpResponse:
    """整治完成/销号 (the bureau): date, conclusion, and a reason while tasks remain open."""
    found = selectors.rectification_get_for_user(user=request.user, rectification_id=rectification_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写销号日期和整治结论（结论不超过 500 字，理由不超过 300 字）")
    else:
        try:
            services.rectification_close(rectification=found, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        else:
            messages.success(request, f"{found.village.name}{found.year}年综合整治已销号")
    return redirect(_village_url(found.village))


@role_required([Role.BUREAU_HEAD])
@require_POST
def reopen(request: AuthedRequest, rectification_id: int) -> HttpResponse:
    """The bureau head reopens a closed rectification, with the reason."""
    found = selectors.rectification_get_for_user(user=request.user, rectification_id=rectification_id)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写重新打开的理由（不超过 300 字）")
    else:
        try:
            services.rectification_reopen(rectification=found, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        else:
            messages.success(request, f"已重新打开{found.village.name}{found.year}年综合整治")
    return redirect(_village_url(found.village))


@role_required([Role.BUREAU_STAFF, Role.BUREAU_HEAD, Role.UNIT_USER])
@require_POST
def visit(request: AuthedRequest, village_id: int) -> HttpResponse:
    the_village = selectors.village_get_for_user(user=request.user, village_id=village_id, record=True)
    form = VisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写下访日期、人员和内容")
        return redirect(_village_url(the_village))
    matters = _matters(request, form.cleaned_data["matters"])
    if matters is not None:
        data = {key: form.cleaned_data[key] for key in ("date", "officials", "content")}
        try:
            services.visit_record(village=the_village, matters=matters, by=request.user, **data)
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        else:
            messages.success(request, "已登记下访")
    return redirect(_village_url(the_village))
