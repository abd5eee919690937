"""The app keeps no state in its process, so several app servers can serve it side by side
(issue #8, "More than one machine"; docs/scaling.md explains the deployment).

What one process cannot prove (two gunicorn instances on two ports splitting the load) the
benchmark proves; here, everything that can be shown in one test process:

- sessions live in the database: a session opened through one client is used and ended
  through another, after everything a second process would not share has been dropped
  (``another_instance``); and every instance must share SECRET_KEY;
- django-axes counts failed logins in the database: failures spread over two instances
  add up to one lock-out;
- uploads go through Django's storage API only: every FileField uses the default storage,
  and the whole upload / download / document-template path works on a storage with no
  local disk at all (``BucketStorage``, a stand-in for an S3 bucket) chosen by settings
  alone, with nothing written under MEDIA_ROOT;
- no code keeps data in process memory: no cache use on the per-process default cache,
  no ``global``, no ``lru_cache``, no thread-locals; MEDIA_ROOT is read only by the
  allow-listed files;
- document numbers taken at the same moment on separate database connections (PostgreSQL
  only) are never repeated.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.urls import reverse
from django.utils.functional import empty

from meetings.document_render import template_for
from meetings.documents import issued_document_reserve
from meetings.models import (
    DocumentKind,
    DocumentTemplate,
    IssuedDocument,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from models_registry.models import Field, Registration, RegistrationKind, RegistrationUpdate
from plans.models import Plan, ProgressReport, Task

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = ("wardwork", "plans", "models_registry", "meetings")
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def another_instance() -> None:
    """Forget what a second gunicorn process would not have: cached values, the content
    type cache, the storage objects. Anything the next request still finds must come from
    the shared services (PostgreSQL, the bucket), which is the point of these tests."""
    for cache in caches.all(initialized_only=True):
        cache.clear()
    ContentType.objects.clear_cache()
    storages._storages = {}
    default_storage._wrapped = empty


def logged_in(client) -> bool:
    response = client.get(reverse("plans:plan_list"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    return False


def project_sources():
    """Every Python file of the project apps except migrations."""
    for app in PROJECT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- Sessions --------------------------------------------------------------------------------


SHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
}


def test_sessions_are_kept_where_every_instance_finds_them():
    engine = settings.SESSION_ENGINE
    assert engine in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
        "django.contrib.sessions.backends.cache",
    }, f"{engine} keeps sessions where another app server cannot read them"
    if engine != "django.contrib.sessions.backends.db":
        # A session in LocMemCache would exist only in the process that created it.
        backend = settings.CACHES[settings.SESSION_CACHE_ALIAS]["BACKEND"]
        assert backend in SHARED_CACHE_BACKENDS, f"sessions in {backend} are per process"


@pytest.mark.django_db
def test_a_session_opened_on_one_instance_is_used_and_ended_on_another(home):
    first = Client()
    response = first.post(
        reverse("login"), {"username": home.secretary.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    key = first.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()  # in the database

    another_instance()
    # The load balancer sends the next requests elsewhere: same cookies, CSRF enforced.
    second = Client(enforce_csrf_checks=True)
    for name, morsel in first.cookies.items():
        second.cookies[name] = morsel.value
    page = second.get(reverse("plans:plan_list"))
    assert page.status_code == 200
    assert page.wsgi_request.user == home.secretary
    token = second.cookies[settings.CSRF_COOKIE_NAME].value
    response = second.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302  # CSRF accepted: the token is not tied to a process

    another_instance()
    # Logged out on the second instance means logged out everywhere.
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not logged_in(replay)


@pytest.mark.django_db
def test_every_instance_needs_the_same_secret_key(home, settings):
    """The session carries an HMAC of the password hash keyed with SECRET_KEY: an app server
    with another key logs everyone out (docs/scaling.md: one SECRET_KEY for all)."""
    client = Client()
    client.force_login(home.secretary)
    assert logged_in(client)
    settings.SECRET_KEY = "another-app-server-with-its-own-key-" + "x" * 20
    assert not logged_in(client)


# --- Lock-out counters (django-axes) ---------------------------------------------------------


def test_failed_logins_are_counted_in_the_database():
    from axes.conf import settings as axes_settings

    assert axes_settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


@pytest.mark.django_db
def test_failures_spread_over_two_instances_add_up_to_one_lock_out(home):
    user = home.secretary.username
    limit = settings.LOGIN_FAILURES_PER_USER
    instances = [Client(), Client()]
    for n in range(limit - 1):
        another_instance()
        response = instances[n % 2].post(
            reverse("login"),
            {"username": user, "password": "wrong-password"},
            REMOTE_ADDR=f"203.0.113.{n + 1}",
        )
        assert response.status_code == 200  # the form again
    another_instance()
    locked = instances[1].post(
        reverse("login"),
        {"username": user, "password": "wrong-password"},
        REMOTE_ADDR="203.0.113.99",
    )
    assert locked.status_code == settings.AXES_HTTP_RESPONSE_CODE
    another_instance()
    # ... and the lock holds on the other instance too, even with the right password.
    again = instances[0].post(
        reverse("login"), {"username": user, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert again.status_code == settings.AXES_HTTP_RESPONSE_CODE


# --- Uploaded files --------------------------------------------------------------------------


def file_fields():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def test_every_file_field_uses_the_default_storage():
    """A field with its own storage (a FileSystemStorage(location=...)) would keep its files
    on one machine whatever STORAGES says."""
    found = list(file_fields())
    project = {m._meta.label for m, _f in found if m._meta.app_label in PROJECT_APPS}
    assert {"plans.Plan", "plans.ProgressReport", "models_registry.RegistrationUpdate"} <= project
    assert "meetings.DocumentTemplate" in project
    for model, field in found:
        assert field.storage is default_storage, f"{model._meta.label}.{field.name}"


def test_media_root_is_read_only_by_the_backup_and_the_development_server():
    """Code that opens MEDIA_ROOT itself bypasses the storage API and breaks on S3."""
    allowed = {
        "wardwork/settings.py": "defines it",
        "wardwork/urls.py": "serves it with DEBUG only (runserver)",
        # The backup archives MEDIA_ROOT and restore rewrites it: with media on S3 the
        # bucket's own versioning / replication replaces them (docs/scaling.md).
        "wardwork/backup.py": "backup and restore of a single-server deployment",
        "wardwork/management/commands/backup.py": "prints it",
        "wardwork/management/commands/restore.py": "prints it",
    }
    readers = {relative(p) for p in project_sources() if "MEDIA_ROOT" in p.read_text("utf-8")}
    assert readers <= set(allowed), sorted(readers - set(allowed))


class BucketStorage(Storage):
    """An S3 bucket in miniature: the objects live outside the storage instance (a second
    process creating its own instance sees them), there is no local path, and a name in
    use gets a new one (django-storages with ``file_overwrite=False``)."""

    objects: dict[str, bytes] = {}

    def _open(self, name, mode="rb"):
        if name not in self.objects:
            raise FileNotFoundError(name)
        return ContentFile(self.objects[name], name=name)

    def _save(self, name, content):
        content.seek(0)
        self.objects[name] = content.read()
        return name

    def exists(self, name):
        return name in self.objects

    def delete(self, name):
        self.objects.pop(name, None)

    def size(self, name):
        return len(self.objects[name])

    def url(self, name):
        return f"https://bucket.example.test/{name}"

    def listdir(self, path):
        raise NotImplementedError("not needed by the app")

    def path(self, name):
        raise AssertionError(f"the app asked for a local path of {name}: S3 has none")


@pytest.fixture
def bucket(settings, tmp_path):
    """STORAGES["default"] switched by settings alone, MEDIA_ROOT pointing nowhere."""
    BucketStorage.objects = {}
    settings.MEDIA_ROOT = tmp_path / "no-media-here"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.BucketStorage"},
    }
    assert isinstance(storages["default"], BucketStorage)
    yield BucketStorage.objects
    assert not settings.MEDIA_ROOT.exists(), "something wrote under MEDIA_ROOT"


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def tiny_docx(text: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_uploads_and_downloads_need_no_local_disk(home, bucket):
    # A plan with its file, uploaded through the form on one instance ...
    office = Client()
    office.force_login(home.staff)
    response = office.post(
        reverse("plans:plan_create"),
        {
            "symbol": "35-KH/ĐU",
            "issued_on": "05/02/2021",
            "title": "Kế hoạch tuyên truyền giải phóng mặt bằng",
            "is_active": "on",
            "attachment": SimpleUploadedFile("35-KH-DU.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get(symbol="35-KH/ĐU")
    assert plan.attachment.name in bucket

    # ... evidence of a progress report and of a registration update, a Word template ...
    task = Task.objects.create(
        ward=home.ward, plan=plan, ordinal=1, title="Tuyên truyền", lead_organization=home.cell
    )
    report = ProgressReport.objects.create(
        task=task,
        organization=home.cell,
        year=2021,
        quarter=1,
        status="in_progress",
        attachment=ContentFile(PDF, name="bien-ban.pdf"),
    )
    registration = Registration.objects.create(
        ward=home.ward,
        year=2021,
        kind=RegistrationKind.COLLECTIVE,
        organization=home.cell,
        registered_by_unit=home.cell,
        title="Khu phố không rác thải nhựa",
        field=Field.objects.get_or_create(name="Kinh tế")[0],
    )
    update = RegistrationUpdate.objects.create(
        registration=registration,
        year=2021,
        quarter=1,
        results="Đã thu gom 200 kg rác nhựa.",
        attachment=ContentFile(PDF, name="anh-thu-gom.pdf"),
    )
    template = DocumentTemplate.objects.create(
        kind=DocumentKind.CONCLUSION_NOTICE,
        ward=home.ward,
        name="Mẫu của phường",
        file=ContentFile(tiny_docx("Mẫu riêng của phường"), name="mau.docx"),
    )
    assert {report.attachment.name, update.attachment.name, template.file.name} <= set(bucket)

    # ... and everything read back through another instance.
    another_instance()
    reader = Client()
    reader.force_login(home.secretary)
    assert download(reader, reverse("plans:plan_attachment", args=[plan.pk])) == PDF
    assert download(reader, reverse("plans:report_evidence", args=[report.pk])) == PDF
    assert download(reader, reverse("models_registry:update_evidence", args=[update.pk])) == PDF
    content, name = template_for(DocumentKind.CONCLUSION_NOTICE, home.ward)
    assert name == "Mẫu của phường" and content == bucket[template.file.name]


@pytest.mark.django_db
def test_a_second_file_of_the_same_name_does_not_replace_the_first(home, bucket):
    """Two wards upload "bien-ban.pdf" the same month: each keeps its own file (on S3 this
    needs ``file_overwrite=False``, which docs/scaling.md sets)."""
    first = Plan(
        ward=home.ward,
        issuer=home.committee,
        symbol="1-KH/ĐU",
        doc_type="KH",
        issued_on=dt.date(2021, 2, 1),
        year=2021,
        title="Một",
    )
    first.attachment = ContentFile(PDF, name="bien-ban.pdf")
    first.save()
    second = Plan(
        ward=home.ward,
        issuer=home.committee,
        symbol="2-KH/ĐU",
        doc_type="KH",
        issued_on=dt.date(2021, 2, 1),
        year=2021,
        title="Hai",
    )
    second.attachment = ContentFile(PDF + b"%second", name="bien-ban.pdf")
    second.save()
    assert first.attachment.name != second.attachment.name
    assert bucket[first.attachment.name] == PDF


S3_VARIABLES = {
    "STORAGE_BACKEND": "s3",
    "MEDIA_BUCKET": "wardwork-media",
    "S3_ENDPOINT_URL": "https://s3.example.test",
    "S3_REGION_NAME": "hn-1",
    "S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "S3_SECRET_ACCESS_KEY": "secret-example",
    "S3_LOCATION": "media",
}


def test_the_bucket_is_chosen_by_the_environment_alone(monkeypatch):
    """Every app server reads the same variables (docs/scaling.md lists them) and gets the
    same private, never-overwriting bucket; nothing to edit in the code."""
    import runpy

    for name, value in S3_VARIABLES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("STORAGE_OPTIONS", raising=False)
    configured = runpy.run_path(str(ROOT / "wardwork" / "settings.py"))
    default = configured["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "wardwork-media"
    assert options["endpoint_url"] == "https://s3.example.test"
    assert options["region_name"] == "hn-1" and options["location"] == "media"
    assert options["file_overwrite"] is False  # same name: a new key, never a replacement
    assert options["default_acl"] is None or options["default_acl"] == "private"
    assert options["querystring_auth"] is True  # no public URL to a Party document
    # Static files stay with whitenoise, served by every app server from its own copy.
    assert configured["STORAGES"]["staticfiles"] == settings.STORAGES["staticfiles"]
    documented = (ROOT / "docs" / "scaling.md").read_text("utf-8")
    assert [name for name in [*S3_VARIABLES, "STORAGE_OPTIONS"] if name not in documented] == []


# --- Process memory --------------------------------------------------------------------------

# Cache use by the app, with why it is safe on several machines. Empty today: CACHES is
# Django's default LocMemCache, private to each process, so anything put there would differ
# from one app server to the next (docs/scaling.md: a shared cache first).
ALLOWED_CACHE_USE: dict[str, str] = {
    "meetings/city_selectors.py": (
        "the city view's figures, two minutes, keyed by the quarter, the day and the exact set "
        "of wards the user may see (a user never gets figures of wards they cannot see); in the "
        "shared database cache, so every instance reads the same"
    ),
}
# ``global``, ``functools.lru_cache``/``cache`` and ``threading.local`` in the app, with why
# the value cannot go stale or leak between requests.
ALLOWED_PROCESS_STATE: dict[str, str] = {
    "meetings/document_render.py": (
        "the compiled form of a Word layout, keyed by the layout's own text: it holds no "
        "document data and cannot go stale (a changed layout is another key)"
    ),
    "meetings/scale_data.py": (
        "generate_scale_data hands its job to the worker processes it forks (global _JOB); "
        "a management command, never imported by a request"
    ),
}

CACHE_NAMES = {"cache", "caches", "cache_page", "cache_control", "vary_on_cookie"}
MEMO_DECORATORS = {"lru_cache", "cache"}


def process_state(tree: ast.AST) -> tuple[list[str], list[str]]:
    """(cache uses, process-state uses) found in one module."""
    cache_uses, state = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in {
            "django.core.cache",
            "django.views.decorators.cache",
            "django.utils.cache",
        }:
            names = {alias.name for alias in node.names} & CACHE_NAMES
            cache_uses += [f"line {node.lineno}: {node.module}.{n}" for n in sorted(names)]
        elif isinstance(node, ast.Import):
            cache_uses += [
                f"line {node.lineno}: import {a.name}"
                for a in node.names
                if a.name.startswith("django.core.cache")
            ]
        elif isinstance(node, ast.Global):
            state.append(f"line {node.lineno}: global {', '.join(node.names)}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = getattr(target, "attr", None) or getattr(target, "id", None)
                if name in MEMO_DECORATORS:
                    state.append(f"line {decorator.lineno}: @{name} on {node.name}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "local"
            and getattr(node.value, "id", None) in {"threading", "asgiref"}
        ):
            state.append(f"line {node.lineno}: threading.local")
    by_line = lambda text: int(text.split(":")[0].removeprefix("line "))  # noqa: E731
    return sorted(cache_uses, key=by_line), sorted(state, key=by_line)


def test_no_app_code_keeps_data_in_process_memory():
    cache_found, state_found = {}, {}
    for path in project_sources():
        cache_uses, state = process_state(ast.parse(path.read_text("utf-8"), str(path)))
        if cache_uses:
            cache_found[relative(path)] = cache_uses
        if state:
            state_found[relative(path)] = state
    assert set(cache_found) <= set(ALLOWED_CACHE_USE), {
        k: v for k, v in cache_found.items() if k not in ALLOWED_CACHE_USE
    }
    assert set(state_found) <= set(ALLOWED_PROCESS_STATE), {
        k: v for k, v in state_found.items() if k not in ALLOWED_PROCESS_STATE
    }


def test_the_scan_finds_what_it_looks_for():
    sample = ast.parse(
        "from django.core.cache import cache\n"
        "from django.views.decorators.cache import cache_page, never_cache\n"
        "import functools, threading\n"
        "COUNT = 0\n"
        "def bump():\n    global COUNT\n    COUNT += 1\n"
        "@functools.lru_cache(maxsize=None)\ndef wards():\n    return []\n"
        "here = threading.local()\n"
    )
    cache_uses, state = process_state(sample)
    assert cache_uses == [
        "line 1: django.core.cache.cache",
        "line 2: django.views.decorators.cache.cache_page",
    ]
    assert state == [
        "line 6: global COUNT",
        "line 8: @lru_cache on wards",
        "line 11: threading.local",
    ]


def test_a_cache_shared_by_users_is_a_shared_cache():
    """If the app ever caches, the default cache must be one every instance sees."""
    backend = settings.CACHES["default"]["BACKEND"]
    if ALLOWED_CACHE_USE:
        assert backend in SHARED_CACHE_BACKENDS, backend


# --- Document numbers under concurrent instances (PostgreSQL) --------------------------------

MEETINGS = 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer and no row locks: run with DATABASE_URL=postgres://... "
    "to race the numbering across connections",
)
def test_numbers_taken_at_once_on_separate_connections_never_repeat(home):
    """Each thread is one request on its own database connection, as on two app servers:
    every meeting's notice and minutes asked for twice at the same moment, and the
    quarterly report twice. One number per document, no number twice, no gap."""
    meetings = [
        Meeting.objects.create(
            ward=home.ward,
            kind=MeetingKind.SEMINAR,
            title=f"Hội nghị số {n}",
            year=2021,
            held_at=dt.datetime(2021, 4, n + 1, 8, 0, tzinfo=HANOI),
            status=MeetingStatus.CONCLUDED,
        )
        for n in range(MEETINGS)
    ]
    jobs = [
        {"kind": kind, "meeting": meeting}
        for meeting in meetings
        for kind in (DocumentKind.CONCLUSION_NOTICE, DocumentKind.MINUTES)
    ] + [{"kind": DocumentKind.QUARTERLY_REPORT, "year": 2021, "quarter": 1}]
    jobs = jobs * 2  # every document asked for by two instances at once
    start = threading.Barrier(len(jobs))
    taken: list[tuple] = []
    errors: list[BaseException] = []

    def request(job):
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=30)
            with transaction.atomic():
                document = issued_document_reserve(
                    actor=home.secretary,
                    ward=home.ward,
                    committee=home.committee,
                    issued_on=dt.date(2021, 4, 20),
                    **job,
                )
            taken.append((document.pk, document.doc_type, document.number))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=request, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(taken) == len(jobs)
    numbers: dict[str, list[int]] = {}
    for doc_type, number in IssuedDocument.objects.values_list("doc_type", "number"):
        numbers.setdefault(doc_type, []).append(number)
    assert {t: sorted(n) for t, n in numbers.items()} == {
        "TB": list(range(1, MEETINGS + 1)),
        "BB": list(range(1, MEETINGS + 1)),
        "BC": [1],
    }
    # Both requests for a document got the same row and number.
    assert len(set(taken)) == IssuedDocument.objects.count() == 2 * MEETINGS + 1
