"""The county's revision: every change of its directory or registry rules raises it, and what pages keep
in memory of them (directory.selectors.county_cached) is read again at the next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xinfang.accounts.models import User
from xinfang.demo.services import demo_county_load
from xinfang.directory import services
from xinfang.directory.categories import CATEGORY_TREE
from xinfang.directory.models import Category, County, Leader, Township, Unit
from xinfang.directory.selectors import directory_labels
from xinfang.petitions.models import RegistryRules
from xinfang.petitions.selectors import registry_rules_kept
from xinfang.petitions.services.county_rules import registry_rules_update


def revision(county: County) -> int:
    return County.objects.values_list("revision", flat=True).get(pk=county.pk)


def test_each_kind_of_change_raises_the_revision_in_the_writers_transaction(county, persona):
    bureau = persona("bureau")
    changes = [
        lambda: services.unit_create(by=bureau, county=county, kind=Unit.Kind.TOWNSHIP, name="新城街道",
                                     short_name="新城"),
        lambda: Township.objects.filter(county=county).first().save(),  # a proxy's save
        lambda: Category.objects.filter(county=county).first().save(),
        lambda: Leader.objects.filter(county=county).first().save(),
        lambda: registry_rules_update(by=persona("bureau_head"), county=county,
                                      changes={"deadline_warning_days": 5}),
    ]  # fmt: skip
    for change in changes:
        before = revision(county)
        change()
        assert revision(county) == before + 1


def test_seeding_categories_in_bulk_raises_it_too(persona):
    county = County.objects.create(code="410422", name="叶县", city="平顶山市", province="河南省",
                                   bureau_name="叶县信访局")  # fmt: skip
    assert services.categories_seed(county=county) > 0
    # One for each first-level category's save, and one after the last second-level ones' bulk_create.
    assert revision(county) == len(CATEGORY_TREE) + 1


@pytest.fixture
def committed(transactional_db) -> tuple[County, Client]:
    demo_county_load()
    client = Client()
    client.force_login(User.objects.get(username="bureau"))
    return County.objects.get(code="410421"), client


def list_page(client: Client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/matters/")
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries]


@pytest.mark.django_db(transaction=True)
def test_the_list_reads_the_directory_once_and_again_after_a_change(committed):
    county, client = committed
    _, first = list_page(client)
    assert any('FROM "directory_unit"' in sql for sql in first)
    page, again = list_page(client)
    assert not any('FROM "directory_unit"' in sql or '"directory_leader"' in sql for sql in again)
    assert not any('"petitions_registryrules"' in sql for sql in again)
    assert "新城街道" not in page
    services.unit_create(by=User.objects.get(username="bureau"), county=county, kind=Unit.Kind.TOWNSHIP,
                         name="新城街道", short_name="新城")  # fmt: skip
    page, _ = list_page(client)
    assert page.count("新城街道") == 2  # the township and the responsible-unit filters


@pytest.mark.django_db(transaction=True)
def test_a_rules_change_reaches_the_kept_rules_at_the_next_request(committed):
    county, _ = committed
    assert registry_rules_kept(County.objects.get(pk=county.pk)).deadline_warning_days == 3
    registry_rules_update(by=User.objects.get(username="bureau_head"), county=county,
                          changes={"deadline_warning_days": 7})  # fmt: skip
    assert registry_rules_kept(County.objects.get(pk=county.pk)).deadline_warning_days == 7
    assert RegistryRules.objects.get(county=county).deadline_warning_days == 7


@pytest.mark.django_db(transaction=True)
def test_the_lists_names_are_kept_and_a_unit_newer_than_the_kept_ones_is_read(committed):
    county, _ = committed
    stale = County.objects.get(pk=county.pk)  # the county as a request read it, before the change below
    township = Unit.objects.get(county=county, name="周庄镇")
    child = Category.objects.filter(county=county, parent__isnull=False).select_related("parent").first()
    assert child is not None and child.parent is not None
    kept = directory_labels(stale, units={township.pk}, categories={child.pk})
    assert kept.units[township.pk] == "周庄镇"
    assert kept.categories[child.pk] == f"{child.parent.name}/{child.name}"
    assert kept.categories[child.parent.pk] == child.parent.name
    created = services.unit_create(by=User.objects.get(username="bureau"), county=county,
                                   kind=Unit.Kind.TOWNSHIP, name="新城街道", short_name="新城")  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        assert directory_labels(stale, units={township.pk}) is kept
    assert not queries.captured_queries
    with CaptureQueriesContext(connection) as queries:
        names = directory_labels(stale, units={township.pk, created.pk}, categories={child.pk})
    assert names.units == {**kept.units, created.pk: "新城街道"}
    assert [query["sql"].count('FROM "directory_unit"') for query in queries.captured_queries] == [1]
    fresh = directory_labels(County.objects.get(pk=county.pk))  # the next request: the new revision
    assert fresh.units[created.pk] == "新城街道"
