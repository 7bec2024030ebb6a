"""Every URL of the app, GET, as every persona and as an anonymous visitor (issue 5). A meta-test fails
when a URL is added without a row here, so no page escapes the matrix. Objects are in the personas'
county and in scope where a role can have scope (a 周庄镇 matter owned by the demo leader, assigned to
县人社局); out-of-scope and reported-against objects are covered by test_registry_matrix.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.petitions.test_registry_matrix import xlsx_text
from xinfang.accounts.models import User
from xinfang.directory.models import Category, Leader, LeaderUnavailability, OfficialUnavailability, Unit
from xinfang.jobs.models import JobRun
from xinfang.ledger.uploads import ledger_upload
from xinfang.lib.periods import Month, Quarter
from xinfang.ownership.models import Closure
from xinfang.ownership.services import batch_create, batch_entry_add, package_entry_add
from xinfang.petitions.models import Ownership, RuleProfileAssignment
from xinfang.petitions.services.common import EventInput, PetitionerInput, RegistrationInput
from xinfang.petitions.services.ownership import ownership_assign
from xinfang.petitions.services.public import online_submit
from xinfang.petitions.services.registration import matter_register
from xinfang.reception.records import AttendeeInput, ReceptionInput, reception_record
from xinfang.reception.services import schedule_generate, schedule_publish
from xinfang.reports.services.monthly import monthly_approve, monthly_draft
from xinfang.reports.services.weekly import weekly_approve, weekly_draft
from xinfang.scoring.services import addition_add, competition_draft
from xinfang.scoring.village_services import vetoes_refresh
from xinfang.supervision.services import item_create, progress_report

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "bureau", "bureau_head", "secretary", "leader", "zhouzhuang", "renshe", "auditor",
         "sysadmin", "secadmin")  # fmt: skip
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def objects(persona, county) -> dict[str, Any]:
    bureau = persona("bureau")
    matter = matter_register(by=bureau, data=RegistrationInput(
        county=county, event=EventInput(dt.date(2026, 11, 19), "visit", "county"),
        origin_township=Unit.objects.get(county=county, name="周庄镇"),
        category=Category.objects.get(county=county, code="0702"), content="周庄镇某公司拖欠工资",
        responsible_unit=Unit.objects.get(county=county, name="县人社局"),
        petitioners=[PetitionerInput("张建军", "410421198503150016", "13937512345", "某村3组")],
    ))  # fmt: skip
    ownership_assign(by=persona("bureau_head"), matter=matter, leader=persona("leader").leader)
    record = ledger_upload(by=bureau, county=county, file_name="台账.csv", content=b"x")
    online = online_submit(
        county=county, township=Unit.objects.get(county=county, name="周庄镇"), village="",
        petitioner=PetitionerInput("李四", "", "13937598765"), content="道路坑洼多年无人修", appeal="",
    )  # fmt: skip
    zhouzhuang = Unit.objects.get(county=county, name="周庄镇")
    leader = Leader.objects.get(pk=persona("leader").leader_id)
    account = persona("renshe")  # an account the admins manage
    User.objects.filter(pk=account.pk).update(mobile=ACCOUNT_PHONE)
    return {
        "matter": matter,
        "supervision": supervision_item(bureau, matter, leader, ("周庄镇", "县人社局")),
        "online": online,
        "unit": zhouzhuang,
        "leader": leader,
        "official": zhouzhuang.officials.earliest("id"),
        "official_period": OfficialUnavailability.objects.create(
            official=zhouzhuang.officials.earliest("id"), start=NOW.date(), end=NOW.date()
        ),
        "village": zhouzhuang.villages.earliest("id"),
        "period": LeaderUnavailability.objects.create(leader=leader, start=NOW.date(), end=NOW.date()),
        "category": Category.objects.get(county=county, code="0702"),
        "profile": RuleProfileAssignment.objects.create(
            county=county, profile="national-2022", effective_from=dt.date(2027, 1, 1)
        ),
        "account": account,
        "ledger": record,
        "job_run": JobRun.objects.create(
            job="daily_report", county=county, period=NOW.date(), planned_at=NOW, state=JobRun.State.FAILED
        ),
    }


def supervision_item(bureau: User, matter: Any, leader: Leader, units: tuple[str, ...]) -> Any:
    """A supervision item on the matter, with a progress report carrying a file (for the file's URL)."""
    county = matter.county
    item = item_create(
        county=county, source_kind="weekly", source_id=1, source_title="2026年第46期每周访情分析",
        source_url="/reports/", matter=matter, instruction="请牵头化解", leader=leader,
        instructed_by=Leader.objects.get(county=county, post_kind="secretary"), instructed_at=NOW.date(),
        units=[Unit.objects.get(county=county, name=name) for name in units], deadline=NOW.date(),
        recorded_by=bureau,
    )  # fmt: skip
    pdf = SimpleUploadedFile("情况.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    progress_report(item=item, user=bureau, date=NOW.date(), text="已办理", files=[pdf])
    return item


def issued_weekly(matter: Any) -> Any:
    """The issued weekly analysis of the matter's week, as the bureau head approves it, with a key matter
    (a collective visit to Beijing) of the same petitioner, whose ID number and phone the scans look for."""
    county = matter.county
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    matter_register(by=bureau, data=RegistrationInput(
        county=county, event=EventInput(dt.date(2026, 11, 18), "visit", "beijing", 6),
        origin_township=Unit.objects.get(county=county, name="周庄镇"),
        category=Category.objects.get(county=county, code="0702"), content="周庄镇某公司拖欠工资，进京上访",
        responsible_unit=Unit.objects.get(county=county, name="县人社局"),
        petitioners=[PetitionerInput("张建军", ID_NUMBER, PHONE, "某村3组")],
    ))  # fmt: skip
    report, _ = weekly_draft(
        county=county, date_from=dt.date(2026, 11, 16), date_to=dt.date(2026, 11, 22), by=bureau
    )
    weekly_approve(report=report, by=head)
    report.refresh_from_db()
    return report


def ownership_objects(objects: dict[str, Any]) -> dict[str, Any]:
    """The 领导包案 objects of the objects' matter and leader: its case (owned now, or given to the leader)
    with a five-包 entry carrying a file and a 销号 request, and a draft batch with another matter."""
    matter, leader = objects["matter"], objects["leader"]
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    ownership = Ownership.objects.filter(matter=matter, is_current=True).first() or ownership_assign(
        by=head, matter=matter, leader=leader
    )
    pdf = SimpleUploadedFile("走访记录.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    package_entry_add(by=bureau, ownership=ownership, package="grasp", date=NOW.date(), content="走访",
                      files=[pdf])  # fmt: skip
    closure = Closure.objects.create(
        ownership=ownership, note="已化解", requested_by=bureau, requested_at=NOW
    )
    batch = batch_create(by=bureau, now=NOW)
    other = matter_register(by=bureau, data=RegistrationInput(
        county=matter.county, event=EventInput(dt.date(2026, 11, 18), "visit", "city"),
        origin_township=matter.origin_township, category=matter.category, content="到市上访的欠薪事项",
    ))  # fmt: skip
    entry = batch_entry_add(by=bureau, batch=batch, matter=other, reason="到市上访")
    return {"ownership": ownership, "closure": closure, "batch": batch, "batch_entry": entry}


OWNERSHIP_OBJECTS = ("ownership", "closure", "batch", "batch_entry", "ownership_file")


def reception_objects(objects: dict[str, Any]) -> dict[str, Any]:
    """This month's reception schedule, published (the public sheet shows it), and one of its slots."""
    county = objects["matter"].county
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    schedule, _ = schedule_generate(county=county, month=NOW.date().replace(day=1), by=bureau, now=NOW)
    schedule_publish(schedule=schedule, by=head, now=NOW)
    secretary = Leader.objects.get(county=county, post_kind="secretary")
    record = reception_record(by=bureau, data=ReceptionInput(
        county=county, date=NOW.date(), kind="centre", attendees=(AttendeeInput(secretary),)
    ))  # fmt: skip
    return {
        "schedule": schedule,
        "reception_slot": schedule.slots.earliest("date", "id"),
        "reception_record": record,
    }


# The object each URL with an argument is opened for.
def issued_monthly(county: Any) -> Any:
    """October's monthly analysis, issued by the bureau head (NOW is in November)."""
    bureau, head = User.objects.get(username="bureau"), User.objects.get(username="bureau_head")
    report, _ = monthly_draft(county=county, month=Month(2026, 10), by=bureau)
    monthly_approve(report=report, by=head)
    report.refresh_from_db()
    return report


LEDGER_URLS = ("detail", "status", "confirm", "discard", "undo")
MATTER_URLS = ("detail", "edit", "transition", "assign", "receive", "object", "decide", "extend",
               "decide_extension", "hearing", "owner", "event", "reveal", "receipt",
               "receipt_pdf")  # fmt: skip
OBJECT_OF = {
    "directory:unit": "unit",
    "directory:leader": "leader",
    **{f"directory:{name}": "unit" for name in ("unit_edit", "official_new", "village_new")},
    "directory:official_edit": "official",
    "directory:village_edit": "village",
    "directory:leader_edit": "leader",
    "directory:unavailability_add": "leader",
    "directory:unavailability_remove": "period",
    "directory:official_unavailability_add": "official",
    "directory:official_unavailability_remove": "official_period",
    # Refused (403) or a GET of a POST-only URL (405) before any visit is looked up.
    "reception:duty_cancel": "leader",
    "directory:category_edit": "category",
    "county_rules:profile_withdraw": "profile",
    **{f"accounts:{name}": "account" for name in ("account", "account_password_reset", "role")},
    "petitions:public_rate": "query_code",
    **{f"ledger:{name}": "ledger" for name in LEDGER_URLS},
    **{f"petitions:{name}": "matter" for name in MATTER_URLS},
    "jobs:retry": "job_run",
    "petitions:online_detail": "online",
    **{f"supervision:{name}": "supervision" for name in ("detail", "progress", "accept", "return")},
    "supervision:file": "supervision_file",
    **{
        f"reports:{name}": "weekly"
        for name in ("weekly_issue", "weekly_recount", "weekly_approve", "weekly_instruct")
    },
    **{f"reports:{name}": "monthly" for name in ("monthly_issue", "monthly_recount", "monthly_approve")},
    **{f"documents:{name}": "document" for name in ("document", "sign")},
    "documents:file": "document_file",
    **{f"supervision_api:{name}": "supervision" for name in ("item", "progress", "accept", "return")},
    **{f"petitions_api:{name}": "matter" for name in ("matter", "events", "transition")},
    **{f"reports_api:{name}": "weekly" for name in ("weekly_issue", "weekly_approve", "weekly_instructions")},
    **{f"documents_api:{name}": "document" for name in ("document", "sign")},
    **{f"ownership:{name}": "batch" for name in ("batch", "entry_add", "batch_issue")},
    **{f"ownership:{name}": "batch_entry" for name in ("entry_remove", "entry_choose")},
    **{
        f"ownership:{name}": "ownership" for name in ("case", "package_add", "meeting_add", "closure_request")
    },
    "ownership:file": "ownership_file",
    "ownership:closure_decide": "closure",
    "ownership:escalate": "matter",
    **{f"ownership_api:{name}": "batch" for name in ("batch", "entries", "issue")},
    **{f"ownership_api:{name}": "api_entry" for name in ("entry_remove", "entry_owner")},
    **{
        f"ownership_api:{name}": "ownership"
        for name in ("case", "packages", "meetings", "closure", "closure_confirm", "closure_return")
    },
    "ownership_api:reassign": "leader",
    "ownership_api:escalation": "matter",
    "reception:publish": "schedule",
    "reception:slot": "reception_slot",
    "reception:public_sheet": "sheet",
    "reception:record": "reception_record",
    **{
        f"scoring:{name}": "quarter"
        for name in ("draft", "recompute", "addition", "veto", "publish", "export")
    },
    **{f"scoring:{name}": "competition_unit" for name in ("unit", "appeal")},
    "scoring:evidence": "competition_addition",
    "scoring:decide": "unit",  # refused (403), or a GET of a POST-only URL (405), before any lookup
    **{f"scoring:{name}": "village" for name in ("village", "village_rectification", "village_visit")},
    **{f"scoring:{name}": "year" for name in ("village_publish", "village_recompute", "village_export")},
    **{
        f"scoring:{name}": "unit"  # POST-only, as above
        for name in (
            "village_task",
            "village_progress",
            "village_rectification_close",
            "village_rectification_reopen",
        )
    },
    **{f"meetings:{name}": "meeting" for name in ("detail", "attendees", "add", "approve")},
    **{f"meetings:{name}": "meeting_item" for name in ("remove", "decide")},
    "meetings:minutes_file": "minutes_copy",
}


def resolve_path(name: str, objects: dict[str, Any]) -> str:
    key = OBJECT_OF.get(name)
    if key is None:
        return reverse(name)
    if key == "query_code":
        return reverse(name, args=[objects["matter"].query_code])
    if key == "monthly":
        if "monthly" not in objects:  # issued once, when a URL needs it
            objects["monthly"] = issued_monthly(objects["matter"].county)
        return reverse(name, args=[objects["monthly"].pk])
    if key in ("weekly", "document", "document_file"):
        if "weekly" not in objects:  # issued once, when a URL needs it (a PDF costs a second)
            objects["weekly"] = issued_weekly(objects["matter"])
        report = objects["weekly"]
        if key == "weekly":
            return reverse(name, args=[report.pk])
        return reverse(
            name, args=[report.document_id, "pdf"] if key == "document_file" else [report.document_id]
        )
    if key in ("schedule", "reception_slot", "sheet", "reception_record") and "schedule" not in objects:
        objects |= reception_objects(objects)
    if key in ("quarter", "competition_unit", "competition_addition"):
        return competition_path(name, key, objects)
    if key in ("meeting", "meeting_item", "minutes_copy") and "meeting" not in objects:
        objects |= meeting_objects(objects)
    if key == "minutes_copy":
        return reverse(name, args=[objects["minutes_copy"].pk, "pdf"])
    if key == "year":  # the village star ratings of 2026, computed (the vetoes stored), not published
        if "village_vetoes" not in objects:
            county = objects["unit"].county
            objects["village_vetoes"] = vetoes_refresh(county=county, year=2026, by=None)
        return reverse(name, args=[2026])
    if key == "sheet":  # the Word sheet: the PDF costs a second a request
        return reverse(name, args=["docx"])
    if key == "api_entry":  # the API names a batch's matter by the batch and the entry
        if "ownership" not in objects:
            objects |= ownership_objects(objects)
        entry = objects["batch_entry"]
        return reverse(name, args=[entry.batch_id, entry.pk])
    if key in OWNERSHIP_OBJECTS and "ownership" not in objects:  # made once, when a URL needs them
        objects |= ownership_objects(objects)
    if key == "ownership_file":
        ownership = objects["ownership"]
        attachment = ownership.package_entries.get().attachments.get()
        return reverse(name, args=[ownership.pk, attachment.pk])
    if key == "supervision_file":
        item = objects["supervision"]
        attachment = item.progress.get().attachments.get()
        return reverse(name, args=[item.pk, attachment.pk])
    return reverse(name, args=[objects[key].pk])


def meeting_objects(objects: dict[str, Any]) -> dict[str, Any]:
    """October's joint meeting (the objects' matter put on its agenda by hand); the same one for the
    objects out of scope: another county's staff must not open it."""
    from xinfang.documents.models import DocumentCopy, IssuedDocument
    from xinfang.meetings.models import Meeting, MinutesCopy
    from xinfang.meetings.services import agenda_add, meeting_schedule

    county = objects["matter"].county
    bureau = User.objects.get(username="bureau")
    meeting = Meeting.objects.filter(county=county, month="2026-10").first()
    if meeting is None:
        held_on = dt.date(2026, 11, 20)
        meeting = meeting_schedule(county=county, month=Month(2026, 10), held_on=held_on, by=bureau)
    item = agenda_add(meeting=meeting, matter=objects["matter"], by=bureau, reason="群众反映强烈")
    # The minutes as sent to the head of the objects' unit (a stand-in archive row: the matrix is about who
    # may open it, not the document).
    number = IssuedDocument.objects.filter(kind="minutes").count() + 1
    document = IssuedDocument.objects.create(
        county=county, kind="minutes", year=2026, number=number, title="联席会议纪要",
        period_from=dt.date(2026, 11, 20), period_to=dt.date(2026, 11, 20), approved_at=NOW,
    )  # fmt: skip
    copy = DocumentCopy.objects.create(document=document, key="full", html="", docx=b"PK", pdf=b"%PDF-1.4")
    official = objects["unit"].officials.get(is_head=True)
    sent = MinutesCopy.objects.create(meeting=meeting, official=official, copy=copy, sent_at=NOW)
    return {"meeting": meeting, "meeting_item": item, "minutes_copy": sent}


def competition_path(name: str, key: str, objects: dict[str, Any]) -> str:
    """2026Q3 drafted on the first working day after it (appeals open), with an addition to the objects'
    unit (周庄镇; 闹店镇 for the objects out of scope)."""
    county = objects["unit"].county
    if "competition_addition" not in objects:
        bureau = User.objects.get(username="bureau")
        drafted = dt.datetime(2026, 10, 8, 9, 0, tzinfo=NOW.tzinfo)
        competition_draft(county=county, quarter=Quarter(2026, 3), by=bureau, now=drafted)
        objects["competition_addition"] = addition_add(
            county=county, quarter=Quarter(2026, 3), unit=objects["unit"], points=Decimal(1),
            reason="化解积案", evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n"), by=bureau,
        )  # fmt: skip
    if key == "quarter":
        return reverse(name, args=["2026Q3"])
    if key == "competition_unit":
        return reverse(name, args=["2026Q3", objects["unit"].pk])
    return reverse(name, args=[objects["competition_addition"].pk])


# The bureau's maintenance forms of the directory (GET the form, POST it).
DIRECTORY_FORMS = ("unit_new", "unit_edit", "official_new", "official_edit", "village_new", "village_edit",
                   "leader_new", "leader_edit", "category_new", "category_edit")  # fmt: skip
# The ownership API's POST-only actions.
OWNERSHIP_API_ACTIONS = ("entries", "entry_remove", "entry_owner", "issue", "packages", "meetings", "closure",
                         "closure_confirm", "closure_return", "reassign", "escalation")  # fmt: skip


# GET as (anonymous, bureau, bureau_head, secretary, leader, zhouzhuang, renshe, auditor, sysadmin,
# secadmin). 302 for the anonymous is the login page; 405 is a POST-only action the role may take.
URLS: dict[str, tuple[int, ...]] = {
    "dashboard:home": (302, 200, 200, 200, 200, 200, 200, 302, 200, 200),
    "dashboard:dashboard": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "accounts:login": (200, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts:logout": (405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "accounts:password_change": (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "accounts:locked": (302, 403, 200, 403, 403, 403, 403, 403, 200, 200),
    "accounts:accounts": (302, 403, 403, 403, 403, 403, 403, 403, 200, 403),
    "accounts:account_new": (302, 403, 403, 403, 403, 403, 403, 403, 200, 403),
    "accounts:account": (302, 403, 403, 403, 403, 403, 403, 403, 200, 403),
    "accounts:account_password_reset": (302, 403, 403, 403, 403, 403, 403, 403, 405, 403),
    "accounts:roles": (302, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "accounts:role": (302, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "accounts:two_factor": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts:password_change_done": (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "directory:units": (302, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "directory:unit": (302, 200, 200, 200, 200, 200, 404, 403, 403, 403),
    "directory:leaders": (302, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "directory:leader": (302, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "directory:categories": (302, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    **{f"directory:{name}": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403) for name in DIRECTORY_FORMS},
    "directory:unavailability_add": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "directory:unavailability_remove": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "directory:official_unavailability_add": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "directory:official_unavailability_remove": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "county_rules:page": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "county_rules:save": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    "county_rules:profile_add": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    "county_rules:profile_withdraw": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions:list": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "petitions:register": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "petitions:repeat_check": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "petitions:export": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "petitions:export_named": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions:detail": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "petitions:edit": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "petitions:receipt": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "petitions:receipt_pdf": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "petitions:villages": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "petitions:transition": (302, 405, 405, 405, 405, 405, 405, 403, 403, 403),
    "petitions:assign": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions:receive": (302, 405, 405, 405, 405, 405, 405, 403, 403, 403),
    "petitions:object": (302, 405, 405, 405, 405, 405, 405, 403, 403, 403),
    "petitions:decide": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions:extend": (302, 405, 405, 405, 405, 405, 405, 403, 403, 403),
    "petitions:decide_extension": (302, 405, 405, 405, 405, 405, 405, 403, 403, 403),
    "petitions:hearing": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions:owner": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions:event": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions:reveal": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ledger:list": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "ledger:template": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "ledger:detail": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "ledger:status": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "ledger:confirm": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ledger:discard": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ledger:undo": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions:public_query": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "petitions:public_submit": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "petitions:public_rate": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "petitions:public_captcha": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "petitions:online_list": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "petitions:online_detail": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "stats:page": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "stats:events": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "stats:kpi": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "audit:log": (302, 403, 403, 403, 403, 403, 403, 200, 403, 403),
    "reports:daily": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reports:daily_send": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reports:daily_resend": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reports:weekly": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reports:weekly_new": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reports:weekly_issue": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "reports:weekly_recount": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reports:weekly_approve": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    "reports:weekly_instruct": (302, 405, 405, 405, 403, 403, 403, 403, 403, 403),
    # The monthly analysis: the bureau's pages; the main leaders open an issue (the others read it in 文件).
    "reports:monthly": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reports:monthly_new": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reports:monthly_issue": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "reports:monthly_recount": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reports:monthly_approve": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    "documents:inbox": (302, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    # The demo vice county head is not a standing-committee member: the weekly issue is not sent to him.
    "documents:document": (302, 200, 200, 200, 404, 403, 403, 403, 403, 403),
    "documents:sign": (302, 405, 405, 405, 405, 403, 403, 403, 403, 403),
    "documents:file": (302, 200, 200, 200, 404, 403, 403, 403, 403, 403),
    "jobs:runs": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "jobs:retry": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "petitions_api:matters": (403, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "petitions_api:matter": (403, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "petitions_api:events": (403, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "petitions_api:transition": (403, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "api-schema": (403, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api-docs": (403, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "healthz": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "supervision:list": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "supervision:detail": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "supervision:file": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "supervision:progress": (302, 405, 405, 405, 405, 405, 405, 403, 403, 403),
    "supervision:accept": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "supervision:return": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "supervision_api:items": (403, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "supervision_api:item": (403, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "supervision_api:progress": (403, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "supervision_api:accept": (403, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "supervision_api:return": (403, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # The weekly analysis: the bureau's, and the main leaders' once issued (the objects' issue is issued).
    "reports_api:weekly": (403, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "reports_api:weekly_issue": (403, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "reports_api:weekly_approve": (403, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "reports_api:weekly_instructions": (403, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "documents_api:documents": (403, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "documents_api:document": (403, 200, 200, 200, 404, 403, 403, 403, 403, 403),
    "documents_api:sign": (403, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # 领导包案: the bureau keeps the batches, the main leaders read them; a leader opens their own cases.
    "ownership:index": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "ownership:batches": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "ownership:batch_new": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ownership:batch": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "ownership:entry_add": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ownership:batch_issue": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ownership:entry_remove": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ownership:entry_choose": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ownership:mine": (302, 403, 403, 200, 200, 403, 403, 403, 403, 403),
    "ownership:case": (302, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "ownership:package_add": (302, 405, 405, 405, 405, 403, 403, 403, 403, 403),
    "ownership:meeting_add": (302, 405, 405, 405, 405, 403, 403, 403, 403, 403),
    "ownership:closure_request": (302, 405, 405, 405, 405, 403, 403, 403, 403, 403),
    "ownership:file": (302, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "ownership:closure_decide": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "ownership:reassign": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "ownership:escalate": (302, 403, 403, 403, 403, 405, 405, 403, 403, 403),
    "ownership_api:batches": (403, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "ownership_api:batch": (403, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "ownership_api:cases": (403, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "ownership_api:case": (403, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    **{
        f"ownership_api:{name}": (403, 405, 405, 405, 405, 405, 405, 405, 405, 405)
        for name in OWNERSHIP_API_ACTIONS
    },
    # 领导接访: the bureau keeps the schedules; the public page and its sheet need no login.
    "reception:index": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reception:generate": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reception:publish": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reception:slot": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reception:public": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "reception:public_sheet": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "reception:duty": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reception:duty_plan": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reception:duty_cancel": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    "reception:duty_mine": (302, 403, 403, 200, 200, 403, 403, 403, 403, 403),
    # 接访记录 (the bureau) and the figures (the bureau and the main leaders).
    "reception:records": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reception:record_new": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reception:record": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reception:stats": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    "reception:stats_matters": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403),
    # 下沉接访: the bureau's month of the draw; drawing is a POST.
    "reception:downvisit": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "reception:downvisit_draw": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403),
    # 比拼 (issue 19), 2026Q3 drafted, not published: the bureau sees the tables; a unit its own breakdown
    # and the evidence of its own addition; leaders the board only (nothing until published).
    "scoring:board": (302, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "scoring:rules": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "scoring:unit": (302, 200, 200, 404, 404, 200, 404, 403, 403, 403),
    "scoring:export": (302, 200, 200, 404, 404, 404, 404, 403, 403, 403),
    "scoring:evidence": (302, 200, 200, 404, 404, 200, 404, 403, 403, 403),
    "scoring:appeal": (302, 403, 403, 403, 403, 405, 405, 403, 403, 403),
    "scoring:decide": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    "scoring:publish": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    **{
        f"scoring:{name}": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403)
        for name in (
            "draft",
            "recompute",
            "addition",
            "veto",
            "village_rectification",
            "village_rectification_close",
            "village_recompute",
        )
    },
    "scoring:village_rectification_reopen": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    # 村级星级 (issue 19 part 2), 2026 not published: the bureau the ratings as they stand; leaders and a
    # township the page (no list until published), a township its own villages only; a department none.
    "scoring:villages": (302, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    "scoring:village_config": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "scoring:village_unmatched": (302, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "scoring:village_publish": (302, 403, 405, 403, 403, 403, 403, 403, 403, 403),
    "scoring:village_export": (302, 200, 200, 404, 404, 404, 404, 403, 403, 403),
    "scoring:village": (302, 200, 200, 200, 200, 200, 404, 403, 403, 403),
    **{
        f"scoring:{name}": (302, 405, 405, 403, 403, 405, 405, 403, 403, 403)
        for name in ("village_visit", "village_task", "village_progress")
    },
    **{
        f"meetings:{name}": (302, 200, 200, 200, 403, 403, 403, 403, 403, 403)
        for name in ("index", "screening", "detail")
    },
    **{
        f"meetings:{name}": (302, 405, 405, 403, 403, 403, 403, 403, 403, 403)
        for name in ("schedule", "screening_run", "attendees", "add", "approve", "remove", "decide")
    },
    "meetings:minutes": (302, 200, 200, 200, 403, 200, 200, 403, 403, 403),
    "meetings:minutes_file": (302, 200, 200, 200, 403, 200, 404, 403, 403, 403),
}


def every_url_name() -> set[str]:
    def walk(patterns: list[Any], namespace: str = "") -> set[str]:
        names: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace and pattern.namespace
                    else (pattern.namespace or namespace)
                )
                names |= walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        return names

    return walk(get_resolver().url_patterns)


def test_every_url_of_the_app_is_in_the_matrix():
    names = every_url_name()
    assert sorted(names - set(URLS)) == [], "add a row to URLS for each new URL"
    assert sorted(set(URLS) - names) == []


@pytest.mark.parametrize("name", sorted(URLS))
def test_each_role_gets_exactly_its_status(client_for, objects, name):
    path = resolve_path(name, objects)
    got = tuple(
        (Client() if role == "anonymous" else client_for(role)).get(path).status_code for role in ROLES
    )
    assert got == URLS[name], path


ID_NUMBER, PHONE = "410421198503150016", "13937512345"


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


# An account's own phone: in full only to the system admin, who keeps it; masked on every other page.
ACCOUNT_PHONE = "13937500007"


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_api_answer_shows_a_full_id_number_or_phone(client_for, objects, role):
    """Every URL the role may open, the export included: personal data only masked (a reveal is a
    separate, audited POST)."""
    client = Client() if role == "anonymous" else client_for(role)
    opened = 0
    for name, expected in URLS.items():
        if expected[ROLES.index(role)] != 200:
            continue
        response = client.get(resolve_path(name, objects))
        body = response.content
        if name == "petitions:export":
            body = xlsx_text(body).encode()
        if name == "documents:file":  # the weekly issue's PDF, its key matter's petitioner masked
            text = pdf_text(body)
            assert "张*军" in text, text[:200]
            body = text.encode()
        assert ID_NUMBER.encode() not in body and PHONE.encode() not in body, name
        if role != "sysadmin":
            assert ACCOUNT_PHONE.encode() not in body, name
        opened += 1
    assert opened >= 3


POST_URLS = [name for name, row in URLS.items() if 405 in row] + [
    "accounts:login", "accounts:password_change", "accounts:locked", "accounts:two_factor",
    "petitions:register", "petitions:edit", "ledger:list", "petitions:public_query",
    "petitions:public_submit", "petitions:public_rate", "petitions:online_detail",
    *(f"directory:{name}" for name in DIRECTORY_FORMS),
    "accounts:account_new", "accounts:account", "accounts:role", "ownership:reassign",
    "scoring:villages", "scoring:village_config", "scoring:village_unmatched",
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(set(POST_URLS)))
def test_every_state_change_needs_the_csrf_token(persona, objects, name):
    """Forms post with Django's CSRF token; without it the answer is the Chinese 403 page, nothing done."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(persona("bureau_head"))
    response = client.post(resolve_path(name, objects), {"reason": "x", "code": "x"})
    assert response.status_code == 403, name
    expected = "CSRF" if name.split(":")[0].endswith("_api") else "表单已过期或来源无法验证"
    assert expected in response.content.decode(), name


@pytest.fixture
def elsewhere(persona, county, outsider) -> dict[str, Any]:
    """Objects out of the scoped roles' reach: another township's matter, not owned by the demo leader
    and handled by another department; and, for the outsider, everything of this county."""
    matter = matter_register(by=persona("bureau"), data=RegistrationInput(
        county=county, event=EventInput(dt.date(2026, 11, 19), "visit", "county"),
        origin_township=Unit.objects.get(county=county, name="闹店镇"),
        category=Category.objects.get(county=county, code="0702"), content="闹店镇征地补偿",
        responsible_unit=Unit.objects.get(county=county, name="县公安局"),
    ))  # fmt: skip
    online = online_submit(
        county=county, township=Unit.objects.get(county=county, name="周庄镇"), village="",
        petitioner=PetitionerInput("李四", "", "13937598765"), content="道路坑洼多年无人修", appeal="",
    )  # fmt: skip
    other_leader = Leader.objects.filter(county=county).exclude(pk=persona("leader").leader_id).first()
    assert other_leader is not None
    return {
        "matter": matter,
        "supervision": supervision_item(persona("bureau"), matter, other_leader, ("闹店镇",)),
        "online": online,
        "unit": Unit.objects.get(county=county, name="闹店镇"),
        "village": Unit.objects.get(county=county, name="闹店镇").villages.earliest("id"),
        "leader": Leader.objects.filter(county=county).exclude(pk=persona("leader").leader_id).first(),
        "ledger": ledger_upload(by=persona("bureau"), county=county, file_name="另一个.csv", content=b"x"),
        "account": outsider,  # another county's account: never the admins' to manage
    }


# The public URLs named by a code or a format, and the competition's named by a quarter, not by an object in
# someone's scope.
OBJECT_URLS = sorted(
    name
    for name in URLS
    if name in OBJECT_OF and OBJECT_OF[name] not in ("query_code", "sheet", "quarter", "year")
)


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_objects_out_of_scope_are_404_where_in_scope_ones_open(
    client_for, objects, elsewhere, outsider, name
):
    """Where a role opens an object in its scope (200), the same page for an object outside it is 404;
    the staff of another county get 404 for every object of this one."""
    inside = URLS[name]
    for role, status in zip(ROLES, inside, strict=True):
        if role in ("anonymous", "bureau", "bureau_head", "secretary") or status != 200:
            continue
        if (name.startswith("directory:") or name == "scoring:village") and role in ("leader",):
            continue  # leaders read the whole county directory, and every village's rating
        got = client_for(role).get(resolve_path(name, elsewhere)).status_code
        assert got == 404, (role, name)
    outsider.role = "bureau_head"
    outsider.save(update_fields=["role"])
    if inside[ROLES.index("bureau_head")] == 200:
        assert client_for(outsider).get(resolve_path(name, objects)).status_code == 404, name
