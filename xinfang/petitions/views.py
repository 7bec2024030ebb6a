"""Registry pages: gate → validate → one service → respond."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.pdf import pdf_from_html
from xinfang.core.queries import COUNT_BOUND
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES
from xinfang.directory.models import Category, Unit
from xinfang.petitions.exports import (
    filter_summary,
    matters_export,
    matters_export_named,
    workbook_response,
)
from xinfang.petitions.forms import (
    AssignForm,
    EventFields,
    ExportReasonForm,
    ExtensionDecisionForm,
    ExtensionForm,
    HearingForm,
    MatterEditForm,
    MatterFilterForm,
    ObjectionDecisionForm,
    OnlineAcceptForm,
    OnlineRejectForm,
    OwnerForm,
    PetitionerFormSet,
    ReasonForm,
    RegistrationForm,
    RevealForm,
    TransitionForm,
    county_units,
    matter_edit_initial,
    township_villages,
)
from xinfang.petitions.models import Extension, Matter, OnlineSubmission
from xinfang.petitions.pages import (
    filters_html,
    list_matters,
    list_rows,
    matter_detail_context,
    matter_page,
    page_of,
    receipt_context,
    rows_html,
)
from xinfang.petitions.selectors import (
    MatterFilter,
    matter_get_for_user,
    matters_filtered,
    matters_newest_ids,
    matters_total,
    online_submission_get_for_user,
    online_submissions_for_user,
    repeat_candidates,
)
from xinfang.petitions.services.common import EventInput, RegistryError
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.public import (
    ONLINE_CATEGORY_CODE,
    online_accept,
    online_reject,
    pii_reveal,
)
from xinfang.petitions.services.registration import event_add, matter_register, matter_update
from xinfang.petitions.services.transfer import (
    assignment_object,
    assignment_receive,
    matter_assign,
    objection_decide,
)
from xinfang.petitions.services.workflow import (
    extension_decide,
    extension_request,
    matter_transition,
    review_hearing,
    review_input,
)

PAGE_SIZE = 50
TERMINATED_OUTCOME: dict[str, str] = {
    Matter.Status.REJECTED: "按不予受理登记（同一事实和理由不再受理）",
    Matter.Status.REGISTERED: "注明了新的事实和理由，已作为新事项登记",
}


@role_required(BUREAU_ROLES)
def register(request: AuthedRequest) -> HttpResponse:
    county = request.user.county
    assert county is not None
    form = RegistrationForm(request.POST or None, county=county, initial={"date": timezone.localdate()})
    people = PetitionerFormSet(request.POST or None, prefix="p")
    if request.method == "POST" and form.is_valid() and people.is_valid():
        petitioners = [p for p in (f.petitioner_input() for f in people.forms) if p is not None]
        try:
            attached = form.cleaned_data.get("attach_to")
            earlier = matter_get_for_user(user=request.user, matter_id=attached) if attached else None
            if earlier is not None and earlier.status == Matter.Status.CLOSED:
                matter = matter_register(
                    by=request.user, data=form.registration_input(petitioners, terminated=earlier)
                )
                messages.success(
                    request, f"事项 {earlier.number} 已终结，本次{TERMINATED_OUTCOME[matter.status]}"
                )
            elif earlier is not None:
                matter = earlier
                event_add(by=request.user, matter=matter, event=form.event_input(), petitioners=petitioners)
                messages.success(request, f"已作为重复信访登记到事项 {matter.number}")
            else:
                matter = matter_register(by=request.user, data=form.registration_input(petitioners))
                messages.success(
                    request, f"登记成功：编号 {matter.number}，查询码 {matter.query_code}。请打印回执交信访人"
                )
        except RegistryError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return redirect(matter)
    status = 422 if request.method == "POST" else 200
    return render(request, "petitions/register.html", {"form": form, "people": people, "nav_key": "register"},
                  status=status)  # fmt: skip


@role_required(BUREAU_ROLES)
def matter_edit(request: AuthedRequest, matter_id: int) -> HttpResponse:
    matter = matter_get_for_user(user=request.user, matter_id=matter_id)
    form = MatterEditForm(request.POST or None, county=matter.county, initial=matter_edit_initial(matter))
    if request.method == "POST" and form.is_valid():
        try:
            matter_update(
                by=request.user,
                matter=matter,
                changes=form.changes(),
                reported_units=form.reported(),
                reported_accounts=form.reported_people(),
            )
        except RegistryError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "登记信息已更正")
            return redirect(matter)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "matter": matter, "nav_key": "matters"}
    return render(request, "petitions/edit.html", context, status=status)


@role_required(BUREAU_ROLES)
@require_GET
def villages(request: AuthedRequest) -> HttpResponse:
    """The htmx fragment of the village list: the options of the chosen township's villages."""
    township = request.GET.get("origin_township", "")
    townships = county_units(request.user.county_id).filter(kind=Unit.Kind.TOWNSHIP)
    own = township.isdigit() and townships.filter(pk=township).exists()
    options = township_villages(township if own else None)
    return HttpResponse(format_html_join("", '<option value="{}">{}</option>', options))


@role_required(BUREAU_ROLES)
@require_GET
def repeat_check(request: AuthedRequest) -> HttpResponse:
    """The htmx fragment under the registration form: matters the new one may repeat."""
    people = PetitionerFormSet(request.GET, prefix="p")
    id_numbers, phones, names = [], [], {}
    for form in people.forms:
        form.is_valid()
        id_numbers.append(form.cleaned_data.get("id_number", ""))
        phones.append(form.cleaned_data.get("phone", ""))
        if form.cleaned_data.get("id_number"):
            names[form.cleaned_data["id_number"]] = form.cleaned_data.get("name", "").strip()
    township = request.GET.get("origin_township", "")
    candidates = repeat_candidates(
        user=request.user,
        township_id=int(township) if re.fullmatch(r"[0-9]{1,12}", township) else None,
        content=request.GET.get("content", "")[:5000],
        id_numbers=[value for value in id_numbers if value],
        phones=[value for value in phones if value],
        names=names,
    )
    return render(request, "petitions/_repeat.html", {"candidates": candidates})


@role_required(CONTENT_ROLES)
@require_GET
def matter_list(request: AuthedRequest) -> HttpResponse:
    # Unfiltered (most of the list's requests) it needs no form: its HTML is rendered once (filters_html).
    form = (
        MatterFilterForm(request.GET, county_id=request.user.county_id, user=request.user)
        if request.GET
        else None
    )
    valid = form is None or form.is_valid()
    filters = form.matter_filter() if form is not None and valid else MatterFilter()
    after = request.GET.get("after", "")
    matters: QuerySet[Matter] | None = None  # unfiltered, a count kept past its bound needs no query
    if form is None:  # the list as it first opens: its newest matters, by a statement kept for the scope
        ids = matters_newest_ids(user=request.user, count=PAGE_SIZE + 1)
        page = page_of(ids, size=PAGE_SIZE, rows_of=list_matters)
    else:
        matters = (
            matters_filtered(user=request.user, filters=filters, paged=True)
            if valid
            else Matter.objects.none()
        )
        page = matter_page(matters, after=after, size=PAGE_SIZE, query=filters.q, rows_of=list_matters)
    query = request.GET.copy()
    query.pop("after", None)
    total: int | None = None  # a search is counted only when it fits on its first page: counting scans
    if not filters.q:
        total = matters_total(user=request.user, filters=filters, filtered=matters) if valid else 0
    elif not after and not page.next_cursor:
        total = len(page.items)
    rows = list_rows(page.items, county=request.user.county)
    context = {
        "filters_html": "" if request.htmx else filters_html(form, user=request.user),
        "page": page,
        "rows": rows,
        "rows_html": rows_html(rows),
        "total": total,
        "bound": COUNT_BOUND,
        "query": query.urlencode(),
        "nav_key": "matters",
        "user": request.user,
    }
    template = "petitions/_list_rows.html" if request.htmx else "petitions/list.html"
    return render(request, template, context, status=200 if valid else 422)


@role_required(CONTENT_ROLES)
@require_GET
def matter_export(request: AuthedRequest) -> HttpResponse:
    form = MatterFilterForm(request.GET or None, county_id=request.user.county_id, user=request.user)
    if form.is_bound and not form.is_valid():
        messages.error(request, "筛选条件有误，未导出")
        return redirect("petitions:list")
    filters = form.matter_filter() if form.is_bound else MatterFilter()
    export = matters_export(by=request.user, filters=filters, described=filter_summary(form))
    return workbook_response(export)


@role_required(BUREAU_ROLES)
@require_POST
def matter_export_named(request: AuthedRequest) -> HttpResponse:
    """The list with real names, ID numbers and phones: the filters in the query string, the reason in the
    form; audited. Everyone else, and every GET, gets the masked file of matter_export."""
    form = MatterFilterForm(request.GET or None, county_id=request.user.county_id, user=request.user)
    reason = ExportReasonForm(request.POST)
    back = f"{reverse('petitions:list')}?{request.GET.urlencode()}"
    if form.is_bound and not form.is_valid():
        messages.error(request, "筛选条件有误，未导出")
        return redirect(back)
    if not reason.is_valid():
        messages.error(request, str(reason.errors["reason"][0]))
        return redirect(back)
    filters = form.matter_filter() if form.is_bound else MatterFilter()
    try:
        export = matters_export_named(by=request.user, filters=filters, described=filter_summary(form),
                                      reason=reason.cleaned_data["reason"])  # fmt: skip
    except RegistryError as error:
        messages.error(request, str(error))
        return redirect(back)
    return workbook_response(export)


@role_required(BUREAU_ROLES)
@require_GET
def receipt(request: AuthedRequest, matter_id: int, pdf: bool = False) -> HttpResponse:
    """The receipt (回执) the petitioner takes home: a printable page, or the same as a PDF."""
    matter = matter_get_for_user(user=request.user, matter_id=matter_id)
    query_url = request.build_absolute_uri(reverse("petitions:public_query"))
    context = {**receipt_context(matter, query_url=query_url), "pdf": pdf}
    if not pdf:
        return render(request, "petitions/receipt.html", context)
    css = Path(finders.find("xinfang/receipt.css")).read_text(encoding="utf-8")  # type: ignore[arg-type]
    html = render_to_string("petitions/receipt.html", context, request=request)
    response = HttpResponse(pdf_from_html(html, css=css), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{matter.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(CONTENT_ROLES)
@require_GET
def matter_detail(request: AuthedRequest, matter_id: int) -> HttpResponse:
    matter = matter_get_for_user(user=request.user, matter_id=matter_id)
    return render(request, "petitions/detail.html", matter_detail_context(request.user, matter))


def _action(
    name: str,
    form_class: Callable[..., Any],
    act: Callable[[AuthedRequest, Matter, dict[str, Any]], str],
    roles: frozenset[str] = CONTENT_ROLES,
) -> Callable[..., HttpResponse]:
    """A POST action on a matter: gate, validate the form, call the service, report in Chinese. On an
    error the page comes back with the form as typed, the error beside its field."""

    @role_required(roles)
    @require_POST
    def view(request: AuthedRequest, matter_id: int) -> HttpResponse:
        matter = matter_get_for_user(user=request.user, matter_id=matter_id)
        kwargs = (
            {"county_id": matter.county_id} if form_class in (AssignForm, OwnerForm, TransitionForm) else {}
        )
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                message = act(request, matter, form.cleaned_data)
            except RegistryError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, message)
                return redirect(matter)
        context = matter_detail_context(request.user, matter, failed=form, failed_action=name)
        return render(request, "petitions/detail.html", context, status=422)

    return view


def _transition(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    review = review_input(
        to=data["to"], on=data["on"], requested_on=data["requested_on"], organ_unit=data["organ_unit"],
        organ_name=data["organ_name"], document_number=data["document_number"],
    )  # fmt: skip
    done = matter_transition(
        by=request.user, matter=matter, to=data["to"], reason=data["reason"], answer=data["answer"],
        on=data["on"], delivered_on=data["delivered_on"], review=review,
    )  # fmt: skip
    return f"已办理为“{done.get_status_display()}”"


def _assign(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    assignment = matter_assign(
        by=request.user, matter=matter, unit=data["unit"], kind=data["kind"], note=data["note"]
    )
    return f"已{assignment.get_kind_display()}至{assignment.unit.name}"


def _receive(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    assignment = assignment_receive(by=request.user, matter=matter)
    if assignment.objection_due is None:
        return "已签收；异议期限待信访局录入明年节假日安排后确定（5个工作日）"
    return f"已签收；如对管辖有异议，请在{assignment.objection_due:%Y年%m月%d日}前提出"


def _object(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    assignment_object(by=request.user, matter=matter, reason=data["reason"])
    return "已提出管辖异议，等待信访局处理"


def _decide(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    objection_decide(by=request.user, matter=matter, upheld=data["upheld"], note=data["note"])
    return "已处理管辖异议"


def _extend(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    extension_request(by=request.user, matter=matter, days=data["days"], reason=data["reason"])
    return f"已申请延期{data['days']}天，待承办单位负责人批准"


def _hearing(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    review = review_hearing(by=request.user, matter=matter, days=data["days"], note=data["note"])
    return f"已登记听证{data['days']}天（累计{review.hearing_days}天，不计入决定期限）"


def _decide_extension(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    pending = matter.extensions.filter(state=Extension.State.REQUESTED).first()
    if pending is None:
        raise RegistryError("没有待批准的延期申请")
    decided = extension_decide(
        by=request.user, extension=pending, approve=data["approve"], note=data["note"],
        petitioner_notified=data["petitioner_notified"],
    )  # fmt: skip
    return f"已批准延期{decided.days}天" if data["approve"] else "已不批准延期"


def _owner(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    ownership_assign(by=request.user, matter=matter, leader=data["leader"])
    return f"包案领导：{data['leader'].name}"


def _add_event(request: AuthedRequest, matter: Matter, data: dict[str, Any]) -> str:
    event = EventInput(data["date"], data["channel"], data["level"], data["persons"], data["note"])
    event_add(by=request.user, matter=matter, event=event)
    return "已登记新的信访批次"


class ReceiptForm(ReasonForm):
    """签收 needs no input; the form exists so every action goes through the same path."""

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__({"reason": "签收"}, **kwargs)


transition = _action("transition", TransitionForm, _transition)
receive = _action("receive", ReceiptForm, _receive)
object_ = _action("object", ReasonForm, _object)
extend = _action("extend", ExtensionForm, _extend)
decide_extension = _action("decide_extension", ExtensionDecisionForm, _decide_extension)
hearing = _action("hearing", HearingForm, _hearing, BUREAU_ROLES)
add_event = _action("event", EventFields, _add_event, BUREAU_ROLES)
assign = _action("assign", AssignForm, _assign, BUREAU_ROLES)
decide = _action("decide", ObjectionDecisionForm, _decide, BUREAU_ROLES)
owner = _action("owner", OwnerForm, _owner, BUREAU_ROLES)


ONLINE_STATES = dict(OnlineSubmission.State.choices)


@role_required(BUREAU_ROLES)
@require_GET
def online_list(request: AuthedRequest) -> HttpResponse:
    """Online submissions by state, the ones waiting to be screened first (网上信访审核)."""
    state = request.GET.get("state", OnlineSubmission.State.PENDING)
    if state not in ONLINE_STATES:
        state = OnlineSubmission.State.PENDING
    submissions = online_submissions_for_user(user=request.user)
    counts = dict(submissions.order_by().values_list("state").annotate(n=Count("pk")))
    context = {
        "submissions": submissions.filter(state=state)[: PAGE_SIZE * 4],
        "state": state,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in ONLINE_STATES.items()],
        "nav_key": "online",
    }
    return render(request, "petitions/online_list.html", context)


@role_required(BUREAU_ROLES)
def online_detail(request: AuthedRequest, submission_id: int) -> HttpResponse:
    """One submission: accept it (it is registered as a matter) or reject it with a reason."""
    submission = online_submission_get_for_user(user=request.user, submission_id=submission_id)
    action = request.POST.get("action") if request.method == "POST" else None
    accept = OnlineAcceptForm(
        request.POST if action == "accept" else None,
        county_id=submission.county_id,
        initial={
            "category": Category.objects.filter(
                county_id=submission.county_id, code=ONLINE_CATEGORY_CODE
            ).first()
        },
    )
    reject = OnlineRejectForm(request.POST if action == "reject" else None)
    try:
        if action == "accept" and accept.is_valid():
            matter = online_accept(
                by=request.user, submission=submission, category=accept.cleaned_data["category"]
            )
            messages.success(request, f"已登记：编号 {matter.number}，办理时限自提交之日起计算")
            return redirect(matter)
        if action == "reject" and reject.is_valid():
            online_reject(by=request.user, submission=submission, reason=reject.cleaned_data["reason"])
            messages.success(request, "已不予登记，理由已在查询页告知信访人")
            return redirect(f"{reverse('petitions:online_list')}?state=pending")
    except RegistryError as error:
        error_text = str(error)
        submission.refresh_from_db()  # decided by someone else meanwhile: show it as it is now
    else:
        error_text = ""
    context = {"submission": submission, "accept": accept, "reject": reject, "error": error_text}
    context["nav_key"] = "online"
    return render(request, "petitions/online_detail.html", context, status=422 if action else 200)


@role_required(BUREAU_ROLES)
@require_POST
def reveal(request: AuthedRequest, matter_id: int) -> HttpResponse:
    """Show one full personal value once, after the reason is recorded in the audit log."""
    matter = matter_get_for_user(user=request.user, matter_id=matter_id)
    form = RevealForm(request.POST)
    revealed: dict[str, Any] | None = None
    if form.is_valid():
        petitioner = matter.petitioners.filter(pk=form.cleaned_data["petitioner"]).first()
        if petitioner is None:
            form.add_error(None, "信访人不存在")
        else:
            try:
                value = pii_reveal(
                    by=request.user, matter=matter, petitioner=petitioner, what=form.cleaned_data["what"],
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except RegistryError as error:
                form.add_error(None, str(error))
            else:
                revealed = {"petitioner": petitioner, "label": dict(form.fields["what"].choices)[  # type: ignore[attr-defined]
                    form.cleaned_data["what"]], "value": value}  # fmt: skip
    context = matter_detail_context(
        request.user, matter, failed=None if revealed else form, failed_action="reveal", revealed=revealed
    )
    response = render(request, "petitions/detail.html", context, status=200 if revealed else 422)
    response["Cache-Control"] = "no-store"
    return response
