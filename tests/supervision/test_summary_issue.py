"""The 10-day progress summary issued (issue 15): the job issues it once per day, archived as page, Word and
PDF, numbered, sent to the main leaders; a main leader a listed matter reports gets a copy without it;
`xinfang report progress` prints the agreed JSON and writes the files; the summary days are a setting."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.petitions.support import frozen, new_matter
from tests.supervision.support import leader_of, new_item
from xinfang.documents.models import Delivery, DocumentCopy, DocumentKind, IssuedDocument
from xinfang.lib.workdays import WorkCalendar
from xinfang.registry import JOBS
from xinfang.supervision.summary import summary_previous
from xinfang.supervision.summary_issue import progress_summary_days, progress_summary_job

pytestmark = pytest.mark.django_db


def test_the_job_runs_on_the_summary_days_which_are_a_setting(settings) -> None:
    assert "progress_summary" in [job.name for job in JOBS]
    days = list(
        progress_summary_days().days_between(dt.date(2026, 11, 1), dt.date(2026, 11, 30), WorkCalendar())
    )
    assert days == [dt.date(2026, 11, 1), dt.date(2026, 11, 11), dt.date(2026, 11, 21)]
    settings.XINFANG_PROGRESS_SUMMARY_DAYS = "5,15,25"
    assert summary_previous(dt.date(2026, 11, 15)) == dt.date(2026, 11, 5)
    assert summary_previous(dt.date(2026, 11, 5)) == dt.date(2026, 10, 25)


def test_the_job_issues_the_summary_once_and_sends_it(county, persona) -> None:
    bureau, secretary = persona("bureau"), persona("secretary")
    with frozen(2026, 11, 2):
        reporting = new_matter(bureau, county)
        reporting.reported_accounts.add(secretary)
        new_item(county, bureau, leader=leader_of(persona("leader")), instruction="请抓紧化解")
        new_item(county, bureau, leader=leader_of(persona("leader")), instruction="事关书记的事项",
                 matter=reporting)  # fmt: skip
    with frozen(2026, 11, 11):
        now = dt.datetime.now(dt.UTC)
        first = progress_summary_job(county=county, day=dt.date(2026, 11, 11), now=now)
        again = progress_summary_job(county=county, day=dt.date(2026, 11, 11), now=now)
    assert "已印发2026年第1期督办办理情况汇总" in first and "未重复" in again
    document = IssuedDocument.objects.get(kind=DocumentKind.PROGRESS)
    assert document.snapshot["open"] == 2 and document.approved_by is None
    full = DocumentCopy.objects.get(document=document, key="full")
    assert "事关书记的事项" in full.html and bytes(full.pdf).startswith(b"%PDF")
    mine = Delivery.objects.get(document=document, leader=secretary.leader)
    assert mine.copy.omitted == [reporting.number] and "事关书记的事项" not in mine.copy.html
    assert set(document.deliveries.values_list("purpose", flat=True)) == {Delivery.Purpose.READ}


def test_the_command_prints_the_agreed_json_and_writes_the_files(county, persona, tmp_path: Path) -> None:
    bureau = persona("bureau")
    with frozen(2026, 11, 2):
        new_item(county, bureau, leader=leader_of(persona("leader")), deadline=dt.date(2026, 11, 5))
    with frozen(2026, 11, 11):
        out, err = io.StringIO(), io.StringIO()
        args = ["progress", "--date", "2026-11-11", "--format", "json", "--output", str(tmp_path)]
        call_command("report", *args, stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    assert set(data) >= {"date", "open", "done", "overdue", "items"}
    assert (data["open"], data["overdue"], data["done"]) == (1, 1, 0)
    assert set(data["items"][0]) >= {"instruction", "leader", "units", "deadline", "state", "latest_progress"}
    assert data["items"][0]["state"] == "超期"
    written = sorted(Path(line) for line in err.getvalue().split())
    assert [path.suffix for path in written] == [".docx", ".pdf"]
    assert not IssuedDocument.objects.exists()  # computing issues nothing
