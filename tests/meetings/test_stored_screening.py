"""The month's screening stored (issue 20): computed once after the month closes (the worker), or by the
bureau's 重新筛选, stored with its best 20; the screening page and the meeting's schedule read it and never
compute it on a GET."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.meetings.support import october_matters, province_matter
from tests.petitions.support import at, frozen, new_matter
from xinfang.audit.models import AuditRecord
from xinfang.lib.periods import Month
from xinfang.meetings import screening as screening_module
from xinfang.meetings import services
from xinfang.meetings.models import Meeting, Screening
from xinfang.meetings.screening import screen
from xinfang.meetings.selectors import screening_candidates, screening_stored
from xinfang.meetings.services import meeting_remind_job, meeting_schedule, screening_run

pytestmark = pytest.mark.django_db
OCTOBER = Month(2026, 10)
HELD = dt.date(2026, 11, 4)
QUERIES = 5  # session, user, the stored screening, its rows, the earlier decisions


def never(**_: object) -> None:
    raise AssertionError("the screening was computed")


@pytest.fixture
def no_computing(monkeypatch):
    """Any computation of a screening fails the test: only the stored one may be read."""
    monkeypatch.setattr(screening_module, "screen", never)
    monkeypatch.setattr(services, "screen", never)


def test_it_stores_what_screen_returns_and_reads_it_back_equal(county, persona):
    bureau = persona("bureau")
    october_matters(bureau, county, 22)
    province_matter(bureau, county)
    with frozen():
        expected, qualifying = screen(county=county, month=OCTOBER)
        stored = screening_run(county=county, month=OCTOBER, by=bureau)
    assert qualifying == 23 and len(expected) == 20
    assert screening_candidates(stored) == expected  # number, score, factors, evidence (reasons), owner
    stored = Screening.objects.get()
    assert (stored.qualifying, stored.month, stored.as_of) == (23, "2026-10", dt.date(2026, 11, 1))
    assert stored.computed_by == bureau and stored.computed_at == at(2026, 11, 2)
    assert [c.reasons for c in screening_candidates(stored)] == [c.reasons for c in expected]
    record = AuditRecord.objects.get(action="meetings.screen")
    assert record.actor_id == bureau.pk and record.changes["qualifying"] == 23
    assert record.changes["listed"] == 20 and record.changes["before"] == ""


def test_the_page_never_computes_on_get(county, persona, client_for, no_computing):
    province = province_matter(persona("bureau"), county)
    with frozen():
        empty = client_for("bureau").get("/meetings/screening/?month=2026-10")
        secretary = client_for("secretary").get("/meetings/screening/?month=2026-10")
    body = empty.content.decode()
    assert empty.status_code == 200 and "2026年10月的候选事项尚未筛选" in body
    assert 'data-testid="screening-run"' in body and "筛选2026年10月" in body and province.number not in body
    # The main leader reads, but does not screen.
    said = secretary.content.decode()
    assert secretary.status_code == 200 and "请信访局筛选后再查看" in said
    assert 'data-testid="screening-run"' not in said
    assert not Screening.objects.exists()


def test_the_page_shows_the_stored_screening_with_its_time(
    county, persona, client_for, monkeypatch, django_assert_max_num_queries
):
    province = province_matter(persona("bureau"), county)
    with frozen():
        screening_run(county=county, month=OCTOBER, by=None)
    monkeypatch.setattr(screening_module, "screen", never)
    monkeypatch.setattr(services, "screen", never)
    client = client_for("bureau")
    with time_machine.travel(at(2026, 11, 5), tick=False):
        page = client.get("/meetings/screening/?month=2026-10")
    body = page.content.decode()
    assert page.status_code == 200 and province.number in body and "符合条件 1 件" in body
    assert "按 2026-11-02 10:00 的数据筛选" in body and "系统在月末后自动筛选" in body
    assert "重新筛选" in body and "越级风险" in body and "少于10件" in body
    # Twenty candidates read in as many queries as one: the stored rows, the earlier decisions, no per row.
    october_matters(persona("bureau"), county, 22)
    monkeypatch.undo()
    with frozen():
        screening_run(county=county, month=OCTOBER, by=None)
    with time_machine.travel(at(2026, 11, 5), tick=False), django_assert_max_num_queries(QUERIES):
        page = client.get("/meetings/screening/?month=2026-10")
    assert page.content.decode().count('data-testid="candidate"') == 20


def test_rescreening_refreshes_the_stored_screening_and_audits_it(county, persona, client_for):
    bureau = persona("bureau")
    october_matters(bureau, county, 2)
    with frozen():
        screening_run(county=county, month=OCTOBER, by=None)
        late = new_matter(bureau, county, date=dt.date(2026, 10, 30), content="补录的十月来访")
    client = client_for("bureau")
    with time_machine.travel(at(2026, 11, 3, 15), tick=False):
        response = client.post("/meetings/screening/run/", {"month": "2026-10"})
        page = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == "/meetings/screening/?month=2026-10"
    stored = Screening.objects.get()
    assert (stored.qualifying, stored.computed_by, stored.computed_at) == (3, bureau, at(2026, 11, 3, 15))
    assert late.pk in {c.matter_id for c in screening_candidates(stored)} and stored.candidates.count() == 3
    body = page.content.decode()
    assert "已筛选2026年10月候选事项：符合条件3件" in body and "按 2026-11-03 15:00 的数据筛选" in body
    first, second = AuditRecord.objects.filter(action="meetings.screen").order_by("pk")
    assert (first.actor_id, first.actor_name, second.actor_id) == (None, "system", bureau.pk)
    assert second.changes["before"] == at(2026, 11, 2).isoformat() and second.changes["qualifying"] == 3


@pytest.mark.parametrize("who", ["zhouzhuang", "leader", "secretary"])
def test_a_unit_user_or_a_leader_may_not_screen(county, persona, client_for, who):
    october_matters(persona("bureau"), county, 1)
    with frozen():
        response = client_for(who).post("/meetings/screening/run/", {"month": "2026-10"})
    assert response.status_code == 403 and not Screening.objects.exists()
    with frozen(), pytest.raises(PermissionDenied):
        screening_run(county=county, month=OCTOBER, by=persona(who))


@pytest.mark.parametrize(
    ("month", "message"),
    [("10月", "月份应写作 YYYY-MM"),
     ("2026-11", "2026年11月尚未结束（统计月截至2026-11-30），结束后才能筛选"),
     ("2027-03", "2027年3月尚未结束"), ("", "请填写筛选月份"), ("2026-100", "")],
)  # fmt: skip
def test_a_bad_or_unfinished_month_is_refused_in_chinese(county, persona, client_for, month, message):
    with frozen():
        response = client_for("bureau").post("/meetings/screening/run/", {"month": month})
        page = client_for("bureau").get("/meetings/screening/", {"month": month})
    assert response.status_code == 422 and message in response.content.decode()
    assert not Screening.objects.exists()
    if month in ("2026-11", "2027-03"):  # a GET of a month not over says so, without the button
        assert page.status_code == 200 and "尚未结束，月末后系统自动筛选" in page.content.decode()
        assert 'data-testid="screening-run"' not in page.content.decode()
    else:
        assert page.status_code == 422


def test_another_countys_bureau_never_sees_or_screens_this_countys(county, persona, outsider, client_for):
    province = province_matter(persona("bureau"), county)
    with frozen():
        screening_run(county=county, month=OCTOBER, by=persona("bureau"))
        page = client_for(outsider).get("/meetings/screening/?month=2026-10")
        with pytest.raises(PermissionDenied):
            screening_run(county=county, month=OCTOBER, by=outsider)
    assert page.status_code == 200 and province.number not in page.content.decode()
    assert "尚未筛选" in page.content.decode()


def test_the_job_screens_the_month_just_closed_once(county, persona, monkeypatch):
    province = province_matter(persona("bureau"), county)
    with frozen():
        said = meeting_remind_job(county=county, day=dt.date(2026, 11, 2), now=at(2026, 11, 2, 9))
    stored = Screening.objects.get()
    assert "已筛选2026年10月联席会议候选事项（符合条件1件）" in said and "10月联席会议尚未安排" in said
    assert stored.computed_by is None
    assert [c.number for c in screening_candidates(stored)] == [province.number]
    assert AuditRecord.objects.get(action="meetings.screen").actor_name == "system"
    monkeypatch.setattr(services, "screen", never)
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        again = meeting_remind_job(county=county, day=dt.date(2026, 11, 3), now=at(2026, 11, 3, 9))
    assert "已筛选" not in again and AuditRecord.objects.filter(action="meetings.screen").count() == 1
    assert Screening.objects.get().computed_at == at(2026, 11, 2, 9)


def test_scheduling_reads_the_stored_screening(county, persona, monkeypatch):
    bureau = persona("bureau")
    matters = october_matters(bureau, county, 3)
    with frozen():
        screening_run(county=county, month=OCTOBER, by=bureau)
        # A 赴省 visit of nine registered late for July: it would head a new screening, not the stored one.
        late = new_matter(bureau, county, date=dt.date(2026, 7, 1), level="province", persons=9)
    monkeypatch.setattr(services, "screen", never)
    with frozen():
        meeting = meeting_schedule(county=county, month=OCTOBER, held_on=HELD, by=bureau)
    listed = set(meeting.items.values_list("matter_id", flat=True))
    assert listed == {matter.pk for matter in matters} and late.pk not in listed
    assert meeting.qualifying == 3 and AuditRecord.objects.filter(action="meetings.screen").count() == 1


def test_scheduling_without_a_stored_screening_screens_and_stores_it_with_the_meeting(county, persona):
    bureau = persona("bureau")
    october_matters(bureau, county, 12)
    with frozen():
        expected, _ = screen(county=county, month=OCTOBER)
        meeting = meeting_schedule(county=county, month=OCTOBER, held_on=HELD, by=bureau)
    stored = screening_stored(county=county, month=OCTOBER)
    assert stored is not None and stored.computed_by == bureau and stored.qualifying == 12
    assert screening_candidates(stored) == expected
    agenda = list(meeting.items.order_by("order").values_list("matter_id", "score"))
    assert agenda == [(c.matter_id, c.score) for c in expected]
    assert AuditRecord.objects.filter(action__in=["meetings.screen", "meetings.schedule"]).count() == 2


def test_a_refused_schedule_stores_no_screening(county, persona):
    bureau = persona("bureau")
    october_matters(bureau, county, 2)
    with time_machine.travel(at(2026, 10, 20), tick=False), pytest.raises(ValidationError, match="尚未结束"):
        meeting_schedule(county=county, month=OCTOBER, held_on=HELD, by=bureau)
    assert not Screening.objects.exists() and not Meeting.objects.exists()


def test_the_screening_is_not_imported_at_start_up() -> None:
    """The meetings app's matter-page provider reads the selectors at start-up; the screening (and with it the
    risk score and the field cipher) is imported only where a screening is computed or read back."""
    probe = (
        "import sys\n"
        "from xinfang.cli import _setup_django\n"
        "_setup_django()\n"
        "heavy = ('xinfang.meetings.screening', 'xinfang.stats.risk', 'xinfang.petitions.rows',\n"
        "         'cryptography')\n"
        "print(' '.join(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == ""
