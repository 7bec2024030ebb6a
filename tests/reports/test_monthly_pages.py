"""The monthly analysis pages as the bureau and the main leaders use them (issue 18): draft a closed month,
its figures drilling down to their events and matters, edit, recount, approve by the bureau head only,
the issue read by a main leader, an unfinished month refused with its reason."""

from __future__ import annotations

import pytest

from tests.petitions.support import frozen
from tests.reports.test_monthly import month_of_visits
from xinfang.directory.models import Unit
from xinfang.documents.models import Delivery
from xinfang.reports.models import MonthlyReport

pytestmark = pytest.mark.django_db


def drafted(client_for) -> MonthlyReport:
    response = client_for("bureau").post("/reports/monthly/draft/", {"month": "2026-10"})
    assert response.status_code == 302
    return MonthlyReport.objects.get()


def test_staff_draft_edit_recount_and_the_head_approves(county, client_for) -> None:
    with frozen():
        month_of_visits(county)
        report = drafted(client_for)
        bureau = client_for("bureau")
        page = bureau.get(f"/reports/monthly/{report.pk}/").content.decode()
        assert "草稿" in page and "重新统计" in page and "monthly-approve" not in page
        # Every count drills down: events to /stats/events/ with the month, units to /matters/.
        assert 'href="/stats/events/?date_from=2026-10-01&amp;date_to=2026-10-31"' in page
        assert 'href="/stats/events/?date_from=2026-10-01&amp;date_to=2026-10-31&amp;level=province"' in page
        renshe = Unit.objects.get(county=county, name="县人社局")
        assert f"/matters/?date_from=2026-10-01&amp;date_to=2026-10-31&amp;unit={renshe.pk}" in page
        assert "近12个月信访批次走势" in page and "data:image/svg+xml" in page  # the trend chart
        assert "舆情预判" in page and "下一步工作" in page
        # No 环比, 同比 or rate ("—") stands at the left of its right-aligned column.
        assert '<td class="num">—</td>' in page and "<td>—</td>" not in page
        saved = bureau.post(
            f"/reports/monthly/{report.pk}/", {"analysis": "越级访增多。", "suggestions": "压实包案。"}
        )
        assert saved.status_code == 302
        too_long = bureau.post(
            f"/reports/monthly/{report.pk}/", {"analysis": "字" * 20_001, "suggestions": ""}
        )
        assert too_long.status_code == 422
        recount = bureau.post(f"/reports/monthly/{report.pk}/recount/", follow=True)
        assert "已按最新登记重新统计" in recount.content.decode()
        assert bureau.post(f"/reports/monthly/{report.pk}/approve/", {"confirm": "1"}).status_code == 403
        head = client_for("bureau_head")
        assert "monthly-approve" in head.get(f"/reports/monthly/{report.pk}/").content.decode()
        unconfirmed = head.post(f"/reports/monthly/{report.pk}/approve/", {}, follow=True)
        assert "请确认" in unconfirmed.content.decode()
        done = head.post(f"/reports/monthly/{report.pk}/approve/", {"confirm": "1"}, follow=True)
        assert "已审定印发2026年第1期月信访形势分析" in done.content.decode()
        # A main leader opens the issue: the read receipt is recorded.
        secretary = client_for("secretary")
        issue = secretary.get(f"/reports/monthly/{report.pk}/").content.decode()
        assert "2026年第1期月信访形势分析" in issue and "越级访增多" in issue
    report.refresh_from_db()
    assert report.state == MonthlyReport.State.ISSUED and report.suggestions == "压实包案。"
    assert report.document is not None
    assert Delivery.objects.filter(document=report.document, read_at__isnull=False).exists()
    listing = client_for("bureau").get("/reports/monthly/").content.decode()
    assert "第1期" in listing and "2026-10" in listing


def test_an_unfinished_month_is_refused_with_a_reason(county, client_for) -> None:
    with frozen():
        response = client_for("bureau").post("/reports/monthly/draft/", {"month": "2026-11"}, follow=True)
        bad = client_for("bureau").post("/reports/monthly/draft/", {"month": "十月"}, follow=True)
    assert "2026年11月尚未结束" in response.content.decode()
    assert "月份应写作 YYYY-MM" in bad.content.decode()
    assert not MonthlyReport.objects.exists()


def test_a_draft_is_the_bureaus_only(county, client_for) -> None:
    with frozen():
        report = drafted(client_for)
        assert client_for("secretary").get(f"/reports/monthly/{report.pk}/").status_code == 404
        assert client_for("zhouzhuang").get(f"/reports/monthly/{report.pk}/").status_code == 403
        assert (
            client_for("secretary").post(f"/reports/monthly/{report.pk}/", {"analysis": "x"}).status_code
            == 404
        )


def test_the_list_reads_in_a_bounded_number_of_queries(
    county, client_for, django_assert_max_num_queries
) -> None:
    with frozen():
        drafted(client_for)
        client_for("bureau").post("/reports/monthly/draft/", {"month": "2026-09"})
        bureau = client_for("bureau")
        with django_assert_max_num_queries(8):
            page = bureau.get("/reports/monthly/").content.decode()
    assert page.count("未编号") == 2 and "2026-09" in page and "2026-10" in page
