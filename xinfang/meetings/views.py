"""The joint meeting's pages: the meetings and the screening of a month (the transparent score), one
meeting with its attendees, agenda (add and remove with reasons), the decisions recorded during the
meeting and the bureau head's approval of the minutes. Gate → validate → one service → respond; a refusal
comes back beside its form (422, or 403 for a role that may not)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.forms import form_errors_from
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES, Role
from xinfang.directory.models import County, Leader, Unit
from xinfang.documents.services import document_download
from xinfang.lib.periods import month_of
from xinfang.meetings.forms import AddForm, AttendeesForm, DecisionForm, MonthForm, RemoveForm, ScheduleForm
from xinfang.meetings.models import AgendaItem, Meeting
from xinfang.meetings.screening import AGENDA_MAX, AGENDA_MIN, FACTORS, meeting_weights, month_end
from xinfang.meetings.selectors import (
    agenda_item_get_for_user,
    decisions_before,
    earlier_decisions,
    meeting_get_for_user,
    meetings_for_user,
    minutes_copies_for_user,
    minutes_copy_get_for_user,
    screening_candidates,
    screening_stored,
)
from xinfang.meetings.services import (
    agenda_add,
    agenda_minimum,
    agenda_remove,
    decision_record,
    meeting_attendees_set,
    meeting_schedule,
    minutes_approve,
    screening_run,
)
from xinfang.petitions.selectors import matters_for_user


def _refused(
    form: forms.Form | None, error: ValidationError | PermissionDenied, field: str | None = None
) -> int:
    if isinstance(error, PermissionDenied):
        if form is not None:
            form.add_error(None, str(error) or "您无权办理此事项")
        return 403
    if form is not None:
        if field is not None and not hasattr(error, "error_dict"):
            form.add_error(field, error)
        else:
            form_errors_from(form, error)
    return 422


def _county(request: AuthedRequest) -> County:
    county = request.user.county
    if county is None:
        raise Http404("没有所属县")
    return county


def _last_month(request: AuthedRequest) -> str:
    return str(month_of(timezone.localdate(), settings.XINFANG_MONTH_START_DAY).shifted(-1))


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    meetings = meetings_for_user(user=user).select_related("chair", "document")
    form = ScheduleForm(county=_county(request), initial={"month": _last_month(request)})
    return _index(request, meetings, form if user.role in BUREAU_ROLES else None)


def _index(
    request: AuthedRequest, meetings: Any, form: ScheduleForm | None, status: int = 200
) -> HttpResponse:
    context = {"meetings": meetings, "form": form, "nav_key": "meetings"}
    return render(request, "meetings/index.html", context, status=status)


@role_required(BUREAU_ROLES)
@require_POST
def schedule(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = ScheduleForm(request.POST, county=_county(request))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meeting_schedule(
                county=_county(request),
                month=data["month"],
                held_on=data["held_on"],
                by=user,
                place=data["place"],
                chair=data["chair"],
            )
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error, "month")
        else:
            messages.success(request, f"已安排{meeting.label}联席会议，筛选出{meeting.items.count()}件议题")
            return redirect(meeting)
    return _index(request, meetings_for_user(user=user), form, status)


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def screening(request: AuthedRequest) -> HttpResponse:
    """A month's stored screening: the 20 best with each factor's points, the weights, how many qualify,
    when it was computed, and the earlier meetings' decisions with their state. Never computed here: a
    month not yet screened offers the bureau the button that screens it."""
    form = MonthForm(request.GET or {"month": _last_month(request)})
    return _screening(request, form, 200 if form.is_valid() else 422)


def _screening(request: AuthedRequest, form: MonthForm, status: int) -> HttpResponse:
    county = _county(request)
    month = form.cleaned_data["month"] if form.is_valid() else None
    stored, ranked, earlier, closed = None, [], [], False
    if month is not None:
        closed = month_end(month) < timezone.localdate()
        stored = screening_stored(county=county, month=month)
        ranked = screening_candidates(stored) if stored is not None else []
        earlier = decisions_before(county_id=county.pk, month=str(month))
    by_matter: dict[int, list[AgendaItem]] = {}
    for decision in earlier:
        by_matter.setdefault(decision.matter_id, []).append(decision)
    context = {
        "form": form,
        "month": month,
        "closed": closed,
        "stored": stored,
        "rows": [(candidate, by_matter.get(candidate.matter_id, [])) for candidate in ranked],
        "ranked": ranked,
        "earlier": earlier,
        "qualifying": stored.qualifying if stored is not None else 0,
        "factors": FACTORS,
        "weights": stored.weights if stored is not None else meeting_weights(),
        "can_run": request.user.role in BUREAU_ROLES,
        "agenda_min": AGENDA_MIN,
        "agenda_max": AGENDA_MAX,
        "nav_key": "meetings",
    }
    return render(request, "meetings/screening.html", context, status=status)


@role_required(BUREAU_ROLES)
@require_POST
def screening_refresh(request: AuthedRequest) -> HttpResponse:
    """The bureau's 重新筛选 (or 筛选, for a month not yet screened): computed now and stored."""
    form = MonthForm(request.POST)
    status = 422
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            stored = screening_run(county=_county(request), month=month, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error, "month")
        else:
            messages.success(request, f"已筛选{month.label}候选事项：符合条件{stored.qualifying}件")
            return redirect(f"{reverse('meetings:screening')}?month={month}")
    return _screening(request, form, status)


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def detail(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    return _detail(request, meeting_get_for_user(user=request.user, meeting_id=meeting_id))


def _detail(
    request: AuthedRequest,
    meeting: Meeting,
    status: int = 200,
    *,
    failed: int | None = None,
    failed_form: forms.Form | None = None,
    attendees_form: AttendeesForm | None = None,
    add_form: AddForm | None = None,
) -> HttpResponse:
    user = request.user
    county = meeting.county
    items = list(
        meeting.items.select_related("matter__origin_township", "matter__category", "leader", "supervision")
        .prefetch_related("units", "matter__ownerships__leader")
        .order_by("removed", "order", "pk")
    )
    active = [item for item in items if not item.removed]
    editable = meeting.state == Meeting.State.PLANNED and user.role in BUREAU_ROLES
    leaders = list(Leader.objects.filter(county=county, is_active=True).order_by("protocol_order", "pk"))
    units = list(Unit.objects.filter(county=county, is_active=True).order_by("kind", "order", "pk"))
    earlier = earlier_decisions(meeting=meeting, matter_ids=[item.matter_id for item in active])
    by_matter: dict[int, list[AgendaItem]] = {}
    for decision in earlier:
        by_matter.setdefault(decision.matter_id, []).append(decision)
    rows = []
    for item in active:
        row: dict[str, Any] = {
            "item": item,
            "earlier": by_matter.get(item.matter_id, []),
            "owner": next((o.leader.name for o in item.matter.ownerships.all() if o.is_current), ""),
            "factors": [(FACTORS[name], value) for name, value in item.factors.items() if name in FACTORS],
        }
        if editable:
            if failed == item.pk and isinstance(failed_form, DecisionForm):
                row["decision_form"] = failed_form
            else:
                initial = {
                    "report": item.report,
                    "plan": item.plan,
                    "leader": item.leader_id,
                    "units": [unit.pk for unit in item.units.all()],
                    "deadline": item.deadline,
                    "tasks": item.tasks,
                }
                row["decision_form"] = DecisionForm(
                    county=county, leaders=leaders, units=units, initial=initial, prefix=f"d{item.pk}"
                )
            row["remove_form"] = (
                failed_form
                if failed == item.pk and isinstance(failed_form, RemoveForm)
                else RemoveForm(prefix=f"r{item.pk}")
            )
            row["failed"] = (
                "decision"
                if isinstance(failed_form, DecisionForm) and failed == item.pk
                else ("remove" if failed == item.pk else "")
            )
        rows.append(row)
    # During the meeting the form of the next matter to discuss is open (or the one that was refused).
    next_up = next((row for row in rows if not row["item"].decided), None)
    for row in rows:
        row["open"] = row.get("failed") == "decision" or (row is next_up and not failed)
    if editable and attendees_form is None:
        attendees_form = AttendeesForm(
            county=county,
            initial={
                "held_on": meeting.held_on,
                "place": meeting.place,
                "chair": meeting.chair_id,
                "leaders": list(meeting.leaders.values_list("pk", flat=True)),
                "officials": list(meeting.officials.values_list("pk", flat=True)),
            },
        )
    decided = sum(1 for item in active if item.decided)
    minimum = agenda_minimum(meeting)
    context = {
        "meeting": meeting,
        "rows": rows,
        "removed": [item for item in items if item.removed],
        "editable": editable,
        "attendees_form": attendees_form,
        "add_form": (add_form or AddForm()) if editable else None,
        "leaders": meeting.leaders.order_by("protocol_order", "pk"),
        "officials": meeting.officials.select_related("unit").order_by("unit__order", "pk"),
        "count": len(active),
        "decided": decided,
        "minimum": minimum,
        "agenda_max": AGENDA_MAX,
        "agenda_min": AGENDA_MIN,
        "fewer_qualify": meeting.qualifying < AGENDA_MIN,
        "can_approve": meeting.state == Meeting.State.PLANNED and user.role == Role.BUREAU_HEAD,
        "ready": bool(active) and decided == len(active) and minimum <= len(active) <= AGENDA_MAX,
        "earlier": earlier_decisions(meeting=meeting),
        "copies": meeting.copies.select_related("official__unit", "copy"),
        "nav_key": "meetings",
    }
    return render(request, "meetings/detail.html", context, status=status)


@role_required(BUREAU_ROLES)
@require_POST
def attendees(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    user = request.user
    meeting = meeting_get_for_user(user=user, meeting_id=meeting_id)
    form = AttendeesForm(request.POST, county=meeting.county)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting_attendees_set(
                meeting=meeting,
                by=user,
                leaders=data["leaders"],
                officials=data["officials"],
                held_on=data["held_on"],
                place=data["place"],
                chair=data["chair"],
            )
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error)
        else:
            messages.success(request, "已保存会议安排和参会人员")
            return redirect(f"{meeting.get_absolute_url()}#attendees")
    return _detail(request, meeting, status, attendees_form=form)


@role_required(BUREAU_ROLES)
@require_POST
def add(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    user = request.user
    meeting = meeting_get_for_user(user=user, meeting_id=meeting_id)
    form = AddForm(request.POST)
    status = 422
    if form.is_valid():
        number = form.cleaned_data["number"].strip()
        matter = matters_for_user(user=user).filter(county=meeting.county, number=number).first()
        if matter is None:
            form.add_error("number", f"未找到登记编号为“{number}”的信访事项")
        else:
            try:
                agenda_add(meeting=meeting, matter=matter, by=user, reason=form.cleaned_data["reason"])
            except (ValidationError, PermissionDenied) as error:
                status = _refused(form, error, "number")
            else:
                messages.success(request, f"已将{matter.number}列入议题")
                return redirect(f"{meeting.get_absolute_url()}#agenda")
    return _detail(request, meeting, status, add_form=form)


@role_required(BUREAU_ROLES)
@require_POST
def remove(request: AuthedRequest, item_id: int) -> HttpResponse:
    user = request.user
    item = agenda_item_get_for_user(user=user, item_id=item_id)
    form = RemoveForm(request.POST, prefix=f"r{item.pk}")
    status = 422
    if form.is_valid():
        try:
            agenda_remove(item=item, by=user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error, "reason")
        else:
            messages.success(request, f"已将{item.matter.number}移出议题")
            return redirect(f"{item.meeting.get_absolute_url()}#agenda")
    return _detail(request, item.meeting, status, failed=item.pk, failed_form=form)


@role_required(BUREAU_ROLES)
@require_POST
def decide(request: AuthedRequest, item_id: int) -> HttpResponse:
    user = request.user
    item = agenda_item_get_for_user(user=user, item_id=item_id)
    form = DecisionForm(request.POST, county=item.meeting.county, prefix=f"d{item.pk}")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision_record(
                item=item,
                by=user,
                report=data["report"],
                plan=data["plan"],
                leader=data["leader"],
                units=list(data["units"]),
                deadline=data["deadline"],
                tasks=data["tasks"],
            )
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error)
        else:
            messages.success(request, f"已记录{item.matter.number}的化解方案")
            return redirect(f"{item.meeting.get_absolute_url()}#item-{item.pk}")
    return _detail(request, item.meeting, status, failed=item.pk, failed_form=form)


@role_required(BUREAU_ROLES)
@require_POST
def approve(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    user = request.user
    meeting = meeting_get_for_user(user=user, meeting_id=meeting_id)
    try:
        document = minutes_approve(meeting=meeting, by=user)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return _detail(request, meeting, 403)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return _detail(request, meeting, 422)
    messages.success(
        request,
        f"会议纪要已审定印发（{document.label}），{meeting.items.filter(removed=False).count()}项决定已列入督办",
    )
    return redirect(reverse("meetings:detail", args=[meeting.pk]))


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@role_required({*COUNTY_WIDE_ROLES, Role.UNIT_USER})
@require_GET
def minutes(request: AuthedRequest) -> HttpResponse:
    """The minutes sent to the units' heads: a unit's own (会议纪要), the bureau's list of every copy sent."""
    copies = minutes_copies_for_user(user=request.user).order_by("-meeting__month", "official__unit__order")
    return render(request, "meetings/minutes.html", {"copies": copies, "nav_key": "minutes"})


@role_required({*COUNTY_WIDE_ROLES, Role.UNIT_USER})
@require_GET
def minutes_file(request: AuthedRequest, copy_id: int, file_format: str) -> HttpResponse:
    if file_format not in CONTENT_TYPES:
        raise Http404
    sent = minutes_copy_get_for_user(user=request.user, copy_id=copy_id)
    data = document_download(copy=sent.copy, user=request.user, file_format=file_format)
    response = HttpResponse(data, content_type=CONTENT_TYPES[file_format])
    name = f"{sent.copy.document.label}.{file_format}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
