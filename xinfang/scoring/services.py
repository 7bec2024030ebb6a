"""The competition's actions (docs/competition.md), each one transaction with its audit record: the bureau
head's rules, the worker's (or the bureau's) draft, additions and vetoes, a unit's appeal and the head's
decision, the bureau's 重新计算, and publication — the figures frozen and the document issued through the
documents app. Every action that moves a draft's figures stores them again in its transaction
(`_tables_store`): the pages read the stored tables and never compute a quarter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.core.attachments import Upload, attachment_store
from xinfang.core.bulk import rows_replace
from xinfang.core.models import Attachment
from xinfang.core.roles import Role, bureau_only
from xinfang.directory.models import County, Leader, Unit
from xinfang.documents.models import Delivery, DocumentKind
from xinfang.documents.services import document_issue, recipients_for
from xinfang.lib.periods import Quarter, quarter_of, quarter_parse
from xinfang.lib.schedule import Rule, every_day, quarter_first_working_day
from xinfang.petitions.models import Event
from xinfang.scoring.document import competition_document
from xinfang.scoring.models import (
    Addition,
    Appeal,
    CompetitionCharges,
    CompetitionQuarter,
    RatingYear,
    RuleSet,
    Veto,
    VillageVetoes,
)
from xinfang.scoring.selectors import (
    charge_is_on_unit,
    competition_compute,
    competition_of,
    competition_split,
    rules_for,
)
from xinfang.scoring.village_services import vetoes_refresh

RULE_FIELDS = (
    "base", "per", "points_beijing", "points_province", "points_city", "collective_persons",
    "collective_factor", "annual", "note",
)  # fmt: skip


def _head_only(by: User, county: County, doing: str) -> None:
    if by.role != Role.BUREAU_HEAD or by.county_id != county.pk:
        raise PermissionDenied(f"只有本县信访局长可以{doing}")


def _open_record(county: County, quarter: Quarter) -> CompetitionQuarter | None:
    """The quarter's record, locked; ValidationError once it is published (published tables never change)."""
    record = (
        CompetitionQuarter.objects.select_for_update().filter(county=county, quarter=quarter.code).first()
    )
    if record is not None and record.is_published:
        raise ValidationError(f"{quarter.label}比拼结果已公布，不能再修改")
    return record


def _tables_store(record: CompetitionQuarter, now: dt.datetime) -> dict[str, Any]:
    """Compute the quarter's tables from the events and store them on its (locked) record: the tables in
    `figures` with `computed_at`, each unit's charges replacing its CompetitionCharges row. Returns the
    tables (without charges). About a second at a million matters, most of it the computation."""
    quarter = quarter_parse(record.quarter)
    figures = competition_compute(record.county, quarter, rules_for(record.county, quarter), compact=True)
    charges = competition_split(figures)
    # COPY on PostgreSQL: 90,000 charges in 0.75 s on a loaded machine, where bulk_create took 2.3–4.2 s.
    rows_replace(
        CompetitionCharges, {"competition_id": record.pk},
        [{"unit_id": unit, "charges": rows} for unit, rows in charges.items()],
    )  # fmt: skip
    record.figures, record.computed_at = figures, now
    record.save(update_fields=["figures", "computed_at"])
    return figures


def ruleset_save(
    *, county: County, by: User, quarter: Quarter, now: dt.datetime | None = None, **values: Any
) -> RuleSet:
    """The bureau head's rules in force from `quarter` on (a new version, or the one starting then
    replaced). A quarter already published keeps the rules it was scored with: a version may start only
    after the last published quarter."""
    _head_only(by, county, "修改比拼规则")
    now = now or timezone.now()
    with transaction.atomic():
        published = (
            CompetitionQuarter.objects.filter(county=county, state=CompetitionQuarter.State.PUBLISHED)
            .order_by("-quarter")
            .values_list("quarter", flat=True)
            .first()
        )
        if published is not None and quarter.code <= published:
            raise ValidationError(f"{published} 及以前的季度已公布，新规则只能从其后的季度起施行")
        ruleset, created = RuleSet.objects.select_for_update().get_or_create(
            county=county,
            effective_from=quarter.first,
            defaults={"created_at": now, "created_by": by, **values},
        )
        before = {name: str(getattr(ruleset, name)) for name in RULE_FIELDS}
        if not created:
            for name, value in values.items():
                setattr(ruleset, name, value)
            ruleset.created_by, ruleset.created_at = by, now
            ruleset.full_clean()
            ruleset.save(update_fields=[*values, "created_by", "created_at"])
        after = {name: str(getattr(ruleset, name)) for name in RULE_FIELDS}
        changes = {name: after[name] for name in RULE_FIELDS if created or before[name] != after[name]}
        audit_record(
            action="scoring.rules", actor=by, obj=ruleset, county=county,
            changes={"quarter": quarter.code, "new_version": created, **changes},
        )  # fmt: skip
    return ruleset


def competition_draft(
    *, county: County, quarter: Quarter, by: User | None, now: dt.datetime | None = None
) -> tuple[CompetitionQuarter, bool]:
    """Draft the quarter's tables once the quarter is over (returns the existing record and False when it
    was drafted): units may appeal until the XINFANG_SCORING_APPEAL_DAYS-th working day after today."""
    bureau_only(by, county.pk, "起草季度比拼结果")
    now = now or timezone.now()
    today = timezone.localdate(now)
    if quarter.last >= today:
        raise ValidationError(f"{quarter.label}尚未结束，结束后才能起草比拼结果")
    with transaction.atomic():
        existing = competition_of(county, quarter)
        if existing is not None:
            return existing, False
        until = work_calendar().add_workdays(today, settings.XINFANG_SCORING_APPEAL_DAYS)
        record = CompetitionQuarter.objects.create(
            county=county, quarter=quarter.code, drafted_at=now, appeal_until=until
        )
        _tables_store(record, now)
        audit_record(
            action="scoring.draft", actor=by, obj=record, county=county,
            changes={"quarter": quarter.code, "appeal_until": until.isoformat()},
        )  # fmt: skip
    return record, True


def addition_add(
    *, county: County, quarter: Quarter, unit: Unit, points: Decimal, reason: str, evidence: Upload,
    by: User, now: dt.datetime | None = None,
) -> Addition:  # fmt: skip
    """A unit's addition (加分) for the quarter, with its evidence file; the bureau's, before publication."""
    bureau_only(by, county.pk, "登记加分", system=False)
    if unit.county_id != county.pk:
        raise ValidationError("单位不属于本县")
    if not Decimal(0) < points <= Decimal(100):
        raise ValidationError("加分应大于 0 且不超过 100")
    now = now or timezone.now()
    with transaction.atomic():
        record = _open_record(county, quarter)
        attachment = attachment_store(evidence, user_id=by.pk)
        addition = Addition.objects.create(
            county=county, quarter=quarter.code, unit=unit, points=points, reason=reason, evidence=attachment,
            created_by=by, created_at=now,
        )  # fmt: skip
        audit_record(
            action="scoring.addition", actor=by, obj=addition, county=county,
            changes={"quarter": quarter.code, "unit": unit.name, "points": str(points), "reason": reason,
                     "evidence_sha256": attachment.sha256},
        )  # fmt: skip
        if record is not None:
            _tables_store(record, now)
    return addition


@transaction.atomic
def addition_evidence_read(*, addition: Addition, by: User) -> Attachment:
    """An addition's evidence file for a reader the gate admitted (`addition_get_for_user`), the
    download audited."""
    evidence = addition.evidence
    audit_record(
        action="scoring.evidence", actor=by, obj=addition,
        changes={"file": evidence.name, "sha256": evidence.sha256},
    )  # fmt: skip
    return evidence


def veto_record(
    *, county: County, quarter: Quarter, unit: Unit, reason: str, document_number: str, by: User,
    now: dt.datetime | None = None,
) -> Veto:  # fmt: skip
    """一票否决 of a unit for the quarter, on the upper-level document; the bureau's, before publication."""
    bureau_only(by, county.pk, "登记一票否决", system=False)
    if unit.county_id != county.pk:
        raise ValidationError("单位不属于本县")
    if not reason.strip() or not document_number.strip():
        raise ValidationError("请填写否决事由和上级文件文号")
    now = now or timezone.now()
    with transaction.atomic():
        record = _open_record(county, quarter)
        if Veto.objects.filter(county=county, quarter=quarter.code, unit=unit).exists():
            raise ValidationError(f"{unit.name}{quarter.label}已登记一票否决")
        veto = Veto.objects.create(
            county=county, quarter=quarter.code, unit=unit, reason=reason, document_number=document_number,
            created_by=by, created_at=now,
        )  # fmt: skip
        audit_record(
            action="scoring.veto", actor=by, obj=veto, county=county,
            changes={"quarter": quarter.code, "unit": unit.name, "reason": reason,
                     "document_number": document_number},
        )  # fmt: skip
        if record is not None:
            _tables_store(record, now)
    return veto


def appeal_file(
    *, by: User, quarter: Quarter, event: Event, reason: str, now: dt.datetime | None = None
) -> Appeal:
    """A unit user's appeal against one event's deduction charged to their unit in the quarter's draft,
    within the appeal period."""
    now = now or timezone.now()
    county = by.county
    if by.role != Role.UNIT_USER or by.unit is None or county is None:
        raise PermissionDenied("只有被扣分单位的用户可以申诉")
    if not reason.strip():
        raise ValidationError("请填写申诉理由")
    with transaction.atomic():
        record = _open_record(county, quarter)
        if record is None:
            raise ValidationError(f"{quarter.label}比拼结果尚未起草")
        if timezone.localdate(now) > record.appeal_until:
            raise ValidationError(f"申诉期已于{record.appeal_until:%Y年%m月%d日}截止")
        if not charge_is_on_unit(county, quarter, event.pk, by.unit.pk):
            raise ValidationError("该信访批次没有计入本单位的扣分")
        if Appeal.objects.filter(quarter=quarter.code, unit=by.unit, event=event).exists():
            raise ValidationError("已对该批次的扣分提出过申诉")
        appeal = Appeal.objects.create(
            county=county, quarter=quarter.code, unit=by.unit, event=event, reason=reason, filed_by=by,
            filed_at=now,
        )  # fmt: skip
        audit_record(
            action="scoring.appeal", actor=by, obj=appeal, county=county,
            changes={"quarter": quarter.code, "unit": by.unit.name, "event": event.pk, "reason": reason},
        )  # fmt: skip
    return appeal


def appeal_decide(
    *, by: User, appeal: Appeal, upheld: bool, reason: str, now: dt.datetime | None = None
) -> Appeal:
    """The bureau head's decision: upheld waives the deduction (with the reason), rejected keeps it."""
    county = appeal.county
    _head_only(by, county, "决定申诉")
    if not reason.strip():
        raise ValidationError("请填写决定理由")
    now = now or timezone.now()
    with transaction.atomic():
        record = _open_record(county, quarter_parse(appeal.quarter))
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.state != Appeal.State.PENDING:
            raise ValidationError("该申诉已有决定")
        appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.REJECTED
        appeal.decided_by, appeal.decided_at, appeal.decision_reason = by, now, reason
        appeal.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit_record(
            action="scoring.appeal_decide", actor=by, obj=appeal, county=county,
            changes={"quarter": appeal.quarter, "unit": appeal.unit.name, "event": appeal.event_id,
                     "state": appeal.state, "reason": reason},
        )  # fmt: skip
        if record is not None:
            _tables_store(record, now)
    return appeal


def competition_recompute(
    *, county: County, quarter: Quarter, by: User | None, now: dt.datetime | None = None
) -> CompetitionQuarter:
    """The bureau's 重新计算 of a draft (or the worker's each night, `by` None): its tables computed again
    from the events as they stand now (an event corrected since, a rule version replaced) and stored."""
    bureau_only(by, county.pk, "重新计算比拼结果")
    now = now or timezone.now()
    with transaction.atomic():
        record = _open_record(county, quarter)
        if record is None:
            raise ValidationError(f"{quarter.label}比拼结果尚未起草")
        before = record.computed_at
        _tables_store(record, now)
        audit_record(
            action="scoring.recompute", actor=by, actor_name="" if by else "system", obj=record,
            county=county, changes={"quarter": quarter.code, "before": before.isoformat() if before else ""},
        )  # fmt: skip
    return record


def competition_publish(
    *, county: County, quarter: Quarter, by: User, now: dt.datetime | None = None
) -> CompetitionQuarter:
    """The bureau head publishes the drafted quarter once its appeal period is over and every appeal is
    decided: the tables are computed from the events once more and frozen (`figures`, with the rules they
    were scored by, and each unit's charges) and issued as a numbered document (page, Word, PDF; its
    snapshot the tables) read by the county's main leaders. Never again changed."""
    _head_only(by, county, "公布比拼结果")
    now = now or timezone.now()
    with transaction.atomic():
        record = _open_record(county, quarter)
        if record is None:
            raise ValidationError(f"{quarter.label}比拼结果尚未起草")
        if timezone.localdate(now) <= record.appeal_until:
            raise ValidationError(f"申诉期至{record.appeal_until:%Y年%m月%d日}，期满后才能公布")
        if Appeal.objects.filter(county=county, quarter=quarter.code, state=Appeal.State.PENDING).exists():
            raise ValidationError("还有申诉待决定，决定后才能公布")
        figures = _tables_store(record, now)
        issued_on = timezone.localdate(now)

        def render(number: int, omit: frozenset[str]) -> Any:
            return competition_document(figures, county_name=county.name, number=number, issued_on=issued_on)

        leaders = Leader.objects.filter(county=county, is_active=True, post_kind__in=Leader.MAIN_POSTS)
        recipients = recipients_for(
            county=county, leaders=list(leaders.order_by("protocol_order", "id")),
            purpose=lambda leader: Delivery.Purpose.READ, numbers=[],
        )  # fmt: skip
        document = document_issue(
            county=county, kind=DocumentKind.COMPETITION, title=f"{quarter.label}信访工作比拼结果",
            period=(quarter.first, quarter.last), snapshot=figures, render=render, recipients=recipients,
            approved_by=by, now=now,
            page_url=lambda issued: reverse("scoring:board") + f"?quarter={quarter.code}",
        )  # fmt: skip
        record.state = CompetitionQuarter.State.PUBLISHED
        record.published_at, record.published_by, record.document = now, by, document
        record.save(update_fields=["state", "published_at", "published_by", "document"])
        audit_record(
            action="scoring.publish", actor=by, obj=record, county=county,
            changes={"quarter": quarter.code, "number": document.number,
                     "townships": len(figures["townships"]), "departments": len(figures["departments"])},
        )  # fmt: skip
    return record


def competition_draft_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """The run after a quarter ends: its tables drafted once."""
    quarter = quarter_of(day).previous()
    record, created = competition_draft(county=county, quarter=quarter, by=None, now=now)
    if not created:
        return f"{quarter.label}比拼结果已起草，未重复起草"
    return f"已起草{quarter.label}比拼结果，申诉截止{record.appeal_until:%Y-%m-%d}"


def competition_refresh_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """Each night: every drafted quarter not yet published computed again, so that an event corrected in
    the registry (a level, a township) moves its deduction on the pages by the next morning; and so the
    village star ratings' vetoes of every unpublished year (this year, last year, and any other already
    stored), which the villages pages read."""
    codes = CompetitionQuarter.objects.filter(county=county, state=CompetitionQuarter.State.DRAFT)
    done = [
        competition_recompute(county=county, quarter=quarter_parse(code), by=None, now=now).quarter
        for code in codes.order_by("quarter").values_list("quarter", flat=True)
    ]
    years = {day.year, day.year - 1} | set(
        VillageVetoes.objects.filter(county=county).values_list("year", flat=True)
    )
    years -= set(RatingYear.objects.filter(county=county).values_list("year", flat=True))
    for year in sorted(years):
        vetoes_refresh(county=county, year=year, by=None, now=now)
    villages = f"，{len(years)}个未公布年度的村级星级否决（{'、'.join(f'{y}年' for y in sorted(years))}）"
    return (
        f"已重新计算{len(done)}个未公布季度的比拼结果"
        + (f"（{'、'.join(done)}）" if done else "")
        + (villages if years else "")
    )


def competition_refresh_days() -> Rule:
    return every_day()


def competition_draft_days() -> Rule:
    return quarter_first_working_day()
