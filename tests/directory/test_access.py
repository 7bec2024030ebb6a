"""Who may open what: role navigation, 403 for roles without the page, 404 for objects out of scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xinfang.directory.models import Leader, Unit

pytestmark = pytest.mark.django_db

DIRECTORY_PAGES = ("/directory/units/", "/directory/leaders/", "/directory/categories/")


def unit(name: str) -> Unit:
    return Unit.objects.get(county__code="410421", name=name)


@pytest.mark.parametrize(
    ("username", "expected", "absent"),
    [
        ("bureau", ["工作台", "乡镇与单位", "县级领导", "问题分类", "时限规则"], ["审计日志", "账号管理"]),
        ("bureau_head", ["工作台", "时限规则", "账号解锁"], ["审计日志", "角色授权"]),
        ("secretary", ["工作台", "乡镇与单位", "县级领导"], ["时限规则", "审计日志"]),
        ("leader", ["工作台", "乡镇与单位"], ["时限规则", "审计日志"]),
        ("zhouzhuang", ["工作台", "本单位"], ["乡镇与单位", "时限规则", "审计日志"]),
        ("renshe", ["工作台", "本单位"], ["县级领导", "审计日志"]),
        ("auditor", ["审计日志"], ["工作台", "乡镇与单位", "账号管理"]),
        ("sysadmin", ["工作台", "账号管理", "账号解锁"], ["审计日志", "乡镇与单位", "角色授权"]),
        ("secadmin", ["工作台", "角色授权", "账号解锁"], ["审计日志", "乡镇与单位", "账号管理"]),
    ],
)
def test_it_shows_each_role_its_own_navigation(client_for, username, expected, absent):
    response = client_for(username).get("/", follow=True)
    nav = response.content.decode().split('aria-label="主导航"')[1].split("</nav>")[0]
    for label in expected:
        assert label in nav
    for label in absent:
        assert label not in nav


@pytest.mark.parametrize("username", ["auditor", "sysadmin", "secadmin", "zhouzhuang", "renshe"])
@pytest.mark.parametrize("path", DIRECTORY_PAGES)
def test_it_refuses_county_directory_pages_to_roles_without_them(client_for, username, path):
    response = client_for(username).get(path)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.parametrize("username", ["bureau", "bureau_head", "secretary", "leader"])
@pytest.mark.parametrize("path", DIRECTORY_PAGES)
def test_it_opens_county_directory_pages_to_bureau_and_leaders(client_for, username, path):
    response = client_for(username).get(path)
    assert response.status_code == 200
    assert "宝丰县" in response.content.decode()


def test_it_gives_the_zhouzhuang_user_their_own_township(client_for):
    response = client_for("zhouzhuang").get(reverse("directory:unit", args=[unit("周庄镇").pk]))
    assert response.status_code == 200
    assert "周庄镇" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "other"),
    [("zhouzhuang", "闹店镇"), ("zhouzhuang", "县人社局"), ("renshe", "周庄镇"), ("renshe", "县公安局")],
)
def test_it_answers_404_for_another_units_page(client_for, username, other):
    response = client_for(username).get(reverse("directory:unit", args=[unit(other).pk]))
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_it_answers_404_to_another_countys_staff(client_for, outsider):
    client = client_for(outsider)
    assert client.get(reverse("directory:unit", args=[unit("周庄镇").pk])).status_code == 404
    leader = Leader.objects.filter(county__code="410421").earliest("id")
    assert client.get(reverse("directory:leader", args=[leader.pk])).status_code == 404
    units_page = client.get("/directory/units/").content.decode()
    assert "周庄镇" not in units_page


def test_it_answers_404_for_a_unit_that_does_not_exist(client_for):
    assert client_for("bureau").get(reverse("directory:unit", args=[999999])).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    for path in ("/", *DIRECTORY_PAGES, "/audit/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_django_admin_is_gone_for_every_role(client_for):
    """The maintenance pages are the app's own (/directory/…, /rules/, /accounts/); Django's admin is not
    served at all."""
    for username in ("bureau", "bureau_head", "sysadmin", "secadmin"):
        assert client_for(username).get("/manage/").status_code == 404
        assert client_for(username).get("/admin/").status_code == 404


def test_it_lets_bureau_staff_maintain_only_their_countys_directory(client_for, outsider):
    client = client_for("bureau")
    assert client.get("/directory/units/new/").status_code == 200
    assert client.get("/accounts/").status_code == 403
    other = Unit.objects.create(county=outsider.county, kind=Unit.Kind.TOWNSHIP, name="辛集乡")
    assert client.get(f"/directory/units/{other.pk}/edit/").status_code == 404
    assert "辛集乡" not in client.get("/directory/units/").content.decode()


def test_it_keeps_leaders_to_reading_the_directory(client_for):
    client = client_for("secretary")
    assert client.get("/directory/leaders/").status_code == 200
    assert client.get(f"/directory/units/{unit('周庄镇').pk}/edit/").status_code == 403


def test_it_shows_an_account_without_a_role_nothing_but_a_notice(client_for, county):
    from xinfang.accounts.models import User
    from xinfang.core.roles import Role

    waiting = User.objects.create(username="waiting", role=Role.NONE, county=county)
    client = client_for(waiting)
    page = client.get("/").content.decode()
    assert "账号尚未授权" in page
    assert "启用账号" not in page
    for path in ("/directory/units/", "/audit/", "/rules/", "/accounts/", "/directory/units/new/"):
        assert client.get(path).status_code == 403


def test_it_refuses_two_heads_for_one_unit_in_chinese(client_for):
    from xinfang.directory.models import UnitOfficial

    township = unit("周庄镇")
    member = UnitOfficial.objects.filter(unit=township, is_head=False).earliest("id")
    data = {"name": member.name, "position": member.position, "title": member.title, "mobile": member.mobile,
            "order": member.order, "is_active": "on", "is_head": "on"}  # fmt: skip
    response = client_for("bureau").post(f"/directory/officials/{member.pk}/edit/", data)
    assert response.status_code == 422
    assert "每个单位只能有一位在职的一把手" in response.content.decode()
    assert UnitOfficial.objects.filter(unit=township, is_head=True).count() == 1


@pytest.mark.parametrize(("path", "current"), [("/matters/", "信访事项"), ("/stats/", "统计")])
def test_the_navigation_marks_the_page_it_is_on_and_only_that_one(client_for, path, current):
    nav = (
        client_for("zhouzhuang").get(path).content.decode().split('aria-label="主导航"')[1].split("</nav>")[0]
    )
    assert nav.count('aria-current="page"') == 1
    assert f'aria-current="page">{current}</a>' in nav
