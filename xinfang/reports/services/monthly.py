"""The monthly situation analysis's flow (docs/monthly-report.md), the weekly analysis's life cycle: drafted
(by the job after the statistical month closes, or staff on demand) with its 下一步工作 drafted from the
figures, edited by staff, recounted, approved by the bureau head — which counts the month once more, freezes
the figures, numbers and archives the issue (page, Word, PDF) and sends it to the main leaders and every
standing-committee member (inbox and SMS notice). Each action is one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.documents import Document
from xinfang.core.roles import Role
from xinfang.directory.models import County, Unit
from xinfang.documents.models import DocumentKind, IssuedDocument
from xinfang.documents.services import document_issue
from xinfang.lib.periods import Month, month_of, month_parse
from xinfang.lib.schedule import Rule, nth_working_day_from
from xinfang.petitions.models import Matter
from xinfang.reports.models import MonthlyReport
from xinfang.reports.monthly import last_closed_month, month_start_day, monthly_figures
from xinfang.reports.monthly_document import monthly_document
from xinfang.reports.services.common import bounded_text, leaders_recipients
from xinfang.reports.services.weekly import filter_keys

CATCH_UP_MONTHS = 3  # months the job drafts when earlier runs were missed (never before the first issue)


def monthly_keys(county: County, figures: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The drill-down keys of the document: the weekly's breakdown filters, the responsible units' ids
    (/matters/?unit=) and the at-risk matters' ids (/matters/<id>/)."""
    keys = filter_keys(county)
    keys["by_unit"] = {
        name: str(pk)
        for pk, name in Unit.objects.filter(county=county, name__in=list(figures["by_unit"])).values_list(
            "pk", "name"
        )
    }
    numbers = [row["number"] for row in figures["at_risk"]]
    keys["matters"] = {
        number: str(pk)
        for pk, number in Matter.objects.filter(county=county, number__in=numbers).values_list("pk", "number")
    }
    return keys


def monthly_render(report: MonthlyReport) -> Document:
    """A draft as the builder takes it (unnumbered, marked 草稿)."""
    return monthly_document(
        county_name=report.county.name, figures=report.figures, analysis=report.analysis,
        suggestions=report.suggestions, number=None, year=timezone.localdate().year,
        issued_on=timezone.localdate(), keys=monthly_keys(report.county, report.figures),
    )  # fmt: skip


def monthly_check_month(month: Month, *, today: dt.date | None = None) -> None:
    """A month a report can be made for: closed by `today` (ValidationError in Chinese otherwise)."""
    today = today or timezone.localdate()
    newest = last_closed_month(today)
    if month > newest:
        raise ValidationError(f"{month.label}尚未结束，最近可统计的月份是{newest.label}")


def monthly_draft(
    *, county: County, month: Month, by: User | None, now: dt.datetime | None = None
) -> tuple[MonthlyReport, bool]:
    """The month's draft, made once: an existing issue of the month is returned as it is (created False).
    The suggestions start as those drafted from the figures."""
    existing = MonthlyReport.objects.filter(county=county, month=str(month)).first()
    if existing is not None:
        return existing, False
    monthly_check_month(month, today=timezone.localdate(now))
    now = now or timezone.now()
    figures = monthly_figures(county=county, month=month)
    date_from, date_to = month.range(month_start_day())
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                county=county, month=str(month), date_from=date_from, date_to=date_to,
                figures=figures, figures_at=now, drafted_at=now, drafted_by=by,
                suggestions="\n".join(figures["suggested"]),
            )  # fmt: skip
            audit_record(
                action="monthly.draft", actor=by, obj=report, county=county, object_repr=str(report),
                changes={"month": str(month), "events": figures["totals"]["events"]},
            )  # fmt: skip
    except IntegrityError:  # drafted at the same moment by the job and a person: one draft stays
        return MonthlyReport.objects.get(county=county, month=str(month)), False
    return report, True


def _editable(report: MonthlyReport) -> None:
    if report.state != MonthlyReport.State.DRAFT:
        raise ValidationError("本期已印发，不能再修改")


def monthly_edit(*, report: MonthlyReport, by: User, analysis: str, suggestions: str) -> MonthlyReport:
    analysis, suggestions = bounded_text(analysis, "形势研判"), bounded_text(suggestions, "下一步工作")
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        _editable(report)
        report.analysis, report.suggestions = analysis, suggestions
        report.edited_at, report.edited_by = timezone.now(), by
        report.save(update_fields=["analysis", "suggestions", "edited_at", "edited_by"])
        audit_record(
            action="monthly.edit", actor=by, obj=report, county=report.county, object_repr=str(report),
            changes={"analysis": len(analysis), "suggestions": len(suggestions)},
        )  # fmt: skip
    return report


def monthly_recount(*, report: MonthlyReport, by: User) -> MonthlyReport:
    """Count the month again (late registrations and corrections since the draft); staff's text stays."""
    figures = monthly_figures(county=report.county, month=month_parse(report.month))
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        _editable(report)
        report.figures, report.figures_at = figures, timezone.now()
        report.save(update_fields=["figures", "figures_at"])
        audit_record(
            action="monthly.recount", actor=by, obj=report, county=report.county, object_repr=str(report),
            changes={"events": figures["totals"]["events"]},
        )  # fmt: skip
    return report


def monthly_approve(*, report: MonthlyReport, by: User, now: dt.datetime | None = None) -> IssuedDocument:
    """The bureau head approves: the month is counted once more and frozen, the issue numbered (gapless per
    county and year), archived as page, Word and PDF and sent to the main leaders (to sign off) and every
    standing-committee member (to read)."""
    if by.role != Role.BUREAU_HEAD:
        raise PermissionDenied("只有信访局长可以审定印发")
    figures = monthly_figures(county=report.county, month=month_parse(report.month))
    keys = monthly_keys(report.county, figures)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("county").get(pk=report.pk)
        _editable(report)
        issued_on = timezone.localdate(now)
        snapshot = {**figures, "analysis": report.analysis, "suggestions": report.suggestions}
        month = month_parse(report.month)

        def render(number: int, omit: frozenset[str]) -> Document:
            # A leader whom an at-risk matter reports (Art. 46) gets a copy without that matter.
            at_risk = [row for row in figures["at_risk"] if row["number"] not in omit]
            return monthly_document(
                county_name=report.county.name, figures={**figures, "number": number, "at_risk": at_risk},
                analysis=report.analysis, suggestions=report.suggestions, number=number,
                year=issued_on.year, issued_on=issued_on, keys=keys,
            )  # fmt: skip

        document = document_issue(
            county=report.county, kind=DocumentKind.MONTHLY, title=f"{month.label}信访形势分析",
            period=(report.date_from, report.date_to), snapshot=snapshot, render=render,
            recipients=leaders_recipients(report.county, [row["number"] for row in figures["at_risk"]]),
            approved_by=by,
            page_url=lambda _: reverse("reports:monthly_issue", args=[report.pk]), now=now,
        )  # fmt: skip
        document.snapshot["number"] = document.number
        document.save(update_fields=["snapshot"])
        report.figures, report.figures_at = document.snapshot, document.approved_at
        report.state, report.document = MonthlyReport.State.ISSUED, document
        report.save(update_fields=["figures", "figures_at", "state", "document"])
        audit_record(
            action="monthly.approve", actor=by, obj=report, county=report.county, object_repr=str(report),
            changes={"number": document.number, "year": document.year},
        )  # fmt: skip
    return document


def monthly_report_days() -> Rule:
    """The XINFANG_MONTHLY_REPORT_DAY-th working day after each statistical month closes (the month closes
    the day before XINFANG_MONTH_START_DAY)."""
    return nth_working_day_from(month_start_day(), settings.XINFANG_MONTHLY_REPORT_DAY)


def monthly_report_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """The run after a month closes: the last closed month's draft, and any of the months before it that
    missed runs left without one (since the county's first issue only). Safe to run again."""
    last = month_of(day, month_start_day()).shifted(-1)
    earliest = (
        MonthlyReport.objects.filter(county=county).order_by("month").values_list("month", flat=True).first()
    )
    months = [last]
    for back in range(1, CATCH_UP_MONTHS):
        month = last.shifted(-back)
        if earliest is None or str(month) <= earliest:
            break
        months.append(month)
    made = [month for month in months if monthly_draft(county=county, month=month, by=None, now=now)[1]]
    if not made:
        return f"{last.label}信访形势分析草稿已生成，未重复起草"
    return "已起草" + "、".join(month.label for month in reversed(made)) + "信访形势分析"
