"""The KPI roll-up (stats/kpi_facts.py) equals the recount: random sequences of actions through the
services on fixed clocks — register, transfer, accept, reject, answer (on time or late), extend, rate,
resolve, review, own and 销号, move the responsible unit, the review-window job, a new rule profile, a
calendar override, and rows written past the services — then, for random periods, `kpis` == `kpis_recount`
for the county, each unit, a unit user and a county leader. Plus: the triggers mark what a write past
the services touches; a rebuild writes what the writes kept; the ledger import and the demo generator
leave facts equal to a rebuild; the `xinfang kpi rebuild` command."""

from __future__ import annotations

import contextlib
import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.petitions.support import S, at, new_matter, unit
from tests.stats.support import day_counts, fact_counts
from xinfang.calendars.services import CalendarError, calendar_set
from xinfang.petitions.closing import review_windows_job
from xinfang.petitions.models import Assignment, Extension, Matter, Ownership
from xinfang.petitions.services.common import RegistryError
from xinfang.petitions.services.county_rules import rule_profile_schedule
from xinfang.petitions.services.ownership import ownership_assign, ownership_end
from xinfang.petitions.services.registration import matter_update
from xinfang.petitions.services.transfer import matter_assign
from xinfang.petitions.services.workflow import (
    ReviewInput,
    extension_decide,
    extension_request,
    matter_rate,
    matter_transition,
)
from xinfang.stats import kpi_facts
from xinfang.stats.kpi import kpis, kpis_by_unit, kpis_by_unit_recount, kpis_recount
from xinfang.stats.kpi_facts import facts_of, facts_rebuild
from xinfang.stats.models import KpiDay, KpiFact, KpiPending

pytestmark = pytest.mark.django_db
START = at(2026, 8, 3)
REFUSED = (RegistryError, PermissionDenied, ValidationError, CalendarError)

ACTIONS = (
    "register", "transfer", "accept", "reject", "answer", "extend", "rate", "resolve", "review",
    "own", "unown", "move_unit", "close_job", "profile", "calendar", "raw_update",
)  # fmt: skip
# The steps most sequences need, drawn more often.
WEIGHTED = (
    *ACTIONS,
    "register",
    "register",
    "accept",
    "accept",
    "answer",
    "answer",
    "answer",
    "rate",
    "rate",
)
action = st.tuples(
    st.sampled_from(WEIGHTED),
    st.integers(0, 3),  # which matter, counted back from the newest (modulo how many there are)
    st.sampled_from([0, 0, 1, 1, 2, 3, 7, 20]),  # days the clock moves forward first
    st.integers(0, 3),  # a small choice: back-dating, a unit, a score
)


def figures(result) -> dict[str, tuple[int, int, int]]:
    return {name: (kpi.numerator, kpi.denominator, kpi.excluded) for name, kpi in result.items()}


def by_unit(result) -> tuple[object, ...]:
    total, units = result
    return figures(total), [(row.unit.pk, figures(row.kpis)) for row in units]


def stored_facts() -> list[tuple[object, ...]]:
    return sorted(
        KpiFact.objects.values_list(
            "matter_id", "county_id", "unit_id", "kpi", "day", "other_day", "numerator", "excluded"
        )
    )


class World:
    """The county, its people, and the matters made so far."""

    def __init__(self, county, persona) -> None:
        self.county = county
        self.bureau, self.head = persona("bureau"), persona("bureau_head")
        self.handlers = [self.bureau, persona("renshe"), persona("zhouzhuang")]
        self.approvers = [persona("renshe_head"), self.head]
        self.leader = persona("leader").leader
        self.units = [unit(county, "县人社局"), unit(county, "周庄镇")]
        self.matters: list[int] = []
        self.done: list[str] = []  # the actions that went through

    def matter(self, pick: int) -> Matter | None:
        return Matter.objects.get(pk=self.matters[-1 - pick % len(self.matters)]) if self.matters else None

    def first(self, attempt) -> None:
        """The first of the users the step succeeds for (refusals write nothing)."""
        refused: Exception | None = None
        for user in self.handlers:
            try:
                attempt(user)
                return
            except REFUSED as error:
                refused = error
        assert refused is not None
        raise refused

    def act(self, name: str, pick: int, small: int, today: dt.date) -> None:
        if name == "register":
            responsible = [None, "县人社局", "周庄镇", None][small]
            created = new_matter(self.bureau, self.county, date=today - dt.timedelta(days=small),
                                 responsible=responsible)  # fmt: skip
            self.matters.append(created.pk)
            return
        matter = self.matter(pick)
        if matter is None:
            return
        on = today - dt.timedelta(days=small // 3)  # now and then recorded a day late
        if name == "transfer":
            matter_assign(
                by=self.bureau, matter=matter, unit=self.units[small % 2], kind=Assignment.Kind.TRANSFER
            )
        elif name in ("accept", "reject", "resolve"):
            to = {"accept": S.ACCEPTED, "reject": S.REJECTED, "resolve": S.RESOLVED}[name]
            self.first(lambda user: matter_transition(by=user, matter=matter, to=to, on=on, reason="依规"))
        elif name == "answer":
            self.first(
                lambda user: matter_transition(by=user, matter=matter, to=S.ANSWERED, answer="已答复", on=on)
            )
        elif name == "extend":
            self.first(
                lambda user: extension_request(by=user, matter=matter, days=10 + 10 * small, reason="核实")
            )
            extension = Extension.objects.filter(matter=matter, state=Extension.State.REQUESTED).first()
            for approver in self.approvers:
                if extension is not None:
                    try:
                        extension_decide(by=approver, extension=extension, approve=True)
                        break
                    except REFUSED:
                        continue
        elif name == "rate":
            scores = ["satisfied", "basically", "dissatisfied", "satisfied"]
            matter_rate(matter=matter, bureau_score=scores[small], unit_score=scores[(small + 1) % 4])
        elif name == "review":
            to = S.RE_REVIEW if small == 3 else S.REVIEW
            review = ReviewInput(
                requested_on=on, organ_name="市人社局", document_number="市人社复〔2026〕1号"
            )
            matter_transition(by=self.bureau, matter=matter, to=to, on=on, review=review)
        elif name == "own":
            ownership_assign(by=self.head, matter=matter, leader=self.leader)
        elif name == "unown":
            current = Ownership.objects.filter(matter=matter, is_current=True).first()
            if current is not None:
                reason = Ownership.EndReason.CLOSED if small < 3 else Ownership.EndReason.REPLACED
                ownership_end(by=self.head, ownership=current, reason=reason)
        elif name == "move_unit":
            target = [None, *self.units][small % 3]
            matter_update(
                by=self.bureau, matter=matter, changes={"responsible_unit": target}, reported_units=None
            )
        elif name == "close_job":
            review_windows_job(county=self.county, day=today, now=at(today.year, today.month, today.day))
        elif name == "profile":
            effective = today + dt.timedelta(days=[1, 5, 20, -300][small])
            profile = ["henan", "national-2022"][small % 2]
            rule_profile_schedule(by=self.head, county=self.county, profile=profile, effective_from=effective)
        elif name == "calendar":
            calendar_set(
                day=today + dt.timedelta(days=small * 7 - 10), is_workday=small % 2 == 0, note="调休"
            )
        elif name == "raw_update":
            # Past the services (a shell, an undo): the triggers mark it, the next read refreshes it.
            Matter.objects.filter(pk=matter.pk).update(extension_days=5 * small)


# One matter through every step, a second transferred, extended, resolved, owned and 销号, a third
# rejected: the paths each rate reads, whatever the random sequences happen to reach.
LIFE = [
    ("register", 0, 0, 1), ("register", 0, 1, 2), ("transfer", 0, 0, 0), ("accept", 0, 1, 0),
    ("accept", 1, 0, 0), ("answer", 1, 2, 0), ("rate", 1, 1, 1), ("extend", 0, 1, 1), ("answer", 0, 7, 0),
    ("resolve", 0, 1, 0), ("own", 0, 0, 0), ("review", 1, 2, 0), ("answer", 1, 3, 0), ("register", 0, 0, 3),
    ("reject", 0, 1, 0), ("unown", 1, 0, 0), ("rate", 1, 0, 2), ("close_job", 0, 20, 0),
    ("move_unit", 0, 0, 1),
    ("calendar", 0, 0, 1), ("profile", 0, 0, 0), ("raw_update", 1, 0, 2),
]  # fmt: skip


@example(actions=LIFE, periods=[(0, 40), (30, 60)])
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    actions=st.lists(action, min_size=4, max_size=40),
    periods=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 120)), min_size=2, max_size=4),
)
def test_the_roll_up_equals_the_recount_after_any_writes(county, persona, actions, periods):
    with transaction.atomic():
        world = World(county, persona)
        with time_machine.travel(START, tick=False) as clock:
            now = START
            for name, pick, forward, small in actions:
                now += dt.timedelta(days=forward)
                clock.move_to(now)
                before = set(KpiPending.objects.values_list("matter_id", flat=True))
                with contextlib.suppress(*REFUSED):
                    world.act(name, pick, small, now.date())
                    world.done.append(name)
                    # Each service refreshed the facts of what it wrote, in its own transaction.
                    after = set(KpiPending.objects.values_list("matter_id", flat=True))
                    assert name == "raw_update" or after <= before, name
            for offset, length in [*periods, (0, 400)]:  # and one period that holds everything
                date_from = START.date() + dt.timedelta(days=offset - 30)
                date_to = date_from + dt.timedelta(days=length)
                period = {"county": county, "date_from": date_from, "date_to": date_to}
                assert figures(kpis(**period)) == figures(kpis_recount(**period))
                assert by_unit(kpis_by_unit(**period)) == by_unit(kpis_by_unit_recount(**period))
                for user in (persona("renshe"), persona("zhouzhuang"), persona("leader"), persona("bureau")):
                    scoped = {**period, "scope_user": user}
                    assert figures(kpis(**scoped)) == figures(kpis_recount(**scoped))
            # Nothing is left pending after a read, and what the writes kept is what a rebuild writes.
            assert not KpiPending.objects.exists()
            kept = stored_facts()
            # The day counts the triggers kept are the facts' counts, before and after merging them.
            assert day_counts() == fact_counts()
            kpi_facts.days_compact()
            assert day_counts() == fact_counts() and not KpiDay.objects.filter(compacted=False).exists()
            facts_rebuild(county)
            assert stored_facts() == kept and day_counts() == fact_counts()
        transaction.set_rollback(True)


def test_a_ledger_import_leaves_the_facts_a_rebuild_writes(county):
    from tests.ledger.test_ledger_import import csv_bytes, row, run

    rows = [
        row(**{"信访日期": "2026-03-05", "责任单位": "县人社局", "办理状态": "已化解", "是否化解": "是",
               "化解日期": "2026-04-01", "包案领导": "杜文博"}),
        row(**{"信访日期": "2026-03-09", "办理状态": "办结", "反映问题": "拆迁补偿"}),
        row(**{"信访日期": "2026-04-02", "办理状态": "办理中", "责任单位": "周庄镇", "反映问题": "道路"}),
    ]  # fmt: skip
    with time_machine.travel(at(2026, 6, 1), tick=False):
        result = run(county, csv_bytes(rows))
    assert not result.errors, result.errors
    assert Matter.objects.filter(county=county).count() == 3
    assert not KpiPending.objects.exists()
    kept = stored_facts()
    assert {row[7] for row in kept} == {True, False}  # some rows are left out for want of dates
    facts_rebuild(county)
    assert stored_facts() == kept
    period = {"county": county, "date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 5, 31)}
    assert figures(kpis(**period)) == figures(kpis_recount(**period))


def test_the_demo_generator_leaves_the_facts_a_rebuild_writes(county):
    from xinfang.demo.generator import generate_matters

    with time_machine.travel(at(2026, 11, 2), tick=False):
        generate_matters(county=county, matters=150, seed=11, batch_size=60)
    assert not KpiPending.objects.exists()
    kept = stored_facts()
    assert len(kept) > 150
    facts_rebuild(county)
    assert stored_facts() == kept
    assert facts_of(Matter.objects.values_list("pk", flat=True)[:10])  # the pure computation, too
    for month in range(1, 11):
        date_from = dt.date(2026, month, 1)
        period = {"county": county, "date_from": date_from, "date_to": date_from + dt.timedelta(days=30)}
        assert figures(kpis(**period)) == figures(kpis_recount(**period))
        assert by_unit(kpis_by_unit(**period)) == by_unit(kpis_by_unit_recount(**period))


def test_the_rebuild_command_and_a_read_past_a_large_backlog(county, monkeypatch):
    """`xinfang kpi rebuild` reports what it wrote; with more pending than a read takes on, `kpis` counts
    from the matters (and stays right), and the worker's rounds work the backlog off."""
    with time_machine.travel(at(2026, 11, 2), tick=False):
        from xinfang.demo.generator import generate_matters

        generate_matters(county=county, matters=60, seed=3, batch_size=60)
        out = StringIO()
        call_command("kpi", "rebuild", "--county", county.code, stdout=out)
        assert "考核指标汇总数据已重算" in out.getvalue()
        period = {"county": county, "date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 11, 1)}
        expected = figures(kpis_recount(**period))
        KpiFact.objects.all().delete()  # a roll-up gone wrong, and every matter marked
        KpiPending.objects.bulk_create(
            [KpiPending(matter_id=pk) for pk in Matter.objects.values_list("pk", flat=True)]
        )
        monkeypatch.setattr(kpi_facts, "READ_FLUSH_LIMIT", 10)
        assert figures(kpis(**period)) == expected  # recounted, not read from the empty roll-up
        assert KpiPending.objects.exists()
        while kpi_facts.facts_work():
            pass
        assert not KpiPending.objects.exists()
        assert figures(kpis(**period)) == expected
        with pytest.raises(CommandError):
            call_command("kpi", "rebuild", "--county", "999999")
