"""The page benchmark (benchmarks/pages.py) cannot rot: its measuring functions run briefly
against a small generated ward, in-process and against the live test server, and its bare
view exists only when the benchmark asks for it."""

from __future__ import annotations

import importlib
import io
import time

import pytest
from django.core.management import call_command
from django.urls import Resolver404, clear_url_caches, resolve

from benchmarks import pages
from benchmarks._common import percentile

SMALL = {
    "wards": 1,
    "years": 1,
    "units": 14,
    "people": 30,
    "users": 8,
    "plans": 2,
    "tasks": 3,
    "registrations": 4,
    "meetings": 4,
    "attendees": 4,
    "contributions": 1,
    "conclusions": 1,
}


def _reload_urls(settings, enabled: bool) -> None:
    import wardwork.urls

    settings.BENCHMARK_BARE_VIEW = enabled
    importlib.reload(wardwork.urls)
    clear_url_caches()


@pytest.fixture
def bare_view(settings):
    _reload_urls(settings, True)
    yield pages.BARE_PATH
    _reload_urls(settings, False)


@pytest.fixture
def small_city(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    options = [f"--{name}={value}" for name, value in SMALL.items()]
    call_command(
        "generate_scale_data",
        "--force",
        "--no-history",
        "--figures=none",
        *options,
        stdout=io.StringIO(),
    )
    return pages.discover()


def test_the_bare_view_exists_only_when_the_benchmark_asks(settings):
    with pytest.raises(Resolver404):
        resolve(pages.BARE_PATH)
    try:
        _reload_urls(settings, True)
        assert resolve(pages.BARE_PATH).func.view_initkwargs == {"template_name": "bare.html"}
    finally:
        _reload_urls(settings, False)
    with pytest.raises(Resolver404):
        resolve(pages.BARE_PATH)


def test_percentile_is_the_nearest_rank():
    values = [i / 100 for i in range(1, 101)]
    assert percentile(values, 0.5) == 0.5
    assert percentile(values, 0.95) == 0.95
    assert percentile([], 0.95) == 0.0


@pytest.mark.django_db(transaction=True)
def test_the_measuring_functions_run(small_city, live_server, bare_view, monkeypatch):
    found = small_city
    assert set(found["paths"]) == {key for key, _label, _role in pages.PAGES}

    counts = pages.count_queries(found["paths"], found["users"])
    assert {key: c["status"] for key, c in counts.items()} == dict.fromkeys(found["paths"], 200)
    assert all(c["queries"] > 0 for c in counts.values())

    # One client: the live server's SQLite database takes one writer at a time (every request
    # saves its session); the real run has ten, on PostgreSQL.
    clients = pages.logged_in_clients(
        live_server.url, found["users"]["secretary"], pages.BENCH_PASSWORD, 1
    )
    bare = pages.load(clients, bare_view, 0.3)
    page = pages.load(clients, found["paths"]["plan"], 0.3)
    assert bare.requests > 0 and bare.errors == [] and bare.rps > 0
    assert page.requests > 0 and page.errors == [] and page.p95_ms >= page.p50_ms > 0

    documents = pages.measure_documents(found, runs=1)
    assert [d.get("error") for d in documents] == [None, None]
    monkeypatch.setattr(pages, "EXPORT_ROWS", (5, 20))
    monkeypatch.setattr(pages, "IMPORT_ROWS", 3)
    exports, imports = pages.measure_spreadsheets(found)
    assert [e["rows"] for e in exports] == [5, 20]
    assert imports[0]["what"].startswith("import 3 rows")

    args = pages.parse_args(["--wards", "1", "--years", "1", "--seconds", "0.3"])
    run = {
        "args": args,
        "when": time.gmtime(),
        "counts": pages.data_counts(),
        "pg": "–",
        "gunicorn": "–",
        "generator": "test",
        "ward": found["ward"].name,
        "quarter": "1/2021",
        "load": "0 / 0",
        "bare": [bare, bare],
        "loads": dict.fromkeys(found["paths"], page),
        "queries_one": counts,
        "queries_n": counts,
        "paths": found["paths"],
        "documents": documents,
        "exports": exports,
        "imports": imports,
        "rss": [90_000],
        "log_problems": [],
    }
    text = pages.report(run)
    assert "| quarter page |" in text
    assert "quarterly report DOCX" in text
    assert "XLSX export of 20 registrations" in text
    assert "PASS" in text or "MISS" in text
