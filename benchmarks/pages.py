"""Benchmark of the main pages and documents at city scale, on PostgreSQL behind gunicorn.

Run from the project root (PostgreSQL reachable; the default server is
``postgres://postgres@127.0.0.1:5432``)::

    .venv/bin/python benchmarks/pages.py --wards 126 --years 5     # the full run
    .venv/bin/python benchmarks/pages.py --wards 2 --years 1 --seconds 3   # a quick run

What it does, in order:

1. creates two databases of its own (``ww_bench_w1y<Y>`` and ``ww_bench_w<N>y<Y>``; never
   ``wardwork``), migrates them and fills them with ``generate_scale_data`` (1 ward, then N
   wards, same seed, same years). ``--reuse`` keeps a database that already exists instead;
   both are dropped at the end unless ``--keep-databases``;
2. in each database, in-process (Django's test client, ``CaptureQueriesContext``), counts the
   SQL queries of every main page of ward #1 (the ward with the lowest id), on the second
   request (the first fills the per-process caches), as the user the page is for: the ward
   secretary, a cell secretary for "Việc của đơn vị tôi", a superuser for the city view.
   The counts at 1 ward and at N wards are printed side by side; they must be equal;
3. starts gunicorn as docs/deployment.md runs it (``--workers`` sync workers, 3 by default;
   DEBUG off, whitenoise's manifest storage, django-axes on; only HTTPS is relaxed for
   plain HTTP on localhost) on the N-ward database, with ``BENCHMARK_BARE_VIEW=true``: that
   adds ``/bench/bare/``, a trivial template behind every middleware and the login (the
   URLconf of a normal run does not have it). ``--users`` clients (10), each logged in through
   the login form with a session of their own, request one page over and over for
   ``--seconds`` (10) each; the bare view is measured first and again last, and the page's
   requests per second are compared with the mean of the two;
4. reads the resident memory (``VmRSS``) of every gunicorn worker, stops gunicorn and looks
   at its log for tracebacks;
5. in-process on the N-ward database: the quarterly report DOCX and the conclusion notice of
   ward #1 (median of 5 after one that takes the number), the XLSX export of 1,000 and 10,000
   registrations (registrations are added to ward #1 when the database has fewer) with the
   peak of Python's memory (tracemalloc), and the import of 1,000 rows;
6. prints Markdown tables, with a PASS/MISS column against the targets of issue #8: p95 ≤
   150 ms with 10 users, ≤ 15 queries per page and the same count at 1 and N wards, ≥ 40 % of
   the bare view's requests/s, the report DOCX < 0.5 s, the 10,000-row export < 5 s with
   memory that does not grow with the rows (peak at 10,000 rows ≤ 1.5 × the peak at 1,000).

The client runs on the same machine as the server and takes CPU from it: the figures are
what one small server does with its own load generator, the bare view pays the same toll.
``docs/performance.md`` holds the output of a run; ``tests/test_benchmark_pages.py`` runs the
measuring functions briefly against a live test server.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import (  # noqa: E402
    CONNECTION_ERRORS,
    DEFAULT_SERVER,
    Client,
    QueryCounter,
    child_pids,
    database_exists,
    free_port,
    git_commit,
    machine_info,
    median,
    percentile,
    recreate_database,
    rss_kib,
    say,
    server_environment,
    server_log_problems,
    setup_django,
    start_gunicorn,
    stop_gunicorn,
    warm_up,
    with_database_name,
)

BENCH_PASSWORD = "bench-pages-Wardwork-2026"  # noqa: S105 -- a throwaway database's accounts
BARE_PATH = "/bench/bare/"
# Targets of issue #8, point 4.
TARGET_P95_MS = 150
TARGET_QUERIES = 15
TARGET_BARE_RATIO = 0.40
TARGET_REPORT_S = 0.5
TARGET_EXPORT_S = 5.0
TARGET_EXPORT_MEMORY_GROWTH = 1.5
EXPORT_ROWS = (1_000, 10_000)
IMPORT_ROWS = 1_000

# (key, what a person calls it, who opens it)
PAGES = [
    ("quarter", "quarter page", "secretary"),
    ("city", "city view", "superuser"),
    ("registry", "registry list, filter + search", "secretary"),
    ("registration", "registration detail", "secretary"),
    ("plan", "plan detail", "secretary"),
    ("matrix", "progress matrix", "secretary"),
    ("meeting", "meeting page", "secretary"),
    ("my_tasks", "Việc của đơn vị tôi (my unit's tasks)", "cell"),
]
ROLES = ("secretary", "cell", "superuser")


# --- the data: ward #1, its pages, the benchmark's accounts ---------------------------------------


def benchmark_users(ward) -> dict[str, str]:
    """Usernames of the benchmark's accounts (created once, password ``BENCH_PASSWORD``): the
    secretary of ward #1's committee, the secretary of its Party cell with the most tasks, a
    superuser."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from wardwork.models import Organization, OrganizationKind, Person, Position, PositionRole, User

    names = {"secretary": "bench_secretary", "cell": "bench_cell", "superuser": "bench_admin"}
    if User.objects.filter(username__in=names.values()).count() == len(names):
        return names
    hashed = make_password(BENCH_PASSWORD)
    committee = Organization.objects.filter(ward=ward, kind=OrganizationKind.WARD_COMMITTEE).first()
    cell = (
        Organization.objects.filter(ward=ward, kind=OrganizationKind.PARTY_CELL, is_active=True)
        .annotate(tasks=Count("led_tasks"))
        .order_by("-tasks", "pk")
        .first()
    )
    for role, organization, position_role in (
        ("secretary", committee, PositionRole.SECRETARY),
        ("cell", cell, PositionRole.CELL_SECRETARY),
    ):
        person = Person.objects.create(
            ward=ward, full_name=f"Người đo hiệu năng ({role})", organization=organization
        )
        Position.objects.create(
            person=person,
            organization=organization,
            role=position_role,
            started_on=dt.date(2000, 1, 1),
        )
        User.objects.update_or_create(
            username=names[role], defaults={"ward": ward, "person": person, "password": hashed}
        )
    User.objects.update_or_create(
        username=names["superuser"],
        defaults={"password": hashed, "is_superuser": True, "is_staff": True, "ward": None},
    )
    return names


def discover() -> dict:
    """Ward #1, its quarter and one object of each kind, and the path of every main page."""
    from django.db.models import Count
    from django.utils import timezone

    from meetings.models import Meeting, MeetingStatus
    from models_registry.models import Registration
    from plans.models import Plan, ProgressReport
    from wardwork.models import Ward

    ward = Ward.objects.order_by("pk").first()
    if ward is None:
        raise SystemExit("the database has no ward: generate the data first")
    today = timezone.localdate()
    now = (today.year, (today.month - 1) // 3 + 1)
    # The latest quarter, not after today's, with progress reports in ward #1.
    quarters = (
        ProgressReport.objects.filter(task__ward=ward)
        .values_list("year", "quarter")
        .distinct()
        .order_by("-year", "-quarter")
    )
    year, quarter = next(((y, q) for y, q in quarters if (y, q) <= now), now)
    slug = f"{year}-Q{quarter}"
    plan = (
        Plan.objects.filter(ward=ward, year=year)
        .annotate(n=Count("tasks"))
        .order_by("-n", "pk")
        .first()
        or Plan.objects.filter(ward=ward).order_by("-pk").first()
    )
    registration = Registration.objects.filter(ward=ward).order_by("-year", "pk").first()
    meeting = (
        Meeting.objects.filter(ward=ward, status=MeetingStatus.CONCLUDED)
        .annotate(n=Count("conclusions"))
        .filter(n__gt=0)
        .order_by("-held_at")
        .first()
        or Meeting.objects.filter(ward=ward).order_by("-held_at").first()
    )
    missing = [
        k
        for k, v in {"plan": plan, "registration": registration, "meeting": meeting}.items()
        if v is None
    ]
    if missing:
        raise SystemExit(f"ward #1 has no {', '.join(missing)}: generate the data first")
    reg_year = registration.year
    paths = {
        "quarter": f"/quarters/{slug}/",
        "city": f"/quarters/city/{slug}/",
        "registry": f"/models/?year={reg_year}&status=approved&q=v%E1%BA%ADn+%C4%91%E1%BB%99ng",
        "registration": f"/models/{registration.pk}/",
        "plan": f"/plans/{plan.pk}/",
        "matrix": f"/plans/progress/?quarter={slug}",
        "meeting": f"/meetings/{meeting.pk}/",
        "my_tasks": f"/plans/my-tasks/?quarter={slug}",
    }
    return {
        "ward": ward,
        "year": year,
        "quarter": quarter,
        "plan": plan,
        "registration": registration,
        "meeting": meeting,
        "paths": paths,
        "users": benchmark_users(ward),
    }


def data_counts() -> dict[str, int]:
    """Row counts of the main tables (what "city scale" means in this run)."""
    from meetings.models import Meeting
    from models_registry.models import Registration
    from plans.models import Plan, ProgressReport, Task
    from wardwork.models import Organization, Person, User, Ward

    return {
        "wards": Ward.objects.count(),
        "units": Organization.objects.count(),
        "people": Person.objects.count(),
        "users": User.objects.count(),
        "plans": Plan.objects.count(),
        "tasks": Task.objects.count(),
        "progress reports": ProgressReport.objects.count(),
        "registrations": Registration.objects.count(),
        "meetings": Meeting.objects.count(),
    }


# --- queries per page (in-process) ----------------------------------------------------------------


def count_queries(paths: dict[str, str], users: dict[str, str]) -> dict[str, dict]:
    """For each page: the queries of its second request (Django's test client, logged in as
    the page's user) and the status."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from wardwork.models import User

    clients = {}
    for role, username in users.items():
        client = TestClient(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        clients[role] = client
    found = {}
    for key, _label, role in PAGES:
        if key not in paths:
            continue
        client = clients[role]
        client.get(paths[key])  # warms the per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(paths[key])
        found[key] = {"queries": len(captured), "status": response.status_code}
    return found


# --- latency and throughput under load (HTTP) -----------------------------------------------------


@dataclass
class LoadResult:
    durations: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return len(self.durations)

    @property
    def rps(self) -> float:
        return self.requests / self.wall if self.wall else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.durations, 0.5) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.durations, 0.95) * 1000


def logged_in_clients(base_url: str, username: str, password: str, count: int) -> list[Client]:
    """``count`` sessions of one user, each logged in through the login form (at once)."""
    clients = [Client(base_url) for _ in range(count)]
    failures = []

    def log_in(client: Client) -> None:
        try:
            client.login(username, password)
        except (RuntimeError, *CONNECTION_ERRORS) as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=log_in, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"logging in failed: {failures[0]}")
    return clients


def load(clients: list[Client], path: str, seconds: float) -> LoadResult:
    """Every client requests ``path`` again and again, all at once, for ``seconds``; a request
    is an error unless it answers 200."""
    result = LoadResult()
    start = threading.Barrier(len(clients) + 1)

    def work(client: Client, deadline_box: list):
        start.wait()
        deadline = deadline_box[0]
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                answer = client.get(path)
                problem = None if answer.status == 200 else f"HTTP {answer.status}"
            except CONNECTION_ERRORS as exc:
                problem = repr(exc)
            took = time.perf_counter() - began
            with result.lock:
                result.durations.append(took)
                if problem:
                    result.errors.append(problem)

    deadline_box = [0.0]
    threads = [threading.Thread(target=work, args=(c, deadline_box), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    deadline_box[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join(seconds + 120)
    result.wall = time.monotonic() - began
    return result


# --- documents (in-process) -----------------------------------------------------------------------


def measure_documents(found: dict, *, runs: int = 5) -> list[dict]:
    """Quarterly report DOCX and conclusion notice of ward #1: one call that takes the number,
    then the median of ``runs``."""
    from django.utils import translation

    from meetings.documents import conclusion_notice_docx
    from meetings.review_services import review_get_or_create, review_report_docx
    from wardwork.models import User
    from wardwork.quarters import Quarter

    translation.activate("vi")
    secretary = User.objects.get(username=found["users"]["secretary"])
    review = review_get_or_create(
        ward=found["ward"], quarter=Quarter(found["year"], found["quarter"]), actor=secretary
    )
    meeting = found["meeting"]
    results = []
    for what, run, target in (
        (
            "quarterly report DOCX",
            lambda: review_report_docx(actor=secretary, review=review)[0],
            TARGET_REPORT_S,
        ),
        (
            "conclusion notice DOCX",
            lambda: conclusion_notice_docx(meeting=meeting, actor=secretary)[0],
            None,
        ),
    ):
        try:
            run()  # takes the document's number
        except Exception as exc:  # reported, the run goes on
            results.append({"what": what, "error": repr(exc)[:200], "target": target})
            continue
        times, queries, size = [], 0, 0
        for _ in range(runs):
            began = time.perf_counter()
            with QueryCounter() as counter:
                content = run()
            times.append(time.perf_counter() - began)
            queries, size = counter.count, len(content)
        results.append(
            {
                "what": what,
                "seconds": median(times),
                "max": max(times),
                "queries": queries,
                "size": size,
                "target": target,
            }
        )
    return results


def measure_spreadsheets(found: dict) -> tuple[list[dict], list[dict]]:
    """XLSX export of 1,000 and 10,000 registrations (added to ward #1 when the database has
    fewer), import of 1,000 rows as the ward secretary."""
    from django.db import transaction

    from benchmarks import registry_excel
    from models_registry.models import Registration
    from models_registry.spreadsheets import registrations_workbook
    from wardwork.models import Organization, OrganizationKind, Person, User

    ward = found["ward"]
    units = list(
        Organization.objects.filter(
            ward=ward, kind=OrganizationKind.PARTY_CELL, is_active=True
        ).order_by("pk")[:20]
    )
    people = list(Person.objects.filter(ward=ward).order_by("pk")[: len(units)])
    missing = max(EXPORT_ROWS) - Registration.objects.count()
    if missing > 0:
        registry_excel.create_registrations(ward, units, people, missing)
    exports = []
    for rows in EXPORT_ROWS:
        qs = Registration.objects.order_by("pk")[:rows]
        registrations_workbook(Registration.objects.order_by("pk")[:10])  # warm
        began = time.perf_counter()
        with QueryCounter() as counter:
            content = registrations_workbook(qs)
        seconds = time.perf_counter() - began
        tracemalloc.start()
        registrations_workbook(qs)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        exports.append(
            {
                "rows": rows,
                "seconds": seconds,
                "peak": peak,
                "size": len(content),
                "queries": counter.count,
            }
        )
    secretary = User.objects.get(username=found["users"]["secretary"])
    with transaction.atomic():  # rolled back: a database kept for --reuse stays as generated
        imported = registry_excel.measure_import(
            ward, units, secretary, bad_last_row=False, rows=IMPORT_ROWS
        )
        transaction.set_rollback(True)
    return exports, [imported]


# --- the report -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def report(run: dict) -> str:
    args = run["args"]
    out = []
    out.append(
        f"## Benchmark: {args.wards} wards × {args.years} years "
        f"({time.strftime('%d/%m/%Y %H:%M UTC', run['when'])})"
    )
    out.append("")
    counts = ", ".join(f"{n:,} {label}" for label, n in run["counts"].items())
    out.append(
        f"Machine: {machine_info()}; PostgreSQL {run['pg']}; gunicorn {run['gunicorn']} with "
        f"{args.workers} sync workers; {args.users} concurrent clients (same machine), "
        f"{args.seconds:g} s per page; data: `generate_scale_data --wards {args.wards} "
        f"--years {args.years} --seed {args.seed}` ({run['generator']}): {counts}. Ward #1: "
        f"{run['ward']}, quarter {run['quarter']}. Code: {git_commit()}. Load average (1 min) "
        f"at the start / end: {run['load']}."
    )
    out.append("")
    out.append("### Pages")
    out.append("")
    bare = run["bare"]
    bare_rps = median([r.rps for r in bare])
    out.append(
        f"Bare view (`{BARE_PATH}`: a trivial template through every middleware, logged in), "
        f"first / last of the run: "
        + " / ".join(
            f"p50 {r.p50_ms:.0f} ms, p95 {r.p95_ms:.0f} ms, {r.rps:.1f} req/s" for r in bare
        )
        + f"; the ratios use {bare_rps:.1f} req/s."
    )
    out.append("")
    out.append(
        f"| page | queries (1 ward) | queries ({args.wards} wards) | p50 ms | p95 ms | req/s "
        "| % of bare | errors | result |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    misses = []
    for key, label, _role in PAGES:
        q1 = run["queries_one"].get(key, {})
        qn = run["queries_n"].get(key, {})
        r = run["loads"].get(key)
        if r is None:
            continue
        ratio = r.rps / bare_rps if bare_rps else 0.0
        reasons = []
        if q1.get("queries") != qn.get("queries"):
            reasons.append("queries grow")
        if (qn.get("queries") or 0) > TARGET_QUERIES:
            reasons.append(f"> {TARGET_QUERIES} queries")
        if r.p95_ms > TARGET_P95_MS:
            reasons.append(f"p95 > {TARGET_P95_MS} ms")
        if ratio < TARGET_BARE_RATIO:
            reasons.append(f"< {TARGET_BARE_RATIO:.0%} of bare")
        if r.errors or qn.get("status") != 200:
            reasons.append("errors")
        if reasons:
            misses.append(label)
        result = verdict(not reasons) + (f" ({', '.join(reasons)})" if reasons else "")
        out.append(
            f"| {label} | {q1.get('queries', '–')} | {qn.get('queries', '–')} | "
            f"{r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.rps:.1f} | {ratio:.0%} | {len(r.errors)} | "
            f"{result} |"
        )
    out.append("")
    out.append(
        f"Targets: ≤ {TARGET_QUERIES} queries, the same at 1 and {args.wards} wards; p95 ≤ "
        f"{TARGET_P95_MS} ms with {args.users} users; ≥ {TARGET_BARE_RATIO:.0%} of the bare "
        f"view's requests/s; no errors. Pages missing a target: "
        f"{', '.join(misses) if misses else 'none'}."
    )
    paths = " · ".join(f"{key} `{path}`" for key, path in run["paths"].items())
    out.append("")
    out.append(f"Pages requested ({args.wards}-ward database): {paths}.")
    errors = [(key, r.errors[0]) for key, r in run["loads"].items() if r.errors]
    for key, error in errors[:5]:
        out.append(f"- first error of {key}: {error[:200]}")
    out.append("")
    out.append("### Documents and spreadsheets (in-process)")
    out.append("")
    out.append("| operation | time | queries | file | target | result |")
    out.append("|---|---:|---:|---:|---|---|")
    for d in run["documents"]:
        target = f"< {d['target']:g} s" if d.get("target") else "–"
        if "error" in d:
            out.append(f"| {d['what']} | failed: {d['error']} | | | {target} | **MISS** |")
            continue
        result = verdict(d["seconds"] < d["target"]) if d.get("target") else "–"
        out.append(
            f"| {d['what']} (median of 5, slowest {d['max'] * 1000:.0f} ms) | "
            f"{d['seconds'] * 1000:.0f} ms | {d['queries']} | {d['size'] / 1024:.0f} KiB | "
            f"{target} | {result} |"
        )
    exports = run["exports"]
    small, large = exports[0], exports[-1]
    growth = large["peak"] / small["peak"] if small["peak"] else float("inf")
    for e in exports:
        is_large = e is large
        target = f"< {TARGET_EXPORT_S:g} s" if is_large else "–"
        result = verdict(e["seconds"] < TARGET_EXPORT_S) if is_large else "–"
        out.append(
            f"| XLSX export of {e['rows']:,} registrations (peak Python memory "
            f"{e['peak'] / 2**20:.1f} MiB) | {e['seconds']:.2f} s | {e['queries']} | "
            f"{e['size'] / 1024:.0f} KiB | {target} | {result} |"
        )
    out.append(
        f"| export memory: peak at {large['rows']:,} rows / at {small['rows']:,} rows | "
        f"× {growth:.2f} | | | ≤ × {TARGET_EXPORT_MEMORY_GROWTH:g} (does not grow with rows) | "
        f"{verdict(growth <= TARGET_EXPORT_MEMORY_GROWTH)} |"
    )
    for i in run["imports"]:
        out.append(
            f"| {i['what']} | {i['seconds']:.2f} s | {i['queries']} | {i['size'] / 1024:.0f} KiB "
            "| – | – |"
        )
    out.append("")
    out.append("### Memory")
    out.append("")
    rss = run["rss"]
    out.append(
        "Resident memory of the gunicorn workers after the run (VmRSS): "
        + (", ".join(f"{kib / 1024:.0f} MiB" for kib in rss) if rss else "not read")
        + (f"; the largest {max(rss) / 1024:.0f} MiB." if rss else ".")
        + f" Server log: {len(run['log_problems'])} lines with a traceback, deadlock or timeout."
    )
    for line in run["log_problems"][:5]:
        out.append(f"- `{line[:300]}`")
    return "\n".join(out)


# --- main -----------------------------------------------------------------------------------------


def prepare_database(
    url: str, wards: int, years: int, seed: int, *, reuse: bool, jobs: int = 1
) -> str:
    """Create, migrate and fill the database (or keep it with ``reuse``); returns what made
    the data."""
    name = url.rsplit("/", 1)[-1]
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "bench-" * 10}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    marker = Path(tempfile.gettempdir()) / f"wardwork-bench-{name}.generator"
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrate = [*manage, "migrate", "--verbosity", "0"]
    if reuse and database_exists(url) and marker.exists():
        say(f"reusing the database {name} (migrated to the code's schema)")
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603
        return marker.read_text()
    say(f"creating the database {name}: migrate")
    recreate_database(url)
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603
    command = [
        *manage,
        "generate_scale_data",
        "--wards",
        str(wards),
        "--years",
        str(years),
        "--seed",
        str(seed),
        "--force",  # DEBUG is off; the database is the benchmark's own
        "--jobs",
        str(jobs),
    ]
    say(f"{name}: {' '.join(command[2:])}")
    began = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode == 0:
        generator = f"generated in {time.monotonic() - began:.0f} s"
    elif "Unknown command" in done.stderr:
        # Before generate_scale_data exists: the demo data, one ward.
        say("generate_scale_data is not there: load_demo instead")
        subprocess.run(  # noqa: S603
            [*manage, "load_demo", "--force"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        generator = "load_demo instead (generate_scale_data missing)"
    else:
        raise SystemExit(f"generate_scale_data failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    marker.write_text(generator)
    return generator


def queries_in(url: str, env: dict) -> dict:
    """Query counts of the pages of ward #1 in another database (a child process)."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--count-queries-in", url],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"counting the queries in {url} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wards", type=int, default=126, help="wards of the large database")
    parser.add_argument("--years", type=int, default=5, help="years of data (5)")
    parser.add_argument("--seed", type=int, default=1, help="seed of generate_scale_data (1)")
    parser.add_argument(
        "--jobs", type=int, default=2, help="generate_scale_data's parallel wards (2)"
    )
    parser.add_argument("--seconds", type=float, default=10, help="load per page, s (10)")
    parser.add_argument("--users", type=int, default=10, help="concurrent clients (10)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3)")
    parser.add_argument(
        "--server", default=DEFAULT_SERVER, help=f"PostgreSQL server URL ({DEFAULT_SERVER})"
    )
    parser.add_argument("--prefix", default="ww_bench", help="database name prefix (ww_bench)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database an earlier run left (--keep-...)"
    )
    parser.add_argument(
        "--keep-databases", action="store_true", help="do not drop the databases at the end"
    )
    parser.add_argument("--count-queries-in", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def count_queries_main(url: str) -> int:
    """The child process of ``queries_in``: prints the counts as one JSON line."""
    setup_django(url)  # the rest of the environment is the server's (queries_in)
    from django.utils import translation

    translation.activate("vi")
    found = discover()
    print(json.dumps(count_queries(found["paths"], found["users"])))
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.count_queries_in:
        return count_queries_main(args.count_queries_in)
    server = args.server.rstrip("/")
    url_one = with_database_name(server + "/x", f"{args.prefix}_w1y{args.years}")
    url_n = with_database_name(server + "/x", f"{args.prefix}_w{args.wards}y{args.years}")
    urls = [url_one] if args.wards == 1 else [url_one, url_n]
    run = {"args": args}
    for url, wards in zip(urls, (1, args.wards), strict=False):
        run["generator"] = prepare_database(
            url, wards, args.years, args.seed, reuse=args.reuse, jobs=args.jobs
        )
    temp_dir = tempfile.TemporaryDirectory(prefix="wardwork-bench-")
    temp = Path(temp_dir.name)
    env = server_environment(url_n, temp)
    env["BENCHMARK_BARE_VIEW"] = "true"
    say("collectstatic (whitenoise's manifest, as in production)")
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    say("queries per page at 1 ward")
    run["queries_one"] = queries_in(url_one, {**env, "DATABASE_URL": url_one})
    setup_django(url_n, **env)
    from django.db import connection
    from django.utils import translation

    translation.activate("vi")
    say(f"queries per page at {args.wards} wards")
    found = discover()
    run["queries_n"] = count_queries(found["paths"], found["users"])
    run["paths"] = found["paths"]
    run["counts"] = data_counts()
    run["ward"] = found["ward"].name
    run["quarter"] = f"{found['quarter']}/{found['year']}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        run["pg"] = cursor.fetchone()[0].split()[0]
    connection.close()

    import gunicorn

    run["gunicorn"] = gunicorn.__version__
    port = free_port()
    log_path = temp / "gunicorn.log"
    say(f"gunicorn on 127.0.0.1:{port} with {args.workers} workers")
    server_process = start_gunicorn(env, port, log_path, workers=args.workers)
    base_url = f"http://127.0.0.1:{port}"
    try:
        warm_up(base_url, args.workers)
        say(f"logging in {args.users} sessions per role")
        clients = {
            role: logged_in_clients(base_url, found["users"][role], BENCH_PASSWORD, args.users)
            for role in ROLES
        }
        load_before = os.getloadavg()[0]
        # Warm every worker on every page (templates, URL resolvers) before measuring.
        for path in [BARE_PATH, *found["paths"].values()]:
            role = next((r for k, _l, r in PAGES if found["paths"].get(k) == path), "secretary")
            load(clients[role][: args.workers * 2], path, 0.5)
        say(f"bare view, {args.seconds:g} s")
        run["bare"] = [load(clients["secretary"], BARE_PATH, args.seconds)]
        run["loads"] = {}
        for key, label, role in PAGES:
            say(f"{label}, {args.seconds:g} s")
            run["loads"][key] = load(clients[role], found["paths"][key], args.seconds)
        say(f"bare view again, {args.seconds:g} s")
        run["bare"].append(load(clients["secretary"], BARE_PATH, args.seconds))
        run["load"] = f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"
        run["rss"] = [
            kib for pid in child_pids(server_process.pid) if (kib := rss_kib(pid)) is not None
        ]
    finally:
        say("stopping gunicorn")
        stop_gunicorn(server_process)
    run["log_problems"] = server_log_problems(log_path)
    run["when"] = time.gmtime()

    say("documents")
    found = discover()
    run["documents"] = measure_documents(found)
    say("spreadsheets")
    run["exports"], run["imports"] = measure_spreadsheets(found)
    connection.close()
    temp_dir.cleanup()
    print(report(run))
    if not args.keep_databases:
        for url in urls:
            recreate_database(url, create=False)
            with contextlib.suppress(OSError):
                (
                    Path(tempfile.gettempdir())
                    / f"wardwork-bench-{url.rsplit('/', 1)[-1]}.generator"
                ).unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
