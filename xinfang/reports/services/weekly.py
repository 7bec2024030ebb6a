"""The weekly analysis's flow: drafted (by the Monday job or staff on demand), edited by staff, approved
by the bureau head — which recounts the week, freezes the figures, numbers and archives the issue and
sends it to the main leaders to sign off and to the standing-committee members to read. Each action is
one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.attachments import Upload, attachment_store
from xinfang.core.documents import Document
from xinfang.core.roles import BUREAU_ROLES
from xinfang.directory.models import Category, County, Leader, Unit
from xinfang.documents.models import DocumentKind, IssuedDocument
from xinfang.documents.services import Recipient
from xinfang.lib.schedule import Rule, first_working_day_of_week
from xinfang.petitions.models import Channel, Level, Matter
from xinfang.reports.models import WeeklyReport
from xinfang.reports.services.common import (
    leaders_recipients,
    report_approve,
    report_draft_once,
    report_edit,
    report_recount,
)
from xinfang.reports.weekly import previous_week, weekly_figures
from xinfang.reports.weekly_document import weekly_document
from xinfang.supervision.models import SupervisionItem
from xinfang.supervision.services import item_create

CATCH_UP_WEEKS = 4  # weeks the Monday job drafts when earlier Mondays had no run (a holiday week)


def filter_keys(county: County) -> dict[str, dict[str, str]]:
    """Each breakdown's names → the value of its /stats/events/ filter."""
    return {
        "by_level": {str(label): str(value) for value, label in Level.choices},
        "by_channel": {str(label): str(value) for value, label in Channel.choices},
        "by_category": {
            name: str(pk)
            for pk, name in Category.objects.filter(county=county, parent__isnull=True).values_list(
                "pk", "name"
            )
        },
        "by_township": {
            name: str(pk)
            for pk, name in Unit.objects.filter(county=county, kind=Unit.Kind.TOWNSHIP).values_list(
                "pk", "name"
            )
        },
    }


def weekly_render(report: WeeklyReport, *, omit: frozenset[str] = frozenset()) -> Document:
    """A draft as the builder takes it (unnumbered, marked 草稿)."""
    return weekly_document(
        county_name=report.county.name, figures=report.figures, analysis=report.analysis,
        suggestions=report.suggestions, number=None, year=report.date_to.year,
        issued_on=timezone.localdate(), keys=filter_keys(report.county), omit=omit,
    )  # fmt: skip


def weekly_draft(
    *, county: County, date_from: dt.date, date_to: dt.date, by: User | None, now: dt.datetime | None = None
) -> tuple[WeeklyReport, bool]:
    """The week's draft, made once: an existing issue of the week is returned as it is (created False)."""
    existing = WeeklyReport.objects.filter(county=county, date_from=date_from).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    figures = weekly_figures(county=county, date_from=date_from, date_to=date_to)
    return report_draft_once(
        WeeklyReport, period={"county": county, "date_from": date_from}, by=by,
        fields={"date_to": date_to, "figures": figures, "figures_at": now, "drafted_at": now},
        changes={"from": figures["from"], "to": figures["to"], "events": figures["totals"]["events"]},
    )  # fmt: skip


def weekly_edit(*, report: WeeklyReport, by: User, analysis: str, suggestions: str) -> WeeklyReport:
    return report_edit(report=report, by=by, analysis=analysis, suggestions=suggestions)


def weekly_recount(*, report: WeeklyReport, by: User) -> WeeklyReport:
    """Count the week again (late registrations and corrections since the draft)."""
    figures = weekly_figures(county=report.county, date_from=report.date_from, date_to=report.date_to)
    return report_recount(report=report, by=by, figures=figures)


def weekly_recipients(county: County, figures: dict[str, Any]) -> list[Recipient]:
    """The main leaders sign off, the other standing-committee members read; each gets a copy without the
    key matters that report their own account (Art. 46)."""
    return leaders_recipients(county, [row["number"] for row in figures["key_matters"]])


def weekly_approve(*, report: WeeklyReport, by: User, now: dt.datetime | None = None) -> IssuedDocument:
    """The bureau head approves: the week is counted once more and frozen, the issue numbered (gapless per
    county and year), archived as page, Word and PDF and sent."""
    figures = weekly_figures(county=report.county, date_from=report.date_from, date_to=report.date_to)
    keys = filter_keys(report.county)

    def render(report: WeeklyReport, number: int, omit: frozenset[str], issued_on: dt.date) -> Document:
        return weekly_document(
            county_name=report.county.name, figures={**figures, "number": number},
            analysis=report.analysis, suggestions=report.suggestions, number=number,
            year=issued_on.year, issued_on=issued_on, keys=keys, omit=omit,
        )  # fmt: skip

    return report_approve(
        report=report, by=by, figures=figures, kind=DocumentKind.WEEKLY,
        title=f"{report.date_from:%Y年%m月%d日}至{report.date_to:%m月%d日}每周访情分析",
        recipients=weekly_recipients(report.county, figures), render=render, now=now,
    )  # fmt: skip


def weekly_report_days() -> Rule:
    """The first working day of each week (weeks start on XINFANG_WEEK_STARTS)."""
    return first_working_day_of_week(settings.XINFANG_WEEK_STARTS - 1)


def weekly_report_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """The Monday run: the previous week's draft, and any of the last weeks a holiday left without one
    (drafted since the county's first issue only). Safe to run again: a week is drafted once."""
    weeks = []
    start, end = previous_week(day)
    first = (
        WeeklyReport.objects.filter(county=county).order_by("date_from").values_list("date_from", flat=True)
    )
    earliest = first.first()
    for back in range(CATCH_UP_WEEKS):
        week_from = start - dt.timedelta(days=7 * back)
        if back and (earliest is None or week_from <= earliest):
            break
        weeks.append((week_from, end - dt.timedelta(days=7 * back)))
    made = [
        (week_from, week_to)
        for week_from, week_to in weeks
        if weekly_draft(county=county, date_from=week_from, date_to=week_to, by=None, now=now)[1]
    ]
    if not made:
        return "本周访情分析草稿已生成，未重复起草"
    weeks_text = "、".join(f"{week_from:%m月%d日}至{week_to:%m月%d日}" for week_from, week_to in made)
    return f"已起草{weeks_text}访情分析"


def weekly_instruct(
    *,
    report: WeeklyReport,
    by: User,
    matter_number: str,
    instruction: str,
    leader: Leader,
    units: Sequence[Unit],
    deadline: dt.date,
    instructed_by: Leader | None = None,
    scan: Upload | None = None,
) -> SupervisionItem:
    """A 批示 on the issued issue (no matter number) or on one of its key matters, which becomes a
    supervision item. A main leader writes their own; the bureau records a paper one on a main leader's
    behalf (`instructed_by`) with its scan, marked as such."""
    document = report.document
    if document is None:
        raise ValidationError("本期尚未印发，不能批示")
    numbers = {row["number"] for row in document.snapshot.get("key_matters", [])}
    if matter_number and matter_number not in numbers:
        raise ValidationError({"matter": "该事项不在本期重点事项中"})
    on_paper = by.role in BUREAU_ROLES
    if not on_paper and by.leader is None:
        raise PermissionDenied("只有县主要领导可以批示")
    with transaction.atomic():
        matter = Matter.objects.get(county=report.county, number=matter_number) if matter_number else None
        stored = attachment_store(scan, user_id=by.pk) if on_paper and scan is not None else None
        return item_create(
            county=report.county, source_kind=SupervisionItem.SourceKind.WEEKLY, source_id=report.pk,
            source_title=document.label, source_url=reverse("reports:weekly_issue", args=[report.pk]),
            matter=matter, instruction=instruction,
            instructed_by=instructed_by if on_paper else by.leader, instructed_at=timezone.now(),
            leader=leader, units=units, deadline=deadline, recorded_by=by, on_paper=on_paper, scan=stored,
        )  # fmt: skip
