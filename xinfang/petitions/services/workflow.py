"""A matter's way through the statuses of SPEC §4 and its clocks: transitions, extension, rating."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.core.matter_hooks import matters_changed
from xinfang.directory.models import Unit
from xinfang.lib.deadlines import Clock, RuleProfile, due_date
from xinfang.petitions.models import (
    Extension,
    Matter,
    Rating,
    Review,
    Stage,
)
from xinfang.petitions.rows import (
    rule_profile,
)
from xinfang.petitions.services.common import (
    RegistryConflict,
    RegistryError,
    Status,
    ensure_visible,
    free_text,
    local_today,
    record_transition,
    start_clock,
)
from xinfang.petitions.services.rules import (
    REVIEW_STEPS,
    allowed_transitions,
    extension_decision_refusal,
    extension_request_refusal,
    handling_time_refusal,
    hearing_refusal,
    refuse,
    transition_refusal,
)


def require_transition(matter: Matter, new: str) -> None:
    if new not in allowed_transitions(matter):
        raise RegistryConflict(f"当前状态为“{matter.get_status_display()}”，不能改为“{Status(new).label}”")


@dataclass(frozen=True)
class ReviewInput:
    """A review or re-review request as the bureau records it."""

    requested_on: dt.date  # when the petitioner asked
    organ_unit: Unit | None = None  # a county-level organ of the directory
    organ_name: str = ""  # or an organ outside it (e.g. the city's), with its document number
    document_number: str = ""


def review_input(
    *, to: str, on: dt.date | None, requested_on: dt.date | None, organ_unit: Unit | None, organ_name: str,
    document_number: str,
) -> ReviewInput | None:  # fmt: skip
    """What a form or an API body gives for a review step; None for any other step."""
    if to not in REVIEW_STEPS:
        return None
    asked = requested_on or on or local_today()
    return ReviewInput(asked, organ_unit, organ_name, document_number)


@transaction.atomic
def matter_transition(
    *,
    by: User,
    matter: Matter,
    to: str,
    reason: str = "",
    answer: str = "",
    on: dt.date | None = None,
    delivered_on: dt.date | None = None,
    review: ReviewInput | None = None,
) -> Matter:
    """Move a matter along the status flow, validating the step and starting the next clock.

    An answer or a review decision records its 送达日期 (`delivered_on`, default: the day itself): the
    petitioner's window runs from receipt. A review or re-review request, and its decision, are recorded by
    the bureau only (PermissionDenied for anyone else), with the request's date and the reviewing organ."""
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    on = on or local_today()
    refuse(transition_refusal(by, matter, to, on))
    check_step_date(matter, on)
    old = matter.status
    profile = rule_profile(matter.county, on)
    fields = {"status", "clock", "clock_started", "due_date"}
    if to == Status.REJECTED:
        if not reason.strip():
            raise RegistryError("不予受理须说明理由", "reason")
        start_clock(matter, None)
    elif to == Status.TRANSFERRED:
        raise RegistryError("请使用“转送/交办”操作并选择承办单位")
    elif to == Status.REGISTERED:
        raise RegistryError("退回须通过管辖异议的处理")
    elif to == Status.ACCEPTED:
        if matter.responsible_unit_id is None:
            raise RegistryError("受理前请先确定责任单位", "responsible_unit")
        matter.accepted_on = on
        fields.add("accepted_on")
        start_clock(matter, Clock.HANDLE, on)
    elif to == Status.IN_PROGRESS:
        pass  # the handling clock keeps running
    elif to == Status.ANSWERED:
        to = _answer(matter, on, answer, delivered_on, profile, fields)
    elif to == Status.RESOLVED:
        matter.resolved_on = on
        fields.add("resolved_on")
        if matter.clock not in (Clock.REVIEW_REQUEST, Clock.RE_REVIEW_REQUEST):
            start_clock(matter, None)  # the review window, if one runs, keeps running
    elif to in REVIEW_STEPS:
        _review(by, matter, to, on, review, profile, fields)
    matter.status = to
    matter.save(update_fields=sorted(fields))
    record_transition(matter, old, to, by, reason.strip() or answer.strip())
    audit_record(
        action="matter.transition",
        actor=by,
        obj=matter,
        changes={"status": [old, to], "reason": reason, "on": on.isoformat()},
    )
    matters_changed([matter.pk])
    return matter


def _answer(
    matter: Matter,
    on: dt.date,
    answer: str,
    delivered_on: dt.date | None,
    profile: RuleProfile,
    fields: set[str],
) -> str:
    """An answer, or a review's decision: the petitioner's next window runs from its delivery; the decision
    of the last review the profile allows terminates the matter (终结). Returns the status it takes."""
    if not answer.strip():
        raise RegistryError("请填写答复意见", "answer")
    delivered = delivered_on or on
    if delivered < on or delivered > local_today():
        raise RegistryError("送达日期应在答复日期之后、不晚于今天", "delivered_on")
    deciding = {str(Status.REVIEW): Stage.REVIEW, str(Status.RE_REVIEW): Stage.RE_REVIEW}.get(matter.status)
    if deciding is not None:
        matter.stage = deciding
        fields.add("stage")
        Review.objects.filter(matter=matter, stage=deciding, decided_on__isnull=True).update(
            decision=free_text(answer), decided_on=on, delivered_on=delivered
        )
    matter.answer, matter.answered_on, matter.answer_delivered_on = free_text(answer), on, delivered
    fields |= {"answer", "answered_on", "answer_delivered_on"}
    if matter.stage == Stage.INITIAL:
        start_clock(matter, Clock.REVIEW_REQUEST, delivered)
        return Status.ANSWERED
    if matter.stage == Stage.REVIEW and profile.re_review_allowed:
        start_clock(matter, Clock.RE_REVIEW_REQUEST, delivered)
        return Status.ANSWERED
    start_clock(matter, None)  # the last review the profile allows (复核; 复查 under Henan): 终结
    return Status.CLOSED


def _review(
    by: User, matter: Matter, to: str, on: dt.date, review: ReviewInput | None, profile: RuleProfile,
    fields: set[str],
) -> None:  # fmt: skip
    """A request for 复查 or 复核, within 30 days of receiving the answer it contests, to the organ above."""
    review = review or ReviewInput(requested_on=on)
    asked = review.requested_on
    if asked > on or (matter.answer_delivered_on and asked < matter.answer_delivered_on):
        raise RegistryError("请求日期应在送达之后、不晚于登记日期", "requested_on")
    check_within(matter, asked, "复查请求已超过期限" if to == Status.REVIEW else "复核请求已超过期限")
    organ_name = free_text(review.organ_name)[:60]
    if review.organ_unit is not None:
        if review.organ_unit.county_id != matter.county_id:
            raise RegistryError("复查(复核)机关不在本县名录中", "organ_unit")
        if review.organ_unit.pk == matter.responsible_unit_id:
            raise RegistryError("复查(复核)由承办单位的上一级机关决定，不能是承办单位本身", "organ_unit")
    elif not organ_name:
        raise RegistryError("请选择复查(复核)机关，或填写名录外机关的名称和文号", "organ_unit")
    if to == Status.RE_REVIEW:
        reviewed = Review.objects.filter(matter=matter, stage=Stage.REVIEW).order_by("-id").first()
        if reviewed is not None and (
            (review.organ_unit is not None and reviewed.organ_unit_id == review.organ_unit.pk)
            or (organ_name and organ_name == reviewed.organ_name)
        ):
            raise RegistryError("复核由复查机关的上一级机关决定，不能是作出复查意见的机关", "organ_unit")
    stage = Stage.REVIEW if to == Status.REVIEW else Stage.RE_REVIEW
    Review.objects.create(
        matter=matter, stage=stage, requested_on=asked, organ_unit=review.organ_unit, organ_name=organ_name,
        document_number=free_text(review.document_number)[:60], recorded_by=by, recorded_at=timezone.now(),
    )  # fmt: skip
    if to == Status.RE_REVIEW:
        matter.stage = Stage.RE_REVIEW
        fields.add("stage")
    start_clock(matter, Clock.REVIEW_DECIDE if to == Status.REVIEW else Clock.RE_REVIEW_DECIDE, asked)


BACKDATE_DAYS = 7  # a step may be recorded late, but only this many days back


def check_step_date(matter: Matter, on: dt.date) -> None:
    """A step's date: not in the future, not before the visit or the previous step, and recorded at
    most a week late — the timeliness rates are computed from these dates."""
    today = local_today()
    if on > today:
        raise RegistryError("日期不能晚于今天", "on")
    if on < today - dt.timedelta(days=BACKDATE_DAYS):
        raise RegistryError(f"补录的办理日期最多只能早于今天{BACKDATE_DAYS}天", "on")
    last = matter.transitions.order_by("-at").values_list("at", flat=True).first()
    earliest = max(
        matter.first_event_date, timezone.localtime(last).date() if last else matter.first_event_date
    )
    if on < earliest:
        raise RegistryError(f"办理日期不能早于{earliest:%Y年%m月%d日}（信访日期或上一步办理日期）", "on")


def check_within(matter: Matter, on: dt.date, message: str) -> None:
    if matter.due_date is not None and on > matter.due_date:
        raise RegistryError(f"{message}（截止{matter.due_date:%Y年%m月%d日}）")


@transaction.atomic
def review_hearing(*, by: User, matter: Matter, days: int, note: str = "") -> Review:
    """Enter the days a review's or re-review's hearing (听证) took: they are not counted in its decision
    time (Art. 36), so the decision's due date moves by them. The bureau records it for the organ."""
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    refuse(hearing_refusal(by, matter))
    stage = {str(Status.REVIEW): Stage.REVIEW, str(Status.RE_REVIEW): Stage.RE_REVIEW}.get(matter.status)
    review = (
        Review.objects.filter(matter=matter, stage=stage, decided_on__isnull=True).order_by("-id").first()
        if stage
        else None
    )
    if review is None:
        raise RegistryError("只有复查、复核期间可以登记听证")
    if not 1 <= days <= 90:
        raise RegistryError("听证天数应为1至90天", "days")
    review.hearing_days += days
    review.save(update_fields=["hearing_days"])
    previous = matter.due_date
    start_clock(matter, Clock(matter.clock), matter.clock_started, hearing_days=review.hearing_days)
    matter.save(update_fields=["due_date"])
    audit_record(
        action="matter.review_hearing", actor=by, obj=matter, message=free_text(note)[:200],
        changes={"days": days, "due_date": [str(previous), str(matter.due_date)]},
    )  # fmt: skip
    return review


@transaction.atomic
def extension_request(*, by: User, matter: Matter, days: int, reason: str) -> Extension:
    """The handling unit asks to extend the handling time, once, within it, with a reason and at most the
    profile's days (national 30, Henan 60: 90 in all)."""
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    refuse(extension_request_refusal(by, matter))
    profile = rule_profile(matter.county, matter.clock_started or local_today())
    if not 1 <= days <= profile.extension_max_days:
        raise RegistryError(f"按{profile.name}，延长天数应为1至{profile.extension_max_days}天", "days")
    reason = free_text(reason)
    if not reason:
        raise RegistryError("请填写延期理由", "reason")
    extension = Extension.objects.create(
        matter=matter, days=days, reason=reason, requested_by=by, requested_at=timezone.now()
    )
    audit_record(
        action="matter.extension_request", actor=by, obj=matter, changes={"days": days, "reason": reason}
    )
    return extension


@transaction.atomic
def extension_decide(
    *, by: User, extension: Extension, approve: bool, note: str = "", petitioner_notified: bool = False
) -> Extension:
    """The handling organ's head approves (the due date moves, the petitioner is told the reason) or
    refuses (with a reason), within the handling time."""
    matter = extension.matter
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    extension = Extension.objects.select_for_update().get(pk=extension.pk, matter=matter)
    refuse(extension_decision_refusal(by, matter, extension))
    note = free_text(note)
    if approve:
        refuse(handling_time_refusal(matter, "批准"))
        if not petitioner_notified:
            raise RegistryError("批准延期须告知信访人延期理由", "petitioner_notified")
    elif not note:
        raise RegistryError("不批准须说明理由", "note")
    extension.state = Extension.State.APPROVED if approve else Extension.State.REFUSED
    extension.decided_by, extension.decided_at, extension.decision_note = by, timezone.now(), note
    extension.petitioner_notified = approve and petitioner_notified
    extension.save()
    changes: dict[str, object] = {"approved": approve, "days": extension.days}
    if approve:
        previous_due = matter.due_date
        matter.extension_days = extension.days
        start_clock(matter, Clock.HANDLE, matter.clock_started)
        matter.save(update_fields=["extension_days", "due_date"])
        changes["due_date"] = [str(previous_due), str(matter.due_date)]
    audit_record(action="matter.extension_decide", actor=by, obj=matter, changes=changes, message=note)
    matters_changed([matter.pk])
    return extension


@transaction.atomic
def matter_rate(*, matter: Matter, bureau_score: str, unit_score: str, comment: str = "") -> Rating:
    """The petitioner's rating after the answer, within the rating window (public, by query code)."""
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.answered_on is None:
        raise RegistryError("事项答复后才能评价")
    if Rating.objects.filter(matter=matter).exists():
        raise RegistryError("该事项已评价过")
    profile = rule_profile(matter.county, matter.answered_on)
    if local_today() > due_date(Clock.RATING, matter.answered_on, profile, work_calendar()):
        raise RegistryError("已超过评价期限")
    if bureau_score not in Rating.Score.values or unit_score not in Rating.Score.values:
        raise RegistryError("请选择满意、基本满意或不满意")
    rating = Rating.objects.create(
        matter=matter, bureau_score=bureau_score, unit_score=unit_score, comment=comment.strip()[:500],
        rated_at=timezone.now(),
    )  # fmt: skip
    audit_record(action="matter.rate", actor=None, obj=matter, actor_name="信访人",
                 changes={"bureau": bureau_score, "unit": unit_score})  # fmt: skip
    matters_changed([matter.pk])
    return rating
