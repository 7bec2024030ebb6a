"""Transfer and assignment to a responsible unit (转送、交办), its receipt, and objections to it
(管辖异议)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import Unit
from xinfang.lib.deadlines import Clock, due_date
from xinfang.lib.workdays import UnknownYear
from xinfang.petitions.models import (
    Assignment,
    Matter,
)
from xinfang.petitions.rows import (
    rule_profile,
)
from xinfang.petitions.services.common import (
    RegistryError,
    Status,
    ensure_visible,
    local_today,
    record_transition,
    start_clock,
)
from xinfang.petitions.services.workflow import require_transition


@transaction.atomic
def matter_assign(*, by: User, matter: Matter, unit: Unit, kind: str, note: str = "") -> Assignment:
    """转送/交办 a registered matter to a unit of the county; the unit then signs for it."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("只有信访局可以转送、交办")
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    require_transition(matter, Status.TRANSFERRED)
    if unit.county_id != matter.county_id or not unit.is_active:
        raise RegistryError("承办单位不在本县", "unit")
    if kind not in Assignment.Kind.values:
        raise RegistryError("请选择转送或交办", "kind")
    if matter.reported_units.filter(pk=unit.pk).exists():
        raise RegistryError("不得转送给被反映的单位办理（《信访工作条例》第四十六条）", "unit")
    previous_unit = matter.responsible_unit.name if matter.responsible_unit else None
    Assignment.objects.filter(matter=matter, is_current=True).update(is_current=False)
    assignment = Assignment.objects.create(
        matter=matter, unit=unit, kind=kind, sent_at=timezone.now(), sent_by=by, decision_note=note[:500]
    )
    old = matter.status
    matter.status, matter.responsible_unit = Status.TRANSFERRED, unit
    start_clock(matter, Clock.ACCEPT_NOTICE, local_today())
    matter.save(update_fields=["status", "responsible_unit", "clock", "clock_started", "due_date"])
    record_transition(matter, old, Status.TRANSFERRED, by, f"{assignment.get_kind_display()}至{unit.name}")
    audit_record(
        action="matter.assign",
        actor=by,
        obj=matter,
        changes={"unit": [previous_unit, unit.name], "kind": kind, "status": [old, Status.TRANSFERRED]},
    )
    return assignment


def _current_assignment(matter: Matter, by: User) -> Assignment:
    assignment = Assignment.objects.select_for_update().filter(matter=matter, is_current=True).first()
    if assignment is None:
        raise RegistryError("该事项没有待处理的转送交办")
    if by.role != Role.UNIT_USER or by.unit_id != assignment.unit_id:
        raise RegistryError("只有承办单位可以签收或提出异议")
    return assignment


OBJECTION_CALENDAR_BOUND = 15  # 5 working days never span more calendar days than this


def _objection_due(matter: Matter, received: dt.date) -> dt.date | None:
    """The last day to object, or None while the calendar of the coming year is not entered yet: the
    receipt is recorded anyway, and the deadline is computed once the bureau enters that year."""
    try:
        return due_date(Clock.OBJECTION, received, rule_profile(matter.county, received), work_calendar())
    except UnknownYear:
        return None


@transaction.atomic
def assignment_receive(*, by: User, matter: Matter) -> Assignment:
    """The unit signs for (签收) the matter; the jurisdiction-objection window starts."""
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    assignment = _current_assignment(matter, by)
    if assignment.state != Assignment.State.SENT:
        raise RegistryError("该转送交办已签收")
    objection_due = _objection_due(matter, local_today())
    assignment.state, assignment.received_at, assignment.objection_due = (
        Assignment.State.RECEIVED, timezone.now(), objection_due,
    )  # fmt: skip
    assignment.save(update_fields=["state", "received_at", "objection_due"])
    audit_record(action="matter.receive", actor=by, obj=matter, changes={"unit": assignment.unit.name})
    return assignment


@transaction.atomic
def assignment_object(*, by: User, matter: Matter, reason: str) -> Assignment:
    """The unit objects to jurisdiction within 5 working days of receipt, with a reason."""
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    assignment = _current_assignment(matter, by)
    if assignment.state != Assignment.State.RECEIVED:
        raise RegistryError("请先签收，再提出管辖异议")
    if matter.status != Status.TRANSFERRED:
        raise RegistryError("事项已受理，不能再提出管辖异议")
    if not reason.strip():
        raise RegistryError("请说明异议理由", "reason")
    received = timezone.localtime(assignment.received_at).date() if assignment.received_at else local_today()
    due = assignment.objection_due or _objection_due(matter, received)
    if due is None:
        # The coming year's holidays are not entered yet; no 5 working days exceed this bound.
        due = received + dt.timedelta(days=OBJECTION_CALENDAR_BOUND)
    if local_today() > due:
        raise RegistryError(f"异议期限已过（截止{due:%Y年%m月%d日}）")
    assignment.state, assignment.objection_reason = Assignment.State.OBJECTED, reason.strip()
    assignment.save(update_fields=["state", "objection_reason"])
    audit_record(action="matter.object", actor=by, obj=matter, changes={"reason": reason})
    return assignment


@transaction.atomic
def objection_decide(*, by: User, matter: Matter, upheld: bool, note: str) -> Assignment:
    """The bureau decides an objection: upheld sends the matter back for a new disposal."""
    if by.role not in BUREAU_ROLES:
        raise RegistryError("只有信访局可以处理管辖异议")
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    assignment = Assignment.objects.select_for_update().filter(matter=matter, is_current=True).first()
    if assignment is None or assignment.state != Assignment.State.OBJECTED:
        raise RegistryError("该事项没有待处理的管辖异议")
    if not note.strip():
        raise RegistryError("请填写处理意见", "note")
    assignment.decision_note = note.strip()
    if upheld:
        assignment.state, assignment.is_current = Assignment.State.OBJECTION_UPHELD, False
        old = matter.status
        matter.status, matter.responsible_unit = Status.REGISTERED, None
        start_clock(matter, Clock.DISPOSE, local_today())
        matter.save(update_fields=["status", "responsible_unit", "clock", "clock_started", "due_date"])
        record_transition(matter, old, Status.REGISTERED, by, f"管辖异议成立：{note}")
    else:
        assignment.state = Assignment.State.OBJECTION_REJECTED
    assignment.save(update_fields=["state", "decision_note", "is_current"])
    audit_record(
        action="matter.objection_decide", actor=by, obj=matter, changes={"upheld": upheld, "note": note}
    )
    return assignment
