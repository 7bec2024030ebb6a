"""领导接访 pages: the bureau's month (generate, adjust, publish) and the public page without login with its
printable sheet. Gate → validate → one service → respond; a refusal comes back beside its form."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.documents import document_docx, document_pdf
from xinfang.core.forms import form_errors_from
from xinfang.core.ratelimit import allow
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import County, Unit
from xinfang.directory.selectors import county_by_code_or_only
from xinfang.lib.workdays import UnknownYear
from xinfang.reception.document import schedule_document
from xinfang.reception.downvisits import public_draws
from xinfang.reception.forms import AdjustForm, MonthForm
from xinfang.reception.models import Adjustment, Schedule, Slot
from xinfang.reception.planning import next_month, parse_month, previous_month
from xinfang.reception.selectors import (
    public_months,
    public_townships,
    schedule_get_for_user,
    schedule_of,
    slot_candidates,
    slot_get_for_user,
    slots_of,
)
from xinfang.reception.services import schedule_generate, schedule_publish, slot_adjust

NAV = "reception"
SHEET_LIMIT = (20, 600)  # printable sheets per address and ten minutes: each PDF costs about a second
FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


# ---------------------------------------------------------------------------------------------------------
# The bureau's month


def _month_page(request: AuthedRequest, month: Any, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    county = user.county
    assert county is not None  # role_required: the bureau's roles belong to a county
    today = timezone.localdate()
    schedule = schedule_of(county, month)
    slots = slots_of(schedule) if schedule else []
    upcoming = next_month(today)
    upcoming_schedule = schedule if month == upcoming else schedule_of(county, upcoming)
    warn = today.day >= settings.XINFANG_RECEPTION_WARN_DAY and not (
        upcoming_schedule and upcoming_schedule.is_published
    )
    context = {
        "month": month,
        "previous": previous_month(month),
        "next": next_month(month),
        "schedule": schedule,
        "county_slots": [slot for slot in slots if slot.level == Slot.Level.COUNTY],
        "township_slots": [slot for slot in slots if slot.level == Slot.Level.TOWNSHIP],
        "adjustments": (
            Adjustment.objects.filter(slot__schedule=schedule).select_related("slot__unit", "by")
            .order_by("-at") if schedule else []
        ),
        "warn_upcoming": upcoming if warn else None,
        "is_head": user.role == Role.BUREAU_HEAD,
        "confirming": request.GET.get("confirm") == "publish" and schedule and not schedule.is_published,
        "generate_form": extra.pop("generate_form", None) or MonthForm(initial={"month": f"{month:%Y-%m}"}),
        "month_over": today >= next_month(month),
        "place": settings.XINFANG_RECEPTION_PLACE,
        "nav_key": NAV,
        **extra,
    }  # fmt: skip
    return render(request, "reception/index.html", context, status=status)


@role_required(BUREAU_ROLES)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    """A month's schedule (next month unless `?month=` says otherwise) with what can be done to it."""
    try:
        month = (
            parse_month(request.GET["month"])
            if request.GET.get("month")
            else next_month(timezone.localdate())
        )
    except ValueError:
        month = next_month(timezone.localdate())
    return _month_page(request, month)


@role_required(BUREAU_ROLES)
@require_POST
def generate(request: AuthedRequest) -> HttpResponse:
    form = MonthForm(request.POST)
    if not form.is_valid():
        return _month_page(request, next_month(timezone.localdate()), 422, generate_form=form)
    month, county = form.cleaned_data["month"], request.user.county
    assert county is not None
    try:
        schedule, created = schedule_generate(
            county=county, month=month, by=request.user, now=timezone.now(),
            regenerate=form.cleaned_data["regenerate"],
        )  # fmt: skip
    except (ValidationError, UnknownYear) as error:
        form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        return _month_page(request, month, 422, generate_form=form)
    if created:
        messages.success(
            request, f"已生成{schedule.label}草稿，共{schedule.slots.count()}条接访安排，请核对后报局长公布"
        )
    else:
        messages.info(request, f"{schedule.label}已生成过，未重新生成")
    return redirect(f"{reverse('reception:index')}?month={month:%Y-%m}")


@role_required(BUREAU_ROLES)
@require_POST
def publish(request: AuthedRequest, schedule_id: int) -> HttpResponse:
    schedule = schedule_get_for_user(user=request.user, schedule_id=schedule_id)
    page = f"{reverse('reception:index')}?month={schedule.month:%Y-%m}"
    if request.POST.get("confirm") != "1":  # not confirmed on the page: show what would be published first
        return redirect(f"{page}&confirm=publish#publish")
    try:
        schedule_publish(schedule=schedule, by=request.user, now=timezone.now())
    except PermissionDenied as error:
        return _month_page(request, schedule.month, 403, publish_errors=[str(error)])
    except ValidationError as error:
        return _month_page(request, schedule.month, 422, publish_errors=error.messages)
    messages.success(request, f"已公布{schedule.label}，公开页面和接访安排表已同步更新")
    return redirect(page)


@role_required(BUREAU_ROLES)
def slot(request: AuthedRequest, slot_id: int) -> HttpResponse:
    """Give one slot to another leader; after publishing, with the reason the history keeps."""
    found = slot_get_for_user(user=request.user, slot_id=slot_id)
    published = found.schedule.is_published
    initial = {"person": f"leader:{found.leader_id}" if found.leader_id else f"official:{found.official_id}",
               "note": found.note}  # fmt: skip
    form = AdjustForm(
        request.POST or None, initial=initial, choices=slot_candidates(found), published=published
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                slot_adjust(slot=found, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(
                    request, "已调整接访安排" + ("，公开页面将标注“已调整”" if published else "")
                )
                return redirect(f"{reverse('reception:index')}?month={found.schedule.month:%Y-%m}")
        status = 422
    context = {"slot": found, "form": form, "published": published, "nav_key": NAV,
               "history": found.adjustments.select_related("by").order_by("-at")}  # fmt: skip
    return render(request, "reception/slot.html", context, status=status)


# ---------------------------------------------------------------------------------------------------------
# The public page (no login)


def _public_county(request: HttpRequest) -> County:
    county = county_by_code_or_only(request.GET.get("county", ""))
    if county is None:
        raise Http404("请选择县(市、区)")
    return county


def _township(request: HttpRequest, county: County) -> Unit | None:
    wanted = request.GET.get("township", "")
    if not wanted.isdecimal():
        return None
    return Unit.objects.filter(pk=int(wanted), county=county, kind=Unit.Kind.TOWNSHIP, is_active=True).first()


@never_cache  # an adjustment shows at once: no proxy keeps an old state
@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """This month's and next month's published schedules, the place and hours; one township's if asked."""
    county = _public_county(request)
    township = _township(request, county)
    context = {
        "county": county,
        "township": township,
        "townships": public_townships(county),
        "months": public_months(county, timezone.localdate(), township),
        "place": settings.XINFANG_RECEPTION_PLACE,
        "township_place": settings.XINFANG_RECEPTION_TOWNSHIP_PLACE,
        "hours": settings.XINFANG_RECEPTION_HOURS,
        "today": timezone.localdate(),
        "downvisits": public_draws(county, timezone.localdate()),
    }
    return render(request, "reception/public.html", context)


@require_GET
def public_sheet(request: HttpRequest, fmt: str) -> HttpResponse:
    """The printable sheet of a published month (this or next), as PDF or Word."""
    if fmt not in FORMATS:
        raise Http404("没有这种格式")
    county = _public_county(request)
    township = _township(request, county)
    today = timezone.localdate()
    try:
        month = (
            parse_month(request.GET.get("month", "")) if request.GET.get("month") else today.replace(day=1)
        )
    except ValueError:
        raise Http404("月份应写作 YYYY-MM") from None
    schedule = Schedule.objects.filter(
        county=county,
        month=month,
        state=Schedule.State.PUBLISHED,
        month__in=[today.replace(day=1), next_month(today)],
    ).first()
    if schedule is None:
        raise Http404("该月的接访安排尚未公布")
    if not allow(request, "public-reception-sheet", limit=SHEET_LIMIT[0], window_seconds=SHEET_LIMIT[1]):
        return HttpResponse("下载过于频繁，请稍后再试", status=429, content_type="text/plain; charset=utf-8")
    slots = [slot for slot in slots_of(schedule) if township is None or slot.unit_id in (None, township.pk)]
    document = schedule_document(schedule, slots, township=township.name if township else "")
    content = document_pdf(document) if fmt == "pdf" else document_docx(document)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    suffix = f"_{township.name}" if township else ""
    name = f"{county.name}{month.year}年{month.month}月领导接访安排{suffix}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
