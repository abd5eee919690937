"""Load test of the quarter workflow: N simultaneous users against gunicorn and PostgreSQL.

Run from the project root (PostgreSQL must be reachable; the default server is
``postgres://postgres@127.0.0.1:5432``)::

    .venv/bin/python benchmarks/load_quarter.py --users 50 --seconds 60     # the full run
    .venv/bin/python benchmarks/load_quarter.py --users 3 --seconds 5       # a quick smoke run
    .venv/bin/python benchmarks/load_quarter.py --instances 2               # two gunicorns

What it does, in order:

1. drops and recreates its own database (``ww_load`` by default, ``--database-url`` to change;
   never ``wardwork``), migrates it, loads the demo (``load_demo``), collects the static files
   into a temporary folder and creates the extra accounts so that every simulated user logs in
   with an account of their own (password: the demo's). About 30 % of the users work for the
   ward (two thirds ward committee staff, one third Khối Dân vận members), the others are unit
   managers: cell secretaries of the demo's Party cells and deputy heads of its mass
   organisations (several accounts per unit, so that units are shared). It also creates a pool
   of held and concluded meetings whose minutes (``NN-BB/ĐU``) and conclusion notices
   (``NN-TB/ĐU``) have no number yet;
2. starts gunicorn (``--workers``, 3 by default) on a free port (``--instances N``: N
   gunicorns on N ports, each with its own workers, the same database and settings; the users
   are dealt round-robin to them, and every fourth user alternates between them request by
   request, login included, which only works when no state lives in a process), with
   production settings:
   ``DEBUG`` off, a random ``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, whitenoise's manifest
   storage, django-axes on. Only what plain HTTP on localhost needs is relaxed: no HTTPS
   redirect, no ``Secure`` cookies, no HSTS, no trusted proxy;
3. every user logs in through the real login form (CSRF token included), then all of them work
   for ``--seconds`` at once, each with a think time of 0 to ``--think`` seconds between pages:
   - a unit manager opens "my unit", the unit's tasks of quarter I or II/2021 and saves
     progress reports on one or two of them; now and then writes a model registration ("Dân
     vận khéo"): saves a draft, edits it, submits it;
   - a Khối Dân vận member or ward staff opens the quarter page, the registry list with
     filters, the review queue, and approves a submitted registration (another reviewer may
     have approved it first: the app refuses with a message, counted as an expected refusal);
   - ward staff, every round, generate the quarterly report of a quarter from I/2021 on (POST;
     the first generation of each quarter takes the next ``NN-BC/ĐU`` number) and download two
     minutes or conclusion notices of meetings of the pool (the first download takes the next
     number); several staff do so at the same moment, so the numbering runs concurrently.
     Every other round they also edit the report's text, and do the reviewer's round. Every
     round begins with the edit of one of two *shared tasks* (the same two for all staff):
     its description, through the real form with its hidden ``version``;
4. stops gunicorn (SIGTERM, then waits) and checks the database: no duplicate document numbers
   (issued documents, plans, and the other numbered rows), no gap below the highest number
   taken, every numbering sequence at or above the highest number it gave, and the
   PostgreSQL deadlocks of the database during the run (``pg_stat_database.deadlocks``).
   Lost updates: every save of a shared task or of a report text the server accepted
   (redirected) is recorded with a marker unique to it and the version the form posted; each
   must be in one of the record's history rows (django-simple-history), the record's value
   now must be the accepted save with the highest version, and no two saves may have been
   accepted from one version (``lost_updates``). Saves refused as stale are counted apart;
5. prints a Markdown report: requests, requests/s, p50/p95/max per action, expected refusals,
   errors (count and the first ones), requests and errors per instance, deadlocks,
   duplicates, document numbers taken, accepted saves, stale refusals and lost updates, a
   totals line, CPU time. The exit status is 1 when there was any error, deadlock, duplicate,
   gap, lost update, or a traceback,
   deadlock or worker timeout in the server's log (then kept in ``/tmp/wardwork-load-*.log``);
   the database is then kept for inspection, and dropped after a run that passed (unless
   ``--keep-database``).

An error is any 5xx answer, a connection failure or timeout, or an answer the workflow does
not expect; a 4xx answer counts only as an *expected refusal* when its reason is recognised
(an approval somebody else made first, a task or report text somebody else saved meanwhile).

``docs/load-test.md`` holds the figures of a run and explains them. ``tests/test_load_script.py``
runs this script (against PostgreSQL) or its workflow functions (against a live test server).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.cookiejar
import itertools
import os
import random
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import (  # noqa: E402
    FORBIDDEN_DATABASES,  # noqa: F401 -- part of this script's interface
    Answer,
    NoRedirect,
    find_form,
    find_forms,
    form_values,
    free_port,
    git_commit,
    html,
    login_form_fields,
    page_text,
    percentile,
    recreate_database,
    server_log_problems,
    stop_gunicorn,
    warm_up,
)
from benchmarks._common import server_environment as _server_environment  # noqa: E402
from benchmarks._common import start_gunicorn as _start_gunicorn  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ww_load"
WARD_NAME = "Phường Phúc Đồng"
REPORT_QUARTERS = ("2021-Q1", "2021-Q2")  # the quarters unit managers report on
ACCOUNT_PREFIX = "load"
MEETING_POOL = 400  # meetings whose documents are not numbered yet
NUMBERED_BC = "staff: generate the quarterly report (BC)"
NUMBERED_BB = "staff: minutes of a meeting (BB)"
NUMBERED_TB = "staff: conclusion notice (TB)"
NUMBERED = {NUMBERED_BC, NUMBERED_BB, NUMBERED_TB}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STALE = "saved meanwhile by someone else (stale edit)"
SHARED_TASKS = 2  # tasks every ward staff member edits (the lost-update check)
ALTERNATE_EVERY = 4  # with several instances, every 4th user alternates instances per request


# --- statistics -----------------------------------------------------------------------------------


@dataclass
class Stats:
    """What every request did, per action; thread safe."""

    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refused: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[str] = field(default_factory=list)
    error_count: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbering_in_flight: int = 0
    numbering_most_in_flight: int = 0
    # Per gunicorn instance (its base URL): requests answered or failed, and errors. The
    # instance of the calling thread's last request is kept in ``local``.
    instance_requests: Counter = field(default_factory=Counter)
    instance_errors: Counter = field(default_factory=Counter)
    local: threading.local = field(default_factory=threading.local)

    def numbering_started(self) -> None:
        with self.lock:
            self.numbering_in_flight += 1
            self.numbering_most_in_flight = max(
                self.numbering_most_in_flight, self.numbering_in_flight
            )

    def numbering_ended(self) -> None:
        with self.lock:
            self.numbering_in_flight -= 1

    def record(self, action: str, seconds: float) -> None:
        with self.lock:
            self.durations[action].append(seconds)
            self.instance_requests[getattr(self.local, "instance", "")] += 1

    def refuse(self, action: str, reason: str) -> None:
        with self.lock:
            self.refused[action][reason] += 1

    def error(self, action: str, text: str) -> None:
        with self.lock:
            self.error_count[action] += 1
            self.instance_errors[getattr(self.local, "instance", "")] += 1
            self.errors.append(f"{action}: {text}")

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.durations.values())

    @property
    def total_errors(self) -> int:
        return sum(self.error_count.values())

    @property
    def total_refused(self) -> int:
        return sum(sum(c.values()) for c in self.refused.values())

    @property
    def stale_refusals(self) -> int:
        return sum(c[STALE] for c in self.refused.values())


class WorkflowError(Exception):
    """An answer the workflow cannot go on from (already recorded as an error)."""


# --- the HTTP client: one per user, cookies kept, redirects not followed --------------------------


class Browser:
    """One user's session: cookies, the CSRF token of the last form, timing of each request.

    ``base_url`` is one server, or a list of servers (gunicorn instances on the same
    database): with ``alternate`` every request goes to the next one in turn, so that one
    session's pages, forms and the POSTs that answer them are served by different processes."""

    def __init__(
        self,
        base_url: str | list[str],
        stats: Stats,
        *,
        timeout: float = 120.0,
        alternate: bool = False,
    ):
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.base_urls = [u.rstrip("/") for u in urls]
        self.alternate = alternate and len(self.base_urls) > 1
        self._turn = itertools.count()
        self.base_url = self.base_urls[0]
        self.stats = stats
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def request(
        self,
        action: str,
        method: str,
        path: str,
        data: dict | list | None = None,
        *,
        expect: tuple[int, ...] = (200,),
        refusals=None,
    ) -> Answer | None:
        """Send one request and classify it. Returns the answer when its status is expected;
        ``None`` when it is an expected refusal (``refusals(answer)`` gives a reason); raises
        ``WorkflowError`` (after recording the error) otherwise."""
        if self.alternate:
            self.base_url = self.base_urls[next(self._turn) % len(self.base_urls)]
        url = path if path.startswith("http") else self.base_url + path
        self.stats.local.instance = _origin(url)
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Referer": url, "Accept-Language": "vi"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
        numbering = action in NUMBERED
        if numbering:
            self.stats.numbering_started()
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                answer = Answer(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, dict(exc.headers), exc.read())
        except (OSError, http.client.HTTPException) as exc:
            self.stats.record(action, time.perf_counter() - started)
            self.stats.error(action, f"{method} {path}: connection error {exc!r}")
            raise WorkflowError from exc
        finally:
            if numbering:
                self.stats.numbering_ended()
        self.stats.record(action, time.perf_counter() - started)
        if answer.status in expect:
            return answer
        reason = refusals(answer) if refusals and answer.status < 500 else None
        if reason:
            self.stats.refuse(action, reason)
            return None
        excerpt = " ".join(page_text(answer.body)[:300].split())
        if answer.status in (301, 302, 303) and answer.location:
            excerpt = f"to {answer.location} {self._message_at(answer.location)}"
        self.stats.error(action, f"{method} {path}: HTTP {answer.status} {excerpt}")
        raise WorkflowError

    def _message_at(self, location: str) -> str:
        """The message a refused step left for the page it redirects to (not timed)."""
        url = location if location.startswith("http") else self.base_url + location
        try:
            with self.opener.open(url, timeout=self.timeout) as resp:
                body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            return repr(exc)
        nodes = html(body).xpath('//div[contains(@class, "alert")][@role="alert"]')
        return " / ".join(" ".join(n.text_content().split()) for n in nodes)[:300]

    def get(self, action: str, path: str, **kwargs) -> Answer | None:
        return self.request(action, "GET", path, **kwargs)

    def post(self, action: str, path: str, data, **kwargs) -> Answer | None:
        return self.request(action, "POST", path, data, **kwargs)

    def login(self, username: str, password: str) -> None:
        page = self.get("login page", "/accounts/login/")
        fields = login_form_fields(page.body, username, password)
        answer = self.post("login", "/accounts/login/", fields, expect=(302,))
        if "/accounts/login/" in answer.location:
            self.stats.error("login", f"{username}: the login form refused the password")
            raise WorkflowError


def _origin(url: str) -> str:
    """``http://host:port`` of a URL: which instance answered."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- HTML forms -----------------------------------------------------------------------------------


def has_error_alert(body: bytes) -> bool:
    return bool(html(body).xpath('//div[contains(@class, "alert-danger")]'))


def select_options(form, name: str) -> list[str]:
    element = form.inputs[name]
    return [o.get("value") for o in element.xpath(".//option") if o.get("value")]


# --- the stale-edit message (optimistic concurrency), when the project has it ---------------------


def _stale_markers() -> list[str]:
    """Literal pieces of the "someone else saved meanwhile" message, in both languages."""
    try:
        from django.utils import translation

        from wardwork import concurrency
    except ImportError:
        return []
    markers = []
    for message in (
        getattr(concurrency, "MESSAGE_STALE", None),
        getattr(concurrency, "MESSAGE_STALE_UNKNOWN", None),
    ):
        if message is None:
            continue
        for language in ("vi", "en"):
            with translation.override(language):
                text = str(message)
            pieces = [p.strip(" .,") for p in re.split(r"%\(\w+\)s", text)]
            markers.append(max(pieces, key=len)[:60])
    return [m for m in markers if m]


class Refusals:
    """Recognises the 4xx answers (and redirects with an error message) the workflow expects."""

    def __init__(self):
        self.stale = _stale_markers()

    def stale_edit(self, answer: Answer) -> str | None:
        """The edit form shown again (200, 400 or 409) with the "saved meanwhile" message."""
        if answer.status in (200, 400, 409) and self.stale:
            text = page_text(answer.body)
            if any(marker in text for marker in self.stale):
                return STALE
        return None


# --- accepted saves of shared records, and the lost-update check ---------------------------------


@dataclass(frozen=True)
class Write:
    """A save of a shared record the server accepted (it redirected, as after a save).

    ``record`` names the record (``("task", 12)``, ``("report text", "2021-Q1")``); ``marker``
    is a text unique to this save, found in the field's value when the save is kept;
    ``version`` is the hidden version the form posted (the version the user saw)."""

    record: tuple
    marker: str
    version: int
    user: str
    instance: str


class Writes:
    """Every accepted save of a shared record; thread safe."""

    def __init__(self):
        self.items: list[Write] = []
        self.lock = threading.Lock()

    def accept(self, write: Write) -> None:
        with self.lock:
            self.items.append(write)


def lost_updates(
    writes: list[Write], final: dict[tuple, str], history: dict[tuple, list[str]]
) -> list[str]:
    """What went missing, one line per lost update (empty: none).

    For each record: every accepted save's marker must be in one of the record's history
    rows (django-simple-history keeps each saved state), the record's value now must carry
    the marker of the last accepted save (the highest version posted: the check-and-save of
    ``wardwork.concurrency.claim`` orders the saves by version), and no two accepted saves
    may have posted the same version (the second would have overwritten the first unseen)."""
    problems = []
    by_record: dict[tuple, list[Write]] = defaultdict(list)
    for write in writes:
        by_record[write.record].append(write)
    for record, items in sorted(by_record.items(), key=lambda kv: str(kv[0])):
        rows = history.get(record, [])
        for write in items:
            if not any(write.marker in (row or "") for row in rows):
                problems.append(
                    f"{record}: the save {write.marker!r} (version {write.version}, "
                    f"{write.user} on {write.instance}) is in no history row"
                )
        versions = Counter(w.version for w in items)
        for version, count in sorted(versions.items()):
            if count > 1:
                problems.append(
                    f"{record}: {count} saves accepted from the same version {version} "
                    f"({', '.join(w.marker for w in items if w.version == version)})"
                )
        last = max(items, key=lambda w: w.version)
        if last.marker not in (final.get(record) or ""):
            problems.append(
                f"{record}: the value now is not the last accepted save {last.marker!r} "
                f"(version {last.version}): {str(final.get(record))[:120]!r}"
            )
    return problems


def shared_records(writes: list[Write], ward_name: str = "") -> tuple[dict, dict]:
    """(value now, values in every history row) of each record written to (ORM)."""
    from meetings.review_models import QuarterlyReview
    from plans.models import Task

    final, history = {}, {}
    for record in {w.record for w in writes}:
        kind, key = record
        if kind == "task":
            final[record] = Task.objects.filter(pk=key).values_list("description", flat=True)[0]
            history[record] = list(
                Task.history.filter(id=key).values_list("description", flat=True)
            )
        elif kind == "report text":
            year, number = _quarter(key)
            review = QuarterlyReview.objects.get(
                ward__name=ward_name or WARD_NAME, year=year, quarter=number
            )
            final[record] = review.direction_text
            history[record] = list(
                QuarterlyReview.history.filter(id=review.pk).values_list(
                    "direction_text", flat=True
                )
            )
    return final, history


def _quarter(text: str) -> tuple[int, int]:
    year, number = text.split("-Q")
    return int(year), int(number)


# --- the workflow of each kind of user ------------------------------------------------------------


@dataclass
class Context:
    """What the workflow needs to know about the data, found by ``setup_data``."""

    base_url: str
    password: str
    unit_users: list[str]
    staff_users: list[str]
    bloc_users: list[str]
    meeting_ids: list[int]
    concluded_meeting_ids: list[int]
    report_quarters: list[str]
    shared_task_ids: list[int] = field(default_factory=list)
    base_urls: list[str] = field(default_factory=list)  # every instance (base_url when empty)
    think: float = 1.0
    seed: int = 0
    stats: Stats = field(default_factory=Stats)
    refusals: Refusals = field(default_factory=Refusals)
    writes: Writes = field(default_factory=lambda: Writes())
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def instances(self) -> list[str]:
        return self.base_urls or [self.base_url]

    def browser_for(self, index: int) -> Browser:
        """User ``index``'s browser: with several instances every ``ALTERNATE_EVERY``-th user
        alternates between them request by request, the others are dealt round-robin."""
        urls = self.instances
        if len(urls) > 1 and index % ALTERNATE_EVERY == ALTERNATE_EVERY - 1:
            return Browser(urls, self.stats, alternate=True)
        fixed = index - index // ALTERNATE_EVERY if len(urls) > 1 else index
        return Browser(urls[fixed % len(urls)], self.stats)

    @property
    def users(self) -> list[tuple[str, str]]:
        return (
            [(u, "unit") for u in self.unit_users]
            + [(u, "staff") for u in self.staff_users]
            + [(u, "bloc") for u in self.bloc_users]
        )


def _pause(ctx: Context, rng: random.Random, deadline: float) -> bool:
    """Think between pages; False once the time is over."""
    if ctx.think > 0:
        time.sleep(min(rng.uniform(0, ctx.think), max(0.0, deadline - time.monotonic())))
    return time.monotonic() < deadline


def unit_iteration(b: Browser, ctx: Context, username: str, rng: random.Random, deadline: float):
    """A unit manager: my unit, the unit's tasks, progress reports, now and then a model."""
    b.get("unit: my unit page", "/quarters/my-unit/")
    if not _pause(ctx, rng, deadline):
        return
    quarter = rng.choice(REPORT_QUARTERS)
    page = b.get("unit: tasks of the quarter", f"/plans/my-tasks/?quarter={quarter}")
    forms = find_forms(page.body, lambda f: (f.action or "").endswith("/report/"))
    for form in rng.sample(forms, min(len(forms), rng.choice((1, 2)))):
        if not _pause(ctx, rng, deadline):
            return
        values = form_values(form)
        prefix = next(k for k in values if k.endswith("-status")).removesuffix("-status")
        status = rng.choice(("in_progress", "in_progress", "done"))
        values[f"{prefix}-status"] = status
        values[f"{prefix}-percent"] = str(100 if status == "done" else rng.randrange(5, 100, 5))
        values[f"{prefix}-narrative"] = (
            f"Đã tổ chức tuyên truyền tại các tổ dân phố, {rng.randint(20, 300)} lượt người "
            f"tham gia ({username}, lần {next(ctx.counter)})."
        )
        values.pop(f"{prefix}-attachment", None)
        b.post(
            "unit: save a progress report",
            form.action,
            values,
            expect=(302,),
            refusals=ctx.refusals.stale_edit,
        )
    if rng.random() < 0.35 and _pause(ctx, rng, deadline):
        registration_flow(b, ctx, username, rng, deadline)
    if _pause(ctx, rng, deadline):
        b.get("unit: my models", "/models/mine/")


def registration_flow(b: Browser, ctx: Context, username: str, rng: random.Random, deadline):
    """Draft a model registration, edit the draft, submit it."""
    page = b.get("unit: new registration form", "/models/new/")
    form = find_form(page.body, lambda f: "title" in f.fields and "content" in f.fields)
    values = form_values(form)
    number = next(ctx.counter)
    fields_offered = select_options(form, "field")
    values.update(
        title=f"Mô hình “Dân vận khéo” thử tải {username} số {number}",
        content="Vận động các hộ gia đình giữ gìn vệ sinh, trồng cây xanh trên tuyến phố.",
        solutions="Phân công đảng viên phụ trách từng hộ; họp tổ dân phố hằng tháng.",
        schedule="Từ tháng 4 đến tháng 12.",
        expected_results="100 % hộ gia đình tham gia; tuyến phố xanh, sạch, đẹp.",
    )
    if fields_offered and not values.get("field"):
        values["field"] = rng.choice(fields_offered)
    answer = b.post("unit: save a registration draft", "/models/new/", values, expect=(302,))
    match = re.search(r"/models/(\d+)/$", answer.location)
    if match is None:
        ctx.stats.error("unit: save a registration draft", f"redirected to {answer.location!r}")
        raise WorkflowError
    pk = int(match.group(1))
    if not _pause(ctx, rng, deadline):
        return
    page = b.get("unit: edit the registration", f"/models/{pk}/edit/")
    form = find_form(page.body, lambda f: "title" in f.fields and "content" in f.fields)
    values = form_values(form)
    values["expected_results"] = values.get("expected_results", "") + " Nhân rộng ra toàn khu."
    b.post(
        "unit: edit the registration",
        f"/models/{pk}/edit/",
        values,
        expect=(302,),
        refusals=ctx.refusals.stale_edit,
    )
    if not _pause(ctx, rng, deadline):
        return
    page = b.get("unit: registration page", f"/models/{pk}/")
    form = find_form(page.body, lambda f: (f.action or "").endswith(f"/models/{pk}/submit/"))
    answer = b.post("unit: submit the registration", form.action, form_values(form), expect=(302,))
    page = b.get("unit: registration page", answer.location)
    if has_error_alert(page.body):
        ctx.stats.error("unit: submit the registration", f"refused: {_alert(page.body)}")


def _alert(body: bytes) -> str:
    nodes = html(body).xpath('//div[contains(@class, "alert-danger")]')
    return " ".join(nodes[0].text_content().split())[:200] if nodes else ""


def reviewer_iteration(b: Browser, ctx: Context, username: str, rng: random.Random, deadline):
    """Khối Dân vận and ward staff: quarter page, registry list with filters, review queue."""
    quarter = rng.choice(REPORT_QUARTERS)
    b.get("ward: quarter page", f"/quarters/{quarter}/")
    if not _pause(ctx, rng, deadline):
        return
    query = {"year": rng.choice(("2021", "2021", "")), "status": rng.choice(("", "submitted"))}
    query["kind"] = rng.choice(("", "collective", "individual"))
    if rng.random() < 0.3:
        query["q"] = rng.choice(("vệ sinh", "Dân vận", "mô hình", "xanh"))
    b.get("ward: registry list with filters", "/models/?" + urllib.parse.urlencode(query))
    if not _pause(ctx, rng, deadline):
        return
    page = b.get("ward: review queue", "/models/review/")
    forms = find_forms(page.body, lambda f: (f.action or "").endswith("/approve/"))
    if forms and _pause(ctx, rng, deadline):
        form = rng.choice(forms[:5])
        answer = b.post(
            "ward: approve a registration", form.action, form_values(form), expect=(302,)
        )
        page = b.get("ward: review queue", answer.location)
        if has_error_alert(page.body):
            # Another reviewer approved (or returned) it between our page and our click.
            ctx.stats.refuse("ward: approve a registration", "already reviewed by someone else")


def staff_iteration(b: Browser, ctx: Context, username: str, rng: random.Random, deadline):
    """Ward staff: the numbered documents every round (the quarterly report, two meeting
    documents), the report's text and the reviewer's pages every other round; and, when
    there are shared tasks, the edit of one of them every round."""
    if ctx.shared_task_ids:
        shared_task_edit(b, ctx, username, rng, deadline)
        if not _pause(ctx, rng, deadline):
            return
    quarter = rng.choice(ctx.report_quarters)
    page = b.get("staff: quarter page (report)", f"/quarters/{quarter}/")
    form = find_form(page.body, lambda f: (f.action or "").endswith("/report.docx"))
    if not _pause(ctx, rng, deadline):
        return
    answer = b.post(NUMBERED_BC, form.action, form_values(form))
    _check_docx(ctx, NUMBERED_BC, answer)
    for _ in range(2):
        if not _pause(ctx, rng, deadline):
            return
        if rng.random() < 0.5:
            kind, action = "minutes.docx", NUMBERED_BB
            meeting = rng.choice(ctx.meeting_ids)
        else:
            kind, action = "conclusion-notice.docx", NUMBERED_TB
            meeting = rng.choice(ctx.concluded_meeting_ids)
        answer = b.get(action, f"/meetings/{meeting}/{kind}")
        _check_docx(ctx, action, answer)
    if rng.random() < 0.5 and _pause(ctx, rng, deadline):
        quarter = rng.choice(REPORT_QUARTERS)
        page = b.get("staff: report text form", f"/quarters/{quarter}/text/")
        form = find_form(page.body, lambda f: "results_text" in f.fields)
        values = form_values(form)
        marker = f"bản sửa của {username}, lần {next(ctx.counter)}"
        values["direction_text"] = f"Tiếp tục triển khai các phong trào thi đua; {marker}."
        answer = b.post(
            "staff: save the report text",
            f"/quarters/{quarter}/text/",
            values,
            expect=(302,),
            refusals=ctx.refusals.stale_edit,
        )
        if answer is not None:
            _accepted(ctx, b, ("report text", quarter), marker, values, username)
    if rng.random() < 0.5 and _pause(ctx, rng, deadline):
        reviewer_iteration(b, ctx, username, rng, deadline)


def shared_task_edit(b: Browser, ctx: Context, username: str, rng: random.Random, deadline):
    """Edit the description of one of the few tasks every ward staff member edits, through
    the real form with its hidden ``version``: of saves made from the same version only one
    is kept, the others are refused (expected) with the "saved meanwhile" message."""
    pk = rng.choice(ctx.shared_task_ids)
    page = b.get("staff: shared task form", f"/plans/tasks/{pk}/edit/")
    form = find_form(page.body, lambda f: "description" in f.fields and "version" in f.fields)
    marker = f"[sửa {username} #{next(ctx.counter)}]"
    values = [(k, v) for k, v in form.form_values() if k != "description"]
    values.append(("description", f"Nội dung nhiệm vụ, bản sửa đồng thời {marker}"))
    if ctx.think > 0:  # typing: the window in which someone else saves
        time.sleep(min(rng.uniform(0, ctx.think), max(0.0, deadline - time.monotonic())))
    answer = b.post(
        "staff: save a shared task",
        f"/plans/tasks/{pk}/edit/",
        values,
        expect=(302,),
        refusals=ctx.refusals.stale_edit,
    )
    if answer is not None:
        _accepted(ctx, b, ("task", pk), marker, dict(values), username)


def _accepted(ctx: Context, b: Browser, record: tuple, marker: str, values: dict, user: str):
    ctx.writes.accept(
        Write(
            record=record,
            marker=marker,
            version=int(values.get("version") or 0),
            user=user,
            instance=getattr(ctx.stats.local, "instance", b.base_url),
        )
    )


def _check_docx(ctx: Context, action: str, answer: Answer) -> None:
    if answer.headers.get("Content-Type", "").split(";")[0] != DOCX or answer.body[:2] != b"PK":
        ctx.stats.error(action, f"not a Word document: {answer.headers.get('Content-Type')}")


ITERATIONS = {"unit": unit_iteration, "staff": staff_iteration, "bloc": reviewer_iteration}


def run_user(
    ctx: Context, username: str, role: str, start: threading.Barrier, seconds: float, index=0
):
    """One simulated user: log in, wait for everyone, work until the time is over."""
    rng = random.Random(f"{ctx.seed}-{username}")
    b = ctx.browser_for(index)
    try:
        b.login(username, ctx.password)
    except WorkflowError:
        start.wait()
        return
    start.wait()
    deadline = time.monotonic() + seconds
    iterate = ITERATIONS[role]
    while time.monotonic() < deadline:
        try:
            iterate(b, ctx, username, rng, deadline)
        except WorkflowError:
            time.sleep(0.5)  # recorded; carry on with the next round
        except Exception as exc:  # a page without the form the workflow needs
            ctx.stats.error(f"{role}: workflow", repr(exc)[:300])
            time.sleep(0.5)


def run_load(ctx: Context, seconds: float) -> float:
    """All users at once; returns the wall time of the working phase."""
    users = ctx.users
    start = threading.Barrier(len(users) + 1)
    threads = [
        threading.Thread(target=run_user, args=(ctx, u, role, start, seconds, index), daemon=True)
        for index, (u, role) in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join(seconds + 300)
    return time.monotonic() - began


# --- data -----------------------------------------------------------------------------------------


def account_split(users: int) -> tuple[int, int, int]:
    """(unit managers, ward staff, Khối Dân vận members) for ``users`` simulated users."""
    ward_side = max(1, round(users * 0.3))
    staff = max(1, round(ward_side * 2 / 3))
    bloc = ward_side - staff
    return users - ward_side, staff, bloc


def setup_data(users: int, *, load_demo: bool = True, meetings: int = MEETING_POOL) -> dict:
    """Demo data, one account per simulated user and the meeting pool (ORM, in-process)."""
    from django.conf import settings
    from django.contrib.auth import base_user
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from meetings.models import Conclusion, Meeting, MeetingKind, MeetingStatus
    from plans.models import Task
    from wardwork.models import (
        Organization,
        OrganizationKind,
        Person,
        Position,
        PositionRole,
        User,
        Ward,
    )

    # Every account has the demo's password: hash it once (a real PBKDF2 hash, so logging in
    # costs what it costs in production) instead of once per account.
    hashed = make_password(settings.DEMO_PASSWORD)
    original = base_user.make_password
    base_user.make_password = lambda raw, *a, **k: (
        hashed if raw == settings.DEMO_PASSWORD else original(raw, *a, **k)
    )
    try:
        if load_demo:
            with open(os.devnull, "w") as quiet:
                call_command("load_demo", force=True, stdout=quiet)
    finally:
        base_user.make_password = original

    ward = Ward.objects.get(name=WARD_NAME)
    committee = Organization.objects.get(ward=ward, kind=OrganizationKind.WARD_COMMITTEE)
    bloc = Organization.objects.get(ward=ward, kind=OrganizationKind.MASS_MOBILIZATION_BLOC)
    # The units that have tasks to report on: Party cells first, then mass organisations.
    units = list(
        Organization.objects.filter(
            ward=ward,
            is_active=True,
            kind__in=[
                OrganizationKind.PARTY_CELL,
                OrganizationKind.FATHERLAND_FRONT,
                OrganizationKind.MASS_ORGANIZATION,
            ],
        )
        .filter(Q(led_tasks__isnull=False) | Q(supported_tasks__isnull=False))
        .distinct()
        .order_by("kind", "name")
    )
    unit_count, staff_count, bloc_count = account_split(users)
    started = dt.date(2020, 10, 1)
    created: dict[str, list[str]] = {"unit": [], "staff": [], "bloc": []}

    def account(username, full_name, organization, role, title, bucket):
        person = Person.objects.create(
            ward=ward, full_name=full_name, organization=organization, title=title
        )
        Position.objects.create(
            person=person, organization=organization, role=role, started_on=started
        )
        User.objects.create(
            username=username,
            password=hashed,
            ward=ward,
            person=person,
            email=f"{username}@load.wardwork.vn",
        )
        created[bucket].append(username)

    with transaction.atomic():
        for i in range(unit_count):
            unit = units[i % len(units)]
            is_cell = unit.kind == OrganizationKind.PARTY_CELL
            account(
                f"{ACCOUNT_PREFIX}_unit{i + 1:02d}",
                f"Người dùng thử tải {i + 1:02d}",
                unit,
                PositionRole.CELL_SECRETARY if is_cell else PositionRole.DEPUTY_HEAD,
                f"{'Bí thư' if is_cell else 'Phó Chủ tịch'} {unit.name}",
                "unit",
            )
        for i in range(staff_count):
            account(
                f"{ACCOUNT_PREFIX}_staff{i + 1:02d}",
                f"Cán bộ Văn phòng thử tải {i + 1:02d}",
                committee,
                PositionRole.STAFF,
                "Cán bộ Văn phòng Đảng ủy",
                "staff",
            )
        for i in range(bloc_count):
            account(
                f"{ACCOUNT_PREFIX}_bloc{i + 1:02d}",
                f"Thành viên Khối Dân vận thử tải {i + 1:02d}",
                bloc,
                PositionRole.MEMBER,
                "Ủy viên Khối Dân vận",
                "bloc",
            )
        meeting_ids, concluded_meeting_ids = _meeting_pool(
            ward, committee, units, meetings, Meeting, MeetingKind, MeetingStatus, Conclusion
        )
    # The tasks every ward staff member edits at the same time (the lost-update check): the
    # first ones of the ward's plans.
    shared_task_ids = list(
        Task.objects.filter(ward=ward, plan__isnull=False)
        .order_by("plan__issued_on", "plan_id", "ordinal", "pk")
        .values_list("pk", flat=True)[:SHARED_TASKS]
    )
    today = timezone.localdate()
    last = (today.year, (today.month - 1) // 3)  # the last quarter that has ended
    report_quarters = [
        f"{year}-Q{q}"
        for year in range(2021, today.year + 1)
        for q in range(1, 5)
        if (year, q) <= last
    ]
    return {
        "unit_users": created["unit"],
        "staff_users": created["staff"],
        "bloc_users": created["bloc"],
        "meeting_ids": meeting_ids,
        "concluded_meeting_ids": concluded_meeting_ids,
        "report_quarters": report_quarters,
        "shared_task_ids": shared_task_ids,
        "password": settings.DEMO_PASSWORD,
    }


def _meeting_pool(ward, committee, units, count, Meeting, MeetingKind, MeetingStatus, Conclusion):
    """Held and concluded meetings spread over 2021-2025 (two committee terms), documents not
    numbered: half get a conclusion notice (concluded, with two conclusions). Bulk inserts
    (no history rows): a few hundred meetings take a second."""
    from django.utils import timezone

    rng = random.Random(7)
    meetings = []
    for i in range(count):
        day = dt.date(2021, 1, 4) + dt.timedelta(days=rng.randrange(0, 5 * 365))
        held_at = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))
        concluded = i % 2 == 0
        meeting = Meeting(
            ward=ward,
            kind=MeetingKind.BRIEFING,
            title=f"Hội nghị giao ban công tác dân vận số {i + 1} (thử tải)",
            year=day.year,
            quarter=(day.month - 1) // 3 + 1,
            held_at=held_at,
            venue="Phòng họp 2 trụ sở phường",
            status=MeetingStatus.CONCLUDED if concluded else MeetingStatus.HELD,
            concluded_at=held_at + dt.timedelta(hours=3) if concluded else None,
            report_summary="Báo cáo kết quả công tác dân vận trong tháng.",
        )
        meeting.fill_derived()
        meetings.append(meeting)
    Meeting.objects.bulk_create(meetings)
    conclusions = [
        Conclusion(
            meeting=meeting,
            ordinal=ordinal,
            text=f"Các chi bộ tiếp tục vận động nhân dân (kết luận {ordinal}).",
        )
        for meeting in meetings
        if meeting.status == MeetingStatus.CONCLUDED
        for ordinal in (1, 2)
    ]
    Conclusion.objects.bulk_create(conclusions)
    Lead = Conclusion.lead_organizations.through
    Lead.objects.bulk_create(
        [Lead(conclusion_id=c.pk, organization_id=rng.choice(units).pk) for c in conclusions]
    )
    return [m.pk for m in meetings], [m.pk for m in meetings if m.status == MeetingStatus.CONCLUDED]


# --- database checks ------------------------------------------------------------------------------

DUPLICATE_QUERIES = {
    "issued documents (issuer, type, term, number)": """
        SELECT issuer_id, doc_type, term_start_year, number, COUNT(*)
        FROM meetings_issueddocument
        GROUP BY issuer_id, doc_type, term_start_year, number HAVING COUNT(*) > 1""",
    "issued documents (ward, kind, year of issue, number)": """
        SELECT ward_id, kind, EXTRACT(YEAR FROM issued_on), number, COUNT(*)
        FROM meetings_issueddocument
        GROUP BY ward_id, kind, EXTRACT(YEAR FROM issued_on), number, term_start_year
        HAVING COUNT(*) > 1""",
    "issued documents (ward, kind, symbol, term)": """
        SELECT ward_id, kind, symbol, term_start_year, COUNT(*) FROM meetings_issueddocument
        GROUP BY ward_id, kind, symbol, term_start_year HAVING COUNT(*) > 1""",
    "issued documents, one per meeting": """
        SELECT meeting_id, kind, COUNT(*) FROM meetings_issueddocument
        WHERE meeting_id IS NOT NULL GROUP BY meeting_id, kind HAVING COUNT(*) > 1""",
    "issued documents, one per quarter": """
        SELECT ward_id, kind, year, quarter, COUNT(*) FROM meetings_issueddocument
        WHERE meeting_id IS NULL AND year IS NOT NULL
        GROUP BY ward_id, kind, year, quarter HAVING COUNT(*) > 1""",
    "plan numbers (issuer, type, year, number)": """
        SELECT issuer_id, doc_type, EXTRACT(YEAR FROM issued_on), number, COUNT(*)
        FROM plans_plan WHERE number IS NOT NULL
        GROUP BY issuer_id, doc_type, EXTRACT(YEAR FROM issued_on), number
        HAVING COUNT(*) > 1""",
    "task numbers in a plan": """
        SELECT plan_id, ordinal, COUNT(*) FROM plans_task WHERE plan_id IS NOT NULL
        GROUP BY plan_id, ordinal HAVING COUNT(*) > 1""",
    "conclusion numbers in a meeting": """
        SELECT meeting_id, ordinal, COUNT(*) FROM meetings_conclusion
        GROUP BY meeting_id, ordinal HAVING COUNT(*) > 1""",
    "contribution numbers in a meeting": """
        SELECT meeting_id, ordinal, COUNT(*) FROM meetings_contribution
        GROUP BY meeting_id, ordinal HAVING COUNT(*) > 1""",
    "progress reports (task, unit, quarter)": """
        SELECT task_id, organization_id, year, quarter, COUNT(*) FROM plans_progressreport
        GROUP BY task_id, organization_id, year, quarter HAVING COUNT(*) > 1""",
    "quarterly reviews (ward, quarter)": """
        SELECT ward_id, year, quarter, COUNT(*) FROM meetings_quarterlyreview
        GROUP BY ward_id, year, quarter HAVING COUNT(*) > 1""",
    "numbering sequences behind their highest number": """
        SELECT s.issuer_id, s.doc_type, s.term_start_year, s.last_number, MAX(d.number)
        FROM plans_documentsequence s JOIN meetings_issueddocument d
          ON d.issuer_id = s.issuer_id AND d.doc_type = s.doc_type
         AND d.term_start_year = s.term_start_year
        GROUP BY s.id HAVING MAX(d.number) > s.last_number""",
}


def check_database(cursor) -> dict[str, list]:
    found = {}
    for label, sql in DUPLICATE_QUERIES.items():
        cursor.execute(sql)
        found[label] = cursor.fetchall()
    return found


def numbering_summary(cursor, since) -> list[tuple]:
    """Numbers given during the run, per type and term: count, lowest, highest, gaps."""
    cursor.execute(
        """SELECT doc_type, term_start_year, COUNT(*), MIN(number), MAX(number)
           FROM meetings_issueddocument WHERE created_at >= %s
           GROUP BY doc_type, term_start_year ORDER BY doc_type, term_start_year""",
        [since],
    )
    rows = []
    for doc_type, term, count, low, high in cursor.fetchall():
        cursor.execute(
            """SELECT COUNT(*) FROM meetings_issueddocument
               WHERE doc_type = %s AND term_start_year = %s AND number BETWEEN 1 AND %s""",
            [doc_type, term, high],
        )
        taken = cursor.fetchone()[0]
        rows.append((doc_type, term, count, low, high, high - taken))
    return rows


# --- gunicorn and PostgreSQL ----------------------------------------------------------------------


def server_environment(args, temp: Path) -> dict[str, str]:
    return _server_environment(args.database_url, temp)


def start_gunicorn(args, env: dict, port: int, log_path: Path) -> subprocess.Popen:
    return _start_gunicorn(env, port, log_path, workers=args.workers)


def numbering_gaps(numbering: list[tuple]) -> int:
    """Numbers missing below the highest one taken, over every type and term."""
    return sum(row[5] for row in numbering)


def deadlocks(cursor, name: str) -> int:
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [name])
    row = cursor.fetchone()
    return int(row[0]) if row else 0


# --- the report -----------------------------------------------------------------------------------


def report(ctx: Context, *, wall: float, args, meta: dict, db: dict) -> str:
    stats = ctx.stats
    out = []
    instances = ctx.instances
    title = f"{args.users} users, {args.seconds:g} s"
    if len(instances) > 1:
        title += f", {len(instances)} gunicorn instances"
    servers = f"gunicorn {meta['gunicorn']} with {args.workers} sync workers"
    if len(instances) > 1:
        servers = (
            f"{len(instances)} instances of gunicorn {meta['gunicorn']} on "
            f"{len(instances)} ports, {args.workers} sync workers each, one database"
        )
    out.append(f"## Load test: {title} ({meta['when']})")
    out.append("")
    out.append(
        f"Machine: {meta['cpus']} CPU cores, {meta['python']}, PostgreSQL {meta['pg']}; "
        f"{servers}; users: "
        f"{len(ctx.unit_users)} unit managers, {len(ctx.staff_users)} ward staff, "
        f"{len(ctx.bloc_users)} Khối Dân vận members; think time 0–{args.think:g} s; "
        f"seed {args.seed}. "
        f"Code: {meta['commit']}. Load average (1 min) at the start / end of the run: "
        f"{meta['load']}."
    )
    out.append("")
    out.append("| action | requests | refused (expected) | errors | p50 ms | p95 ms | max ms |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for action in sorted(stats.durations):
        values = stats.durations[action]
        out.append(
            f"| {action} | {len(values)} | {sum(stats.refused[action].values())} | "
            f"{stats.error_count[action]} | {percentile(values, 0.5) * 1000:.0f} | "
            f"{percentile(values, 0.95) * 1000:.0f} | {max(values) * 1000:.0f} |"
        )
    for action in sorted(set(stats.error_count) - set(stats.durations)):
        out.append(f"| {action} | 0 | 0 | {stats.error_count[action]} | | | |")
    everything = [v for values in stats.durations.values() for v in values]
    working = sum(len(v) for a, v in stats.durations.items() if a not in ("login", "login page"))
    out.append(
        f"| **all** | **{len(everything)}** | **{stats.total_refused}** | "
        f"**{stats.total_errors}** | **{percentile(everything, 0.5) * 1000:.0f}** | "
        f"**{percentile(everything, 0.95) * 1000:.0f}** | "
        f"**{max(everything, default=0) * 1000:.0f}** |"
    )
    out.append("")
    out.append(
        f"- Requests: {len(everything)} ({working} in the {wall:.1f} s working phase after "
        f"the logins: **{working / wall:.1f} requests/s**)."
    )
    refused = [
        f"{action}: {count} × {reason}"
        for action, reasons in sorted(stats.refused.items())
        for reason, count in reasons.items()
    ]
    out.append(
        f"- Expected refusals: {stats.total_refused}"
        + (f" ({'; '.join(refused)})." if refused else ".")
    )
    out.append(f"- Errors: **{stats.total_errors}**.")
    for line in stats.errors[:8]:
        out.append(f"  - {line[:400]}")
    if len(instances) > 1:
        out.append(
            f"- Instances (users dealt round-robin; every {ALTERNATE_EVERY}th user alternates "
            "between the instances request by request, its session included):"
        )
        out.append("")
        out.append("  | instance | users (fixed / alternating) | requests | errors |")
        out.append("  |---|---:|---:|---:|")
        fixed, alternating = Counter(), 0
        for index in range(len(ctx.users)):
            browser = ctx.browser_for(index)
            if browser.alternate:
                alternating += 1
            else:
                fixed[browser.base_url] += 1
        for number, url in enumerate(instances, 1):
            out.append(
                f"  | #{number} {url} | {fixed[url]} / {alternating} | "
                f"{stats.instance_requests[url]} | {stats.instance_errors[url]} |"
            )
        out.append("")
    writes = ctx.writes.items
    records = sorted({str(w.record) for w in writes})
    out.append(
        f"- Shared records edited concurrently through their forms (hidden version): "
        f"{len(records)} ({', '.join(records) or 'none'}); accepted saves {len(writes)} "
        f"(per instance: "
        + (
            ", ".join(
                f"#{n} {sum(w.instance == u for w in writes)}" for n, u in enumerate(instances, 1)
            )
        )
        + f"), refused as stale **{stats.stale_refusals}**; "
        f"lost updates: **{len(db['lost_updates'])}** (every accepted save in the record's "
        "history, the value now the last accepted save, no two saves accepted from one "
        "version)."
    )
    for line in db["lost_updates"][:8]:
        out.append(f"  - {line[:400]}")
    out.append(f"- PostgreSQL deadlocks in the database during the run: **{db['deadlocks']}**.")
    duplicates = {k: v for k, v in db["duplicates"].items() if v}
    out.append(
        f"- Duplicate numbers: **{sum(len(v) for v in duplicates.values())}** "
        f"({len(db['duplicates'])} checks: {', '.join(db['duplicates'])})."
    )
    for label, rows in duplicates.items():
        out.append(f"  - {label}: {rows[:5]}")
    numbered = ", ".join(
        f"{count} × {doc_type} (term {term}: {low:02d}–{high:02d}, {gaps} gaps)"
        for doc_type, term, count, low, high, gaps in db["numbering"]
    )
    out.append(
        f"- Document numbers taken during the run: {numbered or 'none'}; document requests "
        f"(BC, BB, TB) in flight at once: up to {stats.numbering_most_in_flight}."
    )
    out.append(
        f"- Server log: {len(db['log_problems'])} lines with a traceback, deadlock or timeout; "
        f"gunicorn exit status {db['gunicorn_exit']}."
    )
    for line in db["log_problems"][:5]:
        out.append(f"  - `{line[:300]}`")
    if db.get("log_kept"):
        out.append(f"  - the whole server log is kept in {db['log_kept']}")
    duplicate_count = sum(len(v) for v in db["duplicates"].values())
    out.append(
        f"- **Totals: errors {stats.total_errors}, deadlocks {db['deadlocks']}, duplicate "
        f"numbers {duplicate_count}, gaps in numbering {numbering_gaps(db['numbering'])}, "
        f"lost updates {len(db['lost_updates'])}, stale refusals {stats.stale_refusals}.**"
    )
    out.append(
        f"- CPU time: gunicorn (all workers, logins included) {db['cpu'][0]:.0f} s; this "
        f"script's simulated users {db['cpu'][1]:.0f} s (logins and working phase); the machine "
        f"has {meta['cpus']} cores."
    )
    return "\n".join(out)


# --- main -----------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simultaneous users (50)")
    parser.add_argument("--seconds", type=float, default=60, help="working time (60)")
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn sync workers of each instance (3)"
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="gunicorn instances on as many ports, one database; the users are split (1)",
    )
    parser.add_argument(
        "--think", type=float, default=1.0, help="longest think time between pages, s (1.0)"
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"the load test's own database, dropped and recreated ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="keep the database after a run that passed (one that failed is always kept)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of the users' choices (random by default)"
    )
    parser.add_argument(
        "--meetings", type=int, default=MEETING_POOL, help="meetings in the document pool"
    )
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = secrets.randbelow(10**6)
    if args.users < 2:
        parser.error("--users: at least 2 (one unit manager and one ward staff)")
    if args.instances < 1:
        parser.error("--instances: at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    temp_dir = tempfile.TemporaryDirectory(prefix="wardwork-load-")
    temp = Path(temp_dir.name)
    env = server_environment(args, temp)
    os.environ.update(env)

    def say(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", file=sys.stderr, flush=True)

    say(f"recreating the database {recreate_database(args.database_url)}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    say("migrate, collectstatic")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    say("load_demo, accounts, meetings")
    data = setup_data(args.users, meetings=args.meetings)
    connection.close()

    # N gunicorn instances on N ports, the same database and settings (the same SECRET_KEY,
    # as behind a load balancer), each with its own workers.
    servers, log_paths, base_urls = [], [], []
    try:
        for number in range(1, args.instances + 1):
            port = free_port()
            log_path = temp / f"gunicorn-{number}.log"
            say(f"gunicorn #{number} on 127.0.0.1:{port} with {args.workers} workers")
            servers.append(start_gunicorn(args, env, port, log_path))
            log_paths.append(log_path)
            base_urls.append(f"http://127.0.0.1:{port}")
    except BaseException:
        for server in servers:
            stop_gunicorn(server)
        raise
    ctx = Context(
        base_url=base_urls[0], base_urls=base_urls, think=args.think, seed=args.seed, **data
    )
    for base_url in base_urls:
        warm_up(base_url, args.workers)
    with connection.cursor() as cursor:
        before = deadlocks(cursor, connection.settings_dict["NAME"])
        cursor.execute("SELECT now()")
        since = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0].split()[0]
    try:
        say(f"{args.users} users log in, then work for {args.seconds:g} s")
        load_before = os.getloadavg()[0]
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        wall = run_load(ctx, args.seconds)
        client_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        say("stopping gunicorn")
        gunicorn_exits = [stop_gunicorn(server) for server in servers]
    time.sleep(1.0)  # PostgreSQL publishes its statistics at most every second
    with connection.cursor() as cursor:
        db = {
            "deadlocks": deadlocks(cursor, connection.settings_dict["NAME"]) - before,
            "duplicates": check_database(cursor),
            "numbering": numbering_summary(cursor, since),
        }
    final, history = shared_records(ctx.writes.items)
    db["lost_updates"] = lost_updates(ctx.writes.items, final, history)
    db["log_problems"] = [
        f"#{number}: {line}"
        for number, log_path in enumerate(log_paths, 1)
        for line in server_log_problems(log_path)
    ]
    db["gunicorn_exit"] = ", ".join(str(code) for code in gunicorn_exits)
    server_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # gunicorn and its workers
    db["cpu"] = (
        server_cpu.ru_utime + server_cpu.ru_stime,
        (client_after.ru_utime + client_after.ru_stime)
        - (client_before.ru_utime + client_before.ru_stime),
    )
    if db["log_problems"]:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        kept = []
        for number, log_path in enumerate(log_paths, 1):
            suffix = f"-{number}" if len(log_paths) > 1 else ""
            kept.append(Path(tempfile.gettempdir()) / f"wardwork-load-{stamp}{suffix}.log")
            shutil.copy(log_path, kept[-1])
        db["log_kept"] = ", ".join(str(k) for k in kept)
    import gunicorn

    meta = {
        "commit": git_commit(),
        "load": f"{load_before:.1f} / {os.getloadavg()[0]:.1f}",
        "when": time.strftime("%d/%m/%Y %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "python": f"Python {sys.version.split()[0]}",
        "pg": pg_version,
        "gunicorn": gunicorn.__version__,
    }
    print(report(ctx, wall=wall, args=args, meta=meta, db=db))
    failed = (
        ctx.stats.total_errors
        + db["deadlocks"]
        + sum(len(v) for v in db["duplicates"].values())
        + numbering_gaps(db["numbering"])
        + len(db["lost_updates"])
        + len(db["log_problems"])
    )
    connection.close()
    temp_dir.cleanup()
    if failed or args.keep_database:
        say(f"the database {connection.settings_dict['NAME']} is kept for inspection")
    else:
        recreate_database(args.database_url, create=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
