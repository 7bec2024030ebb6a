"""What the weekly and the monthly analyses' flows share: the bounded text staff write, who an issue is
sent to, and the life cycle's steps (drafted once, edited, recounted, approved), each one transaction with
its audit record `<kind>.<step>`. Each analysis's module counts its period and builds its document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field, Q
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.documents import Document
from xinfang.core.roles import Role
from xinfang.directory.models import County, Leader
from xinfang.documents.models import Delivery, DocumentKind, IssuedDocument
from xinfang.documents.services import Recipient, document_issue, recipients_for
from xinfang.lib.text import clean_text
from xinfang.reports.models import AnalysisReport

TEXT_LIMIT = 20_000  # characters of each text staff write on an issue (analysis, suggestions)

ReportT = TypeVar("ReportT", bound=AnalysisReport)


def bounded_text(text: str, label: str) -> str:
    """Staff's text cleaned (control characters out) and at most TEXT_LIMIT characters."""
    text = clean_text(text, multiline=True).strip()
    if len(text) > TEXT_LIMIT:
        raise ValidationError(f"{label}不超过{TEXT_LIMIT}字（现有{len(text)}字）")
    return text


def leaders_recipients(county: County, numbers: Sequence[str]) -> list[Recipient]:
    """The main leaders sign off, the other standing-committee members read; each gets a copy without the
    listed matters (`numbers`) that report their own account (Art. 46)."""
    leaders = Leader.objects.filter(county=county, is_active=True).filter(
        Q(post_kind__in=Leader.MAIN_POSTS) | Q(is_standing_committee=True)
    )
    return recipients_for(
        county=county,
        leaders=list(leaders.order_by("protocol_order", "id")),
        purpose=lambda leader: Delivery.Purpose.SIGN if leader.is_main_leader else Delivery.Purpose.READ,
        numbers=numbers,
    )


def _audit(report: AnalysisReport, step: str, by: User | None, changes: dict[str, Any]) -> None:
    audit_record(
        action=f"{report.kind}.{step}", actor=by, obj=report, county=report.county, object_repr=str(report),
        changes=changes,
    )  # fmt: skip


def _locked(report: ReportT) -> ReportT:
    """The report locked for the step, refused once issued."""
    report = type(report)._default_manager.select_for_update().select_related("county").get(pk=report.pk)
    if report.state != AnalysisReport.State.DRAFT:
        raise ValidationError("本期已印发，不能再修改")
    return report


def report_draft_once(
    model: type[ReportT],
    *,
    period: dict[str, Any],
    fields: dict[str, Any],
    by: User | None,
    changes: dict[str, Any],
) -> tuple[ReportT, bool]:
    """A period's draft (`period`: the lookup its unique constraint is on), created with `fields`; when the
    job and a person draft it at the same moment, the one that stays is returned (created False)."""
    try:
        with transaction.atomic():
            report = model._default_manager.create(**period, **fields, drafted_by=by)
            _audit(report, "draft", by, changes)
    except IntegrityError:
        return model._default_manager.get(**period), False
    return report, True


def _label(report: AnalysisReport, name: str) -> str:
    field = report._meta.get_field(name)
    assert isinstance(field, Field)
    return str(field.verbose_name)


def report_edit(*, report: ReportT, by: User, analysis: str, suggestions: str) -> ReportT:
    """Staff's text saved on a draft; each text is bounded under its field's name (分析研判, 下一步工作…)."""
    analysis = bounded_text(analysis, _label(report, "analysis"))
    suggestions = bounded_text(suggestions, _label(report, "suggestions"))
    with transaction.atomic():
        report = _locked(report)
        report.analysis, report.suggestions = analysis, suggestions
        report.edited_at, report.edited_by = timezone.now(), by
        report.save(update_fields=["analysis", "suggestions", "edited_at", "edited_by"])
        _audit(report, "edit", by, {"analysis": len(analysis), "suggestions": len(suggestions)})
    return report


def report_recount(*, report: ReportT, by: User, figures: dict[str, Any]) -> ReportT:
    """A draft's figures replaced by those counted again (`figures`); staff's text stays."""
    with transaction.atomic():
        report = _locked(report)
        report.figures, report.figures_at = figures, timezone.now()
        report.save(update_fields=["figures", "figures_at"])
        _audit(report, "recount", by, {"events": figures["totals"]["events"]})
    return report


# The issue's content as the builder takes it: (the locked report, its number, the numbers its copy
# leaves out, the day it is issued).
IssueRender = Callable[[ReportT, int, frozenset[str], dt.date], Document]


def report_approve(
    *,
    report: ReportT,
    by: User,
    figures: dict[str, Any],
    kind: DocumentKind,
    title: str,
    recipients: Sequence[Recipient],
    render: IssueRender[ReportT],
    now: dt.datetime | None = None,
) -> IssuedDocument:
    """The bureau head approves: `figures` (counted once more) are frozen with staff's text, the issue
    numbered (gapless per county, kind and year), archived as page, Word and PDF and sent to `recipients`."""
    if by.role != Role.BUREAU_HEAD:
        raise PermissionDenied("只有信访局长可以审定印发")
    with transaction.atomic():
        report = _locked(report)
        issued_on = timezone.localdate(now)
        locked = report
        document = document_issue(
            county=report.county, kind=kind, title=title, period=(report.date_from, report.date_to),
            snapshot={**figures, "analysis": report.analysis, "suggestions": report.suggestions},
            render=lambda number, omit: render(locked, number, omit, issued_on), recipients=recipients,
            approved_by=by, page_url=lambda _: reverse(f"reports:{locked.kind}_issue", args=[locked.pk]),
            now=now,
        )  # fmt: skip
        document.snapshot["number"] = document.number
        document.save(update_fields=["snapshot"])
        report.figures, report.figures_at = document.snapshot, document.approved_at
        report.state, report.document = AnalysisReport.State.ISSUED, document
        report.save(update_fields=["figures", "figures_at", "state", "document"])
        _audit(report, "approve", by, {"number": document.number, "year": document.year})
    return document
