"""督办 deadline warnings: items due within XINFANG_DEADLINE_WARNING_DAYS or overdue, one message set per
person per day however often the job runs, never to a unit the item's matter reports (Art. 46)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.petitions.support import frozen, new_matter
from tests.supervision.support import leader_of, new_item, unit
from xinfang.directory.models import UnitOfficial
from xinfang.notifications.models import SmsMessage
from xinfang.registry import JOBS
from xinfang.supervision.warnings import supervision_warnings_job

pytestmark = pytest.mark.django_db


def test_due_and_overdue_items_are_texted_once_a_day(county, persona):
    bureau, leader = persona("bureau"), leader_of(persona("leader"))
    with frozen():
        matter = new_matter(bureau, county, township="闹店镇")
        new_item(
            county,
            bureau,
            leader=leader,
            units=("周庄镇",),
            deadline=dt.date(2026, 11, 4),
            instruction="临期事项",
        )
        late = dt.date(2026, 11, 3)
        new_item(
            county,
            bureau,
            leader=leader,
            units=("县人社局",),
            deadline=late,
            matter=matter,
            instruction="人社局事项",
        )
        new_item(
            county,
            bureau,
            leader=leader,
            units=("周庄镇",),
            deadline=dt.date(2026, 12, 30),
            instruction="远期",
        )
    matter.reported_units.add(unit(county, "县人社局"))  # found later to report the bureau of labour
    with frozen(2026, 11, 4):
        day = timezone.localdate()
        first = supervision_warnings_job(county=county, day=day, now=timezone.now())
        again = supervision_warnings_job(county=county, day=day, now=timezone.now())
    assert first == "2 项临期或超期督办事项，已生成 2 条短信" and again.endswith("已生成 0 条短信")
    messages = {m.recipient_key: m.body for m in SmsMessage.objects.filter(template="supervision_warning")}
    head = UnitOfficial.objects.get(unit=unit(county, "周庄镇"), is_head=True, is_active=True)
    assert set(messages) == {f"leader:{leader.pk}", f"official:{head.pk}"}  # not the 人社局's head
    assert "“人社局事项”已超期1天" in messages[f"leader:{leader.pk}"]
    assert "“临期事项”今日到期" in messages[f"official:{head.pk}"] and "远期" not in str(messages)
    assert "supervision_warnings" in {job.name for job in JOBS}
