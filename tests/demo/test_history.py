"""The demo's history ends on the day it is loaded, with work waiting on every role's home page, and a
later start tops it up with the missing days, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from tests.dashboard.test_todo import cards
from tests.petitions.support import frozen
from xinfang.accounts.models import User
from xinfang.audit.models import AuditRecord
from xinfang.audit.selectors import audit_chain_breaks
from xinfang.demo.generator import generate_day, generate_matters
from xinfang.demo.history import demo_history_load
from xinfang.demo.models import DemoHistory
from xinfang.ledger.models import LedgerImport
from xinfang.ledger.uploads import ledger_work_next
from xinfang.notifications.models import SmsMessage
from xinfang.ownership.models import Batch, Closure, Escalation, OwnerMeeting, PackageEntry
from xinfang.petitions.models import (
    OVER_LEVELS,
    Assignment,
    Event,
    Extension,
    Matter,
    OnlineSubmission,
    Ownership,
    Petitioner,
    Transition,
)
from xinfang.reception.models import ReceivedMatter, Reception, Schedule
from xinfang.reception.stats import reception_stats
from xinfang.reports.services import daily_report_preview

pytestmark = pytest.mark.django_db

D = dt.date(2026, 11, 4)  # a Wednesday
MATTERS = 60  # the history's size in these tests (the demo's is 3,000)
DEMO_ROLES = (
    "bureau", "bureau_head", "secretary", "leader", "zhouzhuang", "zhouzhuang_head", "renshe", "renshe_head",
)  # fmt: skip


def on(day: dt.date):
    return frozen(day.year, day.month, day.day)


def load(county, day: dt.date = D, said: list[str] | None = None):
    with on(day):
        return demo_history_load(
            county=county, matters=MATTERS, say=said.append if said is not None else None
        )


def snapshot(county) -> dict[str, int]:
    models = (Matter, Event, Petitioner, Transition, Assignment, Extension, Ownership, OnlineSubmission,
              LedgerImport, SmsMessage, AuditRecord)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_it_loads_two_years_ending_today_with_todays_visits_in_the_daily_report(county):
    said: list[str] = []
    loaded = load(county, said=said)
    assert (loaded.initial, loaded.first_day, loaded.last_day) == (True, D - dt.timedelta(days=730), D)
    assert said == [f"正在生成演示信访数据（{MATTERS} 件，截至今天 2026年11月04日）…"]
    assert DemoHistory.objects.get(county=county).loaded_through == D
    events = Event.objects.filter(county=county)
    assert not events.filter(date__gt=D).exists()
    assert events.filter(date__lt=D - dt.timedelta(days=600)).exists()
    assert events.filter(date__gte=D - dt.timedelta(days=7), date__lt=D).exists()
    today = events.filter(date=D)
    # Today's visits went through the services: registered now, by the bureau, each audited.
    assert today.count() == 10 and not today.filter(registered_by__isnull=True).exists()
    assert today.filter(level__in=OVER_LEVELS).count() == 3
    assert today.filter(is_collective=True).count() == 2
    registered = {int(pk) for pk in AuditRecord.objects.filter(action="matter.register").values_list(
        "object_id", flat=True)}  # fmt: skip
    assert set(Matter.objects.filter(first_event_date=D).values_list("pk", flat=True)) <= registered
    assert not list(audit_chain_breaks())
    with on(D):
        draft = daily_report_preview(county=county, day=D)
    counts = draft.counts()
    assert counts["到市"]["matters"] == 2 and counts["赴省"]["matters"] == 1
    assert counts["集体访"] == {"matters": 2, "persons": 25}
    assert not draft.late_events
    assert draft.messages and any("到市" in message.text for message in draft.messages)


def test_every_demo_role_finds_work_on_every_card_at_first_login(county, client_for, persona):
    load(county)
    with on(D):
        for username in DEMO_ROLES:
            found = cards(client_for(username))
            assert [label for label, (count, _, _) in found.items() if not count] == [], username
    current = Assignment.objects.filter(is_current=True, matter__first_event_date=D)
    for unit in ("周庄镇", "县人社局"):
        assert current.filter(unit__name=unit, state=Assignment.State.SENT).exists()  # 待签收
        assert current.filter(unit__name=unit, state=Assignment.State.RECEIVED).exists()  # 待受理
    assert current.filter(unit__name="周庄镇", state=Assignment.State.OBJECTED).exists()
    pending = Extension.objects.filter(state=Extension.State.REQUESTED).select_related(
        "matter__responsible_unit"
    )
    assert sorted(e.matter.responsible_unit.name for e in pending) == ["县人社局", "县信访局", "周庄镇"]
    answered = (
        Matter.objects.filter(status=Matter.Status.ANSWERED, answered_on=D)
        .exclude(pk__in=ReceivedMatter.objects.values("matter"))  # the receptions' (explained on the spot)
        .select_related("responsible_unit")
    )
    assert sorted(m.responsible_unit.name for m in answered) == ["县人社局", "周庄镇"]
    owned_this_week = Ownership.objects.filter(
        leader=persona("leader").leader, is_current=True, matter__last_event_date=D
    )
    assert owned_this_week.count() == 3
    assert OnlineSubmission.objects.filter(state=OnlineSubmission.State.PENDING, submitted_on=D).count() == 3
    # The uploaded ledger waits for the worker's check, which finds nothing wrong in it.
    with on(D):
        assert ledger_work_next() == 1
    ledger = LedgerImport.objects.get()
    assert (ledger.state, ledger.error_count, ledger.rows) == (LedgerImport.State.CHECKED, 0, 12)


def test_a_later_start_tops_up_the_missing_days_once(county, django_assert_max_num_queries):
    load(county)
    before = snapshot(county)
    with on(D), django_assert_max_num_queries(3):
        assert demo_history_load(county=county).days == 0  # loaded today: one look at the marker
    assert snapshot(county) == before
    said: list[str] = []
    later = D + dt.timedelta(days=3)
    loaded = load(county, later, said)
    assert (loaded.initial, loaded.first_day, loaded.days) == (False, D + dt.timedelta(days=1), 3)
    assert said == ["正在补充演示数据：2026年11月05日至今天（3 天）…"]
    assert DemoHistory.objects.get(county=county).loaded_through == later
    events = Event.objects.filter(county=county)
    for day in (D + dt.timedelta(days=1), D + dt.timedelta(days=2)):  # generated, registered on their day
        assert events.filter(date=day, registered_by__isnull=True).exists(), day
    assert events.filter(date=later, registered_by__isnull=False).count() == 10  # today's, through services
    assert not events.filter(date__gt=later).exists()
    after = snapshot(county)
    assert after["OnlineSubmission"] == before["OnlineSubmission"] + 1
    assert all(after[name] > before[name] for name in ("Matter", "Event", "AuditRecord", "Extension"))
    assert not list(audit_chain_breaks())
    assert load(county, later).days == 0  # the same day again adds nothing
    assert snapshot(county) == after


def test_a_top_up_adds_the_days_even_when_todays_work_no_longer_fits_the_edited_demo(county, persona):
    load(county)
    # The security admin moved the 周庄镇 account to 县人社局: it may no longer sign for 周庄镇's matters.
    User.objects.filter(username="zhouzhuang").update(unit=persona("renshe").unit)
    said: list[str] = []
    later = D + dt.timedelta(days=2)
    assert load(county, later, said).days == 2
    assert said[1].startswith("今天的演示办理数据未能载入（演示账号或名录已被修改）：")
    assert Event.objects.filter(date=D + dt.timedelta(days=1)).exists()
    assert not Event.objects.filter(date=later).exists()  # today's work was taken back as a whole
    assert DemoHistory.objects.get(county=county).loaded_through == later
    assert not list(audit_chain_breaks())


def test_a_demo_loaded_before_the_marker_resumes_after_its_latest_event(county):
    with on(D - dt.timedelta(days=2)):
        generate_matters(
            county=county, matters=50, seed=3, start=dt.date(2026, 6, 1), end=D - dt.timedelta(3)
        )
    latest = Event.objects.order_by("-date").values_list("date", flat=True)[0]
    loaded = load(county)
    assert (loaded.initial, loaded.first_day) == (False, latest + dt.timedelta(days=1))
    assert Event.objects.filter(
        date__range=(latest + dt.timedelta(days=1), D - dt.timedelta(days=1))
    ).exists()
    assert Event.objects.filter(date=D, registered_by__isnull=False).count() == 10


class _Undo(Exception):
    pass


def _generated(county, day: dt.date) -> list[tuple[str, str, str]]:
    """What generating the day writes, then taken back."""
    rows: list[tuple[str, str, str]] = []
    try:
        with on(D), transaction.atomic():
            generate_day(county=county, day=day)
            rows = list(Matter.objects.order_by("pk").values_list("content", "status", "petitioners__name"))
            raise _Undo
    except _Undo:
        return rows


def test_each_day_is_generated_the_same_from_its_date(county):
    first = _generated(county, D - dt.timedelta(days=5))
    assert first and first == _generated(county, D - dt.timedelta(days=5))
    assert first != _generated(county, D - dt.timedelta(days=4))


def test_the_demo_county_shows_leaders_case_batches(county, persona):
    load(county)
    du = persona("leader").leader
    issued = list(Batch.objects.filter(county=county, state=Batch.State.ISSUED).order_by("issued_on"))
    # Three earlier weeks' batches, numbered in order, each issued on the Monday after its week.
    assert [(b.number, b.week_from, b.issued_on) for b in issued] == [
        (1, dt.date(2026, 9, 21), dt.date(2026, 9, 28)),
        (2, dt.date(2026, 10, 12), dt.date(2026, 10, 19)),
        (3, dt.date(2026, 10, 19), dt.date(2026, 10, 26)),
    ]
    for batch in issued:
        assert (
            batch.document is not None and batch.entries.filter(leader=du, ownership__isnull=False).exists()
        )
    cases = Ownership.objects.filter(leader=du, batch_entry__batch__in=issued)
    assert PackageEntry.objects.filter(ownership__in=cases).count() >= 5 + 3 + 2
    assert OwnerMeeting.objects.filter(ownership__in=cases).count() == 1
    closure = Closure.objects.get(state=Closure.State.REQUESTED)  # 销号 waiting for the bureau
    assert closure.ownership.leader == du and closure.ownership.matter.status == Matter.Status.RESOLVED
    pending = Escalation.objects.get(state=Escalation.State.PENDING)
    assert pending.unit == persona("zhouzhuang").unit
    # This week's draft (of last week's candidates), with the unit's request among them.
    draft = Batch.objects.get(county=county, state=Batch.State.DRAFT)
    assert draft.week_from == dt.date(2026, 10, 26) and draft.number is None
    assert draft.entries.filter(matter=pending.matter).exists()
    assert draft.entries.filter(suggested_leader=du).exists()
    # A later start in the same week adds nothing; the next week's issues that draft and drafts anew.
    before = Batch.objects.count(), PackageEntry.objects.count(), Closure.objects.count()
    load(county, D + dt.timedelta(days=2))
    assert (Batch.objects.count(), PackageEntry.objects.count(), Closure.objects.count()) == before
    load(county, D + dt.timedelta(days=7))
    draft.refresh_from_db()
    assert draft.state == Batch.State.ISSUED and draft.number == 4
    assert Batch.objects.get(county=county, state=Batch.State.DRAFT).week_from == dt.date(2026, 11, 2)
    assert not list(audit_chain_breaks())


def test_the_demo_county_has_this_months_reception_schedule_published_and_next_months_drafted(county):
    said: list[str] = []
    load(county, said=said)
    november = Schedule.objects.get(county=county, month=dt.date(2026, 11, 1))
    december = Schedule.objects.get(county=county, month=dt.date(2026, 12, 1))
    assert november.is_published and november.published_by.username == "bureau_head"
    assert not december.is_published and december.slots.filter(kind="wednesday").exists()
    assert november.slots.filter(level="township", kind="monday").exists()
    schedule_actions = ("reception.generate", "reception.publish", "reception.adjust")
    before = Schedule.objects.count(), AuditRecord.objects.filter(action__in=schedule_actions).count()
    load(county, D + dt.timedelta(days=2))
    assert (
        Schedule.objects.count(),
        AuditRecord.objects.filter(action__in=schedule_actions).count(),
    ) == before
    # In December the next month falls in 2027, a year the calendar does not know yet: said, not guessed.
    load(county, dt.date(2026, 12, 2), said=said)
    assert Schedule.objects.get(county=county, month=dt.date(2026, 12, 1)).is_published
    assert not Schedule.objects.filter(month=dt.date(2027, 1, 1)).exists()
    assert any("2027年01月的演示接访排班未生成" in line for line in said)


def test_the_demo_county_has_the_receptions_held_with_their_matters_and_tops_them_up_day_by_day(county):
    load(county)
    held = Reception.objects.filter(county=county)
    days = set(held.values_list("date", flat=True))
    assert days and max(days) < D and min(days) >= D - dt.timedelta(days=30)
    # This month's centre receptions fulfil the published schedule's daily slots.
    november = held.filter(date__gte=dt.date(2026, 11, 1), kind="centre")
    assert november.exists() and all(reception.slot_id for reception in november)
    # The first Tuesday's down visits were drawn; those held are recorded.
    assert held.filter(kind="down", date=dt.date(2026, 11, 3)).exists()
    figures = reception_stats(county, D - dt.timedelta(days=30), D)
    assert figures["open"]["matters"] > 0 and 0 < figures["open"]["resolved"] <= figures["open"]["matters"]
    for entry in Reception.objects.filter(county=county, matters__outcome="resolved").values_list(
        "matters__matter__status", flat=True
    ):
        assert entry == Matter.Status.RESOLVED
    count = held.count()
    load(county, D + dt.timedelta(days=2))
    assert set(held.values_list("date", flat=True)) - days <= {D, D + dt.timedelta(days=1)}
    assert held.filter(date__lt=D).count() == count - 0  # the days recorded before are not recorded again
