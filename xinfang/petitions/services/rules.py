"""Who may take which step on a matter now: the one set of rules the services enforce and the matter page
offers its actions by. Each rule returns the refusal (the error its service raises: a state conflict, a
refused user, or PermissionDenied), or None when the step is open to the user now."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.selectors import bureau_unit
from xinfang.lib.deadlines import Clock
from xinfang.petitions.models import Assignment, Extension, Matter, Stage
from xinfang.petitions.rows import rule_profile
from xinfang.petitions.services.common import (
    RegistryConflict,
    RegistryError,
    RegistryRefused,
    Status,
    local_today,
)

Refusal = RegistryError | PermissionDenied | None
TERMINATED = "已终结：同一事实和理由不再受理"

# Every transition a user may ask for (SPEC §4 status flow).
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
# Steps with an action of their own: 转送 through 转送/交办, 退回 through the objection's decision.
OWN_ACTION_STEPS = frozenset({Status.TRANSFERRED, Status.REGISTERED})


def allowed_transitions(matter: Matter) -> frozenset[str]:
    return TRANSITIONS.get(matter.status, frozenset())


def current_assignment(matter: Matter) -> Assignment | None:
    return Assignment.objects.filter(matter=matter, is_current=True).first()


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


def transition_refusal(by: User, matter: Matter, to: str, on: dt.date | None = None) -> Refusal:
    """A step of the status flow on the day `on` (today): allowed from the current status, a review of the
    first answer and a re-review of the review's where the county's profile has one, reviews recorded by
    the bureau only, and taken by who handles the matter now."""
    if to not in allowed_transitions(matter):
        return RegistryConflict(f"当前状态为“{matter.get_status_display()}”，不能改为“{Status(to).label}”")
    if to == Status.REVIEW and matter.stage != Stage.INITIAL:
        return RegistryConflict("复查只能针对初次答复提出")
    if to == Status.RE_REVIEW:
        if matter.stage != Stage.REVIEW:
            return RegistryConflict("复核只能针对复查意见提出")
        profile = rule_profile(matter.county, on or local_today())
        if not profile.re_review_allowed:
            return RegistryConflict(f"按{profile.name}，复查即为终结，不再复核")
    if (to in REVIEW_STEPS or matter.status in REVIEW_STEPS) and by.role not in BUREAU_ROLES:
        return PermissionDenied(
            "复查、复核由上一级机关决定，由信访局代为登记；承办单位不能登记对本单位答复的复查、复核"
        )
    if matter.status == Status.TRANSFERRED:
        assignment = current_assignment(matter)
        if assignment and assignment.state == Assignment.State.SENT:
            return RegistryConflict("请先签收，再受理")
        if assignment and assignment.state == Assignment.State.OBJECTED:
            return RegistryConflict("管辖异议尚待信访局处理，暂不能受理")
    if not can_handle(by, matter):
        return RegistryRefused("只有信访局或承办单位可以办理该事项")
    return None


def transition_choices(by: User, matter: Matter) -> list[str]:
    """The steps the transition form offers this user now (转送 and 退回 have actions of their own)."""
    return [
        step
        for step in Status.values
        if step in allowed_transitions(matter)
        and step not in OWN_ACTION_STEPS
        and transition_refusal(by, matter, step) is None
    ]


def assign_refusal(by: User, matter: Matter) -> Refusal:
    if by.role not in BUREAU_ROLES:
        return RegistryRefused("只有信访局可以转送、交办")
    if Status.TRANSFERRED not in allowed_transitions(matter):
        return RegistryConflict(f"当前状态为“{matter.get_status_display()}”，不能转送、交办")
    return None


def _assigned_unit_refusal(by: User, assignment: Assignment | None) -> Refusal:
    if assignment is None:
        return RegistryConflict("该事项没有待处理的转送交办")
    if by.role != Role.UNIT_USER or by.unit_id != assignment.unit_id:
        return RegistryRefused("只有承办单位可以签收或提出异议")
    return None


def receive_refusal(by: User, assignment: Assignment | None) -> Refusal:
    refusal = _assigned_unit_refusal(by, assignment)
    if refusal is None and assignment is not None and assignment.state != Assignment.State.SENT:
        return RegistryConflict("该转送交办已签收")
    return refusal


def object_refusal(
    by: User, matter: Matter, assignment: Assignment | None, objection_due: dt.date | None
) -> Refusal:
    """A jurisdiction objection: by the assigned unit, after signing, before acceptance, within the window
    (`objection_due`, as the service computes it)."""
    refusal = _assigned_unit_refusal(by, assignment)
    if refusal is not None or assignment is None:
        return refusal
    if assignment.state != Assignment.State.RECEIVED:
        return RegistryConflict("请先签收，再提出管辖异议")
    if matter.status != Status.TRANSFERRED:
        return RegistryConflict("事项已受理，不能再提出管辖异议")
    if objection_due is not None and local_today() > objection_due:
        return RegistryConflict(f"异议期限已过（截止{objection_due:%Y年%m月%d日}）")
    return None


def objection_decision_refusal(by: User, assignment: Assignment | None) -> Refusal:
    if by.role not in BUREAU_ROLES:
        return RegistryRefused("只有信访局可以处理管辖异议")
    if assignment is None or assignment.state != Assignment.State.OBJECTED:
        return RegistryConflict("该事项没有待处理的管辖异议")
    return None


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


def handling_time_refusal(matter: Matter, what: str) -> Refusal:
    """An extension is asked and approved while the handling time runs; an overdue matter stays overdue."""
    if matter.clock != Clock.HANDLE or matter.due_date is None:
        return RegistryConflict("只有处于办理期限内的事项可以延期")
    if local_today() > matter.due_date:
        return RegistryConflict(
            f"办理期限已于{matter.due_date:%Y年%m月%d日}届满，不能再{what}延期"
            "（《信访工作条例》第三十四条：延期须在办理期限内批准）"
        )
    return None


def extension_request_refusal(by: User, matter: Matter) -> Refusal:
    if not may_request_extension(by, matter):
        return RegistryRefused("延期由承办单位申请（信访局自办的事项由信访局申请）")
    refusal = handling_time_refusal(matter, "申请")
    if refusal is not None:
        return refusal
    live = matter.extensions.filter(state__in=[Extension.State.REQUESTED, Extension.State.APPROVED]).first()
    if live is not None and live.state == Extension.State.APPROVED:
        return RegistryConflict("办理期限只能延长一次")
    if live is not None:
        return RegistryConflict("已有待批准的延期申请")
    return None


def extension_decision_refusal(by: User, matter: Matter, extension: Extension | None) -> Refusal:
    if extension is None:
        return RegistryConflict("没有待批准的延期申请")
    if extension.state != Extension.State.REQUESTED:
        return RegistryConflict(f"该延期申请已处理（{extension.get_state_display()}）")
    if not may_approve_extension(by, matter):
        return RegistryRefused(
            "本局办理的事项，延期由信访局长批准"
            if handled_by_bureau(matter)
            else "延期须由承办单位负责人批准（《信访工作条例》第三十四条）"
        )
    return None


def hearing_refusal(by: User, matter: Matter) -> Refusal:
    if by.role not in BUREAU_ROLES:
        return PermissionDenied("听证由复查(复核)机关组织，由信访局代为登记")
    if matter.status not in REVIEW_STEPS:
        return RegistryConflict("只有复查、复核期间可以登记听证")
    return None


def owner_refusal(by: User) -> Refusal:
    if by.role not in BUREAU_ROLES:
        return RegistryRefused("只有信访局可以确定包案领导")
    return None


def event_refusal(by: User | None, matter: Matter) -> Refusal:
    """A new event on a matter: by the bureau (or a ledger import, `by` None), never on a terminated one."""
    if by is not None and by.role not in BUREAU_ROLES:
        return RegistryRefused("只有信访局可以登记信访批次")
    if matter.status == Status.CLOSED:
        return RegistryConflict(
            f"{TERMINATED}（《信访工作条例》第三十六条）：请作为新事项登记，将按不予受理处理；"
            "如有新的事实和理由，请在登记时注明"
        )
    return None


def refuse(refusal: Refusal) -> None:
    """Raise the refusal a rule returned, if any."""
    if refusal is not None:
        raise refusal


def refuse_user(refusal: Refusal) -> None:
    """Raise the refusal only when it concerns the user: checked before the matter is locked and read
    afresh (a refused user hears why before whether they may see the matter); its state is checked after."""
    if isinstance(refusal, RegistryRefused | PermissionDenied):
        raise refusal
