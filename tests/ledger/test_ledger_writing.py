"""A large import does not hold the write lock (issue 12, item 6): checked and prepared with reads only,
written in short transactions a chunk at a time, and still all or nothing — a failure, a stopped writer
or a matter changed meanwhile takes back every chunk already written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection

from tests.ledger.test_ledger_import import TODAY, csv_bytes, registry_state, row, run
from xinfang.audit.models import AuditRecord
from xinfang.demo.services import demo_county_load
from xinfang.directory.models import County
from xinfang.ledger import importer as importer_module
from xinfang.ledger.importer import Importer, LedgerError
from xinfang.ledger.models import LedgerImport, LedgerImportItem
from xinfang.ledger.services import ledger_import
from xinfang.ledger.undo import ledger_undo
from xinfang.ledger.uploads import STOPPED, ledger_work_next
from xinfang.lib.ledger_file import ledger_read
from xinfang.petitions.models import Matter
from xinfang.petitions.services.registration import matter_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    """Two matters per write transaction, no pause: a six-matter file is written in three chunks."""
    monkeypatch.setattr(importer_module, "WRITE_CHUNK", 2)
    monkeypatch.setattr(importer_module, "WRITE_PAUSE", 0)
    with time_machine.travel(TODAY, tick=False):
        yield


def six_rows(prefix: str = "W", **cells: str) -> bytes:
    return csv_bytes([row(**{"登记编号": f"{prefix}{number}", **cells}) for number in range(6)])


def fail_on_chunk(monkeypatch, number: int, error: BaseException) -> None:
    original = Importer.write_chunk
    calls = {"n": 0}

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise error
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Importer, "write_chunk", failing)


def test_a_failure_after_some_chunks_takes_back_everything_they_wrote(county, monkeypatch):
    run(county, six_rows(**{"反映问题": "最初的内容"}))  # six matters, then a re-import changes them
    before = registry_state(county)
    fail_on_chunk(monkeypatch, 3, OperationalError("disk I/O error"))
    with pytest.raises(OperationalError):
        run(county, csv_bytes([
            *(row(**{"登记编号": f"W{number}", "反映问题": "改过的内容"}) for number in range(6)),
            *(row(**{"登记编号": f"N{number}"}) for number in range(4)),
        ]), name="second.csv")  # fmt: skip
    assert registry_state(county) == before  # the two written chunks are taken back
    failed = LedgerImport.objects.get(file_name="second.csv")
    assert failed.state == "failed" and "已撤回" in failed.message and "OperationalError" in failed.message
    assert not LedgerImportItem.objects.filter(ledger_import=failed).exists()
    rollback = AuditRecord.objects.get(action="ledger.rollback")
    assert rollback.changes == {"file": "second.csv", "reverted": 4}


@pytest.fixture
def committed_county(transactional_db):
    """The demo county in a test whose transactions really commit (the tables start empty)."""
    demo_county_load()
    return County.objects.get(code="410421")


@pytest.mark.django_db(transaction=True)
def test_between_chunks_the_import_holds_no_transaction(committed_county, monkeypatch):
    county = committed_county
    """What lets other writers in: the check runs outside any transaction, and between chunks the
    import has committed (a registration waits for one chunk, not for the file)."""
    seen: list[tuple[str, bool]] = []

    def progress(phase: str, done: int, total: int) -> None:
        seen.append((phase, connection.in_atomic_block))

    ledger_import(county=county, table=ledger_read(six_rows(), "a.csv"), by=None, file_name="a.csv",
                  sha256="0" * 64, progress=progress)  # fmt: skip
    assert ("检查", False) in seen
    assert [in_transaction for phase, in_transaction in seen if phase == "写入"] == [False] * 4


@pytest.mark.django_db(transaction=True)
def test_the_check_and_each_chunk_commit_on_their_own(committed_county, monkeypatch):
    county = committed_county
    """In real transactions: after the first chunk its matters are committed (another connection would
    see them), and the registry is complete only at the end."""
    counts: list[int] = []
    original = Importer.write_chunk

    def counting(self, *args, **kwargs):
        counts.append(Matter.objects.filter(county=county).count())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Importer, "write_chunk", counting)
    result = run(county, six_rows())
    assert counts == [0, 2, 4] and result.created == 6
    assert LedgerImport.objects.get().state == "imported"


def test_a_writer_that_stopped_is_rolled_back_by_the_worker(county, monkeypatch):
    """kill -9 in the middle of writing: the import stays 写入中 with its chunks written; once its claim
    is stale the worker takes them all back and says so."""
    monkeypatch.setattr("xinfang.ledger.services.ledger_rollback", lambda **kwargs: 0)  # the process died
    fail_on_chunk(monkeypatch, 2, SystemExit(137))
    with pytest.raises(SystemExit):
        run(county, six_rows(), name="killed.csv")
    stopped = LedgerImport.objects.get()
    assert stopped.state == "writing" and Matter.objects.filter(county=county).count() == 2
    with pytest.raises(LedgerError) as busy:  # another import of the county waits, not writing beside it
        run(county, csv_bytes([row(**{"登记编号": "X1"})]), name="other.csv")
    assert "另一份台账正在写入" in str(busy.value)
    assert ledger_work_next() == 0  # not stale yet: it may still be writing
    with time_machine.travel(TODAY + dt.timedelta(minutes=3), tick=False):
        assert ledger_work_next() == 1
    stopped.refresh_from_db()
    assert (stopped.state, stopped.message) == ("failed", STOPPED)
    assert Matter.objects.filter(county=county).count() == 0


def test_a_matter_changed_by_someone_else_meanwhile_stops_the_import_and_is_kept(county, bureau, monkeypatch):
    run(county, six_rows(**{"反映问题": "最初的内容"}))
    original = Importer.write

    def meanwhile(self, plans, *args, **kwargs):  # after the check read the registry
        changed = Matter.objects.get(number="W5")
        matter_update(by=bureau, matter=changed, changes={"content": "局里刚改的内容"}, reported_units=None)
        return original(self, plans, *args, **kwargs)

    monkeypatch.setattr(Importer, "write", meanwhile)
    with pytest.raises(LedgerError) as stopped:
        run(county, six_rows(**{"反映问题": "台账里的新内容"}), name="again.csv")
    assert "被他人修改" in str(stopped.value) and "W5" in str(stopped.value)
    assert set(Matter.objects.values_list("content", flat=True)) == {"最初的内容", "局里刚改的内容"}
    assert LedgerImport.objects.get(file_name="again.csv").state == "failed"


def test_the_undo_of_a_chunked_import_still_sees_changes_made_while_it_wrote(county, bureau, monkeypatch):
    original = Importer.write_chunk
    calls = {"n": 0}

    def touch_after_first(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # between chunks, a user acts on a matter of the first chunk
            from xinfang.audit.services import audit_record

            audit_record(action="matter.update", actor=bureau, obj=Matter.objects.get(number="W0"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Importer, "write_chunk", touch_after_first)
    result = run(county, six_rows())
    with pytest.raises(LedgerError) as refused:
        ledger_undo(by=None, ledger_import=LedgerImport.objects.get(pk=result.ledger_import_id or 0))
    assert "W0" in str(refused.value)


def test_an_answer_is_not_turned_into_an_error_when_only_the_session_cannot_be_saved(
    client_for, county, monkeypatch
):
    """Two registrations were saved but answered 400 while an import held the lock: the session's save
    failed after the registration had committed. The answer stands; only the session's update is lost."""
    from tests.petitions.test_registry_pages import form_data

    def locked(self, must_create=False):
        raise OperationalError("database is locked")

    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=TODAY.tzinfo), tick=False):
        client = client_for("bureau")
        monkeypatch.setattr(SessionStore, "save", locked)
        response = client.post("/matters/new/", form_data(county))
    assert response.status_code == 302
    assert Matter.objects.filter(county=county).count() == 1
