"""Every role's pages over HTTP at a million matters, and list pages a second under concurrent clients.

    .venv/bin/python bench/pages.py --matters 1000000 --data-dir var/bench               # SQLite
    .venv/bin/python bench/pages.py --matters 1000000 --data-dir var/bench-pg \\
        --database-url postgresql://postgres@127.0.0.1:5432/xinfang_bench                # PostgreSQL

The database is filled as bench/registry.py fills it (and shared with it), then given what the home pages
count: the new matters of each of the last seven days at the county's daily rate (the generated history
ends a few days before it is generated), extension requests and jurisdiction objections of the demo units
(through the services, as their users would make them). The site then runs as it is deployed,
`xinfang serve` (gunicorn, --workers processes of --threads threads, by default as `xinfang serve`: the
processors plus one, two threads each), on a free local
port. Each persona logs in over HTTP with the demo password (and the second factor when its role needs
one, the bench acting as the authenticator app), then every page is requested --runs times after two
warm-up requests, one at a time: the home page, the matter list, its next page (the keyset cursor of page
1), each of the role's to-do queues (`?todo=`), the owning leader's matters (`?owner=`, county-wide
roles), the statistics of last month, and the 领导包案 pages (the overview and batches for county-wide roles,
我的包案 for leaders), and the linkage's pages (issues 18–20: the KPIs of last month, the last closed
quarter's competition board and, but for leaders, a unit's breakdown — the quarter drafted first, as the
worker would —, the villages' star ratings, the monthly analyses, and the joint meeting's screening of
last month, stored first as the worker would). Last, --clients clients (one connection and session each,
personas in turn) request /matters/ as fast as the server answers for --seconds.

Targets (issue 14, item 11): p95 ≤ 300 ms for every page; ≥ 150 list pages a second with 8 clients on 2
cores. The clients run on the same machine as the server and take part of its processors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinfang.cli import SERVE_THREADS, SERVE_WORKERS  # the server's defaults: measured as deployed

# (username, what the persona is) — the demo accounts every role's tests also use.
PERSONAS = (
    ("bureau", "信访局登记员 bureau_staff"),
    ("bureau_head", "信访局长 bureau_head"),
    ("secretary", "县委书记 main_leader"),
    ("leader", "副县长 county_leader"),
    ("zhouzhuang", "周庄镇 unit_user"),
    ("renshe", "县人社局 unit_user"),
    ("zhouzhuang_head", "周庄镇负责人 unit head"),
)
EXTENSIONS_PER_UNIT = 12  # pending extension requests each demo unit (and the bureau) has
# The demo county leader's current 包案: the generator gives a township's liaison leaders 60 % of its heavy
# matters over two years (about 17,000 at a million matters); a busy vice county head owns a few hundred.
LEADER_MATTERS = 200
OBJECTIONS_PER_UNIT = 2  # pending jurisdiction objections each demo unit has raised


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--matters", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="var/bench", help="where the SQLite file and key live")
    parser.add_argument("--runs", type=int, default=30, help="timed requests of each page and persona")
    parser.add_argument("--workers", type=int, default=SERVE_WORKERS, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=SERVE_THREADS, help="threads of each worker process")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the throughput run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the throughput run")
    return parser.parse_args()


# ---------------------------------------------------------------------------------------------------------
# The workload: what the home pages' cards count, made through the services as the units would.


def workload_prepare(*, matters: int) -> list[str]:
    """Top up this week and give the demo units pending work; returns lines describing the workload."""
    from django.db.models import Count
    from django.utils import timezone

    from bench.fill import recent_days_fill
    from xinfang.accounts.models import User
    from xinfang.directory.models import County, Leader
    from xinfang.petitions.models import Assignment, Event, Extension, Matter, Ownership

    added = recent_days_fill(matters=matters)
    county = County.objects.get(code="410421")
    bureau = User.objects.get(username="bureau")
    for username in ("zhouzhuang", "renshe"):
        unit_user = User.objects.get(username=username)
        _objections_raise(unit_user)
        _extensions_request(unit_user)
    _extensions_request(bureau)

    leader = User.objects.select_related("leader").get(username="leader").leader
    assert leader is not None
    owned = Ownership.objects.filter(leader=leader, is_current=True)
    released = 0
    if owned.count() > LEADER_MATTERS:
        # The newest stay owned; the rest are released as if their 包案 had ended (bench data, written
        # in bulk like the generator's).
        keep = list(owned.order_by("-matter__last_event_date", "-matter_id").values_list("pk", flat=True))
        released = owned.exclude(pk__in=keep[:LEADER_MATTERS]).update(
            is_current=False, ended_on=timezone.localdate()
        )
    owners = (
        Ownership.objects.filter(is_current=True, leader__county=county)
        .values("leader")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    today = timezone.localdate()
    week = today - dt.timedelta(days=today.weekday())
    linkage = _linkage_prepare(county)
    # The KPI roll-up's backlog of what was just written, refreshed as the worker's kpi_facts task does.
    from xinfang.stats.kpi_facts import pending_flush

    pending_flush(None)
    return [
        f"{Matter.objects.filter(county=county).count():,} matters, "
        f"{Event.objects.filter(county=county).count():,} events "
        f"({added:,} matters added for the last seven days); "
        f"this week {Event.objects.filter(county=county, date__gte=week).count():,} events, "
        f"today {Event.objects.filter(county=county, date=today).count():,}",
        f"leader {leader.name} owns {owned.count():,} matters "
        f"({owned.exclude(matter__status__in=_finished()).count():,} open"
        f"{f'; {released:,} generated ones released' if released else ''}); "
        f"{owners.count()} of {Leader.objects.filter(county=county).count()} leaders own matters, "
        f"the most {owners[0]['n'] if owners else 0:,}",
        "pending: "
        f"{Assignment.objects.filter(is_current=True, state=Assignment.State.SENT).count():,} "
        "assignments to sign for, "
        f"{Assignment.objects.filter(is_current=True, state=Assignment.State.OBJECTED).count():,} "
        "objections, "
        f"{Extension.objects.filter(state=Extension.State.REQUESTED).count():,} extension requests",
        linkage,
    ]


def _linkage_prepare(county: Any) -> str:
    """The last closed quarter's competition drafted (its tables stored, as the worker's job does),
    last month's joint-meeting screening stored (the reminder job's) and this year's village vetoes stored
    (the nightly refresh's): the pages read them, never compute."""
    from django.utils import timezone

    from xinfang.lib.periods import quarter_of
    from xinfang.meetings.models import Screening
    from xinfang.meetings.services import screening_run
    from xinfang.scoring.models import VillageVetoes
    from xinfang.scoring.services import competition_draft, competition_recompute
    from xinfang.scoring.village_services import vetoes_refresh

    today = timezone.localdate()
    quarter = quarter_of(today).previous()
    started = time.monotonic()
    record, _ = competition_draft(county=county, quarter=quarter, by=None)
    if record.computed_at is None:  # drafted before the tables were stored
        competition_recompute(county=county, quarter=quarter, by=None)
    drafted = time.monotonic() - started
    month = last_month(today)
    started = time.monotonic()
    if not Screening.objects.filter(county=county, month=str(month)).exists():
        screening_run(county=county, month=month, by=None)
    screened = time.monotonic() - started
    # The villages' petition-star vetoes of this year, stored as the nightly refresh job stores them.
    started = time.monotonic()
    if not VillageVetoes.objects.filter(county=county, year=today.year).exists():
        vetoes_refresh(county=county, year=today.year, by=None)
    vetoed = time.monotonic() - started
    return (
        f"linkage: {quarter.code} drafted ({drafted:.1f} s), {month} screened for the joint meeting "
        f"({screened:.1f} s), {today.year}'s village vetoes stored ({vetoed:.1f} s; 0 when stored by an "
        "earlier run)"
    )


def last_month(today: dt.date) -> Any:
    """The business month before today's, as the screening page takes it by default."""
    from django.conf import settings

    from xinfang.lib.periods import month_of

    return month_of(today, settings.XINFANG_MONTH_START_DAY).shifted(-1)


def _finished() -> list[str]:
    from xinfang.petitions.todo import FINISHED

    return list(FINISHED)


def _extensions_request(user: object) -> None:
    """Up to EXTENSIONS_PER_UNIT requests by the user's unit (the bureau's own matters for the bureau)."""
    from django.utils import timezone

    from xinfang.accounts.models import User
    from xinfang.directory.selectors import bureau_unit
    from xinfang.lib.deadlines import Clock
    from xinfang.petitions.models import Extension, Matter
    from xinfang.petitions.services.common import RegistryError
    from xinfang.petitions.services.workflow import extension_request

    assert isinstance(user, User)
    unit = user.unit if user.unit_id else bureau_unit(user.county_id)
    if unit is None:
        return
    requested = Extension.objects.filter(matter__responsible_unit=unit, state=Extension.State.REQUESTED)
    wanted = EXTENSIONS_PER_UNIT - requested.count()
    if wanted <= 0:
        return
    candidates = (
        Matter.objects.filter(
            county_id=user.county_id or 0,
            responsible_unit=unit,
            clock=Clock.HANDLE,
            due_date__gte=timezone.localdate(),
        )
        .exclude(extensions__state__in=[Extension.State.REQUESTED, Extension.State.APPROVED])
        .order_by("-last_event_date", "-id")[: wanted * 3]
    )
    for matter in candidates:
        try:
            extension_request(by=user, matter=matter, days=30, reason="涉及多个部门，需进一步调查核实")
        except RegistryError:
            continue
        wanted -= 1
        if wanted == 0:
            break


def _objections_raise(user: object) -> None:
    """The unit signs for a few new assignments and objects to OBJECTIONS_PER_UNIT of them."""
    from xinfang.accounts.models import User
    from xinfang.petitions.models import Assignment
    from xinfang.petitions.services.common import RegistryError
    from xinfang.petitions.services.transfer import assignment_object, assignment_receive

    assert isinstance(user, User)
    current = Assignment.objects.filter(unit_id=user.unit_id or 0, is_current=True)
    wanted = OBJECTIONS_PER_UNIT - current.filter(state=Assignment.State.OBJECTED).count()
    if wanted <= 0:
        return
    sent = current.filter(state=Assignment.State.SENT).select_related("matter").order_by("-sent_at", "-id")
    for assignment in list(sent[: wanted * 3]):
        try:
            assignment_receive(by=user, matter=assignment.matter)
            assignment_object(by=user, matter=assignment.matter, reason="该事项不属于本单位职责范围")
        except RegistryError:
            continue
        wanted -= 1
        if wanted == 0:
            break


# ---------------------------------------------------------------------------------------------------------
# The server and its clients.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_start(
    *, port: int, workers: int, threads: int, data_dir: str, database_url: str, log: Path
) -> subprocess.Popen[bytes]:
    """`xinfang serve` as deployed (gunicorn gthread workers), its log in `log`."""
    environment = {**os.environ, "XINFANG_DATA_DIR": str(Path(data_dir).resolve())}
    environment.pop("DATABASE_URL", None)
    if database_url:
        environment["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "xinfang", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--threads", str(threads)]  # fmt: skip
    with log.open("ab") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=output)  # noqa: S603
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {server.returncode}); see {log}")
        try:
            status, _ = Browser(port).get("/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server_stop(server)
    raise RuntimeError(f"the server did not answer within 120 s; see {log}")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Browser:
    """One keep-alive connection with its cookies: a logged-in browser tab, without the static files."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        """Status, body and Location of one request (retried once on a connection the server closed)."""
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, data, response.getheader("Location") or ""

    def get(self, path: str) -> tuple[int, bytes]:
        status, data, _ = self.request("GET", path)
        return status, data

    def post_form(self, path: str, form: dict[str, str]) -> tuple[int, bytes, str]:
        """Post a form with the CSRF token of the page it is on, as the browser would."""
        status, page = self.get(path)
        assert status == 200, (path, status)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, f"no CSRF token on {path}"
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": token.group(1).decode()})


def login(port: int, username: str) -> Browser:
    """Log in over HTTP with the demo password; pass the second factor when the role needs it, reading the
    authenticator's secret as the phone app holds it."""
    from xinfang.accounts.models import TwoFactor
    from xinfang.accounts.services import two_factor_secret
    from xinfang.demo.directory import DEMO_PASSWORD
    from xinfang.lib.totp import code_at, current_step

    browser = Browser(port)
    status, _, location = browser.post_form("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert status == 302, f"login of {username} answered {status}"
    status, _, location = browser.request("GET", "/")
    if status == 302 and "/account/2fa/" in location:
        status, _ = browser.get("/account/2fa/")  # enrols an authenticator on the first visit
        two_factor = TwoFactor.objects.get(user__username=username)
        step = max(current_step(), two_factor.last_step + 1)  # each code is accepted once
        code = code_at(two_factor_secret(two_factor), step)
        status, _, location = browser.post_form("/account/2fa/", {"code": code})
        assert status in (200, 302), f"second factor of {username} answered {status}"
        status, _, location = browser.request("GET", "/")
    assert status == 200, f"the home page of {username} answered {status} {location}"
    return browser


# ---------------------------------------------------------------------------------------------------------
# The pages.


def pages_for(username: str, first_list_page: bytes) -> list[tuple[str, str]]:
    """(name, path) of every page the persona is timed on."""
    from django.utils import timezone

    from xinfang.accounts.models import User
    from xinfang.core.roles import BUREAU_ROLES, CONTENT_ROLES, COUNTY_WIDE_ROLES, Role
    from xinfang.directory.models import Unit
    from xinfang.lib.periods import quarter_of
    from xinfang.petitions.todo import queues_for
    from xinfang.scoring.village_selectors import villages_visible

    user = User.objects.select_related("leader").get(username=username)
    pages = [("home", "/"), ("list", "/matters/")]
    cursor = re.search(rb"after=([0-9-]+\.[0-9]+)", first_list_page)
    if cursor:
        pages.append(("list, next page", f"/matters/?after={cursor.group(1).decode()}"))
    pages += [(f"list ?todo={queue.key}", f"/matters/?todo={queue.key}") for queue in queues_for(user)]
    if user.role in COUNTY_WIDE_ROLES:
        owner = User.objects.get(username="leader").leader_id
        pages.append(("list ?owner=leader", f"/matters/?owner={owner}"))
    month_end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    period = {"date_from": month_end.replace(day=1).isoformat(), "date_to": month_end.isoformat()}
    pages.append((f"stats {month_end:%Y-%m}", f"/stats/?{urlencode(period)}"))
    # 领导包案 (issue 16): the county's overview and batches for the county-wide roles, a leader's own cases.
    if user.role in COUNTY_WIDE_ROLES:
        pages += [("ownership overview", "/ownership/"), ("ownership batches", "/ownership/batches/")]
    # 态势 (issue 18): the leaders' dashboard; the warm-up requests compute the day's snapshot, as the
    # midnight job would have.
    if user.role in COUNTY_WIDE_ROLES:
        pages.append(("dashboard", "/dashboard/"))
    if user.leader_id:
        pages.append(("my cases", "/ownership/mine/"))
    # The linkage (issues 18–20): KPIs, the quarter's competition and a unit's breakdown, the villages'
    # star ratings, the monthly analyses and the joint meeting's screening.
    if user.role in CONTENT_ROLES:
        quarter = quarter_of(timezone.localdate()).previous()
        pages += [
            (f"kpi {month_end:%Y-%m}", f"/stats/kpi/?{urlencode(period)}"),
            (f"competition {quarter.code}", f"/competition/?quarter={quarter.code}"),
        ]
        unit_id = user.unit_id
        if user.role != Role.UNIT_USER:
            unit_id = Unit.objects.get(county__code="410421", name="周庄镇").pk
        if user.role not in (Role.COUNTY_LEADER, Role.MAIN_LEADER):  # a draft's breakdown: not leaders'
            breakdown = f"/competition/{quarter.code}/units/{unit_id}/"
            pages.append((f"competition unit {quarter.code}", breakdown))
        if villages_visible(user):  # not a department's
            pages.append(("villages", "/competition/villages/"))
    if user.role in BUREAU_ROLES:  # the main leaders read the issued analyses among their documents
        pages.append(("monthly analyses", "/reports/monthly/"))
    if user.role in COUNTY_WIDE_ROLES:
        pages.append((f"meeting screening {last_month(timezone.localdate())}", "/meetings/screening/"))
    return pages


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """User and system CPU time of the server's processes so far (the gunicorn master and its workers;
    with SQLite that includes the database, with PostgreSQL not), read from Linux's /proc."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == server.pid or int(fields[1]) == server.pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Timings:
    milliseconds: list[float] = field(default_factory=list)
    size: int = 0
    server_cpu: float = 0.0  # ms of server CPU per request

    def line(self) -> str:
        ordered = sorted(self.milliseconds)
        return (
            f"{statistics.median(ordered):8.1f} {percentile(ordered, 0.95):8.1f} {ordered[-1]:8.1f}"
            f" {self.server_cpu:8.1f} {self.size / 1024:6.0f}"
        )


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)] if ordered else 0.0


def time_page(browser: Browser, path: str, runs: int, server: subprocess.Popen[bytes]) -> Timings:
    """`runs` requests of the page, one at a time, after two warm-up requests."""
    timings = Timings()
    for _ in range(2):
        status, body = browser.get(path)
        assert status == 200, (path, status)
    cpu = server_cpu_seconds(server)
    for _ in range(runs):
        started = time.perf_counter()
        status, body = browser.get(path)
        timings.milliseconds.append((time.perf_counter() - started) * 1000)
        assert status == 200, (path, status)
        timings.size = len(body)
    timings.server_cpu = (server_cpu_seconds(server) - cpu) * 1000 / runs
    return timings


@dataclass
class Throughput:
    pages: int
    seconds: float
    milliseconds: list[float]
    failures: int
    server_cpu: float  # seconds
    client_cpu: float  # seconds


def throughput(clients: list[Browser], seconds: float, server: subprocess.Popen[bytes]) -> Throughput:
    """Every client requests /matters/ again as soon as it has its answer, for `seconds`."""
    done: list[float] = []
    failures = [0]
    lock = threading.Lock()
    window = [0.0, 0.0]  # start, end

    def begin() -> None:
        window[0] = time.perf_counter()

    start = threading.Barrier(len(clients), action=begin)

    def client(browser: Browser) -> None:
        mine: list[float] = []
        start.wait()
        while time.perf_counter() < window[0] + seconds:
            began = time.perf_counter()
            status, _ = browser.get("/matters/")
            if status != 200:
                with lock:
                    failures[0] += 1
                continue
            mine.append((time.perf_counter() - began) * 1000)
        with lock:
            done.extend(mine)
            window[1] = max(window[1], time.perf_counter())

    cpu, client_cpu = server_cpu_seconds(server), time.process_time()
    threads = [threading.Thread(target=client, args=(browser,)) for browser in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Throughput(
        pages=len(done),
        seconds=window[1] - window[0],
        milliseconds=sorted(done),
        failures=failures[0],
        server_cpu=server_cpu_seconds(server) - cpu,
        client_cpu=time.process_time() - client_cpu,
    )


def main() -> int:
    args = parse_args()
    from bench.environment import django_setup

    django_setup(data_dir=args.data_dir, database_url=args.database_url)
    from django.db import connection

    from bench.fill import registry_fill

    registry_fill(matters=args.matters)
    workload = workload_prepare(matters=args.matters)
    vendor = connection.vendor
    connection.close()

    port = free_port()
    log = Path(args.data_dir) / "bench-pages-server.log"
    started = time.monotonic()
    server = server_start(port=port, workers=args.workers, threads=args.threads, data_dir=args.data_dir,
                          database_url=args.database_url, log=log)  # fmt: skip
    try:
        print(f"\n{vendor}: " + "\n".join(workload))
        print(
            f"server: xinfang serve (gunicorn, {args.workers} workers × {args.threads} threads) "
            f"on 127.0.0.1:{port}, "
            f"up in {time.monotonic() - started:.1f} s; {os.cpu_count()} processors, "
            f"load average {os.getloadavg()[0]:.1f} at the start"
        )
        print(f"{args.runs} timed requests of each page after 2 warm-up requests, one at a time")
        print("server CPU: ms of the gunicorn processes' CPU per request (with SQLite the database's too)\n")
        header = (
            f"{'persona':28} {'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU ms':>8} {'KB':>6}"
        )
        print(header)
        worst = ("", 0.0)
        for username, label in PERSONAS:
            browser = login(port, username)
            status, first = browser.get("/matters/")
            assert status == 200
            for name, path in pages_for(username, first):
                timings = time_page(browser, path, args.runs, server)
                p95 = percentile(sorted(timings.milliseconds), 0.95)
                worst = max(worst, (f"{label}, {name}", p95), key=lambda item: item[1])
                print(f"{label:28} {name:34} {timings.line()}", flush=True)
        print(f"\nslowest p95: {worst[1]:.1f} ms ({worst[0]}; target ≤ 300 ms)")

        usernames = [username for username, _ in PERSONAS]
        clients = [login(port, usernames[index % len(usernames)]) for index in range(args.clients)]
        for browser in clients:
            browser.get("/matters/")
        load = os.getloadavg()[0]
        run = throughput(clients, args.seconds, server)
        cores = os.cpu_count() or 1
        per_page = run.server_cpu * 1000 / max(run.pages, 1)
        capacity = cores * 1000 / per_page if per_page else 0.0
        median = statistics.median(run.milliseconds) if run.milliseconds else 0.0
        print(
            f"\nthroughput: {args.clients} clients (personas in turn) on /matters/ for {run.seconds:.1f} s: "
            f"{run.pages / run.seconds:.1f} pages/s (target ≥ 150), p50 {median:.1f} ms, "
            f"p95 {percentile(run.milliseconds, 0.95):.1f} ms, {run.failures} failed\n"
            f"  server CPU {per_page:.1f} ms a page ({run.server_cpu / run.seconds:.2f} of {cores} "
            f"processors busy; {capacity:.0f} pages/s if the server had them all), clients "
            f"{run.client_cpu * 1000 / max(run.pages, 1):.1f} ms a page; load average {load:.1f} before"
        )
    finally:
        server_stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
