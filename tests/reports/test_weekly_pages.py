"""The weekly analysis pages and the documents pages as each role uses them (issue 15): draft, edit,
approve, read, sign off, 批示 into supervision, downloads audited, out-of-scope 404s."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.petitions.support import frozen
from tests.reports.test_weekly import week_of_visits
from xinfang.audit.models import AuditRecord
from xinfang.directory.models import Leader, Unit
from xinfang.documents.models import Delivery
from xinfang.reports.models import WeeklyReport
from xinfang.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def drafted(client_for) -> WeeklyReport:
    response = client_for("bureau").post("/reports/weekly/draft/", {"week": "2026-10-28"})
    assert response.status_code == 302
    return WeeklyReport.objects.get()


def test_staff_draft_edit_and_the_head_approves(county, client_for) -> None:
    with frozen():
        week_of_visits(county)
        report = drafted(client_for)
        bureau = client_for("bureau")
        page = bureau.get(f"/reports/weekly/{report.pk}/").content.decode()
        assert "草稿" in page and "重新统计" in page and "weekly-approve" not in page  # staff cannot approve
        assert 'href="/stats/events/?date_from=2026-10-26' in page  # figures drill down to their events
        saved = bureau.post(
            f"/reports/weekly/{report.pk}/", {"analysis": "越级访增多。", "suggestions": "压实包案。"}
        )
        assert saved.status_code == 302
        too_long = bureau.post(
            f"/reports/weekly/{report.pk}/", {"analysis": "字" * 20_001, "suggestions": ""}
        )
        assert too_long.status_code == 422 and "20000" in too_long.content.decode()
        assert bureau.post(f"/reports/weekly/{report.pk}/approve/", {"confirm": "1"}).status_code == 403
        head = client_for("bureau_head")
        assert "weekly-approve" in head.get(f"/reports/weekly/{report.pk}/").content.decode()
        unconfirmed = head.post(f"/reports/weekly/{report.pk}/approve/", {}, follow=True)
        assert "请确认" in unconfirmed.content.decode()
        done = head.post(f"/reports/weekly/{report.pk}/approve/", {"confirm": "1"}, follow=True)
        assert "已审定印发2026年第1期每周访情分析" in done.content.decode()
    report.refresh_from_db()
    assert report.state == WeeklyReport.State.ISSUED and report.analysis == "越级访增多。"
    listing = client_for("bureau").get("/reports/weekly/").content.decode()
    assert "第1期" in listing


def test_the_secretary_reads_signs_and_instructs(county, client_for, persona) -> None:
    secretary = persona("secretary")
    with frozen():
        week_of_visits(county)
        report = drafted(client_for)
        client_for("bureau_head").post(f"/reports/weekly/{report.pk}/approve/", {"confirm": "1"})
        report.refresh_from_db()
        client = client_for("secretary")
        inbox = client.get("/documents/").content.decode()
        assert "2026年第1期每周访情分析" in inbox and "待签批" in inbox
        page = client.get(f"/reports/weekly/{report.pk}/").content.decode()
        assert "签批" in page and "批示并交办" in page
        delivery = Delivery.objects.get(document=report.document, leader=secretary.leader)
        assert delivery.read_at is not None  # opening the issue is the read receipt
        client.post(f"/documents/{report.document_id}/sign/", {"note": "请抓紧办理"})
        key = report.document.snapshot["key_matters"][0]
        leader = Leader.objects.get(county=county, name="杜文博")
        unit = Unit.objects.get(county=county, name="县人社局")
        answer = client.post(f"/reports/weekly/{report.pk}/instruct/", {
            "matter": key["number"], "instruction": "请杜文博同志牵头办理", "leader": leader.pk,
            "units": [unit.pk], "deadline": "2026-11-20",
        })  # fmt: skip
        assert answer.status_code == 302
    delivery.refresh_from_db()
    assert delivery.signed_at is not None and delivery.sign_note == "请抓紧办理"
    item = SupervisionItem.objects.get()
    assert item.instructed_by == secretary.leader and not item.on_paper
    assert item.matter is not None and item.matter.number == key["number"]
    assert item.source_url == f"/reports/weekly/{report.pk}/"


def test_the_bureau_records_a_paper_instruction_only_with_its_scan(county, client_for) -> None:
    with frozen():
        week_of_visits(county)
        report = drafted(client_for)
        client_for("bureau_head").post(f"/reports/weekly/{report.pk}/approve/", {"confirm": "1"})
        bureau = client_for("bureau")
        secretary = Leader.objects.get(county=county, post_kind=Leader.PostKind.SECRETARY)
        leader = Leader.objects.get(county=county, name="杜文博")
        form = {"matter": "", "instruction": "请牵头研究", "leader": leader.pk, "deadline": "2026-11-30",
                "instructed_by": secretary.pk}  # fmt: skip
        refused = bureau.post(f"/reports/weekly/{report.pk}/instruct/", form)
        assert refused.status_code == 422 and not SupervisionItem.objects.exists()
        from django.core.files.uploadedfile import SimpleUploadedFile

        scan = SimpleUploadedFile("批示.png", PNG, content_type="image/png")
        assert (
            bureau.post(f"/reports/weekly/{report.pk}/instruct/", {**form, "scan": scan}).status_code == 302
        )
        past = bureau.post(f"/reports/weekly/{report.pk}/instruct/", {**form, "deadline": "2026-10-01"})
        assert past.status_code == 422 and "办理期限不能早于今天" in past.content.decode()
    item = SupervisionItem.objects.get()
    assert item.on_paper and item.scan is not None and item.instructed_by == secretary


def test_downloads_are_audited_and_out_of_scope_is_404(county, client_for) -> None:
    with frozen():
        week_of_visits(county)
        report = drafted(client_for)
        client_for("bureau_head").post(f"/reports/weekly/{report.pk}/approve/", {"confirm": "1"})
        report.refresh_from_db()
        docx = client_for("bureau").get(f"/documents/{report.document_id}/docx/")
        assert docx.status_code == 200 and docx.content[:2] == b"PK"
        assert "attachment" in docx["Content-Disposition"]
        assert AuditRecord.objects.filter(action="document.download").count() == 1
        assert client_for("leader").get(f"/documents/{report.document_id}/").status_code == 404
        assert client_for("leader").get(f"/reports/weekly/{report.pk}/").status_code == 403
        assert client_for("zhouzhuang").get("/documents/").status_code == 403
        assert client_for("bureau").get(f"/documents/{report.document_id}/exe/").status_code == 404
        assert client_for("bureau").get("/reports/weekly/999/").status_code == 404


def test_a_week_not_begun_is_refused_with_a_reason(county, client_for) -> None:
    with frozen():
        answer = client_for("bureau").post("/reports/weekly/draft/", {"week": "2026-12-20"}, follow=True)
    assert "不能起草尚未开始的一周" in answer.content.decode()
    assert not WeeklyReport.objects.exists()
    assert dt.date(2026, 11, 2).weekday() == 0


def test_home_cards_lead_to_the_documents_waiting(county, client_for) -> None:
    with frozen():
        week_of_visits(county)
        report = drafted(client_for)
        bureau_home = client_for("bureau").get("/").content.decode()
        assert "每周访情分析待印发" in bureau_home
        client_for("bureau_head").post(f"/reports/weekly/{report.pk}/approve/", {"confirm": "1"})
        secretary = client_for("secretary")
        home = secretary.get("/").content.decode()
    assert "文件待签批" in home and 'href="/documents/"' in home


def test_a_main_leader_reported_by_a_key_matter_never_sees_it_on_the_issue_page(
    county, client_for, persona
) -> None:
    from tests.reports.test_weekly import visit

    secretary = persona("secretary")
    with frozen():
        week_of_visits(county)
        reporting = visit(county, date=dt.date(2026, 10, 29), level="province")
        reporting.reported_accounts.add(secretary)
        report = drafted(client_for)
        client_for("bureau_head").post(f"/reports/weekly/{report.pk}/approve/", {"confirm": "1"})
        head = Leader.objects.get(county=county, post_kind=Leader.PostKind.COUNTY_HEAD)
        bureau = client_for("bureau")
        from django.core.files.uploadedfile import SimpleUploadedFile

        scan = SimpleUploadedFile("批示.png", PNG, content_type="image/png")
        leader = Leader.objects.get(county=county, name="杜文博")
        form = {
            "matter": reporting.number,
            "instruction": "请核查",
            "leader": leader.pk,
            "deadline": "2026-11-30",
        }
        answer = bureau.post(
            f"/reports/weekly/{report.pk}/instruct/", {**form, "instructed_by": head.pk, "scan": scan}
        )
        assert answer.status_code == 302
        page = client_for("secretary").get(f"/reports/weekly/{report.pk}/").content.decode()
        refused = client_for("secretary").post(f"/reports/weekly/{report.pk}/instruct/", form)
    assert reporting.number not in page and "请核查" not in page
    assert refused.status_code == 422
    assert reporting.number in client_for("bureau").get(f"/reports/weekly/{report.pk}/").content.decode()
