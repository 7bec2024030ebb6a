"""The schedule's services: generate once (a draft again on request, a published one never), adjust, publish
by the bureau head only, the adjustment history after publishing, the monthly job."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader, LeaderUnavailability
from xinfang.reception.models import Adjustment, Schedule, Slot
from xinfang.reception.services import (
    reception_schedules_job,
    schedule_generate,
    schedule_publish,
    slot_adjust,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_generates_a_month_once(county, bureau):
    schedule, created = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW)
    assert created and schedule.state == Schedule.State.DRAFT
    count = schedule.slots.count()
    assert count > 0
    again, created = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW)
    assert (again.pk, created, again.slots.count()) == (schedule.pk, False, count)
    assert AuditRecord.objects.filter(action="reception.generate").count() == 1
    # Every working day of December has one county leader on duty; none on a weekend.
    daily = Slot.objects.filter(schedule=schedule, kind="daily")
    assert daily.count() == 23
    assert not daily.filter(date__week_day__in=[1, 7]).exists()
    wednesdays = schedule.slots.filter(kind="wednesday", date=dt.date(2026, 12, 2))
    assert sorted(wednesdays.values_list("leader__post_kind", flat=True)) == sorted(
        Leader.FOUR_BODIES_MAIN_POSTS
    )


def test_it_regenerates_a_draft_with_the_directory_of_today_but_never_a_published_one(county, bureau, head):
    schedule, _ = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW)
    secretary = Leader.objects.get(county=county, post_kind="secretary")
    LeaderUnavailability.objects.create(
        leader=secretary, start=dt.date(2026, 12, 9), end=dt.date(2026, 12, 9)
    )
    schedule, created = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW, regenerate=True)
    assert created
    ninth = schedule.slots.filter(date=dt.date(2026, 12, 9), kind="wednesday")
    assert secretary.pk not in ninth.values_list("leader_id", flat=True)
    assert all(secretary.name in note for note in ninth.values_list("note", flat=True))
    schedule_publish(schedule=schedule, by=head, now=NOW)
    with pytest.raises(ValidationError, match="已公布"):
        schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW, regenerate=True)


def test_only_the_bureau_head_publishes_and_before_the_month_ends(county, bureau, head, persona):
    schedule, _ = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW)
    for who in (bureau, persona("secretary")):
        with pytest.raises(PermissionDenied):
            schedule_publish(schedule=schedule, by=who, now=NOW)
    late = dt.datetime(2027, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(ValidationError, match="月份已过"):
        schedule_publish(schedule=schedule, by=head, now=late)
    published = schedule_publish(schedule=schedule, by=head, now=NOW)
    assert (published.state, published.published_by) == (Schedule.State.PUBLISHED, head)
    assert AuditRecord.objects.filter(action="reception.publish").count() == 1


def test_it_edits_a_draft_plainly_and_records_a_reason_after_publishing(county, bureau, head):
    schedule, _ = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW)
    slot = schedule.slots.filter(kind="daily").earliest("date", "id")
    other = Leader.objects.filter(county=county, is_active=True).exclude(pk=slot.leader_id or 0)[0]
    slot_adjust(slot=slot, person=f"leader:{other.pk}", note="", reason="", by=bureau)
    slot.refresh_from_db()
    assert (slot.leader_id, slot.adjusted, slot.adjustments.count()) == (other.pk, False, 0)
    schedule_publish(schedule=schedule, by=head, now=NOW)
    back = Leader.objects.filter(county=county, is_active=True).exclude(pk=other.pk)[0]
    with pytest.raises(ValidationError):
        slot_adjust(slot=slot, person=f"leader:{back.pk}", note="", reason=" ", by=bureau)
    slot_adjust(slot=slot, person=f"leader:{back.pk}", note="原定领导赴市开会", reason="赴市开会", by=bureau)
    slot.refresh_from_db()
    assert (slot.leader_id, slot.adjusted, slot.name) == (back.pk, True, back.name)
    change = Adjustment.objects.get(slot=slot)
    assert (change.reason, change.by, change.after) == ("赴市开会", bureau, f"{back.post}{back.name}")
    assert other.name in change.before


def test_it_refuses_a_township_official_on_a_county_slot(county, bureau, zhouzhuang):
    schedule, _ = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW)
    county_slot = schedule.slots.filter(level="county").earliest("id")
    township_slot = schedule.slots.filter(level="township").earliest("id")
    with pytest.raises(ValidationError):
        slot_adjust(
            slot=county_slot, person=f"official:{township_slot.official_id}", note="", reason="", by=bureau
        )
    with pytest.raises(PermissionDenied):
        slot_adjust(
            slot=county_slot, person=f"leader:{county_slot.leader_id}", note="", reason="", by=zhouzhuang
        )


def test_the_job_generates_next_month_once(county):
    first = reception_schedules_job(county=county, day=dt.date(2026, 11, 20), now=NOW)
    assert "已生成2026年12月领导接访排班草稿" in first
    second = reception_schedules_job(county=county, day=dt.date(2026, 11, 20), now=NOW)
    assert "已存在" in second
    assert Schedule.objects.filter(county=county).count() == 1


def test_it_carries_the_rotation_from_the_stored_month_before(county, bureau):
    november, _ = schedule_generate(county=county, month=dt.date(2026, 11, 1), by=bureau, now=NOW)
    december, _ = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW)
    last = {}
    for slot in november.slots.filter(level="county").order_by("date"):
        last[slot.leader_id] = slot.date
    first = december.slots.filter(kind="daily").order_by("date", "id").first()
    assert first.leader_id == min(last, key=last.__getitem__) or first.leader_id not in last


def test_bad_reception_settings_are_refused_at_start_up_in_chinese(settings):
    from xinfang.checks import check_reception_settings
    from xinfang.reception.selectors import wednesday_mode
    from xinfang.reception.services import generate_day

    assert check_reception_settings() == []
    settings.XINFANG_RECEPTION_GENERATE_DAY, settings.XINFANG_RECEPTION_WARN_DAY = 31, 0
    settings.XINFANG_RECEPTION_WEDNESDAY_MODE = "一位"
    errors = check_reception_settings()
    assert [error.id for error in errors] == ["xinfang.E013"] * 3
    assert "1 到 28" in errors[0].msg and "rotation" in errors[2].msg
    # Until fixed, the worker keeps the defaults.
    assert (generate_day(), wednesday_mode()) == (20, "all")


def test_the_rotation_mode_has_one_main_leader_each_wednesday(county, bureau, settings):
    settings.XINFANG_RECEPTION_WEDNESDAY_MODE = "rotation"
    schedule, _ = schedule_generate(county=county, month=DECEMBER, by=bureau, now=NOW)
    wednesdays = schedule.slots.filter(kind="wednesday").order_by("date")
    assert [slot.date.day for slot in wednesdays] == [2, 9, 16, 23, 30]
    posts = [slot.leader.post_kind for slot in wednesdays if slot.leader]
    assert set(posts[:4]) == set(Leader.FOUR_BODIES_MAIN_POSTS) and schedule.wednesday_mode == "rotation"
