"""The KPIs' roll-up (issue 18: a year of a million matters in under a second): each matter's entries into
the seven rates as `KpiFact` rows, computed from its current rows by exactly the rules of `stats.kpi`
(the same deadlines, statuses and first-answer rule; see that module's docstring), so that a period's
figures are one grouped query over a range of days.

How the rows stay equal to a recount:

- Database triggers (installed after every migrate, `kpi_triggers_install`) put the id of every matter
  whose matter, status-record, assignment, rating or ownership rows are inserted, changed or deleted into
  `KpiPending`, in the writing transaction: no write path (a service, a job's `.update()`, a bulk insert,
  a ledger undo, a shell) can change a matter unnoticed.
- The petitions services call `core.matter_hooks.matters_changed(ids)` after their writes; stats registers
  `facts_refresh`, which recomputes those matters' rows and drops their pending marks in the same
  transaction. Bulk writers (ledger import, demo generator, bench fill) call it for the matters they wrote.
- A change of a county's rule profile or of the working calendar marks the matters whose deadline rows
  may move (`dates_changed`); small sets are refreshed at once, larger ones by the worker (`facts_work`).
- A read first refreshes what is pending (`pending_flush`); while more is pending than a read should take
  on, `kpis` counts from the matters instead (`kpis_recount`): slower, never wrong.
- The facts are counted again per day, unit and KPI (`KpiDay`) by triggers on the facts themselves
  (`kpi_triggers_install`), so that a period reads days, not facts; on PostgreSQL the appended counts are
  merged by the worker (`days_compact`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone

from xinfang.calendars.selectors import work_calendar
from xinfang.directory.models import County
from xinfang.lib.deadlines import Clock
from xinfang.lib.workdays import UnknownYear, WorkCalendar
from xinfang.petitions.models import Assignment, Matter, Ownership, Rating, Stage, Transition
from xinfang.stats.kpi import ANSWERED_STATUSES, ENDING_STATUSES, SATISFIED, Status, _Deadlines, is_resolved
from xinfang.stats.models import KpiDay, KpiFact, KpiPending

K = KpiFact.Kpi
BATCH = 2000  # matters per round of queries
# Pending matters a read refreshes itself before counting; beyond, it recounts and the worker catches up.
READ_FLUSH_LIMIT = 5000
# Matters a change of calendar or rule profile refreshes in its own transaction; beyond, the worker does.
CHANGE_REFRESH_LIMIT = 5000
DEADLINE_KPIS = (K.TIMELY_ACCEPTANCE, K.ON_TIME_HANDLING, K.RATING_RATE)


@dataclass(frozen=True)
class Fact:
    matter_id: int
    county_id: int
    unit_id: int | None
    kpi: int
    day: dt.date
    numerator: bool = False
    excluded: bool = False
    other_day: dt.date | None = None

    def row(self) -> KpiFact:
        return KpiFact(
            matter_id=self.matter_id, county_id=self.county_id, unit_id=self.unit_id, kpi=self.kpi,
            day=self.day, other_day=self.other_day, numerator=self.numerator, excluded=self.excluded,
        )  # fmt: skip


@dataclass
class _Rows:
    """What the facts of a batch of matters are computed from: one query per table."""

    assignments: dict[int, list[tuple[dt.datetime, bool]]]
    transitions: dict[int, list[tuple[str, dt.datetime]]]  # not imported; the statuses a rate reads
    imported: set[int]  # matters with an imported status record
    ratings: dict[int, tuple[dt.datetime, str, str]]
    owned: set[int]


def _local_day(moment: dt.datetime) -> dt.date:
    """The local date of a moment, as the recount's TruncDate takes it."""
    return timezone.localtime(moment).date()


def _rows(ids: Sequence[int]) -> _Rows:
    assignments: dict[int, list[tuple[dt.datetime, bool]]] = defaultdict(list)
    for matter_id, sent_at, current in Assignment.objects.filter(matter_id__in=ids).values_list(
        "matter_id", "sent_at", "is_current"
    ):
        assignments[matter_id].append((sent_at, current))
    transitions: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    imported: set[int] = set()
    wanted = (Status.ANSWERED, Status.REJECTED, *ENDING_STATUSES)
    for matter_id, to_status, at, was_imported in Transition.objects.filter(
        Q(imported=True) | Q(to_status__in=wanted), matter_id__in=ids
    ).values_list("matter_id", "to_status", "at", "imported"):
        if was_imported:
            imported.add(matter_id)
        else:
            transitions[matter_id].append((to_status, at))
    ratings = {
        matter_id: (rated_at, bureau, unit)
        for matter_id, rated_at, bureau, unit in Rating.objects.filter(matter_id__in=ids).values_list(
            "matter_id", "rated_at", "bureau_score", "unit_score"
        )
    }
    owned = set(
        Ownership.objects.filter(Q(is_current=True) | Q(end_reason=Ownership.EndReason.CLOSED))
        .filter(matter_id__in=ids)
        .values_list("matter_id", flat=True)
    )
    return _Rows(assignments, transitions, imported, ratings, owned)


MATTER_FIELDS = (
    "pk", "county_id", "responsible_unit_id", "status", "stage", "first_event_date", "accepted_on",
    "answered_on", "resolved_on", "extension_days",
)  # fmt: skip


class _Matter:
    """One matter's facts, rule by rule as `stats.kpi` counts them."""

    def __init__(self, values: tuple, rows: _Rows, deadlines: _Deadlines) -> None:  # type: ignore[type-arg]
        (self.pk, self.county_id, self.unit_id, self.status, self.stage, self.first_event_date,
         self.accepted_on, self.answered_on, self.resolved_on, self.extension_days) = values  # fmt: skip
        self.assignments = rows.assignments.get(self.pk, [])
        self.transitions = rows.transitions.get(self.pk, [])
        self.imported = self.pk in rows.imported
        self.rating = rows.ratings.get(self.pk)
        self.owned = self.pk in rows.owned
        self.deadlines = deadlines
        self.facts: list[Fact] = []

    def add(self, kpi: int, day: dt.date, *, numerator: bool = False, excluded: bool = False,
            other_day: dt.date | None = None) -> None:  # fmt: skip
        self.facts.append(
            Fact(self.pk, self.county_id, self.unit_id, kpi, day, numerator, excluded, other_day)
        )

    def due(self, clock: Clock, start: dt.date, extra_days: int = 0) -> dt.date | None:
        try:
            return self.deadlines.due(clock, start, extra_days)
        except UnknownYear:  # the recount cannot date it either
            return None

    def timely(self, clock: Clock, start: dt.date, decided: dt.date | None) -> None:
        due = self.due(clock, start)
        if due is not None:
            self.add(K.TIMELY_ACCEPTANCE, due, numerator=decided is not None and decided <= due)

    def compute(self) -> list[Fact]:
        self.disposal()
        self.acceptance()
        for answered in self.first_answers():
            self.handling(answered)
            self.rating_window(answered)
        self.ratings()
        self.closing()
        self.left_out()
        return self.facts

    def disposal(self) -> None:
        """Art. 22: from the first visit to the first 转送/交办, or the bureau's own 受理 or 不予受理."""
        start = self.first_event_date
        if self.assignments:
            first = min(sent_at for sent_at, _current in self.assignments)
            for sent_at, _current in self.assignments:
                if sent_at == first:
                    self.timely(Clock.DISPOSE, start, _local_day(sent_at))
        elif self.status != Status.REJECTED and (
            self.accepted_on is not None or self.status == Status.REGISTERED
        ):
            self.timely(Clock.DISPOSE, start, self.accepted_on)
        if self.status == Status.REJECTED:
            for to_status, at in self.transitions:
                if to_status == Status.REJECTED:
                    self.timely(Clock.DISPOSE, start, _local_day(at))

    def acceptance(self) -> None:
        """Art. 23: from the current 转送/交办 to the unit's 受理."""
        for sent_at, current in self.assignments:
            if current:
                start = _local_day(sent_at)
                accepted = self.accepted_on
                self.timely(
                    Clock.ACCEPT_NOTICE,
                    start,
                    accepted if accepted is not None and accepted >= start else None,
                )

    def first_answers(self) -> list[dt.date | None]:
        """The first answer's day (None while unanswered at the first stage): 答复日期 at the first stage,
        else the day of the earliest recorded answer (each one recorded at that moment)."""
        if self.stage == Stage.INITIAL:
            return [self.answered_on]
        answers = [at for to_status, at in self.transitions if to_status == Status.ANSWERED]
        return [_local_day(at) for at in answers if at == min(answers)]

    def handling(self, answered: dt.date | None) -> None:
        """Art. 34: the deadline's period and, when answered on another day, the answer's."""
        if self.accepted_on is None:
            return
        due = self.due(Clock.HANDLE, self.accepted_on, self.extension_days)
        if due is None:
            return
        on_time = answered is not None and answered <= due
        self.add(K.ON_TIME_HANDLING, due, numerator=on_time)
        if answered is not None and answered != due:
            self.add(K.ON_TIME_HANDLING, answered, numerator=on_time, other_day=due)

    def rating_window(self, answered: dt.date | None) -> None:
        if answered is None or self.answered_on is None:
            return
        due = self.due(Clock.RATING, answered)
        if due is not None:
            self.add(K.RATING_RATE, due, numerator=self.rating is not None)

    def ratings(self) -> None:
        if self.rating is not None:
            rated_at, bureau, unit = self.rating
            self.add(K.SATISFACTION, _local_day(rated_at), numerator=bureau in SATISFIED)
            self.add(K.UNIT_SATISFACTION, _local_day(rated_at), numerator=unit in SATISFIED)

    def closing(self) -> None:
        """已化解 by its 化解日期; 办结 and 终结 by the day of each status record of that status."""
        days: list[dt.date] = []
        if self.status == Status.RESOLVED and self.resolved_on is not None:
            days.append(self.resolved_on)
        if self.status in ENDING_STATUSES:
            days += [_local_day(at) for to_status, at in self.transitions if to_status == self.status]
        resolved = is_resolved(self.status, self.resolved_on)
        for day in days:
            self.add(K.RESOLUTION, day, numerator=resolved)
            if self.owned:
                self.add(K.OWNED_RESOLUTION, day, numerator=resolved)

    def left_out(self) -> None:
        """Imported matters, by 信访日期, that took a step whose day is not recorded."""
        if not self.imported:
            return
        day = self.first_event_date
        answered = self.status in ANSWERED_STATUSES
        if self.status != Status.REGISTERED and not self.assignments and self.accepted_on is None:
            self.add(K.TIMELY_ACCEPTANCE, day, excluded=True)
        if answered and (self.accepted_on is None or self.answered_on is None):
            self.add(K.ON_TIME_HANDLING, day, excluded=True)
        if answered and self.answered_on is None:
            self.add(K.RATING_RATE, day, excluded=True)
        ended_here = any(to_status == self.status for to_status, _at in self.transitions)
        undated_end = (self.status in ENDING_STATUSES and not ended_here) or (
            self.status == Status.RESOLVED and self.resolved_on is None
        )
        if undated_end:
            self.add(K.RESOLUTION, day, excluded=True)
            if self.owned:
                self.add(K.OWNED_RESOLUTION, day, excluded=True)


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def facts_of(
    matter_ids: Iterable[int],
    calendar: WorkCalendar | None = None,
    deadlines: dict[int, _Deadlines] | None = None,
) -> list[Fact]:
    """The facts of these matters as they are now (a few queries per batch of matters). `deadlines`, by
    county, carries the due dates already computed from one call to the next (a rebuild)."""
    calendar = calendar or work_calendar()
    deadlines = {} if deadlines is None else deadlines
    facts: list[Fact] = []
    for ids in _batches(sorted(set(matter_ids))):
        rows = _rows(ids)
        for values in Matter.objects.filter(pk__in=ids).values_list(*MATTER_FIELDS):
            county_id = values[1]
            if county_id not in deadlines:
                deadlines[county_id] = _Deadlines(County.objects.get(pk=county_id), calendar)
            facts += _Matter(values, rows, deadlines[county_id]).compute()
    return facts


def facts_refresh(matter_ids: Iterable[int]) -> int:
    """Recompute these matters' facts (delete and insert) and drop their pending marks, in the caller's
    transaction. Returns how many facts they now have."""
    calendar, deadlines = work_calendar(), dict[int, _Deadlines]()
    written = 0
    with transaction.atomic():
        for ids in _batches(sorted(set(matter_ids))):
            facts = facts_of(ids, calendar, deadlines)
            KpiFact.objects.filter(matter_id__in=ids).delete()
            KpiFact.objects.bulk_create([fact.row() for fact in facts], batch_size=5000)
            KpiPending.objects.filter(matter_id__in=ids).delete()
            written += len(facts)
    return written


def facts_rebuild(county: County | None = None, *, report: bool = False) -> int:
    """Every matter's facts (of `county`, or of all), recomputed in batches of matters, each batch in its
    own transaction (bounded memory; the figures stay readable meanwhile). Returns the facts written."""
    matters = Matter.objects.order_by("pk")
    if county is not None:
        matters = matters.filter(county=county)
    calendar, deadlines = work_calendar(), dict[int, _Deadlines]()
    written, last = 0, 0
    while ids := list(matters.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            facts = facts_of(ids, calendar, deadlines)
            KpiFact.objects.filter(matter_id__in=ids).delete()
            KpiFact.objects.bulk_create([fact.row() for fact in facts], batch_size=5000)
            KpiPending.objects.filter(matter_id__in=ids).delete()
        written, last = written + len(facts), ids[-1]
    # Facts of matters that no longer exist cannot remain (cascade); marks of deleted matters can.
    KpiPending.objects.exclude(matter_id__in=Matter.objects.values("pk")).delete()
    days_compact()
    return written


def pending_flush(limit: int | None = None) -> int | None:
    """Refresh the pending matters, in one transaction; None (nothing done) when more than `limit` are
    pending. Returns how many were refreshed."""
    with transaction.atomic():
        pending = KpiPending.objects.order_by("matter_id").values_list("matter_id", flat=True)
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending if limit is None else pending[: limit + 1])
        if limit is not None and len(ids) > limit:
            return None
        if ids:
            facts_refresh(ids)
        return len(ids)


def facts_work() -> int:
    """The worker's round: refresh up to a batch of pending matters, then merge the day counts written
    since the last round (`days_compact`). Returns how many matters were refreshed."""
    with transaction.atomic():
        pending = KpiPending.objects.order_by("matter_id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending.values_list("matter_id", flat=True)[:BATCH])
        if ids:
            facts_refresh(ids)
    days_compact()
    return len(ids)


def dates_changed(day: dt.date, county_id: int | None = None) -> int:
    """The working calendar (every county) or a county's rule profile changed from `day` on: the matters
    with a deadline at or after it (a clock running across that day, or starting after it) are marked, and
    refreshed at once when few. Returns how many were marked."""
    facts = KpiFact.objects.filter(kpi__in=DEADLINE_KPIS, day__gte=day, excluded=False)
    counties = [county_id] if county_id is not None else list(County.objects.values_list("pk", flat=True))
    ids: set[int] = set()
    for each in counties:
        ids.update(facts.filter(county_id=each).values_list("matter_id", flat=True).distinct())
        # A matter first visiting after the day has every clock after it (facts or not, e.g. none yet).
        ids.update(
            Matter.objects.filter(county_id=each, first_event_date__gte=day).values_list("pk", flat=True)
        )
    if len(ids) <= CHANGE_REFRESH_LIMIT:
        facts_refresh(ids)
    else:
        KpiPending.objects.bulk_create(
            [KpiPending(matter_id=pk) for pk in ids], ignore_conflicts=True, batch_size=5000
        )
    return len(ids)


# The triggers: which writes mark a matter. A matter's own row only when a column a rate reads changes.
MATTER_COLUMNS = (
    "county_id", "responsible_unit_id", "status", "stage", "first_event_date", "accepted_on", "answered_on",
    "resolved_on", "extension_days",
)  # fmt: skip
ROW_TABLES = ("petitions_transition", "petitions_assignment", "petitions_rating", "petitions_ownership")
PENDING = KpiPending._meta.db_table


def _sqlite_trigger(name: str, event: str, table: str, ids: Sequence[str], when: str = "") -> str:
    marks = " ".join(f"INSERT OR IGNORE INTO {PENDING} (matter_id) VALUES ({pk});" for pk in ids)  # noqa: S608
    return f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} {when} BEGIN {marks} END"


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in MATTER_COLUMNS)
    statements = [
        _sqlite_trigger("kpi_mark_matter_insert", "INSERT", "petitions_matter", ["NEW.id"]),
        _sqlite_trigger(
            "kpi_mark_matter_update", "UPDATE", "petitions_matter", ["NEW.id"], f"WHEN {changed}"
        ),
    ]
    for table in ROW_TABLES:
        statements += [
            _sqlite_trigger(f"kpi_mark_{table}_insert", "INSERT", table, ["NEW.matter_id"]),
            _sqlite_trigger(f"kpi_mark_{table}_update", "UPDATE", table, ["OLD.matter_id", "NEW.matter_id"]),
            _sqlite_trigger(f"kpi_mark_{table}_delete", "DELETE", table, ["OLD.matter_id"]),
        ]
    return statements


def _postgresql_function(name: str, select: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
        f"INSERT INTO {PENDING} (matter_id) {select} ON CONFLICT (matter_id) DO NOTHING; "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )


def _postgresql_trigger(name: str, event: str, table: str, referencing: str, function: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _postgresql_triggers() -> list[str]:
    """Statement-level triggers with transition tables: a bulk insert of a million rows marks them in one
    statement, not a million function calls."""
    changed = " OR ".join(f"o.{column} IS DISTINCT FROM n.{column}" for column in MATTER_COLUMNS)
    new, old, both = (
        "NEW TABLE AS new_rows",
        "OLD TABLE AS old_rows",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    )
    statements = [
        _postgresql_function("kpi_mark_matter_insert", "SELECT id FROM new_rows"),
        _postgresql_function(
            "kpi_mark_matter_update",
            f"SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed}",  # noqa: S608
        ),
        _postgresql_function("kpi_mark_rows_new", "SELECT DISTINCT matter_id FROM new_rows"),
        _postgresql_function("kpi_mark_rows_old", "SELECT DISTINCT matter_id FROM old_rows"),
        _postgresql_function(
            "kpi_mark_rows_both", "SELECT matter_id FROM new_rows UNION SELECT matter_id FROM old_rows"
        ),
        *_postgresql_trigger("kpi_mark_insert", "INSERT", "petitions_matter", new, "kpi_mark_matter_insert"),
        *_postgresql_trigger("kpi_mark_update", "UPDATE", "petitions_matter", both, "kpi_mark_matter_update"),
    ]
    for table in ROW_TABLES:
        statements += _postgresql_trigger("kpi_mark_insert", "INSERT", table, new, "kpi_mark_rows_new")
        statements += _postgresql_trigger("kpi_mark_update", "UPDATE", table, both, "kpi_mark_rows_both")
        statements += _postgresql_trigger("kpi_mark_delete", "DELETE", table, old, "kpi_mark_rows_old")
    return statements


# The day counts' triggers on the facts (KpiDay): a fact added counts +1, a fact removed −1.
DAYS = KpiDay._meta.db_table
FACTS = KpiFact._meta.db_table
DAY_COLUMNS = "county_id, day, unit, kpi, numerator, denominator, excluded, compacted"


def _day_counts(rows: str, sign: str) -> str:
    """The counts of a set of fact rows (`rows`: a transition table), per day, unit and KPI, as a SELECT
    of DAY_COLUMNS."""
    return (
        f"SELECT county_id, day, COALESCE(unit_id, 0), kpi, {sign}COUNT(*) FILTER (WHERE numerator), "  # noqa: S608
        f"{sign}COUNT(*) FILTER (WHERE NOT excluded), {sign}COUNT(*) FILTER (WHERE excluded), false "
        f"FROM {rows} GROUP BY county_id, day, COALESCE(unit_id, 0), kpi"
    )


def _postgresql_day_triggers() -> list[str]:
    """Statement-level: each statement's counts inserted as new rows (never an UPDATE of a shared row, so
    that concurrent writers never lock each other), merged later by `days_compact`."""
    add = f"INSERT INTO {DAYS} ({DAY_COLUMNS}) {_day_counts('new_rows', '')};"
    subtract = f"INSERT INTO {DAYS} ({DAY_COLUMNS}) {_day_counts('old_rows', '-')};"
    statements = []
    bodies = (("kpi_day_add", add), ("kpi_day_subtract", subtract), ("kpi_day_move", subtract + add))
    for name, body in bodies:
        statements.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body} RETURN NULL; END $$ "
            "LANGUAGE plpgsql"
        )
    new, old, both = (
        "NEW TABLE AS new_rows",
        "OLD TABLE AS old_rows",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    )
    statements += _postgresql_trigger("kpi_day_insert", "INSERT", FACTS, new, "kpi_day_add")
    statements += _postgresql_trigger("kpi_day_delete", "DELETE", FACTS, old, "kpi_day_subtract")
    statements += _postgresql_trigger("kpi_day_update", "UPDATE", FACTS, both, "kpi_day_move")
    return statements


def _sqlite_day_add() -> str:
    values = "NEW.county_id, NEW.day, COALESCE(NEW.unit_id, 0), NEW.kpi"
    return (
        f"INSERT INTO {DAYS} ({DAY_COLUMNS}) VALUES ({values}, "  # noqa: S608
        "NEW.numerator, 1 - NEW.excluded, NEW.excluded, 1) "
        "ON CONFLICT (county_id, day, unit, kpi) DO UPDATE SET "
        f"numerator = {DAYS}.numerator + excluded.numerator, "
        f"denominator = {DAYS}.denominator + excluded.denominator, "
        f"excluded = {DAYS}.excluded + excluded.excluded;"
    )


def _sqlite_day_subtract() -> str:
    return (
        f"UPDATE {DAYS} SET numerator = numerator - OLD.numerator, "  # noqa: S608
        "denominator = denominator - (1 - OLD.excluded), excluded = excluded - OLD.excluded "
        "WHERE county_id = OLD.county_id AND day = OLD.day AND unit = COALESCE(OLD.unit_id, 0) "
        "AND kpi = OLD.kpi;"
    )


def _sqlite_day_triggers() -> list[str]:
    """Row-level: each fact added to its day's row (created when it is the first) or taken from it; one
    writer at a time on SQLite, so the rows are kept merged (a unique key for the upsert). A fact taken
    away only updates its row, which its insertion made: when the day counts are emptied first (a test's
    flush deletes the tables in its own order), taking the facts away leaves nothing behind."""
    add, subtract = _sqlite_day_add(), _sqlite_day_subtract()
    statements = [f"CREATE UNIQUE INDEX IF NOT EXISTS kpiday_key ON {DAYS} (county_id, day, unit, kpi)"]
    for name, event, body in (
        ("kpi_day_insert", "INSERT", add),
        ("kpi_day_delete", "DELETE", subtract),
        ("kpi_day_update", "UPDATE", f"{subtract} {add}"),
    ):
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {FACTS} BEGIN {body} END")
    return statements


def days_compact() -> int:
    """PostgreSQL: merge the day counts the triggers appended (each day, unit and KPI with rows not yet
    merged becomes one row; all-zero ones go) in one statement, so that a read sums a row per key. Safe
    beside writers and other workers: rows appended meanwhile are left for the next time, and a row another
    compaction took is skipped. Returns the rows merged (0 on SQLite, whose rows are kept merged)."""
    if connection.vendor != "postgresql":
        return 0
    keys = "county_id, day, unit, kpi"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH fresh AS (SELECT DISTINCT {keys} FROM {DAYS} WHERE NOT compacted), "  # noqa: S608
            f"gone AS (DELETE FROM {DAYS} d USING fresh f WHERE d.county_id = f.county_id AND d.day = f.day "
            "AND d.unit = f.unit AND d.kpi = f.kpi "
            "RETURNING d.county_id, d.day, d.unit, d.kpi, d.numerator, d.denominator, d.excluded), "
            f"merged AS (INSERT INTO {DAYS} ({DAY_COLUMNS}) "
            f"SELECT {keys}, SUM(numerator), SUM(denominator), SUM(excluded), true FROM gone "
            f"GROUP BY {keys} HAVING SUM(numerator) <> 0 OR SUM(denominator) <> 0 OR SUM(excluded) <> 0) "
            "SELECT COUNT(*) FROM gone"
        )
        (merged,) = cursor.fetchone()
    return int(merged)


def kpi_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install (or put back) the triggers that mark written matters and keep the day counts; idempotent."""
    if connection.vendor == "postgresql":
        statements = _postgresql_triggers() + _postgresql_day_triggers()
    else:
        statements = _sqlite_triggers() + _sqlite_day_triggers()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
