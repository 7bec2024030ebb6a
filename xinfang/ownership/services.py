"""One function per action of the ownership system, each in one transaction with its audit record.

Errors are ValidationError (what was asked cannot be done, said in Chinese) or PermissionDenied (the role
may not). Ownerships start and end only through `petitions.services.ownership`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.attachments import Upload, attachment_store
from xinfang.core.documents import Document
from xinfang.core.models import Attachment
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import County, Leader
from xinfang.documents.models import Delivery, DocumentKind
from xinfang.documents.services import document_issue, document_sequence_reserve, recipients_for
from xinfang.lib.schedule import week_start
from xinfang.ownership.candidates import week_candidates
from xinfang.ownership.document import batch_document
from xinfang.ownership.models import (
    Batch,
    BatchEntry,
    Closure,
    Escalation,
    OwnerMeeting,
    Package,
    PackageEntry,
)
from xinfang.ownership.selectors import (
    empty_packages,
    leader_facts,
    leaders_unavailable,
    matter_facts,
    open_loads,
    user_may_work_on,
)
from xinfang.ownership.suggest import suggest_owner
from xinfang.petitions import todo
from xinfang.petitions.models import Matter, Ownership
from xinfang.petitions.selectors import matters_for_user
from xinfang.petitions.services.common import RegistryError
from xinfang.petitions.services.ownership import ownership_assign, ownership_end

MAX_ENTRIES = 500  # matters in one batch: a county's week never comes near it
TEXT_MAX = 2000


def _bureau(by: User, county_id: int | None) -> None:
    if by.role not in BUREAU_ROLES or by.county_id is None or by.county_id != county_id:
        raise PermissionDenied("只有本县信访局可以办理包案期次")


def _draft(batch: Batch) -> Batch:
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != Batch.State.DRAFT:
        raise ValidationError(f"{batch.label}已印发，不能再修改")
    return batch


def _text(value: str, label: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError(f"请填写{label}")
    if len(value) > limit:
        raise ValidationError(f"{label}不能超过{limit}字")
    return value


def _suggestions(
    county: County, matter_ids: Sequence[int], day: dt.date
) -> dict[int, tuple[int | None, str]]:
    """The suggested owner of each matter and why, the batch's own suggestions counted in the loads."""
    leaders = leader_facts(county)
    load = dict(open_loads(county))
    drafted = BatchEntry.objects.filter(
        batch__county=county, batch__state=Batch.State.DRAFT, leader__isnull=False
    ).values_list("leader_id", flat=True)
    for leader_id in drafted:  # already proposed in a draft: counted as if owned
        load[leader_id] = load.get(leader_id, 0) + 1
    unavailable = leaders_unavailable(county, day)
    facts = matter_facts(matter_ids)
    out = {}
    for matter_id in matter_ids:
        suggestion = suggest_owner(facts[matter_id], leaders, unavailable=unavailable, load=load)
        out[matter_id] = (suggestion.leader_id, suggestion.reason)
    return out


# ---------------------------------------------------------------------------------------------------------
# Batches


def batch_draft_week(
    *, county: County, week_from: dt.date, week_to: dt.date, by: User | None, now: dt.datetime
) -> tuple[Batch, bool]:
    """The week's draft with its candidates, each with the suggested owner (who stays the chosen owner
    until staff choose another). A week is drafted once: the existing draft (or issued batch) is returned
    with False."""
    if by is not None:
        _bureau(by, county.pk)
    existing = Batch.objects.filter(county=county, week_from=week_from).first()
    if existing is not None:
        return existing, False
    candidates = week_candidates(county=county, week_from=week_from, week_to=week_to)[:MAX_ENTRIES]
    day = timezone.localdate(now)
    try:
        with transaction.atomic():
            batch = Batch.objects.create(
                county=county, week_from=week_from, week_to=week_to, created_at=now, created_by=by
            )
            suggested = _suggestions(county, [c.matter_id for c in candidates], day)
            BatchEntry.objects.bulk_create(
                BatchEntry(
                    batch=batch, matter_id=c.matter_id, reasons=list(c.reasons),
                    suggested_leader_id=suggested[c.matter_id][0], suggestion=suggested[c.matter_id][1][:300],
                    leader_id=suggested[c.matter_id][0],
                )
                for c in candidates
            )  # fmt: skip
            audit_record(
                action="ownership.batch_draft", actor=by, obj=batch, county=county, object_repr=batch.label,
                changes={"week": [week_from.isoformat(), week_to.isoformat()], "matters": len(candidates)},
            )  # fmt: skip
    except IntegrityError:  # another worker drafted the week at the same time
        return Batch.objects.get(county=county, week_from=week_from), False
    return batch, True


def batch_entry_add(*, by: User, batch: Batch, matter: Matter, reason: str) -> BatchEntry:
    """Staff add a matter to a draft, saying why; it gets its suggested owner."""
    _bureau(by, batch.county_id)
    reason = _text(reason, "列入理由", limit=300)
    with transaction.atomic():
        batch = _draft(batch)
        if not matters_for_user(user=by).filter(pk=matter.pk).exists():
            raise ValidationError("信访事项不存在或不在您的管辖范围内")
        if matter.status in todo.FINISHED:
            raise ValidationError(f"{matter.number}已{matter.get_status_display()}，不需包案")
        if Ownership.objects.filter(matter=matter, is_current=True).exists():
            raise ValidationError(f"{matter.number}已有包案领导")
        if BatchEntry.objects.filter(matter=matter, batch__state=Batch.State.DRAFT).exists():
            raise ValidationError(f"{matter.number}已在包案草稿中")
        if batch.entries.count() >= MAX_ENTRIES:
            raise ValidationError(f"一期最多{MAX_ENTRIES}件")
        leader_id, why = _suggestions(batch.county, [matter.pk], timezone.localdate())[matter.pk]
        entry = BatchEntry.objects.create(
            batch=batch, matter=matter, reasons=[f"信访局列入：{reason}"], suggested_leader_id=leader_id,
            suggestion=why[:300], leader_id=leader_id, added_by=by,
        )  # fmt: skip
        audit_record(
            action="ownership.entry_add", actor=by, obj=batch, county=batch.county, object_repr=batch.label,
            changes={"matter": matter.number, "reason": reason},
        )  # fmt: skip
    return entry


def batch_entry_remove(*, by: User, entry: BatchEntry, reason: str) -> None:
    """Staff take a matter out of a draft, saying why; a unit's pending request to escalate it is
    declined with that reason."""
    _bureau(by, entry.batch.county_id)
    reason = _text(reason, "移出理由", limit=300)
    with transaction.atomic():
        batch = _draft(entry.batch)
        number = entry.matter.number
        Escalation.objects.filter(matter_id=entry.matter_id, state=Escalation.State.PENDING).update(
            state=Escalation.State.DECLINED, decision_note=reason[:500]
        )
        entry.delete()
        audit_record(
            action="ownership.entry_remove", actor=by, obj=batch, county=batch.county,
            object_repr=batch.label, changes={"matter": number, "reason": reason},
        )  # fmt: skip


def batch_entry_choose(
    *, by: User, entry: BatchEntry, leader: Leader, reason: str = "", deadline: dt.date | None = None
) -> BatchEntry:
    """Staff confirm the owner of a matter in a draft, or choose another (then the reason is required and
    kept), and may set its deadline."""
    _bureau(by, entry.batch.county_id)
    with transaction.atomic():
        _draft(entry.batch)
        entry = BatchEntry.objects.select_for_update().select_related("matter").get(pk=entry.pk)
        try:
            _owner_check(entry.matter, leader, timezone.localdate())
        except ValidationError as error:
            raise ValidationError({"leader": error.messages}) from error
        try:
            reason = _text(reason, "改派理由", required=leader.pk != entry.suggested_leader_id, limit=300)
        except ValidationError as error:
            raise ValidationError({"reason": error.messages}) from error
        if deadline is not None and deadline < timezone.localdate():
            raise ValidationError({"deadline": "化解期限不能早于今天"})
        before = {"leader": entry.leader.name if entry.leader else None, "deadline": entry.deadline}
        entry.leader, entry.choice_reason = leader, reason if leader.pk != entry.suggested_leader_id else ""
        entry.deadline = deadline or entry.deadline
        entry.save(update_fields=["leader", "choice_reason", "deadline"])
        audit_record(
            action="ownership.entry_choose", actor=by, obj=entry.batch, county=entry.batch.county,
            object_repr=entry.batch.label,
            changes={
                "matter": entry.matter.number, "leader": [before["leader"], leader.name],
                **({"reason": reason} if reason else {}),
                **({"deadline": [str(before["deadline"] or ""), str(deadline)]} if deadline else {}),
            },
        )  # fmt: skip
    return entry


def _owner_check(matter: Matter, leader: Leader, day: dt.date) -> None:
    if leader.county_id != matter.county_id or not leader.is_active:
        raise ValidationError(f"{leader.name}不在本县或已离任")
    if matter.reported_accounts.filter(leader=leader).exists():
        raise ValidationError(f"{matter.number}反映{leader.name}，不能由其包案（《信访工作条例》第四十六条）")
    if leader.unavailable_periods.filter(start__lte=day, end__gte=day).exists():
        raise ValidationError(f"{leader.name}今日不在岗（见县级领导的不能接访时段），请另选领导")


def batch_create(*, by: User, now: dt.datetime) -> Batch:
    """An empty draft the bureau fills by hand (a week the worker did not draft, an urgent batch)."""
    _bureau(by, by.county_id)
    with transaction.atomic():
        batch = Batch.objects.create(county_id=by.county_id or 0, created_at=now, created_by=by)
        audit_record(action="ownership.batch_draft", actor=by, obj=batch, object_repr=batch.label,
                     changes={"week": None, "matters": 0})  # fmt: skip
    return batch


def batch_issue(*, by: User, batch: Batch, now: dt.datetime | None = None) -> Batch:
    """Issue a draft: numbered (the next of the county's year, gapless), every matter handed to its owner
    (an ownership from today), deadlines set (XINFANG_OWNERSHIP_DEADLINE_DAYS unless chosen), the units'
    requests marked as met, and the batch archived as page, Word and PDF and sent to each owner and the
    main leaders (SMS and their inbox), each copy without the matters that report its reader."""
    _bureau(by, batch.county_id)
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        batch = _draft(batch)
        entries = list(
            batch.entries.select_related(
                "matter__origin_township", "matter__category__parent", "leader"
            ).order_by("id")
        )
        if not entries:
            raise ValidationError("这一期还没有信访事项")
        problems = []
        for entry in entries:
            if entry.leader is None:
                problems.append(f"{entry.matter.number}未确定包案领导")
                continue
            try:
                _owner_check(entry.matter, entry.leader, today)
            except ValidationError as error:
                problems.append(error.messages[0])
            if entry.matter.status in todo.FINISHED:
                problems.append(f"{entry.matter.number}已{entry.matter.get_status_display()}，请移出")
            elif Ownership.objects.filter(matter=entry.matter, is_current=True).exists():
                problems.append(f"{entry.matter.number}已有包案领导，请移出")
        if problems:
            raise ValidationError(problems[:20])
        default_deadline = today + dt.timedelta(days=settings.XINFANG_OWNERSHIP_DEADLINE_DAYS)
        for entry in entries:
            entry.deadline = entry.deadline or default_deadline
        county = batch.county
        taken = Batch.objects.filter(county=county, year=today.year).aggregate(n=Max("number"))["n"] or 0
        document_sequence_reserve(county=county, kind=DocumentKind.OWNERSHIP, year=today.year, number=taken)
        rows = [_document_row(entry) for entry in entries]

        def render(number: int, omit: frozenset[str]) -> Document:
            return batch_document(county_name=county.name, year=today.year, number=number, issued_on=today,
                                  rows=[row for row in rows if row["number"] not in omit])  # fmt: skip

        owners = {entry.leader.pk: entry.leader for entry in entries if entry.leader}
        main = Leader.objects.filter(county=county, is_active=True, post_kind__in=Leader.MAIN_POSTS)
        readers = sorted(
            {**owners, **{leader.pk: leader for leader in main}}.values(),
            key=lambda leader: (leader.protocol_order, leader.pk),
        )
        document = document_issue(
            county=county, kind=DocumentKind.OWNERSHIP, title=f"县级领导包案信访事项（{today.year}年）",
            period=(batch.week_from or today, batch.week_to or today),
            snapshot={"rows": rows, "year": today.year}, render=render,
            recipients=recipients_for(
                county=county, leaders=readers, purpose=lambda leader: Delivery.Purpose.READ,
                numbers=[row["number"] for row in rows],
            ),
            approved_by=by, page_url=lambda _: reverse("ownership:batch", args=[batch.pk]), now=now,
        )  # fmt: skip
        document.title = f"县级领导包案信访事项（{today.year}年第{document.number}期）"
        document.save(update_fields=["title"])
        for entry in entries:
            assert entry.leader is not None
            try:
                entry.ownership = ownership_assign(
                    by=by, matter=entry.matter, leader=entry.leader, since=today,
                    note=f"{today.year}年第{document.number}期包案",
                )  # fmt: skip
            except RegistryError as error:  # e.g. the matter reports the staff member issuing (Art. 46)
                raise ValidationError(f"{entry.matter.number}：{error}") from error
        BatchEntry.objects.bulk_update(entries, ["deadline", "ownership"])
        for entry in entries:
            Escalation.objects.filter(matter_id=entry.matter_id, state=Escalation.State.PENDING).update(
                state=Escalation.State.PROPOSED, entry=entry
            )
        batch.state, batch.year, batch.number = Batch.State.ISSUED, today.year, document.number
        batch.issued_on, batch.issued_at, batch.issued_by, batch.document = today, now, by, document
        batch.save(
            update_fields=["state", "year", "number", "issued_on", "issued_at", "issued_by", "document"]
        )
        audit_record(
            action="ownership.batch_issue", actor=by, obj=batch, county=county, object_repr=batch.label,
            changes={"number": document.number, "matters": len(entries), "owners": len(owners)},
        )  # fmt: skip
    return batch


def _document_row(entry: BatchEntry) -> dict[str, str]:
    matter = entry.matter
    category = matter.category
    return {
        "number": matter.number,
        "matter_id": str(matter.pk),
        "township": matter.origin_township.name,
        "category": str(category),
        "reasons": "；".join(entry.reasons),
        "leader": entry.leader.name if entry.leader else "",
        "deadline": entry.deadline.isoformat() if entry.deadline else "",
    }


def batch_draft_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """The weekly run: the draft of the week before `day`'s week (docs/ownership.md)."""
    start = week_start(day, settings.XINFANG_WEEK_STARTS - 1) - dt.timedelta(days=7)
    batch, made = batch_draft_week(county=county, week_from=start, week_to=start + dt.timedelta(days=6),
                                   by=None, now=now)  # fmt: skip
    if not made:
        return f"{batch.label}已生成，未重复起草"
    return f"已起草{batch.label}，候选事项{batch.entries.count()}件"


# ---------------------------------------------------------------------------------------------------------
# History: the ledger's 包案期次


def batch_imported(*, county: County, year: int, number: int, issued_on: dt.date, by: User | None) -> Batch:
    """The batch 第`number`期 of `year`, created as an imported one if missing; an imported batch counts
    as issued on the latest 信访日期 of its rows (kept up to date by the import). The county's numbering
    continues after it."""
    if number < 1:
        raise ValidationError("包案期次应为正整数")
    batch, created = Batch.objects.get_or_create(
        county=county, year=year, number=number,
        defaults={"state": Batch.State.ISSUED, "imported": True, "issued_on": issued_on,
                  "created_at": timezone.now(), "created_by": by},
    )  # fmt: skip
    if created:
        document_sequence_reserve(county=county, kind=DocumentKind.OWNERSHIP, year=year, number=number)
    elif batch.imported and batch.issued_on is not None and issued_on > batch.issued_on:
        batch.issued_on = issued_on
        batch.save(update_fields=["issued_on"])
    return batch


def batch_entry_imported(*, batch: Batch, matter: Matter, ownership: Ownership) -> BatchEntry:
    """The imported matter in its batch, with the ownership the import gave it."""
    entry, _ = BatchEntry.objects.update_or_create(
        batch=batch, matter=matter,
        defaults={"leader_id": ownership.leader_id, "ownership": ownership, "reasons": ["台账导入"],
                  "deadline": batch.issued_on + dt.timedelta(days=settings.XINFANG_OWNERSHIP_DEADLINE_DAYS)
                  if batch.issued_on else None},
    )  # fmt: skip
    return entry


# ---------------------------------------------------------------------------------------------------------
# The five 包, meetings and closing


def _worker(by: User, ownership: Ownership) -> None:
    if not user_may_work_on(by, ownership):
        raise PermissionDenied("只有包案领导本人或信访局可以填报")


def _not_future(day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError("日期不能晚于今天")


def _attach(files: Iterable[Upload], by: User) -> list[Attachment]:
    files = list(files)
    if len(files) > 5:
        raise ValidationError("每次最多上传5个附件")
    return [attachment_store(upload, user_id=by.pk) for upload in files]


def package_entry_add(
    *,
    by: User,
    ownership: Ownership,
    package: str,
    date: dt.date,
    content: str,
    completes: bool = False,
    files: Iterable[Upload] = (),
) -> PackageEntry:
    """What the owner did for one of the five 包 (date, what, attachments); `completes` marks the 包 done."""
    _worker(by, ownership)
    if package not in Package.values:
        raise ValidationError("请选择五包中的一项")
    _not_future(date)
    content = _text(content, "工作内容")
    with transaction.atomic():
        entry = PackageEntry.objects.create(
            ownership=ownership, package=package, date=date, content=content, completes=completes, by=by,
            at=timezone.now(),
        )  # fmt: skip
        entry.attachments.set(_attach(files, by))
        audit_record(
            action="ownership.package", actor=by, obj=ownership.matter, county=ownership.matter.county,
            changes={"package": package, "date": date.isoformat(), "completes": completes},
        )  # fmt: skip
    return entry


def owner_meeting_add(
    *,
    by: User,
    ownership: Ownership,
    date: dt.date,
    place: str,
    attendees: str,
    agreed: str,
    files: Iterable[Upload] = (),
) -> OwnerMeeting:
    """见面约谈: the owner met the petitioner(s); the matter's timeline shows it."""
    _worker(by, ownership)
    _not_future(date)
    place, attendees = _text(place, "地点", limit=100), _text(attendees, "参加人员", limit=500)
    agreed = _text(agreed, "约谈结果")
    with transaction.atomic():
        meeting = OwnerMeeting.objects.create(
            ownership=ownership, date=date, place=place, attendees=attendees, agreed=agreed, by=by,
            at=timezone.now(),
        )  # fmt: skip
        meeting.attachments.set(_attach(files, by))
        audit_record(
            action="ownership.meeting", actor=by, obj=ownership.matter, county=ownership.matter.county,
            changes={"date": date.isoformat(), "place": place},
        )  # fmt: skip
    return meeting


def closure_request(*, by: User, ownership: Ownership, note: str) -> Closure:
    """The owner asks to close the case (销号): the five 包 must all have entries and the matter be
    finished (resolved, concluded or closed); the bureau confirms."""
    _worker(by, ownership)
    note = _text(note, "销号说明")
    with transaction.atomic():
        ownership = Ownership.objects.select_for_update().select_related("matter").get(pk=ownership.pk)
        empty = empty_packages([ownership.pk])[ownership.pk]
        if empty:
            raise ValidationError(f"五包中还有{empty}项未填报，不能申请销号")
        if ownership.matter.status not in todo.FINISHED:
            raise ValidationError(f"事项仍在{ownership.matter.get_status_display()}，化解或办结后才能销号")
        if Closure.objects.filter(ownership=ownership, state=Closure.State.REQUESTED).exists():
            raise ValidationError("已申请销号，等待信访局确认")
        closure = Closure.objects.create(
            ownership=ownership, note=note, requested_by=by, requested_at=timezone.now()
        )
        audit_record(action="ownership.closure_request", actor=by, obj=ownership.matter,
                     county=ownership.matter.county, changes={"note": note})  # fmt: skip
    return closure


def closure_decide(*, by: User, closure: Closure, confirm: bool, note: str = "") -> Closure:
    """The bureau confirms a 销号 (the ownership ends) or sends it back with a reason."""
    if by.role not in BUREAU_ROLES:
        raise PermissionDenied("只有信访局可以确认销号")
    note = _text(note, "退回理由", required=not confirm, limit=500)
    with transaction.atomic():
        closure = Closure.objects.select_for_update().select_related("ownership__matter").get(pk=closure.pk)
        if closure.state != Closure.State.REQUESTED:
            raise ValidationError("该销号申请已处理")
        if by.county_id != closure.ownership.matter.county_id:
            raise PermissionDenied("只能确认本县的销号")
        closure.state = Closure.State.CONFIRMED if confirm else Closure.State.RETURNED
        closure.decided_by, closure.decided_at, closure.decision_note = by, timezone.now(), note
        closure.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        if confirm:
            try:
                ownership_end(
                    by=by, ownership=closure.ownership, reason=Ownership.EndReason.CLOSED, note=note
                )
            except RegistryError as error:
                raise ValidationError(str(error)) from error
        audit_record(action="ownership.closure_decide", actor=by, obj=closure.ownership.matter,
                     county=closure.ownership.matter.county,
                     changes={"confirm": confirm, **({"note": note} if note else {})})  # fmt: skip
    return closure


def ownerships_reassign(*, by: User, leader: Leader, to: Leader | None, reason: str) -> int:
    """A leader leaves office or is away for long: every case they own now passes in one step to `to`, or
    (None) each to its suggested owner among the others; the history is kept (the old ownerships end as
    改派). Returns how many moved."""
    _bureau(by, leader.county_id)
    reason = _text(reason, "调整理由", limit=300)
    if to is not None and to.pk == leader.pk:
        raise ValidationError("请选择另一位领导")
    with transaction.atomic():
        owned = list(
            Ownership.objects.select_for_update()
            .filter(leader=leader, is_current=True)
            .select_related("matter")
        )
        if not owned:
            raise ValidationError(f"{leader.name}当前没有包案事项")
        today = timezone.localdate()
        suggested = (
            {} if to is not None else _reassign_suggestions(leader, [o.matter_id for o in owned], today)
        )
        problems = []
        for ownership in owned:
            target = to if to is not None else suggested.get(ownership.matter_id)
            if target is None:
                problems.append(f"{ownership.matter.number}没有可包案的其他领导，请指定")
                continue
            try:
                _owner_check(ownership.matter, target, today)
                ownership_assign(by=by, matter=ownership.matter, leader=target, note=f"领导调整：{reason}")
            except (ValidationError, RegistryError) as error:
                problems.append(error.messages[0] if isinstance(error, ValidationError) else str(error))
        if problems:
            raise ValidationError(problems[:20])
        audit_record(
            action="ownership.reassign", actor=by, obj=leader, county=leader.county,
            changes={"to": to.name if to else "按建议", "matters": len(owned), "reason": reason},
        )  # fmt: skip
    return len(owned)


def _reassign_suggestions(leader: Leader, matter_ids: Sequence[int], day: dt.date) -> dict[int, Leader]:
    county = leader.county
    facts = matter_facts(matter_ids)
    others = [facts_ for facts_ in leader_facts(county) if facts_.id != leader.pk]
    load = dict(open_loads(county))
    unavailable = leaders_unavailable(county, day)
    chosen = {
        matter_id: suggest_owner(facts[matter_id], others, unavailable=unavailable, load=load).leader_id
        for matter_id in matter_ids
    }
    leaders = Leader.objects.in_bulk([pk for pk in chosen.values() if pk is not None])
    return {matter_id: leaders[pk] for matter_id, pk in chosen.items() if pk is not None}


# ---------------------------------------------------------------------------------------------------------
# Units' requests


def escalation_request(*, by: User, matter: Matter, reason: str) -> Escalation:
    """A unit asks that a matter of theirs be handed to a county leader; the next weekly draft proposes it."""
    if by.role != Role.UNIT_USER or by.unit_id is None:
        raise PermissionDenied("只有乡镇或县直单位可以提请县级领导包案")
    reason = _text(reason, "提请理由", limit=500)
    with transaction.atomic():
        if not matters_for_user(user=by).filter(pk=matter.pk).exists():
            raise ValidationError("信访事项不存在或不在您的管辖范围内")
        if matter.status in todo.FINISHED:
            raise ValidationError(f"事项已{matter.get_status_display()}，不需提请包案")
        if Ownership.objects.filter(matter=matter, is_current=True).exists():
            raise ValidationError("该事项已有包案领导")
        if Escalation.objects.filter(
            matter=matter, unit_id=by.unit_id, state=Escalation.State.PENDING
        ).exists():
            raise ValidationError("本单位已提请，等待信访局列入")
        escalation = Escalation.objects.create(
            matter=matter, unit_id=by.unit_id, reason=reason, requested_by=by, requested_at=timezone.now()
        )
        audit_record(action="ownership.escalate", actor=by, obj=matter, county=matter.county,
                     changes={"reason": reason})  # fmt: skip
    return escalation
