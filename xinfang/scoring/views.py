"""The competition's pages (docs/competition.md): the quarterly and annual leaderboards, a unit's
breakdown, the bureau's draft, additions, vetoes, appeal decisions and publication, a unit's appeal, the
rules page, the Excel export. Gate → validate → one service → respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.attachments import attachment_response
from xinfang.core.decorators import role_required
from xinfang.core.forms import form_errors_from
from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, Role
from xinfang.directory.models import County
from xinfang.lib.periods import Quarter, quarter_of, quarter_parse
from xinfang.scoring import selectors, services
from xinfang.scoring.document import competition_xlsx
from xinfang.scoring.engine import LEVELS
from xinfang.scoring.forms import AdditionForm, AppealForm, DecisionForm, RuleSetForm, VetoForm
from xinfang.scoring.models import Appeal, RuleSet

NAV = "competition"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A unit's breakdown lists its charges a page at a time: a township of a million-matter county has thousands
# in a quarter (the Excel export has every one).
CHARGES_PER_PAGE = 100


def _county(request: AuthedRequest) -> County:
    county = request.user.county
    if county is None:
        raise Http404("没有所属县")
    return county


def _quarter_code(code: str) -> Quarter:
    try:
        return quarter_parse(code)
    except ValueError:
        raise Http404("季度应写作 YYYYQn") from None


def _page_quarter(request: AuthedRequest) -> Quarter:
    try:
        return quarter_parse(request.GET.get("quarter") or "")
    except ValueError:
        return quarter_of(timezone.localdate()).previous()  # the last closed quarter


def _board_url(quarter: Quarter) -> str:
    return f"{reverse('scoring:board')}?quarter={quarter.code}"


@role_required(CONTENT_ROLES)
@require_GET
def board(request: AuthedRequest) -> HttpResponse:
    """The quarter's leaderboard (`?quarter=2026Q1`, the last closed one by default), or the year's
    (`?year=2026`)."""
    county, user, today = _county(request), request.user, timezone.localdate()
    if request.GET.get("year"):
        return _annual(request, county)
    quarter = _page_quarter(request)
    # The stored tables (frozen, or the draft's as last computed): the page never computes a quarter.
    # A draft is shown to the bureau only: the others see the rules line until publication.
    stored, record = selectors.competition_tables(county, quarter)
    visible = selectors.competition_visible(user=user, record=record) and stored is not None
    rules = stored["rules"] if stored is not None else selectors.rules_for(county, quarter).as_dict()
    is_bureau = user.role in BUREAU_ROLES
    context: dict[str, Any] = {
        "quarter": quarter, "record": record, "visible": visible, "levels": [label for _, label in LEVELS],
        "tables": [(label, stored[key]) for key, _, label in selectors.TABLES] if stored and visible else [],
        "rules": rules, "is_bureau": is_bureau, "is_head": user.role == Role.BUREAU_HEAD,
        "closed": quarter.last < today, "today": today, "nav_key": NAV, "year": quarter.year,
        "own_unit": user.unit if user.role == Role.UNIT_USER and record is not None else None,
        "previous_quarter": quarter.previous(), "next_quarter": quarter.next(),
    }  # fmt: skip
    if is_bureau:
        context |= {
            "appeals": selectors.appeals_of(county, quarter),
            "additions": selectors.additions_of(county, quarter),
            "vetoes": selectors.vetoes_of(county, quarter),
            "pending": Appeal.State.PENDING,
        }
        if record is None or not record.is_published:
            context |= {
                "addition_form": AdditionForm(county=county, prefix="addition"),
                "veto_form": VetoForm(county=county, prefix="veto"),
                "decision_form": DecisionForm(prefix="decision"),
            }
    return render(request, "scoring/board.html", context)


def _annual(request: AuthedRequest, county: County) -> HttpResponse:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        raise Http404("年度应为四位数字") from None
    if not 2000 <= year <= 2100:
        raise Http404("年度应为四位数字")
    # Leaders and units see the published quarters only; the bureau the drafts too.
    published_only = request.user.role not in BUREAU_ROLES
    annual = selectors.annual_figures(county, year, timezone.localdate(), published_only=published_only)
    context = {
        "year": year, "annual": annual, "nav_key": NAV,
        "tables": [(label, annual[key]) for key, _, label in selectors.TABLES],
    }  # fmt: skip
    return render(request, "scoring/annual.html", context)


@role_required(CONTENT_ROLES)
@require_GET
def unit(request: AuthedRequest, code: str, unit_id: int) -> HttpResponse:
    """A unit's breakdown for the quarter: each deduction by event, additions, veto, the change from the
    last quarter, and (for the unit, in the appeal period) the appeal forms."""
    county, user = _county(request), request.user
    quarter = _quarter_code(code)
    figures, record = selectors.competition_tables(county, quarter)
    the_unit = selectors.unit_get_for_user(user=user, unit_id=unit_id, record=record)
    found = selectors.unit_row(figures, the_unit.pk) if figures is not None and record is not None else None
    if found is None or record is None:
        raise Http404("该单位不参加本季度比拼，或本季度比拼结果尚未计算")
    key, row = found
    previous_figures, _ = selectors.competition_tables(county, quarter.previous())
    previous = selectors.unit_row(previous_figures, the_unit.pk) if previous_figures is not None else None
    page = Paginator(selectors.unit_charges(record, the_unit.pk), CHARGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    matters = selectors.visible_matter_ids(user=user, matter_ids=[c["matter"] for c in shown])
    appeals = {appeal.event_id: appeal for appeal in selectors.appeals_of(county, quarter, the_unit.pk)}
    can_appeal = (
        user.role == Role.UNIT_USER and record is not None and not record.is_published
        and timezone.localdate() <= record.appeal_until
    )  # fmt: skip
    charges = [
        {**charge, "visible": charge["matter"] in matters, "appeal": appeals.get(charge["event"])}
        for charge in shown
    ]
    change = round(row["score"] - previous[1]["score"], 1) if previous else None
    context = {
        "quarter": quarter, "record": record, "unit": the_unit, "row": row, "charges": charges, "page": page,
        "table_label": {k: label for k, _, label in selectors.TABLES}[key],
        "previous": previous[1] if previous else None,
        "change": change, "drop": -change if change is not None else None,
        "can_appeal": can_appeal, "appeal_form": AppealForm(), "nav_key": NAV,
        "levels": [label for _, label in LEVELS],
    }  # fmt: skip
    return render(request, "scoring/unit.html", context)


@role_required([Role.UNIT_USER])
@require_POST
def appeal(request: AuthedRequest, code: str, unit_id: int) -> HttpResponse:
    county, user = _county(request), request.user
    quarter = _quarter_code(code)
    record = selectors.competition_of(county, quarter)
    the_unit = selectors.unit_get_for_user(user=user, unit_id=unit_id, record=record)
    page = reverse("scoring:unit", args=[quarter.code, the_unit.pk])
    form = AppealForm(request.POST)
    event = selectors.event_of_county(county, form.cleaned_data["event"]) if form.is_valid() else None
    if event is None:
        messages.error(request, "请选择要申诉的扣分批次并填写申诉理由")
        return redirect(page)
    try:
        services.appeal_file(by=user, quarter=quarter, event=event, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "申诉已提交，请等待信访局长决定")
    return redirect(page)


@role_required(BUREAU_ROLES)
@require_POST
def draft(request: AuthedRequest, code: str) -> HttpResponse:
    county, quarter = _county(request), _quarter_code(code)
    try:
        record, created = services.competition_draft(county=county, quarter=quarter, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if created:
            until = f"{record.appeal_until:%Y年%m月%d日}"
            messages.success(request, f"已起草{quarter.label}比拼结果，申诉截止{until}")
    return redirect(_board_url(quarter))


@role_required(BUREAU_ROLES)
@require_POST
def recompute(request: AuthedRequest, code: str) -> HttpResponse:
    """重新计算: a draft's tables computed again from the events as they stand now."""
    county, quarter = _county(request), _quarter_code(code)
    try:
        record = services.competition_recompute(county=county, quarter=quarter, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
    else:
        assert record.computed_at is not None
        at = timezone.localtime(record.computed_at)
        messages.success(request, f"已按{at:%Y-%m-%d %H:%M}的数据重新计算{quarter.label}比拼结果")
    return redirect(_board_url(quarter))


@role_required(BUREAU_ROLES)
@require_POST
def addition(request: AuthedRequest, code: str) -> HttpResponse:
    county, quarter = _county(request), _quarter_code(code)
    form = AdditionForm(request.POST, request.FILES, county=county, prefix="addition")
    if form.is_valid():
        try:
            services.addition_add(
                county=county, quarter=quarter, by=request.user, unit=form.cleaned_data["unit"],
                points=form.cleaned_data["points"], reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data["evidence"],
            )  # fmt: skip
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已为{form.cleaned_data['unit'].name}登记加分")
            return redirect(_board_url(quarter))
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, f"加分未登记：{message}")
    return redirect(_board_url(quarter))


@role_required(BUREAU_ROLES)
@require_POST
def veto(request: AuthedRequest, code: str) -> HttpResponse:
    county, quarter = _county(request), _quarter_code(code)
    form = VetoForm(request.POST, county=county, prefix="veto")
    if form.is_valid():
        try:
            services.veto_record(county=county, quarter=quarter, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已登记{form.cleaned_data['unit'].name}一票否决")
            return redirect(_board_url(quarter))
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, f"否决未登记：{message}")
    return redirect(_board_url(quarter))


@role_required([Role.BUREAU_HEAD])
@require_POST
def decide(request: AuthedRequest, appeal_id: int) -> HttpResponse:
    the_appeal = selectors.appeal_get_for_user(user=request.user, appeal_id=appeal_id)
    quarter = _quarter_code(the_appeal.quarter)
    form = DecisionForm(request.POST, prefix="decision")
    if not form.is_valid():
        messages.error(request, "请选择决定并填写理由")
        return redirect(_board_url(quarter))
    try:
        services.appeal_decide(by=request.user, appeal=the_appeal, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"已决定{the_appeal.unit.name}的申诉")
    return redirect(_board_url(quarter))


@role_required([Role.BUREAU_HEAD])
@require_POST
def publish(request: AuthedRequest, code: str) -> HttpResponse:
    county, quarter = _county(request), _quarter_code(code)
    try:
        record = services.competition_publish(county=county, quarter=quarter, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        assert record.document is not None
        messages.success(request, f"已公布{quarter.label}比拼结果，印发{record.document.label}")
    return redirect(_board_url(quarter))


@role_required(CONTENT_ROLES)
@require_GET
def export(request: AuthedRequest, code: str) -> HttpResponse:
    """The quarter's tables and deductions as .xlsx: what the user may see of the board."""
    county, quarter = _county(request), _quarter_code(code)
    figures, record = selectors.competition_tables(county, quarter)
    if (
        figures is None
        or record is None
        or not selectors.competition_visible(user=request.user, record=record)
    ):
        raise Http404("本季度比拼结果尚未公布")
    title = f"{county.name}{quarter.label}信访工作比拼"
    workbook = competition_xlsx(figures, selectors.competition_charges(record), title=title)
    response = HttpResponse(workbook, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="competition-{quarter.code}.xlsx"'
    return response


@role_required(CONTENT_ROLES)
@require_GET
def evidence(request: AuthedRequest, addition_id: int) -> HttpResponse:
    the_addition = selectors.addition_get_for_user(user=request.user, addition_id=addition_id)
    return attachment_response(services.addition_evidence_read(addition=the_addition, by=request.user))


@role_required(BUREAU_ROLES)
@require_http_methods(["GET", "POST"])
def rules(request: AuthedRequest) -> HttpResponse:
    """The county's rules: every version, and (for the bureau head) a new one from a quarter on."""
    county, today = _county(request), timezone.localdate()
    current = selectors.ruleset_in_force(county, today)
    form = None
    if request.user.role == Role.BUREAU_HEAD:
        initial: dict[str, Any] = {"quarter": quarter_of(today).next().code}
        form = RuleSetForm(request.POST or None, instance=current or RuleSet(), initial=initial)
        if request.method == "POST" and form.is_valid():
            values = {name: form.cleaned_data[name] for name in RuleSetForm.Meta.fields}
            try:
                ruleset = services.ruleset_save(
                    county=county, by=request.user, quarter=form.cleaned_data["quarter"], **values
                )
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, f"已保存{ruleset}")
                return redirect("scoring:rules")
    elif request.method == "POST":
        raise PermissionDenied("只有信访局长可以修改比拼规则")
    context = {
        "versions": selectors.rulesets_of(county),
        "current": selectors.rules_of(current).as_dict(), "form": form, "nav_key": NAV,
        "levels": LEVELS, "today": today,
    }  # fmt: skip
    status = 422 if form is not None and form.errors else 200
    return render(request, "scoring/rules.html", context, status=status)
