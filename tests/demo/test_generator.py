from __future__ import annotations

import pytest

from xinfang.demo.generator import generate_matters
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


def test_gen_data_spreads_matters_over_simulated_counties(county, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from xinfang.accounts.models import User
    from xinfang.directory.models import County, Unit
    from xinfang.petitions.services.common import event_facts_refresh

    users = User.objects.count()
    call_command("gendata", "--matters", "31", "--counties", "3", "--quiet")
    assert "已在3 个县生成 31 件事项" in capsys.readouterr().out
    simulated = list(County.objects.filter(code__startswith="4199").order_by("code"))
    assert [(c.code, c.name) for c in simulated] == [("419902", "模拟02县"), ("419903", "模拟03县")]
    assert [Matter.objects.filter(county=c).count() for c in (county, *simulated)] == [11, 10, 10]
    assert User.objects.count() == users  # no accounts for simulated counties
    for matter in Matter.objects.filter(county__in=simulated).select_related("origin_township"):
        assert matter.origin_township.county_id == matter.county_id
        assert Unit.objects.get(pk=matter.origin_township_id).county_id == matter.county_id
        stored = list(matter.events.order_by("date", "id").values())
        event_facts_refresh(matter)
        assert list(matter.events.order_by("date", "id").values()) == stored
    call_command("gendata", "--matters", "3", "--counties", "3", "--quiet")  # the counties are reused
    assert County.objects.filter(code__startswith="4199").count() == 2
    for bad in (
        ["--matters", "0"],
        ["--matters", "5", "--counties", "0"],
        ["--matters", "5", "--counties", "100"],
    ):
        with pytest.raises(CommandError):
            call_command("gendata", *bad, "--quiet")
