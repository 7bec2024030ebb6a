"""接访记录 pages: today's receptions to record, the records of a month, one record with the matters received
(new or already registered), and the figures with their drill-down. Gate → validate → one service →
respond; a refusal comes back beside its form."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.forms import form_errors_from
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES
from xinfang.directory.models import County
from xinfang.reception.forms import KnownMatterForm, NewMatterForm, RecordForm, StatsForm
from xinfang.reception.models import Attendance, DownVisit, ReceivedMatter, Reception, Slot
from xinfang.reception.planning import next_month, parse_month, previous_month
from xinfang.reception.records import reception_matter_add, reception_record
from xinfang.reception.selectors import reception_get_for_user
from xinfang.reception.stats import (
    BREAKDOWNS,
    GROUP_LABELS,
    GROUPS,
    breakdown,
    counts_receptions,
    figures,
    matter_totals,
    received_in,
    resolved_q,
)

NAV = "reception"
PAGE_SIZE = 50
SLOT_KINDS: dict[str, str] = {
    Slot.Kind.DAILY: Reception.Kind.CENTRE,
    Slot.Kind.WEDNESDAY: Reception.Kind.WEDNESDAY,
}


def _county(request: AuthedRequest) -> County:
    county = request.user.county
    assert county is not None  # role_required: these roles belong to a county
    return county


# ---------------------------------------------------------------------------------------------------------
# Today and the month's records


def _due_today(county: County, today: dt.date) -> list[dict[str, Any]]:
    """Today's scheduled receptions (county slots, township slots, down visits), each recorded or not."""
    slots = (
        Slot.objects.filter(schedule__county=county, date=today)
        .select_related("unit").annotate(records=Count("receptions"))
    )  # fmt: skip
    rows = [
        {"when": "县接待中心" if slot.unit is None else slot.unit.name, "name": slot.name, "post": slot.post,
         "kind": slot.get_kind_display(), "recorded": slot.records > 0,
         "new": f"{reverse('reception:record_new')}?slot={slot.pk}"}
        for slot in slots
    ]  # fmt: skip
    visits = (
        DownVisit.objects.filter(county=county, date=today)
        .select_related("township").annotate(records=Count("receptions"))
    )  # fmt: skip
    rows += [
        {"when": visit.township.name, "name": visit.name, "post": visit.post,
         "kind": f"下沉接访（{visit.get_kind_display()}）", "recorded": visit.records > 0,
         "new": f"{reverse('reception:record_new')}?visit={visit.pk}"}
        for visit in visits
    ]  # fmt: skip
    return rows


def _month(request: AuthedRequest) -> dt.date:
    try:
        return parse_month(request.GET.get("month", ""))
    except ValueError:
        return timezone.localdate().replace(day=1)


@role_required(BUREAU_ROLES)
@require_GET
def records(request: AuthedRequest) -> HttpResponse:
    """Today's receptions to record, and a month's records (this month by default)."""
    county, today = _county(request), timezone.localdate()
    month = _month(request)
    group = request.GET.get("group", "")
    rows = Reception.objects.filter(county=county, date__gte=month, date__lt=next_month(month))
    if group in GROUPS:
        rows = rows.filter(kind__in=GROUPS[group])
    rows = rows.select_related("township").prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.order_by("id"))
    ).annotate(matter_count=Count("matters"))  # fmt: skip
    context = {
        "today": today, "due": _due_today(county, today), "month": month, "previous": previous_month(month),
        "next": next_month(month), "group": group, "groups": GROUP_LABELS,
        "page": Paginator(rows.order_by("-date", "-id"), PAGE_SIZE).get_page(request.GET.get("page")),
        "query": urlencode({"month": f"{month:%Y-%m}", "group": group}), "nav_key": NAV,
    }  # fmt: skip
    return render(request, "reception/records.html", context)


def _initial(request: AuthedRequest, county: County) -> dict[str, Any]:
    """A new record's fields from the slot or the down visit it fulfils (`?slot=` / `?visit=`)."""
    initial: dict[str, Any] = {"date": timezone.localdate(), "kind": Reception.Kind.CENTRE}
    wanted_slot, wanted_visit = request.GET.get("slot", ""), request.GET.get("visit", "")
    if wanted_slot.isdecimal():
        slot = Slot.objects.filter(pk=int(wanted_slot), schedule__county=county).first()
        if slot is not None:
            initial.update(
                date=slot.date,
                kind=SLOT_KINDS.get(slot.kind, Reception.Kind.TOWNSHIP),
                township=slot.unit_id,
                person=f"leader:{slot.leader_id}" if slot.leader_id else f"official:{slot.official_id}",
            )
    elif wanted_visit.isdecimal():
        visit = DownVisit.objects.filter(pk=int(wanted_visit), county=county).first()
        if visit is not None:
            initial.update(date=visit.date, kind=Reception.Kind.DOWN, township=visit.township_id,
                           person=f"leader:{visit.leader_id}", companion=visit.liaison_id)  # fmt: skip
    return initial


@role_required(BUREAU_ROLES)
def record_new(request: AuthedRequest) -> HttpResponse:
    """Record a reception held (the matters are added on its page), or a leader who did not come."""
    county = _county(request)
    form = RecordForm(request.POST or None, county=county, initial=_initial(request, county))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reception = reception_record(by=request.user, data=form.reception_input())
            except (ValidationError, PermissionDenied) as error:
                form_errors_from(
                    form, error if isinstance(error, ValidationError) else ValidationError(str(error))
                )
            else:
                first = reception.attendances.order_by("id").first()
                assert first is not None
                if first.present:
                    messages.success(
                        request, f"已登记{first.name}{reception.get_kind_display()}，请登记接待的信访事项"
                    )
                else:
                    messages.success(request, f"已登记{first.name}未到场")
                return redirect("reception:record", reception.pk)
        status = 422
    return render(request, "reception/record_new.html", {"form": form, "nav_key": NAV}, status=status)


def _attendee_choices(reception: Reception) -> list[tuple[int, str]]:
    return [(index, attendance.name) for index, attendance in enumerate(reception.attendances.order_by("id"))
            if attendance.present]  # fmt: skip


@role_required(BUREAU_ROLES)
def record(request: AuthedRequest, reception_id: int) -> HttpResponse:
    """One record: its leaders and the matters received; add a matter (new, or registered before)."""
    reception = reception_get_for_user(user=request.user, reception_id=reception_id)
    county = reception.county
    mode = request.POST.get("mode", "") if request.method == "POST" else ""
    known = KnownMatterForm(request.POST if mode == "known" else None, county=county, prefix="k")
    # No prefix: the township's village list is swapped in by the registration page's own htmx view.
    new = NewMatterForm(request.POST if mode == "new" else None, county=county)
    attendees = _attendee_choices(reception)
    for form in (known, new):
        form.set_attendees(attendees)
    status = 200
    if mode in ("known", "new"):
        form = known if mode == "known" else new
        if form.is_valid():
            try:
                entry = reception_matter_add(by=request.user, reception=reception, item=form.received_input())
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                verb = "再次来访" if mode == "known" else "新登记"
                messages.success(request, f"已登记接访事项 {entry.matter.number}（{verb}）")
                return redirect(f"{reverse('reception:record', args=[reception.pk])}#matters")
        status = 422
    context = {
        "reception": reception, "attendances": reception.attendances.order_by("id"),
        "entries": reception.matters.select_related("matter", "attendance", "matter__origin_township")
        .order_by("id"),
        "known": known, "new": new, "mode": mode or "new", "can_add": bool(attendees),
        "several": len(attendees) > 1, "nav_key": NAV,
    }  # fmt: skip
    return render(request, "reception/record.html", context, status=status)


# ---------------------------------------------------------------------------------------------------------
# The figures and their drill-down


def _period(request: AuthedRequest) -> tuple[StatsForm, dt.date, dt.date]:
    today = timezone.localdate()
    default = {"start": today.replace(month=1, day=1), "end": today}
    form = StatsForm(
        request.GET if request.GET.get("start") or request.GET.get("end") else None, initial=default
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def stats(request: AuthedRequest) -> HttpResponse:
    """公开接访 and 下沉接访 of a period (this year to today by default): 人次, 起, 人, 化解, and per leader,
    place and month, each figure linking to the matters or records behind it."""
    county = _county(request)
    form, start, end = _period(request)
    period = {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    groups = [
        {"key": key, "label": label, "figures": figures(county, start, end, key),
         "breakdowns": [{"key": by, "label": by_label, "rows": breakdown(county, start, end, key, by),
                         "receptions": counts_receptions(by)} for by, by_label in BREAKDOWNS.items()]}
        for key, label in GROUP_LABELS.items()
    ]  # fmt: skip
    context = {"form": form, "groups": groups, "period": urlencode(period), "start": start, "end": end,
               "nav_key": NAV}  # fmt: skip
    return render(request, "reception/stats.html", context, status=422 if form.errors else 200)


def _drill(request: AuthedRequest, county: County) -> tuple[dict[str, str], QuerySet[ReceivedMatter], str]:
    """The received matters behind one figure: the period and group, and optionally one leader, place or
    month, and only those resolved."""
    _, start, end = _period(request)
    group = request.GET.get("group", "open")
    if group not in GROUPS:
        raise Http404("没有这种接访类型")
    rows = received_in(county, start, end, group)
    title = [f"{start:%Y年%-m月%-d日}至{end:%Y年%-m月%-d日}", GROUP_LABELS[group]]
    chosen = {"group": group, "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    if leader := request.GET.get("leader", ""):
        rows, chosen["leader"] = rows.filter(attendance__name=leader), leader
        title.append(f"接访领导{leader}")
    if place := request.GET.get("place", ""):
        rows, chosen["place"] = rows.filter(reception__place=place), place
        title.append(place)
    if township := request.GET.get("township", ""):
        rows, chosen["township"] = rows.filter(matter__origin_township__name=township), township
        title.append(f"信访人所在乡镇{township}")
    if month := request.GET.get("month", ""):
        try:
            first = parse_month(month)
        except ValueError:
            raise Http404("月份应写作 YYYY-MM") from None
        rows = rows.filter(reception__date__gte=first, reception__date__lt=next_month(first))
        chosen["month"] = month
        title.append(f"{first.year}年{first.month}月")
    if request.GET.get("resolved") == "1":
        rows, chosen["resolved"] = rows.filter(resolved_q()), "1"
        title.append("已化解")
    return chosen, rows, " · ".join(title)


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def stats_matters(request: AuthedRequest) -> HttpResponse:
    county = _county(request)
    chosen, rows, title = _drill(request, county)
    rows = rows.select_related("reception", "attendance", "matter", "matter__origin_township").order_by(
        "-reception__date", "-id"
    )
    totals = rows.aggregate(**matter_totals())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": title, "totals": totals, "page": page,
        "query": urlencode(chosen), "back": urlencode({k: chosen[k] for k in ("start", "end")}),
        "is_bureau": request.user.role in BUREAU_ROLES, "nav_key": NAV,
    }  # fmt: skip
    return render(request, "reception/stats_matters.html", context)
