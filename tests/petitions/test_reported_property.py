"""Property (issue 5, 《信访工作条例》第四十六条): whatever the matters, one that reports a unit never
reaches that unit's users — not in lists, counts, search, exports, the API, statistics or the dashboard."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.petitions.test_registry_matrix import xlsx_text
from xinfang.directory.models import Category, Unit
from xinfang.petitions.models import Matter
from xinfang.petitions.selectors import matters_for_user
from xinfang.petitions.services.common import EventInput, RegistrationInput
from xinfang.petitions.services.registration import matter_register
from xinfang.stats.selectors import events_for_user

pytestmark = pytest.mark.django_db
UNIT_OF = {"zhouzhuang": "周庄镇", "renshe": "县人社局"}
MATTER = st.fixed_dictionaries({
    "township": st.sampled_from(["周庄镇", "闹店镇"]),
    "responsible": st.sampled_from(["", "县人社局", "周庄镇", "闹店镇"]),
    "reported": st.sets(st.sampled_from(["周庄镇", "县人社局", "闹店镇"]), max_size=2),
    "persons": st.integers(min_value=1, max_value=8),
})  # fmt: skip


DAY = dt.date(2026, 11, 19)
NOW = dt.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def register(persona, county, index: int, spec: dict) -> tuple[Matter, set[str]]:  # type: ignore[type-arg]
    units = {unit.name: unit for unit in Unit.objects.filter(county=county)}
    reported = spec["reported"] - {spec["responsible"]}  # a reported unit cannot handle the matter
    matter = matter_register(by=persona("bureau"), data=RegistrationInput(
        county=county, event=EventInput(DAY, "visit", "county", spec["persons"]),
        origin_township=units[spec["township"]], category=Category.objects.get(county=county, code="0702"),
        content=f"性质测试{index}号反映问题",
        responsible_unit=units[spec["responsible"]] if spec["responsible"] else None,
        reported_units=[units[name] for name in reported],
    ))  # fmt: skip
    return matter, reported


def doors(client, user) -> dict[str, str]:
    """Every way a matter could reach the user, as text."""
    day = {"date_from": DAY.isoformat(), "date_to": DAY.isoformat()}
    return {
        "scope": " ".join(matters_for_user(user=user).values_list("number", flat=True)),
        "list": client.get("/matters/").content.decode(),
        "search": client.get("/matters/", {"q": "性质测试"}).content.decode(),
        "export": xlsx_text(client.get("/matters/export.xlsx").content),
        "api": client.get("/api/v1/matters/", {"q": "性质测试"}).content.decode(),
        "stats events": client.get("/stats/events/", day).content.decode(),
        "dashboard": client.get("/").content.decode(),
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(MATTER, min_size=1, max_size=5))
def test_a_matter_reporting_a_unit_never_reaches_its_users(persona, county, client_for, drawn):
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        made = [register(persona, county, index, spec) for index, spec in enumerate(drawn)]
        for username, unit in UNIT_OF.items():
            user, client = persona(username), client_for(username)
            hidden = [matter for matter, reported in made if unit in reported]
            seen = doors(client, user) if hidden else {}
            events = events_for_user(user=user, date_from=DAY, date_to=DAY)
            for matter in hidden:
                for door, text in seen.items():
                    assert matter.number not in text, (username, door)
                assert client.get(f"/matters/{matter.pk}/").status_code == 404
                assert client.get(f"/api/v1/matters/{matter.pk}/").status_code == 404
                assert not events.filter(matter=matter).exists()
        transaction.set_rollback(True)
