"""The joint meeting's actions: one transaction each with its audit record. Bad input is a ValidationError
in Chinese; an action the user's role may not take is PermissionDenied; one the meeting's state does not
allow is `MeetingConflict`.

The agenda rule: at most AGENDA_MAX matters; at least AGENDA_MIN, or every qualifying matter when fewer
qualify (a removal that would go below is refused: add the replacement first).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.core.roles import BUREAU_ROLES, Role, bureau_only
from xinfang.directory.models import County, Leader, Unit, UnitOfficial
from xinfang.documents.models import DocumentCopy, DocumentKind, IssuedDocument
from xinfang.documents.services import document_copy_archive, document_issue, recipients_for
from xinfang.lib.masking import mask_name, scrub_text
from xinfang.lib.periods import Month, month_of
from xinfang.lib.text import clean_text
from xinfang.meetings.document import minutes_document
from xinfang.meetings.models import AgendaItem, Meeting, MinutesCopy, ScreenedMatter, Screening
from xinfang.meetings.screening import (
    AGENDA_MAX,
    AGENDA_MIN,
    Candidate,
    candidate_for,
    meeting_weights,
    month_end,
    screen,
)
from xinfang.meetings.selectors import screening_candidates
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.petitions.models import Matter
from xinfang.stats.hotspots import bureau_recipients
from xinfang.supervision.models import SupervisionItem
from xinfang.supervision.services import item_create

REASON_MAX = 200
TEXT_MAX = 2000
CONTENT_MAX = 200  # how much of a matter's content the minutes quote


class MeetingConflict(ValidationError):
    """The meeting's state does not allow the action (minutes already approved, a repeated click)."""


def _bureau(user: User, county: County) -> None:
    if user.role not in BUREAU_ROLES or user.county_id != county.pk:
        raise PermissionDenied("联席会议由信访局筹备和记录")


def _text(value: str, field: str, label: str, most: int, *, required: bool = True) -> str:
    text = clean_text(value or "", multiline=True).strip()
    if required and not text:
        raise ValidationError({field: f"请填写{label}"})
    if len(text) > most:
        raise ValidationError({field: f"{label}不能超过{most}字（现有{len(text)}字）"})
    return text


def _planned(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.state != Meeting.State.PLANNED:
        raise MeetingConflict("会议纪要已印发，不能再修改")
    return locked


def _item_row(meeting: Meeting, candidate: Candidate, order: int, **extra: Any) -> AgendaItem:
    return AgendaItem(
        meeting=meeting, matter_id=candidate.matter_id, score=candidate.score, order=order,
        factors={name: str(value) for name, value in candidate.factors.items()}, reasons=candidate.reasons,
        **extra,
    )  # fmt: skip


def month_closed(month: Month, today: dt.date) -> None:
    """ValidationError (on `month`) unless the month is over on `today`: its screening measures its end."""
    last = month_end(month)
    if today <= last:
        problem = f"{month.label}尚未结束（统计月截至{last:%Y-%m-%d}），结束后才能筛选"
        raise ValidationError({"month": problem})


def _screening_store(
    county: County, month: Month, ranked: Sequence[Candidate], qualifying: int, *, by: User | None,
    now: dt.datetime, replace: bool = True,
) -> Screening:  # fmt: skip
    """Store `month`'s screening (in the caller's transaction) with its audit record, replacing the one
    stored (`replace`) or keeping it (a meeting scheduled while another request screened the month)."""
    found = Screening.objects.select_for_update().filter(county=county, month=str(month)).first()
    if found is not None and not replace:
        return found
    before = found.computed_at if found is not None else None
    fields = {
        "as_of": month_end(month) + dt.timedelta(days=1), "computed_at": now, "computed_by": by,
        "qualifying": qualifying, "weights": meeting_weights(),
    }  # fmt: skip
    if found is None:
        try:
            with transaction.atomic():
                screening = Screening.objects.create(county=county, month=str(month), **fields)
        except IntegrityError:  # stored meanwhile by another request: it is replaced (or kept)
            return _screening_store(county, month, ranked, qualifying, by=by, now=now, replace=replace)
    else:
        screening = found
        for name, value in fields.items():
            setattr(screening, name, value)
        screening.save(update_fields=list(fields))
        screening.candidates.all().delete()
    ScreenedMatter.objects.bulk_create(
        ScreenedMatter(
            screening=screening, rank=rank, matter_id=candidate.matter_id, number=candidate.number,
            score=candidate.score, factors={name: str(value) for name, value in candidate.factors.items()},
            evidence=dataclasses.asdict(candidate.evidence), owner=candidate.owner,
        )
        for rank, candidate in enumerate(ranked, start=1)
    )  # fmt: skip
    audit_record(
        action="meetings.screen", actor=by, actor_name="" if by else "system", obj=screening, county=county,
        changes={"month": str(month), "qualifying": qualifying, "listed": len(ranked),
                 "before": timezone.localtime(before).isoformat() if before else ""},
    )  # fmt: skip
    return screening


def screening_run(
    *, county: County, month: Month, by: User | None, now: dt.datetime | None = None
) -> Screening:
    """The screening of a month that is over, computed from the data as they stand now and stored with the
    best AGENDA_MAX (the bureau's 重新筛选, or the worker's after the month closes with `by` None), so that
    the pages read it instead of computing it. The ranking is computed before the write transaction: on
    SQLite a transaction holds the database's write lock from its start, and the screening of a large
    county takes seconds."""
    bureau_only(by, county.pk, "筛选联席会议候选事项")
    now = now or timezone.now()
    month_closed(month, timezone.localdate(now))
    ranked, qualifying = screen(county=county, month=month, limit=AGENDA_MAX)
    with transaction.atomic():
        return _screening_store(county, month, ranked, qualifying, by=by, now=now)


def meeting_schedule(
    *, county: County, month: Month, held_on: dt.date, by: User, place: str = "", chair: Leader | None = None,
    now: dt.datetime | None = None,
) -> Meeting:  # fmt: skip
    """The bureau schedules the meeting that takes up `month`'s hard matters (one per month), on a date of
    its choosing after the month; the stored screening's best AGENDA_MAX matters become the agenda. A month
    not yet screened is screened first and stored in the same transaction as the meeting."""
    _bureau(by, county)
    now = now or timezone.now()
    last = month.range(settings.XINFANG_MONTH_START_DAY)[1]
    if held_on <= last:
        raise ValidationError({"held_on": f"会议日期应在筛选月份结束（{last:%Y-%m-%d}）之后"})
    month_closed(month, timezone.localdate(now))
    if chair is not None and (chair.county_id != county.pk or not chair.is_active):
        raise ValidationError({"chair": "主持人应为本县在任县级领导"})
    if Meeting.objects.filter(county=county, month=str(month)).exists():
        raise MeetingConflict(f"{month.label}的联席会议已安排")
    stored = Screening.objects.filter(county=county, month=str(month)).first()
    # Computed before the write transaction, as screening_run does.
    fresh = None if stored is not None else screen(county=county, month=month, limit=AGENDA_MAX)
    with transaction.atomic():
        if stored is None:
            assert fresh is not None
            stored = _screening_store(county, month, *fresh, by=by, now=now, replace=False)
        ranked = screening_candidates(stored)
        try:
            with transaction.atomic():
                meeting = Meeting.objects.create(
                    county=county, month=str(month), held_on=held_on, place=_text(place, "place", "会议地点",
                    100, required=False), chair=chair, qualifying=stored.qualifying, created_by=by,
                    created_at=now,
                )  # fmt: skip
        except IntegrityError:
            raise MeetingConflict(f"{month.label}的联席会议已安排") from None
        AgendaItem.objects.bulk_create(
            _item_row(meeting, candidate, order) for order, candidate in enumerate(ranked, start=1)
        )
        if chair is not None:
            meeting.leaders.add(chair)
        audit_record(
            action="meetings.schedule", actor=by, obj=meeting, county=county,
            changes={"month": str(month), "held_on": held_on, "agenda": len(ranked),
                     "qualifying": stored.qualifying},
        )  # fmt: skip
    return meeting


@transaction.atomic
def meeting_attendees_set(
    *, meeting: Meeting, by: User, leaders: Iterable[Leader], officials: Iterable[UnitOfficial],
    held_on: dt.date | None = None, place: str | None = None, chair: Leader | None = None,
) -> Meeting:  # fmt: skip
    """The date, place, chair and attendees (county leaders and unit heads from the directory)."""
    _bureau(by, meeting.county)
    meeting = _planned(meeting)
    leaders, officials = list(dict.fromkeys(leaders)), list(dict.fromkeys(officials))
    if any(leader.county_id != meeting.county_id for leader in [*leaders, *([chair] if chair else [])]):
        raise ValidationError({"leaders": "参会领导应为本县县级领导"})
    if any(official.unit.county_id != meeting.county_id for official in officials):
        raise ValidationError({"officials": "参会单位负责人应为本县单位的负责人"})
    fields = []
    if held_on is not None and held_on != meeting.held_on:
        last = month_of_meeting(meeting).range(settings.XINFANG_MONTH_START_DAY)[1]
        if held_on <= last:
            raise ValidationError({"held_on": f"会议日期应在筛选月份结束（{last:%Y-%m-%d}）之后"})
        meeting.held_on = held_on
        fields.append("held_on")
    if place is not None:
        meeting.place = _text(place, "place", "会议地点", 100, required=False)
        fields.append("place")
    if chair is not None:
        meeting.chair = chair
        fields.append("chair")
        if chair not in leaders:
            leaders.insert(0, chair)
    if fields:
        meeting.save(update_fields=fields)
    meeting.leaders.set(leaders)
    meeting.officials.set(officials)
    audit_record(
        action="meetings.attendees", actor=by, obj=meeting, county=meeting.county,
        changes={"leaders": [leader.name for leader in leaders],
                 "officials": [official.name for official in officials], "held_on": meeting.held_on},
    )  # fmt: skip
    return meeting


def month_of_meeting(meeting: Meeting) -> Month:
    year, month = meeting.month.split("-")
    return Month(int(year), int(month))


def agenda_minimum(meeting: Meeting) -> int:
    """The fewest matters the agenda may hold: AGENDA_MIN, or every qualifying one when fewer qualify."""
    return min(AGENDA_MIN, meeting.qualifying)


@transaction.atomic
def agenda_add(*, meeting: Meeting, matter: Matter, by: User, reason: str) -> AgendaItem:
    """Staff put a matter on the agenda, with a reason (it need not have qualified); refused past
    AGENDA_MAX. A matter removed earlier comes back with the new reason."""
    _bureau(by, meeting.county)
    meeting = _planned(meeting)
    why = _text(reason, "reason", "列入理由", REASON_MAX)
    if matter.county_id != meeting.county_id:
        raise ValidationError({"matter": "该事项不在本县"})
    active = meeting.items.filter(removed=False)
    if active.filter(matter=matter).exists():
        raise ValidationError({"matter": f"{matter.number}已在议题中"})
    if active.count() >= AGENDA_MAX:
        raise ValidationError({"matter": f"议题已有{AGENDA_MAX}件，不能再增加；请先移出一件"})
    candidate = candidate_for(county=meeting.county, month=month_of_meeting(meeting), matter=matter)
    order = (meeting.items.aggregate(last=Max("order"))["last"] or 0) + 1
    item = meeting.items.filter(matter=matter).first()
    if item is None:
        item = _item_row(meeting, candidate, order, added=True, add_reason=why)
        item.save()
    else:
        item.removed, item.remove_reason, item.added, item.add_reason, item.order = (
            False,
            "",
            True,
            why,
            order,
        )
        item.save(update_fields=["removed", "remove_reason", "added", "add_reason", "order"])
    audit_record(
        action="meetings.agenda_add", actor=by, obj=meeting, county=meeting.county,
        changes={"matter": matter.number, "reason": why, "score": str(candidate.score)},
    )  # fmt: skip
    return item


@transaction.atomic
def agenda_remove(*, item: AgendaItem, by: User, reason: str) -> AgendaItem:
    """Staff take a matter off the agenda, with a reason; refused below `agenda_minimum`."""
    _bureau(by, item.meeting.county)
    meeting = _planned(item.meeting)
    why = _text(reason, "reason", "移出理由", REASON_MAX)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.removed:
        raise MeetingConflict("该事项已移出议题")
    remaining = meeting.items.filter(removed=False).count() - 1
    minimum = agenda_minimum(meeting)
    if remaining < minimum:
        problem = f"议题不能少于{minimum}件（本月符合条件{meeting.qualifying}件）；请先列入替换的事项再移出"
        raise ValidationError({"reason": problem})
    item.removed, item.remove_reason = True, why
    item.save(update_fields=["removed", "remove_reason"])
    audit_record(
        action="meetings.agenda_remove", actor=by, obj=meeting, county=meeting.county,
        changes={"matter": item.matter.number, "reason": why},
    )  # fmt: skip
    return item


@transaction.atomic
def decision_record(
    *, item: AgendaItem, by: User, report: str, plan: str, leader: Leader, units: Sequence[Unit],
    deadline: dt.date, tasks: str,
) -> AgendaItem:  # fmt: skip
    """During the meeting: the owning leader's report and the decided plan (化解方案) with its responsible
    leader and units, deadline and what each must do. Recorded again as often as the discussion needs
    until the minutes are approved."""
    _bureau(by, item.meeting.county)
    meeting = _planned(item.meeting)
    if item.removed:
        raise MeetingConflict("该事项已移出议题")
    county = meeting.county_id
    if leader.county_id != county or not leader.is_active:
        raise ValidationError({"leader": "责任领导应为本县在任县级领导"})
    if any(unit.county_id != county or not unit.is_active for unit in units):
        raise ValidationError({"units": "责任单位应为本县启用的单位"})
    if deadline <= meeting.held_on:
        raise ValidationError({"deadline": "化解期限应晚于会议日期"})
    item.report = _text(report, "report", "包案领导汇报", TEXT_MAX, required=False)
    item.plan = _text(plan, "plan", "化解方案", TEXT_MAX)
    item.tasks = _text(tasks, "tasks", "工作要求", TEXT_MAX, required=False)
    item.leader, item.deadline, item.decided_at = leader, deadline, timezone.now()
    item.save(update_fields=["report", "plan", "tasks", "leader", "deadline", "decided_at"])
    item.units.set(units)
    audit_record(
        action="meetings.decide", actor=by, obj=meeting, county=meeting.county,
        changes={"matter": item.matter.number, "leader": leader.name, "units": [unit.name for unit in units],
                 "deadline": deadline},
    )  # fmt: skip
    return item


def _attendee_names(meeting: Meeting) -> str:
    leaders = [leader.name for leader in meeting.leaders.order_by("protocol_order", "pk")]
    officials = [
        f"{official.unit.name}{official.title or '负责人'}{official.name}"
        for official in meeting.officials.select_related("unit").order_by("unit__order", "pk")
    ]
    return "、".join([*leaders, *officials])


def minutes_rows(meeting: Meeting) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The minutes' header and one row per matter on the agenda, petitioners' names masked: what the
    document is built from (frozen in the archive's snapshot at approval)."""
    items = list(
        meeting.items.filter(removed=False)
        .select_related("matter__origin_township", "matter__category", "leader")
        .prefetch_related("units", "matter__petitioners", "matter__ownerships__leader")
        .order_by("order", "pk")
    )
    header = {
        "label": f"{month_of_meeting(meeting).label}",
        "held_on": f"{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日",
        "place": meeting.place,
        "chair": meeting.chair.name if meeting.chair else "",
        "attendees": _attendee_names(meeting),
    }
    rows = []
    for item in items:
        matter = item.matter
        names = [mask_name(p.name) for p in sorted(matter.petitioners.all(), key=lambda p: p.order) if p.name]
        owner = next((o.leader.name for o in matter.ownerships.all() if o.is_current), "")
        content = scrub_text(matter.content)
        for petitioner in matter.petitioners.all():  # the minutes never name a petitioner
            if petitioner.name:
                content = content.replace(petitioner.name, mask_name(petitioner.name))
        more = f"等{matter.person_count}人" if matter.person_count > len(names) else ""
        rows.append({
            "matter_id": matter.pk, "number": matter.number,
            "where": matter.origin_township.name if matter.origin_township else "—",
            "category": matter.category.name if matter.category else "—",
            "petitioners": "、".join(names) + more,
            "content": content if len(content) <= CONTENT_MAX else f"{content[: CONTENT_MAX - 1]}…",
            "owner": owner, "report": item.report, "plan": item.plan, "tasks": item.tasks,
            "leader": item.leader.name if item.leader else "",
            "units": "、".join(unit.name for unit in item.units.all()),
            "deadline": f"{item.deadline:%Y-%m-%d}" if item.deadline else "",
        })  # fmt: skip
    return header, rows


def _official_omits(meeting: Meeting, numbers: Sequence[str]) -> dict[int, frozenset[str]]:
    """Per attending unit head, the listed matters that report their unit or them by name (Art. 46)."""
    officials = list(meeting.officials.all())
    matters = list(
        Matter.objects.filter(county=meeting.county, number__in=list(numbers)).prefetch_related(
            "reported_units"
        )
    )
    omits = {}
    for official in officials:
        omits[official.pk] = frozenset(
            matter.number
            for matter in matters
            if any(unit.pk == official.unit_id for unit in matter.reported_units.all())
            or (official.name and official.name in matter.reported_persons)
        )
    return omits


def _official_copies(document: IssuedDocument, meeting: Meeting, render: Any, numbers: Sequence[str]) -> None:
    """Each attending unit head's copy: an archived copy of the document (one per distinct set of matters
    left out, shared with the leaders' copies), a record of it and an SMS notice."""
    now = document.approved_at
    copies = {frozenset(copy.omitted): copy for copy in DocumentCopy.objects.filter(document=document)}
    drafts = []
    for official in meeting.officials.select_related("unit"):
        omit = _official_omits(meeting, numbers)[official.pk]
        if omit not in copies:
            # documents archives a copy per leader's set; a unit head's set may be new (same archive rule).
            copies[omit] = document_copy_archive(document, render(document.number, omit), omit)
        MinutesCopy.objects.create(meeting=meeting, official=official, copy=copies[omit], sent_at=now)
        if official.mobile:
            drafts.append(
                SmsDraft(
                    recipient_key=f"official:{official.pk}",
                    recipient_name=official.name,
                    mobile=official.mobile,
                    template="document_notice",
                    params={"content": f"{document.label}已印发，请登录信访工作平台“会议纪要”查看。"},
                    dedupe_key=f"document:{document.pk}:official:{official.pk}",
                    topic=f"document:{document.pk}",
                )
            )
    sms_queue(county=meeting.county, drafts=drafts)


def minutes_approve(*, meeting: Meeting, by: User, now: dt.datetime | None = None) -> IssuedDocument:
    """The bureau head approves the minutes: numbered per year, archived as page, Word and PDF, sent to the
    attendees (each copy leaving out what reports its reader), and every decision made a supervision item
    through `supervision.item_create` — all in one transaction: if one item is refused, nothing is issued."""
    if by.role != Role.BUREAU_HEAD or by.county_id != meeting.county_id:
        raise PermissionDenied("会议纪要由信访局长审定印发")
    with transaction.atomic():
        meeting = _planned(meeting)
        items = list(meeting.items.filter(removed=False).select_related("matter", "leader").order_by("order"))
        if not items:
            raise ValidationError("议题为空，不能印发会议纪要")
        if len(items) > AGENDA_MAX or len(items) < agenda_minimum(meeting):
            raise ValidationError(f"议题应为{agenda_minimum(meeting)}到{AGENDA_MAX}件（现有{len(items)}件）")
        undecided = [item.matter.number for item in items if not item.decided]
        if undecided:
            raise ValidationError(f"以下事项尚未记录化解方案：{'、'.join(undecided)}")
        if meeting.held_on > timezone.localdate(now):
            raise ValidationError("会议尚未召开，不能印发会议纪要")
        header, rows = minutes_rows(meeting)
        numbers = [row["number"] for row in rows]
        issued_on = timezone.localdate(now)

        def render(number: int, omit: frozenset[str]) -> Any:
            return minutes_document(
                county_name=meeting.county.name, header=header, rows=rows, year=issued_on.year, number=number,
                issued_on=issued_on, omit=omit,
            )  # fmt: skip

        leaders = list(meeting.leaders.order_by("protocol_order", "pk"))
        document = document_issue(
            county=meeting.county, kind=DocumentKind.MINUTES, title=render(0, frozenset()).title,
            period=(meeting.held_on, meeting.held_on), snapshot={"header": header, "rows": rows},
            render=render, recipients=recipients_for(county=meeting.county, leaders=leaders,
                                                     purpose=lambda leader: "read", numbers=numbers),
            approved_by=by, page_url=lambda _: reverse("meetings:detail", args=[meeting.pk]), now=now,
        )  # fmt: skip
        _official_copies(document, meeting, render, numbers)
        for item in items:
            assert item.leader is not None and item.deadline is not None
            supervision = item_create(
                county=meeting.county, source_kind=SupervisionItem.SourceKind.MEETING, source_id=meeting.pk,
                source_title=f"{header['label']}信访工作联席会议决定", source_url=meeting.get_absolute_url(),
                matter=item.matter, instruction=_instruction(item), instructed_by=meeting.chair,
                instructed_at=meeting.held_on, leader=item.leader, units=list(item.units.all()),
                deadline=item.deadline, recorded_by=by,
            )  # fmt: skip
            item.supervision = supervision
            item.save(update_fields=["supervision"])
        meeting.state, meeting.document = Meeting.State.APPROVED, document
        meeting.approved_by, meeting.approved_at = by, document.approved_at
        meeting.save(update_fields=["state", "document", "approved_by", "approved_at"])
        audit_record(
            action="meetings.approve", actor=by, obj=meeting, county=meeting.county,
            changes={"number": document.number, "year": document.year, "decisions": len(items)},
        )  # fmt: skip
    return document


def _instruction(item: AgendaItem) -> str:
    text = f"化解方案：{item.plan}"
    if item.tasks:
        text += f"\n工作要求：{item.tasks}"
    return text[:1000]


def meeting_remind_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """Each working day: screen last month when it has no stored screening (the first working day after
    it closes), remind the bureau to schedule the meeting of last month's matters when it is not
    yet scheduled, and of a meeting within XINFANG_MEETING_REMIND_DAYS. One message per person, meeting
    and day (the outbox's dedupe key), so a repeated run sends nothing again."""
    month = month_of(day, settings.XINFANG_MONTH_START_DAY).shifted(-1)
    screened = ""
    if not Screening.objects.filter(county=county, month=str(month)).exists():
        # The month just closed is screened once, so that its page and the meeting read it stored.
        screening = screening_run(county=county, month=month, by=None, now=now)
        screened = f"已筛选{month.label}联席会议候选事项（符合条件{screening.qualifying}件）；"
    meeting = Meeting.objects.filter(county=county, month=str(month)).first()
    if meeting is None:
        text = f"{month.label}联席会议尚未安排，请确定会议日期并核定议题（10至20件）。"
        topic = f"meeting_remind:{county.code}:{month}:schedule:{day.isoformat()}"
    elif (
        meeting.state == Meeting.State.PLANNED
        and 0 <= (meeting.held_on - day).days <= settings.XINFANG_MEETING_REMIND_DAYS
    ):
        count = meeting.items.filter(removed=False).count()
        when = f"{meeting.held_on.month}月{meeting.held_on.day}日"
        text = f"{month.label}联席会议定于{when}召开，议题{count}件，请通知参会人员并准备材料。"
        topic = f"meeting_remind:{county.code}:{month}:held:{day.isoformat()}"
    else:
        return f"{screened}无需提醒"
    people = bureau_recipients(county)
    drafts = [
        SmsDraft(recipient_key=f"user:{user.pk}", recipient_name=user.display_name,
                 mobile=user.mobile.strip(), template="deadline_warning", params={"content": text},
                 dedupe_key=f"{topic}:user:{user.pk}", topic=topic)
        for user in people
    ]  # fmt: skip
    queued = sms_queue(county=county, drafts=drafts)
    return f"{screened}{text}（已生成{queued}条短信）"


def meeting_remind_days() -> Any:
    from xinfang.lib.schedule import every_working_day

    return every_working_day()
