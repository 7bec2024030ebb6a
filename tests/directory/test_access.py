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
        ("bureau", ["工作台", "乡镇与单位", "县级领导", "问题分类", "名录维护"], ["审计日志", "账号管理"]),
        ("bureau_head", ["工作台", "名录维护"], ["审计日志", "角色授权"]),
        ("secretary", ["工作台", "乡镇与单位", "县级领导"], ["名录维护", "审计日志"]),
        ("leader", ["工作台", "乡镇与单位"], ["名录维护", "审计日志"]),
        ("zhouzhuang", ["工作台", "本单位"], ["乡镇与单位", "名录维护", "审计日志"]),
        ("renshe", ["工作台", "本单位"], ["县级领导", "审计日志"]),
        ("auditor", ["审计日志"], ["工作台", "乡镇与单位", "账号管理"]),
        ("sysadmin", ["工作台", "账号管理"], ["审计日志", "乡镇与单位", "角色授权"]),
        ("secadmin", ["工作台", "角色授权"], ["审计日志", "乡镇与单位", "账号管理"]),
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


@pytest.mark.parametrize("username", ["zhouzhuang", "renshe", "secretary", "leader", "auditor"])
def test_it_keeps_the_maintenance_pages_from_roles_without_them(client_for, username):
    response = client_for(username).get("/manage/")
    assert response.status_code == 302
    assert "/manage/login/" in response["Location"]


def test_it_lets_bureau_staff_maintain_only_their_countys_directory(client_for, outsider):
    client = client_for("bureau")
    assert client.get("/manage/directory/township/").status_code == 200
    assert client.get("/manage/accounts/user/").status_code == 403
    other = Unit.objects.create(county=outsider.county, kind=Unit.Kind.TOWNSHIP, name="辛集乡")
    response = client.get(f"/manage/directory/township/{other.pk}/change/")
    assert response.status_code == 302  # the admin redirects an unknown id to the index
    assert "辛集乡" not in client.get("/manage/directory/township/").content.decode()


def test_it_keeps_leaders_to_reading_the_directory(client_for):
    client = client_for("secretary")
    assert client.get("/directory/leaders/").status_code == 200
    assert client.get(f"/manage/directory/township/{unit('周庄镇').pk}/change/").status_code == 302


def test_it_shows_an_account_without_a_role_nothing_but_a_notice(client_for, county):
    from xinfang.accounts.models import User
    from xinfang.core.roles import Role

    waiting = User.objects.create(username="waiting", role=Role.NONE, county=county)
    client = client_for(waiting)
    page = client.get("/").content.decode()
    assert "账号尚未授权" in page
    assert "启用账号" not in page
    for path in ("/directory/units/", "/audit/"):
        assert client.get(path).status_code == 403
    assert client.get("/manage/").status_code == 302


def test_it_answers_a_duplicate_township_name_in_chinese_not_with_a_500(client_for):
    client = client_for("bureau")
    before = Unit.objects.count()
    response = client.post(
        "/manage/directory/township/add/",
        {"name": "周庄镇", "short_name": "周庄2", "code": "", "order": "20", "is_active": "on",
         "officials-TOTAL_FORMS": "0", "officials-INITIAL_FORMS": "0",
         "villages-TOTAL_FORMS": "0", "villages-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "已经存在" in response.content.decode()
    assert Unit.objects.count() == before


def test_it_adds_a_township_to_the_bureaus_own_county_and_audits_it(client_for, county):
    from xinfang.audit.models import AuditRecord

    response = client_for("bureau").post(
        "/manage/directory/township/add/",
        {"name": "新城街道", "short_name": "新城", "code": "", "order": "14", "is_active": "on",
         "officials-TOTAL_FORMS": "0", "officials-INITIAL_FORMS": "0",
         "villages-TOTAL_FORMS": "0", "villages-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    township = Unit.objects.get(name="新城街道")
    assert (township.county, township.kind) == (county, Unit.Kind.TOWNSHIP)
    assert AuditRecord.objects.filter(action="township.create", object_id=str(township.pk)).exists()


def test_it_refuses_a_duplicate_category_code_in_chinese(client_for):
    from xinfang.directory.models import Category

    before = Category.objects.count()
    response = client_for("bureau").post(
        "/manage/directory/category/add/", {"code": "01", "name": "新分类", "order": "1", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "已经存在" in response.content.decode()
    assert Category.objects.count() == before


def test_it_refuses_two_heads_for_one_unit_in_chinese(client_for):
    from xinfang.directory.models import UnitOfficial

    township = unit("周庄镇")
    officials = list(UnitOfficial.objects.filter(unit=township).order_by("id"))
    data = {"name": township.name, "short_name": township.short_name, "code": township.code,
            "order": township.order, "is_active": "on",
            "officials-TOTAL_FORMS": str(len(officials)), "officials-INITIAL_FORMS": str(len(officials)),
            "villages-TOTAL_FORMS": "0", "villages-INITIAL_FORMS": "0"}  # fmt: skip
    for index, official in enumerate(officials):
        prefix = f"officials-{index}-"
        data.update({f"{prefix}id": official.pk, f"{prefix}unit": township.pk, f"{prefix}name": official.name,
                     f"{prefix}position": official.position, f"{prefix}title": official.title,
                     f"{prefix}mobile": official.mobile, f"{prefix}order": official.order,
                     f"{prefix}is_active": "on", f"{prefix}is_head": "on"})  # fmt: skip
    response = client_for("bureau").post(f"/manage/directory/township/{township.pk}/change/", data)
    assert response.status_code == 200
    assert "每个单位只能有一位在职的一把手" in response.content.decode()
    assert UnitOfficial.objects.filter(unit=township, is_head=True).count() == 1


def test_it_refuses_an_unavailable_period_ending_before_it_starts(client_for):
    from xinfang.directory.models import LeaderUnavailability

    leader = Leader.objects.get(county__code="410421", name="杜文博")
    client = client_for("bureau")
    data = {
        "name": leader.name, "post_kind": leader.post_kind, "post": leader.post, "body": leader.body,
        "protocol_order": leader.protocol_order, "mobile": leader.mobile, "is_active": "on",
        "liaison_townships": [t.pk for t in leader.liaison_townships.all()],
        "unavailable_periods-TOTAL_FORMS": "1", "unavailable_periods-INITIAL_FORMS": "0",
        "unavailable_periods-0-start": "2026-12-10", "unavailable_periods-0-end": "2026-12-01",
        "unavailable_periods-0-reason": "外出学习",
    }  # fmt: skip
    response = client.post(f"/manage/directory/leader/{leader.pk}/change/", data)
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not LeaderUnavailability.objects.filter(leader=leader).exists()
