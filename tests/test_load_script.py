"""The load test script (benchmarks/load_quarter.py) works: on PostgreSQL the real script runs
a smoke load (3 users, 5 s, gunicorn, its own database) and must pass; on SQLite each kind of
simulated user does its workflow once against the live test server, with no error."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings

from benchmarks import load_quarter as lq
from meetings.models import IssuedDocument
from models_registry.models import Registration, RegistrationStatus
from plans.models import ProgressReport

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.skipif(not ON_POSTGRES, reason="the full script needs PostgreSQL (see below)")
def test_the_script_passes_a_smoke_load_on_postgresql():
    """3 users for 5 s against gunicorn, in a database of its own next to the test one."""
    config = dj_database_url.parse(os.environ.get("DATABASE_URL", ""))
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    url = f"postgres://{user}{password}@{host}:{port}/{config['NAME']}_loadsmoke"
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "benchmarks" / "load_quarter.py"), "--users", "3",
         "--seconds", "5", "--meetings", "20", "--database-url", url],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Errors: **0**" in result.stdout
    assert "deadlocks in the database during the run: **0**" in result.stdout
    assert "Duplicate numbers: **0**" in result.stdout
    assert "| login | 3 |" in result.stdout


def test_account_split_gives_each_kind_of_user():
    assert lq.account_split(50) == (35, 10, 5)
    assert lq.account_split(3) == (2, 1, 0)
    unit, staff, bloc = lq.account_split(10)
    assert unit + staff + bloc == 10 and staff >= 1 and bloc >= 1


@pytest.mark.skipif(ON_POSTGRES, reason="on PostgreSQL the real script runs (test above)")
@pytest.mark.django_db(transaction=True)
def test_every_workflow_runs_without_error_against_the_live_server(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = lq.setup_data(10, meetings=6)
    ctx = lq.Context(base_url=live_server.url, think=0, **data)
    deadline = time.monotonic() + 60
    numbered_before = IssuedDocument.objects.count()
    submitted_before = Registration.objects.filter(status=RegistrationStatus.SUBMITTED).count()

    browsers = {}
    for username, _role in ctx.users:
        browsers[username] = lq.Browser(ctx.base_url, ctx.stats)
        browsers[username].login(username, ctx.password)

    unit = ctx.unit_users[0]
    lq.unit_iteration(browsers[unit], ctx, unit, random.Random(1), deadline)
    lq.registration_flow(browsers[unit], ctx, unit, random.Random(2), deadline)
    lq.reviewer_iteration(browsers[ctx.bloc_users[0]], ctx, "bloc", random.Random(3), deadline)
    staff = ctx.staff_users[0]
    for seed in range(4, 20):  # until every step has been done once
        lq.staff_iteration(browsers[staff], ctx, staff, random.Random(seed), deadline)
        if {*lq.NUMBERED, "staff: save the report text", "ward: approve a registration"} <= set(
            ctx.stats.durations
        ):
            break

    assert ctx.stats.errors == []
    assert ctx.stats.total_errors == 0
    assert len(ctx.stats.durations["login"]) == 10
    for action in (
        "unit: save a progress report",
        "unit: submit the registration",
        "ward: approve a registration",
        "staff: save the report text",
        "staff: generate the quarterly report (BC)",
        "staff: minutes of a meeting (BB)",
        "staff: conclusion notice (TB)",
    ):
        assert ctx.stats.durations[action], action
    assert ProgressReport.objects.filter(narrative__contains=f"({unit}, lần").exists()
    assert Registration.objects.filter(title__contains="thử tải").exists()
    assert Registration.objects.filter(status=RegistrationStatus.SUBMITTED).count() >= (
        submitted_before - len(ctx.stats.durations["ward: approve a registration"])
    )
    assert IssuedDocument.objects.count() >= numbered_before + 2


def test_an_unexpected_answer_is_an_error_and_a_known_refusal_is_not():
    stats = lq.Stats()
    browser = lq.Browser("http://127.0.0.1:9", stats, timeout=2)  # nothing listens on port 9
    with pytest.raises(lq.WorkflowError):
        browser.get("a page", "/")
    assert stats.total_errors == 1
    assert "connection error" in stats.errors[0]

    refusals = lq.Refusals()
    refusals.stale = ["saved this record"]
    stale = lq.Answer(400, {}, b"<html><body><p>Someone saved this record at 10:00</p></body>")
    assert refusals.stale_edit(stale)
    assert refusals.stale_edit(lq.Answer(400, {}, b"<html><body>Bad input</body></html>")) is None
    assert refusals.stale_edit(lq.Answer(500, {}, stale.body)) is None
