from __future__ import annotations

import pytest

from xinfang.directory.selectors import directory_figures

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
    with django_assert_max_num_queries(25):
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


def test_it_masks_officials_phones_on_directory_pages(client_for):
    page = client_for("bureau").get("/directory/leaders/").content.decode()
    assert "139****" in page
    assert "13937500" not in page
