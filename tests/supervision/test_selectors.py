"""Who sees which supervision item: the bureau and the main leaders their county's, a county leader the
items they lead, a unit its own; nobody an item about a matter that reports them (Art. 46), even one
created before the matter was found to report them; auditors and admins none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from tests.petitions.support import frozen, new_matter
from tests.supervision.support import leader_of, new_item
from xinfang.supervision.selectors import (
    ItemFilter,
    item_counts,
    item_get_for_user,
    items_filtered,
    items_for_user,
)
from xinfang.supervision.services import progress_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(county, persona):
    bureau = persona("bureau")
    leader = leader_of(persona("leader"))
    secretary = leader_of(persona("secretary"))
    with frozen():
        return {
            "zhouzhuang": new_item(county, bureau, leader=leader, units=("周庄镇",)),
            "renshe": new_item(county, bureau, leader=secretary, units=("县人社局",)),
            "both": new_item(county, bureau, leader=leader, units=("周庄镇", "县人社局")),
            "leader_only": new_item(county, bureau, leader=secretary, units=()),
        }


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("bureau", {"zhouzhuang", "renshe", "both", "leader_only"}),
        ("bureau_head", {"zhouzhuang", "renshe", "both", "leader_only"}),
        ("secretary", {"zhouzhuang", "renshe", "both", "leader_only"}),
        ("leader", {"zhouzhuang", "both"}),
        ("zhouzhuang", {"zhouzhuang", "both"}),
        ("zhouzhuang_head", {"zhouzhuang", "both"}),
        ("renshe", {"renshe", "both"}),
        ("auditor", set()),
        ("sysadmin", set()),
        ("secadmin", set()),
    ],
)
def test_each_persona_sees_exactly_its_items(items, persona, username, expected):
    user = persona(username)
    seen = set(items_for_user(user=user).values_list("pk", flat=True))
    assert seen == {items[name].pk for name in expected}
    for name, item in items.items():
        if name in expected:
            assert item_get_for_user(user=user, item_id=item.pk) == item
        else:
            with pytest.raises(Http404):
                item_get_for_user(user=user, item_id=item.pk)


def test_another_county_sees_nothing(items, outsider):
    assert not items_for_user(user=outsider).exists()


def test_the_reported_unit_never_sees_an_item_about_a_matter_that_reports_it(county, persona):
    bureau, zhouzhuang = persona("bureau"), persona("zhouzhuang")
    with frozen():
        matter = new_matter(bureau, county)
        item = new_item(county, bureau, leader=leader_of(persona("leader")), matter=matter, units=("周庄镇",))
    assert item_get_for_user(user=zhouzhuang, item_id=item.pk) == item
    matter.reported_units.add(zhouzhuang.unit)  # found later to report the township itself
    for user in (zhouzhuang, persona("zhouzhuang_head")):
        with pytest.raises(Http404):
            item_get_for_user(user=user, item_id=item.pk)
        assert not items_for_user(user=user).exists() and item_counts(user=user).open == 0
    assert item_get_for_user(user=bureau, item_id=item.pk) == item


def test_a_reported_person_never_sees_it_either(county, persona):
    bureau, leader = persona("bureau"), persona("leader")
    with frozen():
        matter = new_matter(bureau, county)
        item = new_item(county, bureau, leader=leader_of(leader), matter=matter, units=("周庄镇",))
    matter.reported_accounts.add(leader)
    with pytest.raises(Http404):
        item_get_for_user(user=leader, item_id=item.pk)


def test_filters_and_counts_read_overdue_and_awaiting(items, persona):
    bureau, zhouzhuang = persona("bureau"), persona("zhouzhuang")
    with frozen():
        progress_report(item=items["both"], user=zhouzhuang, date=dt.date(2026, 11, 2), text="已办理")
    with frozen(2026, 12, 11):  # every deadline (10 December) has passed
        counts = item_counts(user=bureau)
        assert (counts.open, counts.overdue, counts.awaiting) == (4, 4, 1)
        overdue = items_filtered(user=bureau, filters=ItemFilter(state="overdue"))
        shown = {item.shown_state for item in overdue}  # type: ignore[attr-defined]
        assert shown == {"overdue"} and overdue.count() == 4
        assert not items_filtered(user=bureau, filters=ItemFilter(state="todo")).exists()
        unit = zhouzhuang.unit_id
        assert items_filtered(user=bureau, filters=ItemFilter(unit_id=unit)).count() == 2
    with frozen():
        counts = item_counts(user=zhouzhuang)
        assert (counts.open, counts.overdue) == (2, 0)
        leader = persona("secretary").leader_id
        assert items_filtered(user=bureau, filters=ItemFilter(state="todo", leader_id=leader)).count() == 2
        assert [i.pk for i in items_filtered(user=bureau, filters=ItemFilter(state="awaiting"))] == [
            items["both"].pk
        ]
