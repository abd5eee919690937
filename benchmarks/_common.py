"""What the benchmarks share: Django set up against a given database, a PostgreSQL database of
the benchmark's own (created and dropped), gunicorn started with production settings on a free
port and stopped, timing helpers (median, p95), a query counter, an HTTP client that logs in
through the real login form (CSRF token included), the resident memory of gunicorn's workers
and a description of the machine.

Nothing here imports Django at module level: a script sets its environment first
(``setup_django``), then imports the project.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
FORBIDDEN_DATABASES = {"wardwork", "test_wardwork", "postgres", "template0", "template1"}


def say(text: str) -> None:
    """A progress line on stderr (stdout is kept for the report)."""
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", file=sys.stderr, flush=True)


# --- Django ---------------------------------------------------------------------------------------


def setup_django(database_url: str, **environment: str) -> None:
    """Point the settings at ``database_url`` with production-like switches (DEBUG off, a
    random SECRET_KEY) and set Django up. ``environment`` adds or overrides variables."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "wardwork.settings"
    os.environ["DEBUG"] = "false"  # no query log growing in memory
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.update(environment)
    import django

    django.setup()


class QueryCounter:
    """Counts the queries run inside ``with`` (on the default connection)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


# --- timing ---------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0.95: the value 95 % of the samples do not exceed)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def timed(run, repeat: int = 1) -> tuple[float, object]:
    """``run()`` ``repeat`` times: (median seconds, the last result)."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return median(times), result


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_admin_connection(url: str):
    """(autocommit connection to the server's ``postgres`` database, the database's name)."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    if not config["ENGINE"].endswith("postgresql"):
        raise SystemExit(f"--database-url must be a PostgreSQL URL, not {url!r}")
    name = config["NAME"]
    if name in FORBIDDEN_DATABASES or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SystemExit(f"Refusing to drop the database {name!r}: give the benchmark its own.")
    conn = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    conn.autocommit = True
    return conn, name


def recreate_database(url: str, *, create: bool = True) -> str:
    """Drop the benchmark's database and (unless ``create`` is False) create it empty."""
    conn, name = _pg_admin_connection(url)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return name


def database_exists(url: str) -> bool:
    conn, name = _pg_admin_connection(url)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cur.fetchone() is not None
    conn.close()
    return found


def with_database_name(url: str, name: str) -> str:
    """``url`` with its database name replaced."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


# --- gunicorn -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(database_url: str, temp: Path) -> dict[str, str]:
    """Production settings, relaxing only what plain HTTP on localhost needs: no redirect to
    HTTPS, cookies not marked Secure, no HSTS, no proxy in front (the client address is the
    connection's)."""
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "wardwork.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "TRUSTED_PROXY_COUNT": "0",
        "STATIC_ROOT": str(temp / "static"),
        "MEDIA_ROOT": str(temp / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
    }


def start_gunicorn(env: dict, port: int, log_path: Path, *, workers: int) -> subprocess.Popen:
    """gunicorn as docs/deployment.md runs it (sync workers), answering on 127.0.0.1:port."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "wardwork.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "30",
        "--chdir",
        str(ROOT),
    ]
    log = open(log_path, "wb")  # noqa: SIM115 -- closed with the process
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    process.log_file = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log_path.read_text()[-3000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as resp,
        ):
            if resp.status == 200:
                return process
        time.sleep(0.3)
    stop_gunicorn(process)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log_path.read_text()[-3000:]}")


def warm_up(base_url: str, workers: int, path: str = "/accounts/login/") -> None:
    """A few simultaneous unrecorded requests, so that every worker has loaded the URLs and
    templates before the measured requests (a server in service is warm)."""

    def fetch():
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{base_url}{path}", timeout=30).read()  # noqa: S310

    for _ in range(2):
        threads = [threading.Thread(target=fetch) for _ in range(workers * 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def stop_gunicorn(process: subprocess.Popen) -> int | None:
    """SIGTERM (gunicorn finishes the requests in flight), then wait; SIGKILL as a last resort."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(45)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log_file.close()
    return process.returncode


def server_log_problems(log_path: Path) -> list[str]:
    """Lines of the server's log that tell of a failure (tracebacks, deadlocks, timeouts)."""
    patterns = ("Traceback", "deadlock", "WORKER TIMEOUT", "Internal Server Error", "[ERROR]")
    lines = log_path.read_text(errors="replace").splitlines()
    return [line for line in lines if any(p in line for p in patterns)]


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers when ``pid`` is the master)."""
    children = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            children.extend(int(p) for p in text.split())
    return children


def rss_kib(pid: int) -> int | None:
    """Resident memory (VmRSS) of a process, KiB; None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# --- HTML forms and an HTTP client that logs in ---------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


def html(body: bytes):
    import lxml.html

    return lxml.html.fromstring(body)


def page_text(body: bytes) -> str:
    try:
        return " ".join(html(body).text_content().split())
    except Exception:  # not HTML (a file, an empty body)
        return body[:300].decode("utf-8", "replace")


def find_forms(body: bytes, predicate=None) -> list:
    forms = html(body).forms
    return [f for f in forms if predicate is None or predicate(f)]


def find_form(body: bytes, predicate):
    forms = find_forms(body, predicate)
    if not forms:
        raise LookupError("no such form on the page")
    return forms[0]


def form_values(form) -> dict:
    """The values a browser would send for the form (no submit button)."""
    values = {}
    for name, value in form.form_values():
        values[name] = value
    return values


def login_form_fields(body: bytes, username: str, password: str) -> dict:
    """What the login page's form sends (its CSRF token included) for these credentials."""
    fields = form_values(find_form(body, lambda f: "password" in f.fields))
    fields.update(username=username, password=password)
    return fields


class Client:
    """A plain HTTP session: cookies kept, redirects not followed, no retry."""

    def __init__(self, base_url: str, *, timeout: float = 60.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def request(self, method: str, path: str, data: dict | None = None) -> Answer:
        """One request; an HTTP error status is an answer, a connection failure raises."""
        url = path if path.startswith("http") else self.base_url + path
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Referer": url, "Accept-Language": "vi"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return Answer(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, dict(exc.headers), exc.read())

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def login(self, username: str, password: str) -> None:
        """Log in through the login form; raises ``RuntimeError`` when refused."""
        page = self.get("/accounts/login/")
        answer = self.request(
            "POST", "/accounts/login/", login_form_fields(page.body, username, password)
        )
        if answer.status != 302 or "/accounts/login/" in answer.location:
            raise RuntimeError(f"{username}: the login form refused (HTTP {answer.status})")


CONNECTION_ERRORS = (OSError, http.client.HTTPException)


# --- the machine and the code ---------------------------------------------------------------------


def git_commit() -> str:
    """The commit the code under test comes from ("+ changes" when the tree is not clean)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} + uncommitted changes" if dirty else commit


def machine_info() -> str:
    """CPU model and count, memory, OS, Python: one line."""
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    return (
        f"{os.cpu_count()} × {cpu}{memory}, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}"
    )
