from __future__ import annotations

import pytest

from xinfang.directory.models import Leader, Unit, UnitOfficial
from xinfang.directory.selectors import directory_figures
from xinfang.lib.masking import mask_phone

pytestmark = pytest.mark.django_db


def test_it_counts_the_demo_countys_directory_exactly(county):
    figures = directory_figures(county=county)
    assert figures.townships == 13
    assert figures.villages + figures.communities == 13 * 12
    assert figures.departments == 19
    assert figures.leaders == 29
    assert figures.top_six == 6
    assert figures.liaison_covered == 13
    assert figures.categories_first == 17
    assert figures.unit_accounts == 32 + 31  # a clerk per unit, and a head per unit but the bureau


def test_it_renders_the_dashboard_in_a_bounded_number_of_queries(client_for, django_assert_max_num_queries):
    client = client_for("bureau")
    # The directory's figures and tables, each to-do card's bounded count, the week's events.
    with django_assert_max_num_queries(32):
        response = client.get("/")
    assert response.status_code == 200
    assert "宝丰县信访工作台" in response.content.decode()


@pytest.mark.parametrize("path", ["/directory/units/", "/directory/leaders/", "/directory/categories/"])
def test_it_lists_the_directory_in_a_bounded_number_of_queries(
    client_for, django_assert_max_num_queries, path
):
    client = client_for("secretary")
    with django_assert_max_num_queries(15):
        response = client.get(path)
    assert response.status_code == 200


def directory_phones() -> list[tuple[str, str]]:
    """Each directory page and an official's work phone shown on it: a leader, a township head, a
    department head."""
    leader = Leader.objects.exclude(mobile="").order_by("id").first()
    zhouzhuang = Unit.objects.get(name="周庄镇")
    township_head = zhouzhuang.officials.exclude(mobile="").get(is_head=True)
    renshe = UnitOfficial.objects.filter(unit__name="县人社局", is_head=True)
    department_head = renshe.exclude(mobile="").get()
    assert leader is not None
    return [
        ("/directory/leaders/", leader.mobile),
        (f"/directory/leaders/{leader.pk}/", leader.mobile),
        ("/directory/units/", township_head.mobile),
        ("/directory/units/", department_head.mobile),
        (f"/directory/units/{zhouzhuang.pk}/", township_head.mobile),
        (f"/directory/units/{department_head.unit_id}/", department_head.mobile),
    ]


@pytest.mark.parametrize("username", ["bureau", "bureau_head"])
def test_the_bureau_sees_officials_work_phones_in_full_on_every_directory_page(client_for, username):
    client = client_for(username)
    for path, mobile in directory_phones():
        page = client.get(path).content.decode()
        assert mobile in page, path
        assert mask_phone(mobile) not in page, path


@pytest.mark.parametrize("username", ["secretary", "leader"])
def test_everyone_else_sees_officials_phones_masked(client_for, username):
    client = client_for(username)
    for path, mobile in directory_phones():
        page = client.get(path).content.decode()
        assert mask_phone(mobile) in page, path
        assert mobile not in page, path


def test_a_unit_user_sees_its_own_officials_phones_masked(client_for):
    zhouzhuang = Unit.objects.get(name="周庄镇")
    head = zhouzhuang.officials.exclude(mobile="").get(is_head=True)
    for path in (f"/directory/units/{zhouzhuang.pk}/", "/"):
        page = client_for("zhouzhuang").get(path).content.decode()
        assert mask_phone(head.mobile) in page and head.mobile not in page, path
