"""A matter's way through the statuses of SPEC §4 and its clocks: transitions, extension, rating."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import Unit
from xinfang.directory.selectors import bureau_unit
from xinfang.lib.deadlines import Clock, RuleProfile, due_date
from xinfang.petitions.models import (
    Assignment,
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
    RegistryError,
    Status,
    ensure_visible,
    free_text,
    local_today,
    record_transition,
    start_clock,
)

# Every transition a user may ask for, and what it requires (SPEC §4 status flow).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REGISTERED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.TRANSFERRED}),
    Status.TRANSFERRED: frozenset({Status.ACCEPTED, Status.REGISTERED}),
    Status.ACCEPTED: frozenset({Status.IN_PROGRESS, Status.ANSWERED}),
    Status.IN_PROGRESS: frozenset({Status.ANSWERED}),
    # 办结 and 终结 are never asked for: a lapsed review window concludes a matter (the worker), and the
    # decision of the last review the profile allows terminates it.
    Status.ANSWERED: frozenset({Status.RESOLVED, Status.REVIEW, Status.RE_REVIEW}),
    # A review and a re-review end with their decision (an answer).
    Status.REVIEW: frozenset({Status.ANSWERED}),
    Status.RE_REVIEW: frozenset({Status.ANSWERED}),
    Status.REJECTED: frozenset(),
    # 已化解 does not cut off the petitioner's right to a review within the window.
    Status.RESOLVED: frozenset({Status.REVIEW, Status.RE_REVIEW}),
    Status.CONCLUDED: frozenset(),
    Status.CLOSED: frozenset(),
}
# The steps only the bureau records, on behalf of the reviewing organ one level above the handling unit:
# the handling unit never records the review of its own answer.
REVIEW_STEPS = frozenset({Status.REVIEW, Status.RE_REVIEW})


def allowed_transitions(matter: Matter) -> frozenset[str]:
    return TRANSITIONS.get(matter.status, frozenset())


def require_transition(matter: Matter, new: str) -> None:
    if new not in allowed_transitions(matter):
        raise RegistryError(f"当前状态为“{matter.get_status_display()}”，不能改为“{Status(new).label}”")


def can_handle(user: User, matter: Matter) -> bool:
    """Bureau staff handle every matter. A unit user handles a matter once it is theirs: transferred
    to their unit and signed for (签收), or accepted with their unit responsible; never while it is
    only registered, which is the bureau's to dispose of."""
    if user.role in BUREAU_ROLES:
        return True
    if user.role != Role.UNIT_USER or user.unit_id is None or user.unit_id != matter.responsible_unit_id:
        return False
    if matter.status == Status.REGISTERED:
        return False
    if matter.status == Status.TRANSFERRED:
        return Assignment.objects.filter(
            matter=matter, unit_id=user.unit_id, is_current=True,
            state__in=(Assignment.State.RECEIVED, Assignment.State.OBJECTION_REJECTED),
        ).exists()  # fmt: skip
    return True


def _check_may_handle(by: User, matter: Matter) -> None:
    """A transferred matter is handled once received and not objected to, and only by who may handle it."""
    if matter.status == Status.TRANSFERRED:
        assignment = Assignment.objects.filter(matter=matter, is_current=True).first()
        if assignment and assignment.state == Assignment.State.SENT:
            raise RegistryError("请先签收，再受理")
        if assignment and assignment.state == Assignment.State.OBJECTED:
            raise RegistryError("管辖异议尚待信访局处理，暂不能受理")
    if not can_handle(by, matter):
        raise RegistryError("只有信访局或承办单位可以办理该事项")


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
    require_transition(matter, to)
    reviewing = to in REVIEW_STEPS or matter.status in REVIEW_STEPS
    if reviewing and by.role not in BUREAU_ROLES:
        raise PermissionDenied(
            "复查、复核由上一级机关决定，由信访局代为登记；承办单位不能登记对本单位答复的复查、复核"
        )
    _check_may_handle(by, matter)
    on = on or local_today()
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
    if to == Status.REVIEW and matter.stage != Stage.INITIAL:
        raise RegistryError("复查只能针对初次答复提出")
    if to == Status.RE_REVIEW:
        if matter.stage != Stage.REVIEW:
            raise RegistryError("复核只能针对复查意见提出")
        if not profile.re_review_allowed:
            raise RegistryError(f"按{profile.name}，复查即为终结，不再复核")
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
    if by.role not in BUREAU_ROLES:
        raise PermissionDenied("听证由复查(复核)机关组织，由信访局代为登记")
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
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


def handled_by_bureau(matter: Matter) -> bool:
    """Whether the bureau handles the matter itself: its responsible unit is the bureau."""
    bureau = bureau_unit(matter.county_id)
    return bureau is not None and matter.responsible_unit_id == bureau.pk


def may_request_extension(user: User, matter: Matter) -> bool:
    """The handling unit asks: the responsible unit's users, or the bureau for the matters it handles."""
    if handled_by_bureau(matter):
        return user.role in BUREAU_ROLES
    return (
        user.role == Role.UNIT_USER
        and user.unit_id is not None
        and user.unit_id == matter.responsible_unit_id
    )


def may_approve_extension(user: User, matter: Matter) -> bool:
    """The handling organ's own 负责人 approves (Art. 34): the unit's head, or the bureau head for the
    matters the bureau handles itself."""
    if handled_by_bureau(matter):
        return user.role == Role.BUREAU_HEAD
    return (
        user.role == Role.UNIT_USER
        and user.is_unit_head
        and user.unit_id is not None
        and user.unit_id == matter.responsible_unit_id
    )


def _check_within_handling_time(matter: Matter, what: str) -> None:
    """An extension is asked and approved while the handling time runs; an overdue matter stays overdue."""
    if matter.clock != Clock.HANDLE or matter.due_date is None:
        raise RegistryError("只有处于办理期限内的事项可以延期")
    if local_today() > matter.due_date:
        raise RegistryError(
            f"办理期限已于{matter.due_date:%Y年%m月%d日}届满，不能再{what}延期"
            "（《信访工作条例》第三十四条：延期须在办理期限内批准）"
        )


@transaction.atomic
def extension_request(*, by: User, matter: Matter, days: int, reason: str) -> Extension:
    """The handling unit asks to extend the handling time, once, within it, with a reason and at most the
    profile's days (national 30, Henan 60: 90 in all)."""
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if not may_request_extension(by, matter):
        raise RegistryError("延期由承办单位申请（信访局自办的事项由信访局申请）")
    _check_within_handling_time(matter, "申请")
    live = matter.extensions.filter(state__in=[Extension.State.REQUESTED, Extension.State.APPROVED]).first()
    if live is not None and live.state == Extension.State.APPROVED:
        raise RegistryError("办理期限只能延长一次")
    if live is not None:
        raise RegistryError("已有待批准的延期申请")
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
    if extension.state != Extension.State.REQUESTED:
        raise RegistryError(f"该延期申请已处理（{extension.get_state_display()}）")
    if not may_approve_extension(by, matter):
        raise RegistryError(
            "本局办理的事项，延期由信访局长批准"
            if handled_by_bureau(matter)
            else "延期须由承办单位负责人批准（《信访工作条例》第三十四条）"
        )
    note = free_text(note)
    if approve:
        _check_within_handling_time(matter, "批准")
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
    return rating
