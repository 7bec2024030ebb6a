"""The monthly situation analysis's flow (docs/monthly-report.md), the weekly analysis's life cycle: drafted
(by the job after the statistical month closes, or staff on demand) with its 下一步工作 drafted from the
figures, edited by staff, recounted, approved by the bureau head — which counts the month once more, freezes
the figures, numbers and archives the issue (page, Word, PDF) and sends it to the main leaders and every
standing-committee member (inbox and SMS notice). Each action is one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.documents import Document
from xinfang.directory.models import County, Unit
from xinfang.documents.models import DocumentKind, IssuedDocument
from xinfang.lib.periods import Month, month_of, month_parse
from xinfang.lib.schedule import Rule, nth_working_day_from
from xinfang.petitions.models import Matter
from xinfang.reports.models import MonthlyReport
from xinfang.reports.monthly import last_closed_month, month_start_day, monthly_figures
from xinfang.reports.monthly_document import monthly_document
from xinfang.reports.services.common import (
    leaders_recipients,
    report_approve,
    report_draft_once,
    report_edit,
    report_recount,
)
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
    return report_draft_once(
        MonthlyReport, period={"county": county, "month": str(month)}, by=by,
        fields={
            "date_from": date_from, "date_to": date_to, "figures": figures, "figures_at": now,
            "drafted_at": now, "suggestions": "\n".join(figures["suggested"]),
        },
        changes={"month": str(month), "events": figures["totals"]["events"]},
    )  # fmt: skip


def monthly_edit(*, report: MonthlyReport, by: User, analysis: str, suggestions: str) -> MonthlyReport:
    return report_edit(report=report, by=by, analysis=analysis, suggestions=suggestions)


def monthly_recount(*, report: MonthlyReport, by: User) -> MonthlyReport:
    """Count the month again (late registrations and corrections since the draft); staff's text stays."""
    figures = monthly_figures(county=report.county, month=month_parse(report.month))
    return report_recount(report=report, by=by, figures=figures)


def monthly_approve(*, report: MonthlyReport, by: User, now: dt.datetime | None = None) -> IssuedDocument:
    """The bureau head approves: the month is counted once more and frozen, the issue numbered (gapless per
    county and year), archived as page, Word and PDF and sent to the main leaders (to sign off) and every
    standing-committee member (to read)."""
    month = month_parse(report.month)
    figures = monthly_figures(county=report.county, month=month)
    keys = monthly_keys(report.county, figures)

    def render(report: MonthlyReport, number: int, omit: frozenset[str], issued_on: dt.date) -> Document:
        # A leader whom an at-risk matter reports (Art. 46) gets a copy without that matter.
        at_risk = [row for row in figures["at_risk"] if row["number"] not in omit]
        return monthly_document(
            county_name=report.county.name, figures={**figures, "number": number, "at_risk": at_risk},
            analysis=report.analysis, suggestions=report.suggestions, number=number,
            year=issued_on.year, issued_on=issued_on, keys=keys,
        )  # fmt: skip

    return report_approve(
        report=report, by=by, figures=figures, kind=DocumentKind.MONTHLY, title=f"{month.label}信访形势分析",
        recipients=leaders_recipients(report.county, [row["number"] for row in figures["at_risk"]]),
        render=render, now=now,
    )  # fmt: skip


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
