from __future__ import annotations

import pytest

from xinfang.petitions.generator import generate_matters
from xinfang.petitions.models import Event, Matter, Petitioner

pytestmark = pytest.mark.django_db


def test_it_generates_consistent_deterministic_matters(county):
    counts = generate_matters(county=county, matters=120, seed=7, batch_size=50)
    assert counts.matters == 120
    matters = list(Matter.objects.filter(county=county).prefetch_related("events", "transitions"))
    assert len({m.number for m in matters}) == 120
    for matter in matters:
        events = list(matter.events.all())
        assert matter.event_count == len(events) >= 1
        assert matter.first_event_date == min(e.date for e in events)
        steps = [t.to_status for t in matter.transitions.all()]
        assert steps[0] == Matter.Status.REGISTERED
        assert steps[-1] == matter.status
        if Matter.Status.ANSWERED in steps:
            assert matter.answered_on is not None
        open_ = matter.status not in (Matter.Status.RESOLVED, Matter.Status.CLOSED, Matter.Status.REJECTED)
        assert (matter.due_date is not None) == open_
    assert Petitioner.objects.filter(matter__county=county).exclude(id_number_index="").count() >= 120
    first = list(Matter.objects.order_by("pk").values_list("content", flat=True)[:20])
    Event.objects.all().delete()
    Matter.objects.all().delete()
    generate_matters(county=county, matters=120, seed=7, batch_size=50)
    assert list(Matter.objects.order_by("pk").values_list("content", flat=True)[:20]) == first
