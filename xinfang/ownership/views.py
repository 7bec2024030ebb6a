"""领导包案 pages: the bureau's overview, the batches and one batch with its draft's edits and issue, a
leader's 我的包案 and one case with the five 包, meetings and 销号, the bureau's reassignment and a unit's
request to escalate a matter. Gate → validate → one service → respond; a refusal comes back beside its
form (422, or 403 for a role that may not)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.audit.services import audit_record
from xinfang.core.attachments import attachment_response
from xinfang.core.decorators import role_required
from xinfang.core.forms import form_errors_from
from xinfang.core.roles import BUREAU_ROLES, COUNTY_WIDE_ROLES, LEADER_ROLES, Role
from xinfang.directory.models import Leader
from xinfang.ownership import pages
from xinfang.ownership.extras import matter_page_with
from xinfang.ownership.forms import (
    ClosureDecideForm,
    ClosureRequestForm,
    EntryAddForm,
    EntryChooseForm,
    EntryRemoveForm,
    EscalationForm,
    MeetingForm,
    PackageEntryForm,
    RatePeriodForm,
    ReassignForm,
)
from xinfang.ownership.models import Batch, BatchEntry, Package
from xinfang.ownership.selectors import (
    batch_get_for_user,
    closure_pending,
    entry_of,
    meetings_of,
    ownership_get_for_user,
    package_states,
    user_may_work_on,
)
from xinfang.ownership.services import (
    batch_create,
    batch_entry_add,
    batch_entry_choose,
    batch_entry_remove,
    batch_issue,
    closure_decide,
    closure_request,
    escalation_request,
    owner_meeting_add,
    ownerships_reassign,
    package_entry_add,
)
from xinfang.petitions.models import Ownership
from xinfang.petitions.selectors import matter_get_for_user, matters_for_user

CASE_ROLES = BUREAU_ROLES | LEADER_ROLES
NAV = "ownership"


def _refused(form: forms.Form, error: ValidationError | PermissionDenied, field: str | None = None) -> int:
    """Put a service's refusal at the form, or beside `field` when it is about that field; the status the
    page then answers with."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "您无权办理此事项")
        return 403
    if field is not None and not hasattr(error, "error_dict"):
        form.add_error(field, error)
    else:
        form_errors_from(form, error)
    return 422


# ---------------------------------------------------------------------------------------------------------
# The overview


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    """Per leader: open cases, those past their deadline, those with an empty 包, 销号 waiting; the bureau's
    销号 to confirm and the units' requests; one leader's cases when asked (?leader=)."""
    period = RatePeriodForm(request.GET if "date_from" in request.GET else None)
    context = pages.overview(
        user=request.user, leader=request.GET.get("leader", ""), page=request.GET.get("page"), period=period
    )
    return render(request, "ownership/index.html", {**context, "nav_key": NAV})


# ---------------------------------------------------------------------------------------------------------
# Batches


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def batches(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    years = pages.batch_years(user=user, today=today)
    wanted = request.GET.get("year", "")
    year = int(wanted) if wanted.isdigit() and int(wanted) in years else years[0]
    page = pages.page_of(
        pages.batch_list(user=user, year=year), request.GET.get("page"), pages.BATCHES_PER_PAGE
    )
    context = {
        "page": page,
        "years": years,
        "year": year,
        "bureau": user.role in BUREAU_ROLES,
        "nav_key": NAV,
    }
    return render(request, "ownership/batches.html", context)


@role_required(BUREAU_ROLES)
@require_POST
def batch_new(request: AuthedRequest) -> HttpResponse:
    batch = batch_create(by=request.user, now=timezone.now())
    messages.success(request, "已新建空白草稿，请按登记编号加入信访事项")
    return redirect("ownership:batch", batch.pk)


def _batch(request: AuthedRequest, batch: Batch, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    page = pages.batch_page(
        user=user, batch=batch, failed_entry=extra.pop("failed_entry", None),
        failed_form=extra.pop("failed_form", None), failed_kind=extra.pop("failed_kind", ""),
    )  # fmt: skip
    context = {
        "page": page,
        "batch": batch,
        "add_form": extra.pop("add_form", None) or (EntryAddForm() if page.editable else None),
        # Issuing asks first: the page names how many matters go to how many leaders, then the button.
        "confirming": page.editable and (request.GET.get("confirm") == "issue" or "issue_errors" in extra),
        "nav_key": NAV,
        **extra,
    }
    return render(request, "ownership/batch.html", context, status=status)


@role_required(COUNTY_WIDE_ROLES)
@require_GET
def batch(request: AuthedRequest, batch_id: int) -> HttpResponse:
    return _batch(request, batch_get_for_user(user=request.user, batch_id=batch_id))


@role_required(BUREAU_ROLES)
@require_POST
def entry_add(request: AuthedRequest, batch_id: int) -> HttpResponse:
    user = request.user
    found = batch_get_for_user(user=user, batch_id=batch_id)
    form = EntryAddForm(request.POST)
    if form.is_valid():
        matter = pages.matter_by_number(user=user, number=form.cleaned_data["number"])
        if matter is None:
            form.add_error("number", f"未找到登记编号为“{form.cleaned_data['number']}”的信访事项")
        else:
            try:
                batch_entry_add(by=user, batch=found, matter=matter, reason=form.cleaned_data["reason"])
            except (ValidationError, PermissionDenied) as error:  # about the matter of that number
                return _batch(request, found, _refused(form, error, "number"), add_form=form)
            messages.success(request, f"已将{matter.number}列入{found.label}")
            return redirect(f"{reverse('ownership:batch', args=[found.pk])}#add")
    return _batch(request, found, 422, add_form=form)


def _entry_action(
    request: AuthedRequest,
    entry_id: int,
    kind: str,
    make_form: Callable[[BatchEntry], forms.Form],
    act: Callable[[BatchEntry, dict[str, Any]], str],
    field: str | None = None,
) -> HttpResponse:
    """An edit of one matter of a draft: the form, then the service; a refusal comes back in its row,
    beside `field` when the service's refusal is about it."""
    entry = pages.entry_get_for_user(user=request.user, entry_id=entry_id)
    form = make_form(entry)
    status = 422
    if form.is_valid():
        try:
            done = act(entry, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error, field)
        else:
            messages.success(request, done)
            return redirect(f"{reverse('ownership:batch', args=[entry.batch_id])}#entry-{entry.pk}")
    return _batch(request, entry.batch, status, failed_entry=entry.pk, failed_form=form, failed_kind=kind)


@role_required(BUREAU_ROLES)
@require_POST
def entry_remove(request: AuthedRequest, entry_id: int) -> HttpResponse:
    def act(entry: BatchEntry, data: dict[str, Any]) -> str:
        batch_entry_remove(by=request.user, entry=entry, reason=data["reason"])
        return f"已将{entry.matter.number}移出本期"

    return _entry_action(request, entry_id, "remove", lambda _: EntryRemoveForm(request.POST), act)


@role_required(BUREAU_ROLES)
@require_POST
def entry_choose(request: AuthedRequest, entry_id: int) -> HttpResponse:
    county_id = request.user.county_id or 0
    leaders = pages.leader_choices(county_id)

    def form(entry: BatchEntry) -> EntryChooseForm:
        return EntryChooseForm(request.POST, leaders=leaders, suggested=entry.suggested_leader_id)

    def act(entry: BatchEntry, data: dict[str, Any]) -> str:
        leader = Leader.objects.get(pk=data["leader"], county_id=county_id)
        done = batch_entry_choose(
            by=request.user, entry=entry, leader=leader, reason=data["reason"], deadline=data["deadline"]
        )
        return f"{done.matter.number}由{leader.name}包案"

    # The service refuses a leader (absent, reported by the matter, out of office): beside the picker.
    return _entry_action(request, entry_id, "choose", form, act, field="leader")


@role_required(BUREAU_ROLES)
@require_POST
def batch_issue_view(request: AuthedRequest, batch_id: int) -> HttpResponse:
    found = batch_get_for_user(user=request.user, batch_id=batch_id)
    if request.POST.get("confirm") != "1":  # not confirmed on the page: show what would be issued first
        return redirect(f"{reverse('ownership:batch', args=[found.pk])}?confirm=issue#issue")
    try:
        issued = batch_issue(by=request.user, batch=found)
    except ValidationError as error:
        return _batch(request, found, 422, issue_errors=error.messages)
    owners = issued.entries.values("leader_id").distinct().count()
    messages.success(
        request,
        f"已印发{issued.label}：{issued.entries.count()}件信访事项交由{owners}位县级领导包案，已短信通知",
    )
    return redirect("ownership:batch", issued.pk)


# ---------------------------------------------------------------------------------------------------------
# A leader's cases


@role_required(LEADER_ROLES)
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    empty_only = request.GET.get("todo") == "empty"
    page = pages.page_of(pages.my_cases(user=user, empty_only=empty_only), request.GET.get("page"))
    context = {
        "page": page,
        "cases": pages.case_rows(page, today),
        "empty_only": empty_only,
        "query": "todo=empty&" if empty_only else "",
        "nav_key": NAV,
    }
    return render(request, "ownership/mine.html", context)


def _case(
    request: AuthedRequest, ownership: Ownership, status: int = 200, **failed: forms.Form
) -> HttpResponse:
    user = request.user
    works = user_may_work_on(user, ownership)
    pending = closure_pending(ownership) if ownership.is_current else None
    decides = pending is not None and pages.may_decide_closure(user)
    packages = package_states(ownership)
    context = {
        "ownership": ownership,
        "matter": ownership.matter,
        "matter_visible": matters_for_user(user=user).filter(pk=ownership.matter_id).exists(),
        "entry": entry_of(ownership),
        "sees_batches": pages.sees_batches(user),
        "packages": packages,
        "empty": [state.package.label for state in packages if state.empty],
        "meetings": list(meetings_of(ownership)),
        "closures": list(
            ownership.closures.select_related("requested_by", "decided_by").order_by("requested_at")
        ),
        "pending": pending,
        "works": works,
        "package_form": failed.get("package_form") or (_package_form(request) if works else None),
        "meeting_form": failed.get("meeting_form") or (MeetingForm(auto_id="meeting_%s") if works else None),
        "closure_form": failed.get("closure_form")
        or (ClosureRequestForm(auto_id="closure_%s") if works and pending is None else None),
        "decide_form": failed.get("decide_form")
        or (ClosureDecideForm(auto_id="decide_%s") if decides else None),
        "today": timezone.localdate(),
        "nav_key": NAV,
    }
    return render(request, "ownership/case.html", context, status=status)


def _package_form(request: AuthedRequest) -> PackageEntryForm:
    """An empty form; a 包's own 填报 link (?package=) chooses it."""
    wanted = request.GET.get("package", "")
    initial = {"package": wanted} if wanted in Package.values else {}
    return PackageEntryForm(auto_id="package_%s", initial=initial)


@role_required(CASE_ROLES)
@require_GET
def case(request: AuthedRequest, ownership_id: int) -> HttpResponse:
    return _case(request, ownership_get_for_user(user=request.user, ownership_id=ownership_id))


def _case_action(
    request: AuthedRequest,
    ownership_id: int,
    key: str,
    form: forms.Form,
    act: Callable[[Ownership, dict[str, Any]], str],
) -> HttpResponse:
    ownership = ownership_get_for_user(user=request.user, ownership_id=ownership_id)
    status = 422
    if form.is_valid():
        try:
            done = act(ownership, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error)
        else:
            messages.success(request, done)
            return redirect("ownership:case", ownership.pk)
    return _case(request, ownership, status, **{key: form})


@role_required(CASE_ROLES)
@require_POST
def package_add(request: AuthedRequest, ownership_id: int) -> HttpResponse:
    def act(ownership: Ownership, data: dict[str, Any]) -> str:
        entry = package_entry_add(
            by=request.user, ownership=ownership, package=data["package"], date=data["date"],
            content=data["content"], completes=data["completes"], files=data["attachments"],
        )  # fmt: skip
        return f"已填报{entry.get_package_display()}{'，本项已完成' if entry.completes else ''}"

    form = PackageEntryForm(request.POST, request.FILES, auto_id="package_%s")
    return _case_action(request, ownership_id, "package_form", form, act)


@role_required(CASE_ROLES)
@require_POST
def meeting_add(request: AuthedRequest, ownership_id: int) -> HttpResponse:
    def act(ownership: Ownership, data: dict[str, Any]) -> str:
        owner_meeting_add(
            by=request.user, ownership=ownership, date=data["date"], place=data["place"],
            attendees=data["attendees"], agreed=data["agreed"], files=data["attachments"],
        )  # fmt: skip
        return "已记录见面约谈"

    form = MeetingForm(request.POST, request.FILES, auto_id="meeting_%s")
    return _case_action(request, ownership_id, "meeting_form", form, act)


@role_required(CASE_ROLES)
@require_POST
def closure_request_view(request: AuthedRequest, ownership_id: int) -> HttpResponse:
    def act(ownership: Ownership, data: dict[str, Any]) -> str:
        closure_request(by=request.user, ownership=ownership, note=data["note"])
        return "已申请销号，等待信访局确认"

    form = ClosureRequestForm(request.POST, auto_id="closure_%s")
    return _case_action(request, ownership_id, "closure_form", form, act)


@role_required(BUREAU_ROLES)
@require_POST
def closure_decide_view(request: AuthedRequest, closure_id: int) -> HttpResponse:
    closure = pages.closure_get_for_user(user=request.user, closure_id=closure_id)

    def act(ownership: Ownership, data: dict[str, Any]) -> str:
        confirm = data["decision"] == "confirm"
        closure_decide(by=request.user, closure=closure, confirm=confirm, note=data["note"])
        return "已确认销号，包案结束" if confirm else "已退回销号申请"

    form = ClosureDecideForm(request.POST, auto_id="decide_%s")
    return _case_action(request, closure.ownership_id, "decide_form", form, act)


@role_required(CASE_ROLES)
@require_GET
def attachment(request: AuthedRequest, ownership_id: int, attachment_id: int) -> HttpResponse:
    """A file of a case the user may open, with the audit record of who downloaded it."""
    ownership = ownership_get_for_user(user=request.user, ownership_id=ownership_id)
    found = pages.case_attachment_get(ownership=ownership, attachment_id=attachment_id)
    with transaction.atomic():
        audit_record(
            action="ownership.file", actor=request.user, obj=ownership.matter,
            changes={"file": found.name, "sha256": found.sha256},
        )  # fmt: skip
    return attachment_response(found)


# ---------------------------------------------------------------------------------------------------------
# Reassigning a leader's cases


def _reassign_form(request: AuthedRequest, data: Any = None) -> ReassignForm:
    county_id = request.user.county_id
    initial = {"mode": ReassignForm.TO}
    if (wanted := request.GET.get("leader", "")).isdigit():
        initial["leader"] = wanted
    return ReassignForm(
        data, owners=pages.owner_choices(county_id), leaders=pages.leader_choices(county_id), initial=initial
    )


@role_required(BUREAU_ROLES)
def reassign(request: AuthedRequest) -> HttpResponse:
    """Every current case of a leader to another, or each to its suggestion, in one step."""
    if request.method != "POST":
        return _reassign_page(request, _reassign_form(request))
    form = _reassign_form(request, request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        county_id = request.user.county_id or 0
        leader = Leader.objects.get(pk=data["leader"], county_id=county_id)
        to = (
            Leader.objects.get(pk=data["to"], county_id=county_id)
            if data["mode"] == ReassignForm.TO
            else None
        )
        try:
            moved = ownerships_reassign(by=request.user, leader=leader, to=to, reason=data["reason"])
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error)
        else:
            target = f"改由{to.name}包案" if to else "按建议逐件改派"
            messages.success(request, f"已将{leader.name}的{moved}件包案{target}，原包案记录保留")
            return redirect(f"{reverse('ownership:index')}?leader={to.pk if to else leader.pk}")
    return _reassign_page(request, form, status)


def _reassign_page(request: AuthedRequest, form: ReassignForm, status: int = 200) -> HttpResponse:
    owners = len(form.fields["leader"].choices) > 1  # type: ignore[attr-defined]
    context = {"form": form, "has_owners": owners, "nav_key": NAV}
    return render(request, "ownership/reassign.html", context, status=status)


# ---------------------------------------------------------------------------------------------------------
# A unit's request, from the matter page


@role_required({Role.UNIT_USER})
@require_POST
def escalate(request: AuthedRequest, matter_id: int) -> HttpResponse:
    matter = matter_get_for_user(user=request.user, matter_id=matter_id)
    form = EscalationForm(request.POST, auto_id="escalate_%s")
    status = 422
    if form.is_valid():
        try:
            escalation_request(by=request.user, matter=matter, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            status = _refused(form, error)
        else:
            messages.success(request, "已提请县级领导包案，信访局将列入下一期包案候选")
            return redirect(f"{matter.get_absolute_url()}#ownership")
    return render(
        request, "petitions/detail.html", matter_page_with(request.user, matter, form), status=status
    )
