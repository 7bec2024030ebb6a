"""Who sees which matter: county, unit, role, and the units and accounts a matter reports (SPEC §4)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.petitions.support import frozen, new_matter, unit
from xinfang.petitions.models import Matter
from xinfang.petitions.selectors import (
    MatterFilter,
    matters_filtered,
    matters_for_user,
    matters_newest_ids,
    matters_total,
)
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.transfer import matter_assign

pytestmark = pytest.mark.django_db


def test_it_scopes_matters_to_each_users_county_unit_and_role(
    county, bureau, zhouzhuang, renshe, persona, outsider
):
    with frozen():
        from_zhouzhuang = new_matter(bureau, county, township="周庄镇")
        assigned_zhouzhuang = new_matter(bureau, county, township="城关镇")
        matter_assign(by=bureau, matter=assigned_zhouzhuang, unit=unit(county, "周庄镇"), kind="assign")
        renshe_handles = new_matter(bureau, county, township="城关镇", responsible="县人社局")
        nobodys = new_matter(bureau, county, township="城关镇")
        reports_renshe = new_matter(
            bureau, county, township="周庄镇", responsible="县人社局", purpose=Matter.Purpose.ACCUSATION
        )
        # Registration refuses this pairing; an accusation added later must still hide the matter.
        reports_renshe.reported_units.add(unit(county, "县人社局"))
        reports_zhouzhuang = new_matter(bureau, county, township="周庄镇", reported=("周庄镇",))
        reports_bureau = new_matter(bureau, county, township="周庄镇", responsible="县人社局")
        reports_bureau.reported_accounts.add(bureau)
        reports_zhouzhuang_user = new_matter(bureau, county, township="周庄镇")
        reports_zhouzhuang_user.reported_accounts.add(zhouzhuang)

    ours = {
        m.pk: name
        for name, m in {
            "from_zhouzhuang": from_zhouzhuang,
            "assigned_zhouzhuang": assigned_zhouzhuang,
            "renshe_handles": renshe_handles,
            "nobodys": nobodys,
            "reports_renshe": reports_renshe,
            "reports_zhouzhuang": reports_zhouzhuang,
            "reports_bureau": reports_bureau,
            "reports_zhouzhuang_user": reports_zhouzhuang_user,
        }.items()
    }

    def seen(user) -> set[str]:
        scope = {
            ours[pk] for pk in matters_for_user(user=user).filter(pk__in=ours).values_list("pk", flat=True)
        }
        # A list page's form of the scope (assignments probed row by row) holds the same matters.
        paged = matters_for_user(user=user, paged=True).filter(pk__in=ours)
        assert {ours[pk] for pk in paged.values_list("pk", flat=True)} == scope
        return scope

    assert seen(zhouzhuang) == {"from_zhouzhuang", "assigned_zhouzhuang", "reports_renshe", "reports_bureau"}
    assert seen(renshe) == {"renshe_handles", "reports_bureau"}
    assert seen(bureau) == set(ours.values()) - {"reports_bureau"}
    assert seen(persona("bureau_head")) == set(ours.values())
    assert seen(persona("secretary")) == set(ours.values())
    assert seen(persona("leader")) == set()
    for username in ("auditor", "sysadmin", "secadmin"):
        assert not matters_for_user(user=persona(username)).exists(), username
    assert not matters_for_user(user=outsider).exists()


def test_it_totals_a_units_list_once_per_matter_whichever_branch_shows_it(county, bureau, zhouzhuang, renshe):
    with frozen():
        new_matter(bureau, county, township="周庄镇", responsible="周庄镇")  # township and handler
        new_matter(bureau, county, township="周庄镇")
        handed_on = new_matter(bureau, county, township="城关镇")
        matter_assign(by=bureau, matter=handed_on, unit=unit(county, "周庄镇"), kind="assign")
        # A ledger import may name another responsible unit while the assignment stays current.
        Matter.objects.filter(pk=handed_on.pk).update(responsible_unit=unit(county, "县人社局"))
        new_matter(bureau, county, township="周庄镇", reported=("周庄镇",))
        new_matter(bureau, county, township="城关镇")

    for user, expected in ((zhouzhuang, 3), (renshe, 1)):
        assert matters_total(user=user, filters=MatterFilter()) == expected
        for filters in (
            MatterFilter(),
            MatterFilter(status=Matter.Status.TRANSFERRED),
            MatterFilter(todo="receive"),
        ):
            count = matters_filtered(user=user, filters=filters).count()
            assert matters_total(user=user, filters=filters) == count
            assert matters_total(user=user, filters=filters, bound=1) == min(count, 2)  # "1+" past the bound


def test_the_newest_page_read_by_a_kept_statement_follows_each_scope_as_it_changes(
    county, bureau, zhouzhuang, renshe, persona, outsider
):
    """matters_newest_ids (the list as it opens) keeps a statement per scope: what it reads must stay
    what matters_for_user holds, newest first, as matters, exclusions and ownerships change."""
    leader = persona("leader")
    users = [bureau, zhouzhuang, renshe, leader, persona("bureau_head"), persona("secretary"), outsider]

    def newest(user, count: int = 6) -> list[int]:
        matters = matters_for_user(user=user).order_by("-last_event_date", "-id")
        return list(matters.values_list("pk", flat=True)[:count])

    def agree() -> None:
        for user in users:
            for count in (1, 6):
                assert matters_newest_ids(user=user, count=count) == newest(user, count), user.username

    agree()  # each scope's statement is compiled here, and read again below
    with frozen(2026, 11, 20):
        mine = new_matter(bureau, county, township="周庄镇", date=dt.date(2026, 11, 20))
        ours = new_matter(
            bureau, county, township="城关镇", responsible="县人社局", date=dt.date(2026, 11, 20)
        )
        agree()
        assert matters_newest_ids(user=zhouzhuang, count=1) == [mine.pk]
        assert matters_newest_ids(user=renshe, count=1) == [ours.pk]
        mine.reported_units.add(unit(county, "周庄镇"))  # an accusation added later hides it (Art. 46)
        ours.reported_accounts.add(bureau)
        agree()
        assert mine.pk not in matters_newest_ids(user=zhouzhuang, count=6)
        assert ours.pk not in matters_newest_ids(user=bureau, count=6)
        for matter in (mine, ours):  # the leader's owned matters are the statement's values: one, then two
            ownership_assign(by=persona("bureau_head"), matter=matter, leader=leader.leader)
            agree()
    assert set(matters_newest_ids(user=leader, count=6)) >= {mine.pk, ours.pk}
