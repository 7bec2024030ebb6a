"""Transfer and assignment to a responsible unit (转送、交办), its receipt, and objections to it
(管辖异议)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.core.matter_hooks import matters_changed
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
from xinfang.petitions.services.rules import (
    assign_refusal,
    current_assignment,
    object_refusal,
    objection_decision_refusal,
    receive_refusal,
    refuse,
    refuse_user,
)


@transaction.atomic
def matter_assign(*, by: User, matter: Matter, unit: Unit, kind: str, note: str = "") -> Assignment:
    """转送/交办 a registered matter to a unit of the county; the unit then signs for it."""
    refuse_user(assign_refusal(by, matter))
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    refuse(assign_refusal(by, matter))
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
    matters_changed([matter.pk])
    return assignment


def _locked_assignment(matter: Matter) -> Assignment | None:
    return Assignment.objects.select_for_update().filter(matter=matter, is_current=True).first()


OBJECTION_CALENDAR_BOUND = 15  # 5 working days never span more calendar days than this


def objection_deadline(matter: Matter, assignment: Assignment | None) -> dt.date | None:
    """The last day the assigned unit may object: 5 working days from receipt (a calendar bound while
    the coming year's holidays are not entered); None before receipt."""
    if assignment is None or assignment.received_at is None:
        return None
    received = timezone.localtime(assignment.received_at).date()
    due = assignment.objection_due or _objection_due(matter, received)
    return due or received + dt.timedelta(days=OBJECTION_CALENDAR_BOUND)


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
    assignment = _locked_assignment(matter)
    refuse(receive_refusal(by, assignment))
    assert assignment is not None
    objection_due = _objection_due(matter, local_today())
    assignment.state, assignment.received_at, assignment.objection_due = (
        Assignment.State.RECEIVED, timezone.now(), objection_due,
    )  # fmt: skip
    assignment.save(update_fields=["state", "received_at", "objection_due"])
    audit_record(action="matter.receive", actor=by, obj=matter, changes={"unit": assignment.unit.name})
    matters_changed([matter.pk])
    return assignment


@transaction.atomic
def assignment_object(*, by: User, matter: Matter, reason: str) -> Assignment:
    """The unit objects to jurisdiction within 5 working days of receipt, with a reason."""
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    assignment = _locked_assignment(matter)
    refuse(object_refusal(by, matter, assignment, objection_deadline(matter, assignment)))
    assert assignment is not None
    if not reason.strip():
        raise RegistryError("请说明异议理由", "reason")
    assignment.state, assignment.objection_reason = Assignment.State.OBJECTED, reason.strip()
    assignment.save(update_fields=["state", "objection_reason"])
    audit_record(action="matter.object", actor=by, obj=matter, changes={"reason": reason})
    matters_changed([matter.pk])
    return assignment


@transaction.atomic
def objection_decide(*, by: User, matter: Matter, upheld: bool, note: str) -> Assignment:
    """The bureau decides an objection: upheld sends the matter back for a new disposal."""
    refuse_user(objection_decision_refusal(by, current_assignment(matter)))
    ensure_visible(by, matter)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    assignment = _locked_assignment(matter)
    refuse(objection_decision_refusal(by, assignment))
    assert assignment is not None
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
    matters_changed([matter.pk])
    return assignment
