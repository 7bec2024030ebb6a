"""The registration form as a clerk uses it (issue 14, item 4): today's date, the village list that follows
the township, no blank "---------" options, and the receipt (回执) printed for the petitioner."""

from __future__ import annotations

import re
import zlib

import pytest

from tests.petitions.test_registry_pages import form_data, register
from xinfang.directory.models import County, Unit, Village

pytestmark = pytest.mark.django_db  # the clock stands at 2026-11-20 10:00 (test_registry_pages' fixture)
from tests.petitions.test_registry_pages import _frozen_clock  # noqa: E402, F401


def test_the_form_opens_on_today_with_no_blank_dashes_and_no_village_before_a_township(client_for):
    page = client_for("bureau").get("/matters/new/").content.decode()
    assert re.search(r'name="date" value="2026-11-20"', page)
    assert "---------" not in page
    villages = page.split('name="origin_village"')[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*>([^<]*)</option>", villages) == ["（请先选择乡镇）"]


def test_the_village_list_follows_the_township_of_the_county_only(client_for, county):
    bureau = client_for("bureau")
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    names = set(Village.objects.filter(township=zhouzhuang, is_active=True).values_list("name", flat=True))
    options = bureau.get("/matters/villages/", {"origin_township": zhouzhuang.pk}).content.decode()
    assert set(re.findall(r'<option value="\d+">([^<]+)</option>', options)) == names
    other = County.objects.create(
        code="410422", name="叶县", province="河南省", city="平顶山市", bureau_name="叶县信访局"
    )
    elsewhere = Unit.objects.create(county=other, name="叶邑镇", kind=Unit.Kind.TOWNSHIP)
    for township in (elsewhere.pk, "x", ""):
        options = bureau.get("/matters/villages/", {"origin_township": township}).content.decode()
        assert options == '<option value="">（请先选择乡镇）</option>'
    assert client_for("zhouzhuang").get("/matters/villages/").status_code == 403


def test_a_form_sent_back_shows_the_chosen_townships_villages(client_for, county):
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    page = client_for("bureau").post("/matters/new/", form_data(county, content="")).content.decode()
    villages = page.split('name="origin_village"')[1].split("</select>")[0]
    shown = set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', villages))
    assert shown == set(
        Village.objects.filter(township=zhouzhuang, is_active=True).values_list("name", flat=True)
    )


def test_the_receipt_names_the_matter_its_code_and_the_time_limits(client_for, county):
    matter = register(client_for("bureau"), county)
    page = client_for("bureau").get(f"/matters/{matter.pk}/receipt/").content.decode()
    for shown in (matter.number, matter.query_code, "张建军", county.bureau_name, "15日内", "60日内",
                  "/public/query/", "2026年11月19日"):  # fmt: skip
        assert shown in page, shown
    assert "410421198503150016" not in page and "13937512345" not in page
    detail = client_for("bureau").get(f"/matters/{matter.pk}/").content.decode()
    assert f'href="/matters/{matter.pk}/receipt/"' in detail


def test_the_receipt_pdf_embeds_a_chinese_font(client_for, county):
    matter = register(client_for("bureau"), county)
    response = client_for("bureau").get(f"/matters/{matter.pk}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    objects = pdf_objects(response.content)
    assert b"/FontFile" in objects
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-\w+-CJK", objects), "no embedded Noto CJK font"


def pdf_objects(pdf: bytes) -> bytes:
    """A PDF's objects as text, its compressed object streams unpacked."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_only_the_bureau_prints_receipts(client_for, county):
    matter = register(client_for("bureau"), county)
    for who in ("zhouzhuang", "secretary"):
        assert client_for(who).get(f"/matters/{matter.pk}/receipt/").status_code == 403
