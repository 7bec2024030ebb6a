"""包案: moving a matter's ownership between county leaders, and the leader's view of owned matters."""

from __future__ import annotations

import pytest

from tests.petitions.support import at, audits, chinese, day, frozen, new_matter
from xinfang.directory.models import Leader
from xinfang.petitions.models import Ownership
from xinfang.petitions.selectors import matters_for_user
from xinfang.petitions.services.common import RegistryError
from xinfang.petitions.services.ownership import ownership_assign

pytestmark = pytest.mark.django_db


def test_it_moves_ownership_between_leaders_and_scopes_the_leader_to_owned_matters(county, bureau, persona):
    du = Leader.objects.get(county=county, name="杜文博")
    first = (
        Leader.objects.filter(county=county, is_active=True)
        .exclude(pk=du.pk)
        .order_by("protocol_order", "id")[0]
    )
    leader_user = persona("leader")
    assert leader_user.leader == du
    with frozen(2026, 10, 12) as traveller:
        matter = new_matter(bureau, county, date=day(2026, 10, 12))
        unowned = new_matter(bureau, county, date=day(2026, 10, 12), content="另一件事项")
        assert not matters_for_user(user=leader_user).exists()

        ownership_assign(by=bureau, matter=matter, leader=first)
        assert not matters_for_user(user=leader_user).exists()
        traveller.move_to(at(2026, 11, 2))
        current = ownership_assign(by=bureau, matter=matter, leader=du)
        with pytest.raises(RegistryError, match="杜文博已是该事项的包案领导") as error:
            ownership_assign(by=bureau, matter=matter, leader=du)
        chinese(error)

    released = Ownership.objects.get(matter=matter, leader=first)
    assert not released.is_current and released.ended_on == day(2026, 11, 2)
    assert released.since == day(2026, 10, 12)
    stored = Ownership.objects.get(pk=current.pk)
    assert stored.is_current and stored.ended_on is None and stored.since == day(2026, 11, 2)
    assert stored.assigned_by == bureau
    assert list(matters_for_user(user=leader_user).values_list("pk", flat=True)) == [matter.pk]
    assert unowned.pk not in set(matters_for_user(user=leader_user).values_list("pk", flat=True))
    records = audits(matter, "matter.owner")
    assert [r.changes["leader"] for r in records] == [[None, first.name], [first.name, "杜文博"]]
