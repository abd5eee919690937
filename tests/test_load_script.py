"""The load test script (benchmarks/load_quarter.py) works: on PostgreSQL the real script runs
a smoke load (10 users, 5 s, two gunicorn instances on one database of its own) and must pass;
on SQLite each kind of simulated user does its workflow once against the live test server, with
no error. The lost-update check is tested on its own (fed a history where an accepted save is
missing) and against the live server (concurrent edits of a shared task through the real form,
and a save that leaves the hidden version out, which the check must catch)."""

from __future__ import annotations

import os
import random
import re
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
def test_the_script_passes_a_smoke_load_on_two_instances_on_postgresql():
    """10 users for 5 s against two gunicorn instances, in a database of its own next to the
    test one: some users on each instance, some alternating between them."""
    config = dj_database_url.parse(os.environ.get("DATABASE_URL", ""))
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    url = f"postgres://{user}{password}@{host}:{port}/{config['NAME']}_loadsmoke"
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "benchmarks" / "load_quarter.py"), "--users", "10",
         "--seconds", "5", "--meetings", "20", "--instances", "2", "--database-url", url],
        cwd=ROOT, capture_output=True, text=True, timeout=400,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, out + result.stderr[-3000:]
    assert "Errors: **0**" in out
    assert "deadlocks in the database during the run: **0**" in out
    assert "Duplicate numbers: **0**" in out
    assert "| login | 10 |" in out
    totals = re.search(
        r"Totals: errors (\d+), deadlocks (\d+), duplicate numbers (\d+), gaps in numbering "
        r"(\d+), lost updates (\d+), stale refusals (\d+)",
        out,
    )
    assert totals, out
    assert [int(n) for n in totals.groups()[:5]] == [0, 0, 0, 0, 0]
    row = r"\| #\d http://127\.0\.0\.1:(\d+) \| (\d+) / (\d+) \| (\d+) \| (\d+) \|"
    instances = re.findall(row, out)
    assert len(instances) == 2 and instances[0][0] != instances[1][0], out
    for _port, fixed, alternating, requests, errors in instances:
        assert int(fixed) >= 3 and int(alternating) >= 2
        assert int(requests) > 10 and int(errors) == 0
    accepted = re.search(r"accepted saves (\d+)", out)
    assert accepted and int(accepted.group(1)) >= 1, out  # of each version, one save passes


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
    assert lq.lost_updates(ctx.writes.items, *lq.shared_records(ctx.writes.items)) == []
    for action in (
        "staff: save a shared task",
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


def _write(record, marker, version, user="u"):
    return lq.Write(record=record, marker=marker, version=version, user=user, instance="i")


def test_the_lost_update_check_finds_an_accepted_save_that_vanished():
    task, text = ("task", 1), ("report text", "2021-Q1")
    writes = [
        _write(task, "[a]", 3),
        _write(task, "[b]", 4),
        _write(text, "<x>", 7),
    ]
    history = {task: ["old", "desc [a]", "desc [b]"], text: ["", "t <x>"]}
    final = {task: "desc [b]", text: "t <x>"}
    assert lq.lost_updates(writes, final, history) == []

    # [a] was accepted but no saved state ever held it: overwritten in place, or never saved.
    vanished = {**history, task: ["old", "desc [b]"]}
    problems = lq.lost_updates(writes, final, vanished)
    assert len(problems) == 1 and "'[a]'" in problems[0] and "no history row" in problems[0]

    # The record now holds an earlier save than the last accepted one.
    problems = lq.lost_updates(writes, {**final, task: "desc [a]"}, history)
    assert len(problems) == 1 and "not the last accepted save '[b]'" in problems[0]

    # Two saves accepted from the same version: the second overwrote the first unseen.
    blind = [*writes, _write(task, "[c]", 4)]
    problems = lq.lost_updates(blind, final, {**history, task: [*history[task], "desc [c]"]})
    assert any("2 saves accepted from the same version 4" in p for p in problems)


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_a_shared_task_through_the_form(live_server, settings, tmp_path):
    """Two staff open the same task's form; the first save is kept, the second (from the same
    version) is refused with the "saved meanwhile" message, and the check finds nothing lost.
    Two saves that leave the hidden version out both go through, and the check says the first
    one was overwritten unseen."""
    settings.MEDIA_ROOT = tmp_path
    data = lq.setup_data(10, meetings=2)
    ctx = lq.Context(base_url=live_server.url, think=0, **data)
    pk = ctx.shared_task_ids[0]
    first, second = ctx.staff_users[:2]
    browsers = {}
    for username in (first, second):
        browsers[username] = lq.Browser(ctx.base_url, ctx.stats)
        browsers[username].login(username, ctx.password)

    def open_form(username):
        page = browsers[username].get("form", f"/plans/tasks/{pk}/edit/")
        form = lq.find_form(page.body, lambda f: "description" in f.fields)
        return [(k, v) for k, v in form.form_values() if k != "description"]

    def save(username, values, marker):
        values = [*values, ("description", f"Mô tả {marker}")]
        answer = browsers[username].post(
            "save", f"/plans/tasks/{pk}/edit/", values, expect=(302,),
            refusals=ctx.refusals.stale_edit,
        )  # fmt: skip
        if answer is not None:
            lq._accepted(ctx, browsers[username], ("task", pk), marker, dict(values), username)
        return answer

    form_a, form_b = open_form(first), open_form(second)
    assert save(first, form_a, "[A]") is not None
    assert save(second, form_b, "[B]") is None  # refused: stale
    assert ctx.stats.stale_refusals == 1 and ctx.stats.total_errors == 0
    assert lq.lost_updates(ctx.writes.items, *lq.shared_records(ctx.writes.items)) == []

    # A client that posts no version is not checked: the second save overwrites the first.
    blind_a = [(k, v) for k, v in open_form(first) if k != "version"]
    blind_b = [(k, v) for k, v in open_form(second) if k != "version"]
    assert save(first, blind_a, "[C]") is not None
    assert save(second, blind_b, "[D]") is not None
    problems = lq.lost_updates(ctx.writes.items, *lq.shared_records(ctx.writes.items))
    assert any("2 saves accepted from the same version 0" in p for p in problems), problems
