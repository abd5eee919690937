"""Sliding session expiry without a write per request (wardwork/middleware_sessions.py).

A session's inactivity clock restarts only when its last restart is SESSION_REFRESH_INTERVAL
old: a user clicking through pages costs one session UPDATE per interval, not per page, and
an idle session still ends at most SESSION_COOKIE_AGE after the last request
(tests/wardwork/test_sessions.py keeps the inactivity tests)."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wardwork.middleware_sessions import REFRESHED_AT

pytestmark = pytest.mark.django_db


def page(client):
    return client.get(reverse("plans:plan_list"))


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def refreshed_ago(client, seconds: int) -> None:
    """Pretend the session's clock was last restarted ``seconds`` ago."""
    store = SessionStore(session_key=session_key(client))
    store[REFRESHED_AT] = int(time.time()) - seconds
    store.save()
    Session.objects.filter(session_key=session_key(client)).update(
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )


def test_page_views_within_the_interval_do_not_write_the_session(client, home):
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_REFRESH_INTERVAL >= 60
    client.force_login(home.secretary)
    assert page(client).status_code == 200  # the first request after the login refreshes
    expires = Session.objects.get(session_key=session_key(client)).expire_date
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            response = page(client)
        assert response.status_code == 200
        assert session_writes(queries) == []
        assert settings.SESSION_COOKIE_NAME not in response.cookies  # the cookie is not resent
    assert Session.objects.get(session_key=session_key(client)).expire_date == expires


def test_a_request_after_the_interval_restarts_the_clock(client, home):
    client.force_login(home.secretary)
    page(client)
    refreshed_ago(client, settings.SESSION_REFRESH_INTERVAL + 1)
    with CaptureQueriesContext(connection) as queries:
        response = page(client)
    assert len(session_writes(queries)) == 1  # one UPDATE
    expires = Session.objects.get(session_key=session_key(client)).expire_date
    full = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((expires - full).total_seconds()) < 60
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == (
        settings.SESSION_COOKIE_AGE
    )
    # ... and the requests right after it write nothing again.
    with CaptureQueriesContext(connection) as queries:
        page(client)
    assert session_writes(queries) == []


def test_a_request_just_inside_the_interval_does_not_restart_it(client, home):
    client.force_login(home.secretary)
    page(client)
    refreshed_ago(client, settings.SESSION_REFRESH_INTERVAL - 30)
    before = Session.objects.get(session_key=session_key(client)).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert page(client).status_code == 200
    assert session_writes(queries) == []
    assert Session.objects.get(session_key=session_key(client)).expire_date == before


def test_an_idle_session_never_outlives_the_age_after_its_last_refresh(client, home, settings):
    """The worst case of the interval: the last request came just before a refresh was due;
    the session ends SESSION_COOKIE_AGE after the refresh, not later."""
    settings.SESSION_COOKIE_AGE = 3
    settings.SESSION_REFRESH_INTERVAL = 2
    client.force_login(home.secretary)
    assert page(client).status_code == 200  # refreshed: ends 3 s from now
    time.sleep(1)
    assert page(client).status_code == 200  # inside the interval: not refreshed
    time.sleep(2.5)
    assert page(client).status_code == 302  # 3.5 s after the refresh: over


def test_anonymous_visits_and_stale_cookies_create_no_session(home):
    visitor = Client()
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "stale-key-of-an-expired-session"
    count = Session.objects.count()
    for url in (reverse("login"), reverse("plans:plan_list")):
        visitor.get(url)
    assert Session.objects.count() == count


def test_logout_is_not_undone_by_the_refresh(client, home):
    client.force_login(home.secretary)
    page(client)
    key = session_key(client)
    refreshed_ago(client, settings.SESSION_REFRESH_INTERVAL + 1)
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert page(client).status_code == 302
