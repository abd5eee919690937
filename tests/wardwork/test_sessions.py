"""Sessions and login protection: expiry after inactivity, password change and logout end
other sessions, and django-axes locks a user name or an address after repeated failures."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "Phuc-Dong-2021-an-toan"
LOCKED = "Đăng nhập sai quá nhiều lần"  # the lock-out page's heading in Vietnamese


def page(client):
    """A page that needs a login: 200 while the session lives, a redirect to login after."""
    return client.get(reverse("plans:plan_list"))


def is_logged_in(client) -> bool:
    response = page(client)
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    return False


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


# --- Expiry after inactivity --------------------------------------------------------------------


def test_every_request_restarts_the_inactivity_clock(client, home):
    assert "wardwork.middleware_sessions.SessionRefreshMiddleware" in settings.MIDDLEWARE
    client.force_login(home.secretary)
    row = session_row(client)
    # Nearly expired: the user was idle for almost the whole allowed time ...
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + timedelta(seconds=30))
    response = page(client)
    assert response.status_code == 200
    # ... and a request gives them the full time again, in the database and in the cookie.
    expires = session_row(client).expire_date
    full = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((expires - full).total_seconds()) < 60
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


def test_an_idle_session_expires(client, home):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600  # a working day at most
    client.force_login(home.secretary)
    assert is_logged_in(client)
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert not is_logged_in(client)


def test_a_short_session_age_really_runs_out(client, home, settings):
    """No clock tricks: with a one-second age, waiting two seconds ends the session."""
    settings.SESSION_COOKIE_AGE = 1
    client.force_login(home.secretary)
    assert session_row(client).expire_date <= timezone.now() + timedelta(seconds=1)
    time.sleep(2)
    assert not is_logged_in(client)


# --- Password change and logout ------------------------------------------------------------------


def test_password_change_ends_the_other_sessions_and_keeps_this_one(home):
    office, phone = Client(), Client()
    office.force_login(home.secretary)
    phone.force_login(home.secretary)
    assert is_logged_in(office) and is_logged_in(phone)

    response = office.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")

    assert is_logged_in(office)  # the one who changed it carries on
    assert not is_logged_in(phone)  # a stolen or forgotten session is over
    # The old password no longer opens a session; the new one does.
    assert (
        Client()
        .post(reverse("login"), {"username": home.secretary.username, "password": PASSWORD})
        .status_code
        == 200
    )
    fresh = Client()
    response = fresh.post(
        reverse("login"), {"username": home.secretary.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302 and is_logged_in(fresh)


def test_a_password_set_by_an_administrator_ends_every_session(home):
    phone = Client()
    phone.force_login(home.cell_secretary)
    assert is_logged_in(phone)
    home.cell_secretary.set_password(NEW_PASSWORD)
    home.cell_secretary.save()
    assert not is_logged_in(phone)


def test_logout_deletes_the_session(client, home):
    client.force_login(home.secretary)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    # Someone who copied the cookie before the logout gets nothing with it.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not is_logged_in(replay)
    assert not is_logged_in(client)


# --- Lock-out after repeated failures (django-axes) ----------------------------------------------


def attempt(username, password, address, client=None):
    """A login through the login page, as the browser sends it, from ``address``."""
    client = client or Client()
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def assert_locked(response):
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert LOCKED in response.content.decode()


def test_settings_lock_per_user_name_and_per_address():
    assert settings.AXES_ENABLED
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username"], ["ip_address"]]
    assert settings.LOGIN_FAILURES_PER_USER == 5
    assert settings.LOGIN_FAILURES_PER_ADDRESS > settings.LOGIN_FAILURES_PER_USER


def test_a_user_name_is_locked_after_the_limit_from_any_address(home):
    user = home.secretary.username
    limit = settings.LOGIN_FAILURES_PER_USER
    for n in range(limit - 1):
        response = attempt(user, "wrong-password", f"203.0.113.{n + 1}")
        assert response.status_code == 200  # the form again, with its error
    # The last allowed failure locks the name; so do later tries with the right password,
    # even from an address never seen before.
    assert_locked(attempt(user, "wrong-password", "203.0.113.50"))
    assert_locked(attempt(user, PASSWORD, "198.51.100.7"))
    # Other people, even at the same addresses, are not affected.
    assert attempt(home.staff.username, PASSWORD, "203.0.113.1").status_code == 302


def test_the_lock_page_speaks_vietnamese_and_names_no_account(home):
    for n in range(settings.LOGIN_FAILURES_PER_USER):
        response = attempt(home.dvk.username, "wrong-password", f"203.0.113.{n + 1}")
    assert_locked(response)
    content = response.content.decode()
    assert '<html lang="vi">' in content
    # the explanation (both kinds of lock, when it lifts): tests/wardwork/test_locked_out_page.py
    assert home.dvk.username not in content  # the page confirms no account name


def test_a_success_resets_the_count_of_the_user_name(home):
    user = home.secretary.username
    limit = settings.LOGIN_FAILURES_PER_USER
    for _ in range(limit - 1):
        attempt(user, "wrong-password", "203.0.113.1")
    assert attempt(user, PASSWORD, "203.0.113.1").status_code == 302
    for _ in range(limit - 1):
        assert attempt(user, "wrong-password", "203.0.113.1").status_code == 200
    assert attempt(user, PASSWORD, "203.0.113.1").status_code == 302


def test_an_address_is_locked_after_its_own_limit_whatever_the_names(home):
    """Someone trying many names from one address: the address is locked, for every name."""
    office = "192.0.2.10"
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    for n in range(limit - 1):
        # Never more than a few tries per name: no single name reaches its own limit.
        response = attempt(f"guess{n}", "wrong-password", office)
        assert response.status_code == 200, n
    # A ward office behind one address: the colleagues still log in below the limit ...
    assert attempt(home.staff.username, PASSWORD, office).status_code == 302


def test_an_address_at_its_limit_is_locked_for_everyone_there(home):
    office = "192.0.2.10"
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    for n in range(limit - 1):
        attempt(f"guess{n}", "wrong-password", office)
    assert_locked(attempt(f"guess{limit}", "wrong-password", office))
    # ... at the limit the address is locked, even for a correct password ...
    assert_locked(attempt(home.secretary.username, PASSWORD, office))
    # ... while the same person elsewhere (a phone on 4G) still gets in.
    assert attempt(home.secretary.username, PASSWORD, "198.51.100.7").status_code == 302


def test_the_lock_ends_after_the_cool_off_time(home):
    user = home.secretary.username
    for n in range(settings.LOGIN_FAILURES_PER_USER):
        attempt(user, "wrong-password", f"203.0.113.{n + 1}")
    assert_locked(attempt(user, PASSWORD, "203.0.113.1"))
    assert settings.AXES_COOLOFF_TIME == 1
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1, minutes=1))
    assert attempt(user, PASSWORD, "203.0.113.1").status_code == 302


def test_behind_the_proxy_the_forwarded_address_is_counted(home, settings):
    """Behind nginx every request comes from 127.0.0.1: the address nginx saw is counted,
    so one attacker does not lock the whole city out."""
    settings.TRUSTED_PROXY_COUNT = 1
    limit = settings.LOGIN_FAILURES_PER_ADDRESS

    def through_proxy(username, password, client_address):
        return Client().post(
            reverse("login"),
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for n in range(limit):
        through_proxy(f"guess{n}", "wrong-password", "203.0.113.66")
    assert_locked(through_proxy(home.secretary.username, PASSWORD, "203.0.113.66"))
    assert through_proxy(home.secretary.username, PASSWORD, "198.51.100.7").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
